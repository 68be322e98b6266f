"""The one .xlsx writer: streamed rows, constant memory, Chinese headers, never a live formula.

Every export in the product goes through `write_workbook` (a view sends it with `admin.base.xlsx_response`).
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
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
    kind: str = "text"  # text | int | number | percent | date | datetime
    width: float | None = None


@dataclass
class Sheet:
    name: str
    columns: Sequence[Column]
    rows: Iterable[Sequence]
    title: str | None = None  # printed in the page header


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
            "header": workbook.add_format(
                {"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "valign": "vcenter"}
            ),
            "text": workbook.add_format({"num_format": "@"}),
            "int": workbook.add_format({"num_format": "0"}),
            "number": workbook.add_format({"num_format": "0.##"}),
            "percent": workbook.add_format({"num_format": "0.0%"}),
            "date": workbook.add_format({"num_format": "yyyy-mm-dd"}),
            "datetime": workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"}),
        }

    def sheet(self, sheet: Sheet) -> None:
        ws = self.book.add_worksheet(_sheet_name(sheet.name))
        rows: Iterator[Sequence] = iter(sheet.rows)
        sample = list(islice(rows, WIDTH_SAMPLE))
        for i, width in enumerate(_widths(sheet.columns, sample)):
            ws.set_column(i, i, width)
        ws.freeze_panes(1, 0)
        ws.set_landscape()
        ws.set_paper(9)  # A4
        ws.fit_to_pages(1, 0)
        ws.repeat_rows(0)
        if sheet.title:
            ws.set_header(f"&C{sheet.title.replace('&', '&&')}")
        ws.set_footer("&C第 &P 页，共 &N 页")
        for col, column in enumerate(sheet.columns):
            ws.write_string(0, col, column.header, self.formats["header"])
        last = 0
        for last, row in enumerate(chain(sample, rows), start=1):
            for col, column in enumerate(sheet.columns):
                self.cell(ws, last, col, column.kind, row[col] if col < len(row) else None)
        if sheet.columns:
            ws.autofilter(0, 0, max(last, 1), len(sheet.columns) - 1)

    def cell(self, ws, row: int, col: int, kind: str, value) -> None:
        if value is None or value == "":
            ws.write_blank(row, col, None)
        elif kind in ("int", "number", "percent") and isinstance(value, int | float):
            ws.write_number(row, col, value, self.formats[kind])
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


def write_workbook(target: str | IO[bytes], sheets: Iterable[Sheet]) -> None:
    """Write `sheets` to `target` (a path or a binary file), streaming each sheet's rows."""
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
    writer = _Writer(workbook)
    for sheet in sheets:
        writer.sheet(sheet)
    workbook.close()
