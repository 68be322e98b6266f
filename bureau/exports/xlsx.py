"""The one .xlsx writer: streamed rows, constant memory, Chinese headers, never a live formula.

Every export in the product goes through `write_workbook` (a view sends it with `admin.base.xlsx_response`).
An `Export` says what the file is, for whom (the place: a region's full name or a school's) and as of
when: it names the file, fills the workbook's properties and writes each sheet's title line.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import chain, islice
from typing import IO

import xlsxwriter

from bureau import clock

WIDTH_SAMPLE = 200
MAX_WIDTH = 60


@dataclass(frozen=True)
class Column:
    """A column: its Chinese header, and how to write its values."""

    header: str
    kind: str = "text"  # text | int | number | points (two decimals) | percent | date | datetime
    width: float | None = None


@dataclass
class Sheet:
    name: str
    columns: Sequence[Column]
    rows: Iterable[Sequence]
    title: str | None = None  # what the sheet shows (default: the export's `what`)


@dataclass(frozen=True)
class Export:
    """What a downloaded workbook is: `what` (覆盖率), for `place` (青川市东城区), as of `as_of`.

    A blank import template is an export with no place and `title_line=False`: its header must stay
    on row 1, where the importer reads it.
    """

    what: str
    place: str = ""
    as_of: dt.datetime | None = None  # default: now
    title_line: bool = True

    def moment(self) -> dt.datetime:
        return self.as_of or clock.now()

    @property
    def filename(self) -> str:
        """覆盖率_青川市东城区_2026-11-22.xlsx: the what, the place and the (Beijing) date."""
        parts = [self.what, self.place] + ([clock.local(self.moment()).date().isoformat()] if self.title_line else [])
        return "_".join(_file_part(part) for part in parts if part) + ".xlsx"

    def title(self, sheet_title: str | None = None) -> str:
        """The title line of a sheet: what, for whom, as of when."""
        what = sheet_title or self.what
        place = f"（{self.place}）" if self.place and self.place not in what else ""
        return f"{what}{place}  截至 {self._as_of_text()}（北京时间）"

    def _as_of_text(self) -> str:
        return f"{clock.local(self.moment()):%Y-%m-%d %H:%M}"

    def properties(self) -> dict:
        return {
            "title": f"{self.what}（{self.place}）" if self.place else self.what,
            "subject": self.what,
            "author": "大走访工作平台",
            "company": self.place,
            "comments": f"截至 {self._as_of_text()}（北京时间）",
            "created": clock.local(self.moment()).replace(tzinfo=None),
        }


def _file_part(text: str) -> str:
    """A piece of a file name: no path separators or characters Windows refuses."""
    return "".join("_" if ch in '\\/:*?"<>|' or ord(ch) < 32 else ch for ch in text).strip()


def display_width(text: str) -> float:
    """Excel column width of a string: CJK characters take two cells."""
    return sum(2.1 if ord(ch) > 0x2E80 else 1.1 for ch in text)


def _widths(columns: Sequence[Column], sample: list[Sequence]) -> list[float]:
    out = []
    for i, column in enumerate(columns):
        if column.width is not None:
            out.append(column.width)
            continue
        longest = max(
            [display_width(column.header)] + [display_width(_shown(row[i])) for row in sample if i < len(row)]
        )
        out.append(min(max(longest + 2, 8), MAX_WIDTH))
    return out


def _shown(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return "0000-00-00 00:00:00"
    if isinstance(value, dt.date):
        return "0000-00-00"
    return str(value)


class _Writer:
    def __init__(self, workbook: xlsxwriter.Workbook):
        self.book = workbook
        self.formats = {
            "title": workbook.add_format({"bold": True, "font_size": 13, "valign": "vcenter"}),
            "header": workbook.add_format(
                {"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "valign": "vcenter"}
            ),
            "text": workbook.add_format({"num_format": "@"}),
            "int": workbook.add_format({"num_format": "0"}),
            "number": workbook.add_format({"num_format": "0.0"}),
            "points": workbook.add_format({"num_format": "0.00"}),
            "percent": workbook.add_format({"num_format": "0.0%"}),
            "date": workbook.add_format({"num_format": "yyyy-mm-dd"}),
            "datetime": workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"}),
        }

    def sheet(self, sheet: Sheet, export: Export | None) -> None:
        ws = self.book.add_worksheet(_sheet_name(sheet.name))
        rows: Iterator[Sequence] = iter(sheet.rows)
        sample = list(islice(rows, WIDTH_SAMPLE))
        for i, width in enumerate(_widths(sheet.columns, sample)):
            ws.set_column(i, i, width)
        title = export.title(sheet.title) if export and export.title_line else sheet.title
        header = 1 if export and export.title_line else 0  # the title line, then the headers
        ws.freeze_panes(header + 1, 0)
        ws.set_landscape()
        ws.set_paper(9)  # A4
        ws.fit_to_pages(1, 0)
        ws.repeat_rows(header)
        if title:
            ws.set_header(f"&C{title.replace('&', '&&')}")
        ws.set_footer("&C第 &P 页，共 &N 页")
        if header:
            ws.set_row(0, 22)
            if len(sheet.columns) > 1:
                ws.merge_range(0, 0, 0, len(sheet.columns) - 1, title, self.formats["title"])
            else:
                ws.write_string(0, 0, title, self.formats["title"])
        for col, column in enumerate(sheet.columns):
            ws.write_string(header, col, column.header, self.formats["header"])
        last = header
        for last, row in enumerate(chain(sample, rows), start=header + 1):
            for col, column in enumerate(sheet.columns):
                self.cell(ws, last, col, column.kind, row[col] if col < len(row) else None)
        if sheet.columns:
            ws.autofilter(header, 0, max(last, header + 1), len(sheet.columns) - 1)

    def cell(self, ws, row: int, col: int, kind: str, value) -> None:
        if value is None or value == "":
            ws.write_blank(row, col, None)
        elif kind in ("int", "number", "percent", "points") and isinstance(value, int | float | Decimal):
            ws.write_number(row, col, float(value), self.formats[kind])
        elif kind == "datetime" and isinstance(value, dt.datetime):
            local = clock.local(value).replace(tzinfo=None)
            ws.write_datetime(row, col, local, self.formats["datetime"])
        elif kind == "date" and isinstance(value, dt.date):
            ws.write_datetime(row, col, dt.datetime.combine(value, dt.time()), self.formats["date"])
        else:
            # write_string never interprets =, +, - or @: typed text stays text.
            ws.write_string(row, col, str(value), self.formats["text"])


def _sheet_name(name: str) -> str:
    cleaned = "".join("_" if ch in "[]:*?/\\" else ch for ch in name).strip("'")
    return cleaned[:31] or "Sheet"


def write_workbook(target: str | IO[bytes], sheets: Iterable[Sheet], export: Export | None = None) -> None:
    """Write `sheets` to `target` (a path or a binary file), streaming each sheet's rows; with an
    `export`, the workbook's properties and each sheet's title line say what, for whom, as of when."""
    workbook = xlsxwriter.Workbook(
        target,
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
            "tmpdir": tempfile.gettempdir(),
        },
    )
    if export is not None:
        workbook.set_properties(export.properties())
    writer = _Writer(workbook)
    for sheet in sheets:
        writer.sheet(sheet, export)
    workbook.close()
