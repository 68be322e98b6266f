"""Reading uploaded .xlsx sheets: exact headers, cell text, and errors that name row and column."""
from __future__ import annotations

from dataclasses import dataclass
from typing import IO
from zipfile import BadZipFile

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException


@dataclass(frozen=True)
class RowError:
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"第{self.row}行")
        if self.column:
            where.append(f"「{self.column}」列")
        return ("".join(where) + "：" if where else "") + self.message


@dataclass
class ImportResult:
    """What an import wrote, for the message shown after it."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def summary(self) -> str:
        return f"新增 {self.created} 条，更新 {self.updated} 条，未变 {self.unchanged} 条"


class SheetError(Exception):
    """An import refused as a whole; `errors` lists every bad row and column."""

    def __init__(self, errors: list[RowError]):
        super().__init__("; ".join(str(e) for e in errors))
        self.errors = errors


@dataclass
class SheetRow:
    number: int
    cells: dict[str, str]

    def __getitem__(self, header: str) -> str:
        return self.cells.get(header, "")


def cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_sheet(
    source: str | IO[bytes], required: list[str], optional: tuple[str, ...] = ()
) -> list[SheetRow]:
    """Rows of the first sheet as text, keyed by header. Blank rows are skipped.

    The first row must hold every required header, in order, then any optional ones.
    """
    try:
        workbook = load_workbook(source, read_only=True, data_only=True)
    except (InvalidFileException, BadZipFile, OSError, KeyError, ValueError) as exc:
        raise SheetError([RowError(None, None, "无法读取文件，请上传 .xlsx 格式的表格")]) from exc
    try:
        rows = workbook.worksheets[0].iter_rows(values_only=True)
        header = [cell_text(v) for v in next(rows, ())]
        while header and header[-1] == "":
            header.pop()
        if header[: len(required)] != required or any(h not in optional for h in header[len(required):]):
            expected = " | ".join(required)
            raise SheetError([RowError(1, None, f"表头应为「{expected}」，实际为「{' | '.join(header)}」")])
        out = []
        for number, values in enumerate(rows, start=2):
            cells = {h: cell_text(v) for h, v in zip(header, values, strict=False)}
            if any(cells.values()):
                out.append(SheetRow(number, cells))
        return out
    finally:
        workbook.close()
