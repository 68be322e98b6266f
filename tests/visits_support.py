"""Helpers of the visits tests: roster sheets built with openpyxl, visit input, scopes."""

from __future__ import annotations

import io
from datetime import date

from openpyxl import Workbook

from bureau.tenants.scope import scope_for_user
from bureau.visits.records import VisitInput
from bureau.visits.roster import HEADERS


def roster_file(rows: list[tuple], headers: list[str] = HEADERS) -> io.BytesIO:
    book = Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return out


def family(student_id: int, on: date, mode: str = "home", **fields) -> VisitInput:
    return VisitInput(visited_on=on, mode=mode, target="family", student_id=student_id, no_gifts=True, **fields)


def scope_of(session, user, staff_id: int | None = None):
    return scope_for_user(user, staff_id)
