"""The teachers' account slip sheet: who, username, initial password, where to sign in, one slip each.

It is the answer of the POST that created the accounts and exists nowhere else. The passwords are
not stored (the database keeps their scrypt hash), not flashed (a flash lives in the session
cookie, which is signed, not encrypted), not logged, and the page is sent `no-store`. The .xlsx of
the same slips is written in the same response and embedded in the page as a data: link, so the
download needs no second request that would have to carry or keep the passwords.
"""

from __future__ import annotations

import base64
import io

from flask import Response, make_response, url_for

from bureau.admin.base import XLSX
from bureau.exports.xlsx import Column, Export, Sheet, write_workbook
from bureau.tenants.models import place_name
from bureau.visits.logins import NewLogin

COLUMNS = [Column("姓名"), Column("岗位"), Column("用户名"), Column("初始密码"), Column("登录地址")]


def slip_rows(made: list[NewLogin], signin: str) -> list[tuple[str, str, str, str, str]]:
    return [(n.staff.name, n.staff.position, n.username, n.password, signin) for n in made]


def workbook_href(export: Export, rows: list[tuple]) -> str:
    """The workbook of the slips as a data: URL, by the one writer (whose temporary parts go when it closes)."""
    buffer = io.BytesIO()
    write_workbook(buffer, [Sheet("教师账号", COLUMNS, rows)], export)
    return f"data:{XLSX};base64,{base64.b64encode(buffer.getvalue()).decode('ascii')}"


def slips_response(view, made: list[NewLogin], already: int) -> Response:
    """The slip sheet of the logins just made (`already`: selected staff who had one)."""
    school = made[0].staff.school
    signin = url_for("auth.login", _external=True)
    export = Export("教师账号", place_name(school))
    rows = slip_rows(made, signin)
    page = view.render(
        "admin/visits/login_slips.html",
        school=school,
        slips=rows,
        signin=signin,
        already=already,
        xlsx_href=workbook_href(export, rows),
        xlsx_name=export.filename,
    )
    response = make_response(page)
    response.headers["Cache-Control"] = "no-store"  # no copy of the passwords in the browser's cache
    return response
