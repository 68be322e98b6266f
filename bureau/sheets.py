"""Reading uploaded .xlsx sheets: exact headers, cell text, and errors that name row and column.

An upload is untrusted: a few kilobytes of zip can expand into gigabytes of XML or a million
rows. The archive is measured before openpyxl opens it, rows are read one at a time, and the
first row, column or cell over its limit stops the reading with a message.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO
from zipfile import BadZipFile

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

MAX_COLUMNS = 30
MAX_CELL_CHARS = 500  # names, addresses and codes are short; a longer cell is a mistake or an attack
MAX_SHOWN_ERRORS = 100
QUOTE_CHARS = 20  # how much of a bad cell a message repeats
# openpyxl parses every XML member it reads in full, the shared strings (every text cell) into
# memory even in read-only mode, so each member's uncompressed size is bounded before it opens.
MAX_MEMBER_BYTES = 16 * 1024 * 1024
MAX_ARCHIVE_BYTES = 40 * 1024 * 1024
MAX_RATIO = 100  # sheet XML compresses 5-20 times; a hundredfold member is padding
RATIO_FLOOR = 1024 * 1024  # small members may compress as well as they like
EXCEL_MAX_ROW = 1_048_576  # a row number beyond Excel's last row is never read

UNREADABLE = "无法读取文件，请上传 .xlsx 格式的表格"
TOO_BIG = "文件解压后过大（超过 {mb} MB），请只保留需要导入的数据后重新上传"


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
    what: str = ""  # what the rows are, named in the summary ("学生")
    unit: str = "条"

    def summary(self) -> str:
        u = self.unit
        return f"新增{self.what} {self.created} {u}，更新 {self.updated} {u}，未变 {self.unchanged} {u}"


class SheetError(Exception):
    """An import refused as a whole.

    `errors` holds the first MAX_SHOWN_ERRORS bad rows and columns, followed by a line giving the
    total when there were more (so every caller that lists them says so); `total` is the count.
    """

    def __init__(self, errors: list[RowError]):
        self.total = len(errors)
        shown = list(errors[:MAX_SHOWN_ERRORS])
        if self.total > MAX_SHOWN_ERRORS:
            shown.append(RowError(None, None, f"共 {self.total} 处错误，仅显示前 {MAX_SHOWN_ERRORS} 处"))
        super().__init__("; ".join(str(e) for e in shown))
        self.errors = shown


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


def clip(text: str) -> str:
    """A cell as a message repeats it: its first QUOTE_CHARS characters, then … if cut."""
    return text[:QUOTE_CHARS] + "…" if len(text) > QUOTE_CHARS else text


def quote(text: str) -> str:
    return f"「{clip(text)}」"


def check_archive(source: str | IO[bytes]) -> None:
    """Refuse a zip whose members would expand beyond what an import sheet needs.

    The sizes are the archive's own declarations; zipfile never inflates a member past its
    declared size (a lie ends in a CRC error), so they bound what openpyxl can be handed.
    """
    try:
        with zipfile.ZipFile(source) as archive:
            members = archive.infolist()
    except (BadZipFile, OSError, ValueError) as exc:
        raise SheetError([RowError(None, None, UNREADABLE)]) from exc
    finally:
        if hasattr(source, "seek"):
            source.seek(0)
    too_big = SheetError([RowError(None, None, TOO_BIG.format(mb=MAX_MEMBER_BYTES // 2**20))])
    if sum(m.file_size for m in members) > MAX_ARCHIVE_BYTES:
        raise too_big
    for member in members:
        if member.file_size > MAX_MEMBER_BYTES:
            raise too_big
        if member.file_size > RATIO_FLOOR and member.file_size > MAX_RATIO * max(member.compress_size, 1):
            raise too_big


def read_sheet(
    source: str | IO[bytes], required: list[str], optional: tuple[str, ...] = (), *, max_rows: int
) -> list[SheetRow]:
    """Rows of the first sheet as text, keyed by header. Blank rows are skipped.

    The first row must hold every required header, in order, then any optional ones. At most
    `max_rows` non-blank rows below it (each importer names its own limit), MAX_COLUMNS columns
    and MAX_CELL_CHARS characters a cell: the first excess refuses the whole sheet.
    """
    check_archive(source)
    # openpyxl is handed arbitrary bytes: whatever it fails with (bad zip, XML, numbers, missing
    # parts) means the file is not a sheet we can read, never a server error.
    try:
        workbook = load_workbook(source, read_only=True, data_only=True)
    except Exception as exc:
        raise SheetError([RowError(None, None, UNREADABLE)]) from exc
    try:
        return list(_rows(workbook, required, optional, max_rows))
    except SheetError:
        raise
    except Exception as exc:
        raise SheetError([RowError(None, None, UNREADABLE)]) from exc
    finally:
        workbook.close()


def _rows(workbook, required: list[str], optional: tuple[str, ...], max_rows: int) -> Iterator[SheetRow]:
    # One column past the limit is read to see that it is used; the row bound stops openpyxl
    # from padding a jump to row 2,000,000,000 with blank rows.
    rows = workbook.worksheets[0].iter_rows(max_row=EXCEL_MAX_ROW, max_col=MAX_COLUMNS + 1, values_only=True)
    header = _texts(1, next(rows, ()), [])
    while header and header[-1] == "":
        header.pop()
    if header[: len(required)] != required or any(h not in optional for h in header[len(required) :]):
        expected = " | ".join(required)
        actual = " | ".join(clip(h) for h in header)
        raise SheetError([RowError(1, None, f"表头应为「{expected}」，实际为「{actual}」")])
    count = 0
    for number, values in enumerate(rows, start=2):
        if not any(v is not None for v in values):
            continue
        texts = _texts(number, values, header)
        cells = dict(zip(header, texts, strict=False))
        if any(cells.values()):
            count += 1
            if count > max_rows:
                raise SheetError([RowError(number, None, f"表格数据超过 {max_rows} 行，请分成多个文件导入")])
            yield SheetRow(number, cells)


def _texts(number: int, values: tuple, header: list[str]) -> list[str]:
    """A row's cells as text, refused at the first column or cell over its limit."""
    texts = [cell_text(v) for v in values]
    if len(texts) > MAX_COLUMNS and any(texts[MAX_COLUMNS:]):
        raise SheetError([RowError(number, None, f"表格最多 {MAX_COLUMNS} 列，请删除多余的列")])
    for index, text in enumerate(texts):
        if len(text) > MAX_CELL_CHARS:
            column = header[index] if index < len(header) and header[index] else get_column_letter(index + 1)
            message = f"内容过长（{len(text)} 个字符，最多 {MAX_CELL_CHARS} 个）：{quote(text)}"
            raise SheetError([RowError(number, column, message)])
    return texts
