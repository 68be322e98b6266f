"""Teacher accounts are handed out on a printable slip sheet, shown once and never stored in clear.

Creating logins answers the POST with the slips themselves (name, username, initial password, where
to sign in) and an .xlsx of the same slips embedded in the page; the passwords are nowhere else:
not in the database (only the scrypt hash), not in the audit log, not in the session cookie, not in
the log output, not on a reload.
"""

from __future__ import annotations

import base64
import io
import json
import logging
import re
from datetime import UTC, datetime

from openpyxl import load_workbook
from sqlalchemy import select, text
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash

from bureau import clock
from bureau.extensions import db
from bureau.tenants.models import User
from bureau.visits.models import Staff
from tests.conftest import login

SLIP = re.compile(
    r'data-username="(?P<username>[^"]+)">.*?class="slip-name">(?P<name>[^<]+)<.*?'
    r'class="secret slip-password">(?P<password>[^<]+)<.*?class="slip-address">(?P<address>[^<]+)<',
    re.S,
)
XLSX_LINK = re.compile(
    r'href="data:application/vnd\.openxmlformats-officedocument\.spreadsheetml\.sheet;base64,'
    r'(?P<data>[A-Za-z0-9+/=]+)" download="(?P<name>[^"]+)"'
)
# 2026-11-20 08:30 UTC is 16:30 in Beijing, the same date.
AT = datetime(2026, 11, 20, 8, 30, tzinfo=UTC)


def _new_staff(session, world, name: str) -> Staff:
    staff = Staff(school=world.schools["a1x"], name=name, position="科任教师")
    session.add(staff)
    session.commit()
    return staff


def _create(client, *staff: Staff):
    with clock.frozen_at(AT):
        return client.post("/admin/staff/action/", data={"action": "create_logins", "rowid": [s.id for s in staff]})


def _slips(body: str) -> list[dict]:
    return [m.groupdict() for m in SLIP.finditer(body)]


def test_the_slip_sheet_lists_each_new_teacher_with_a_password_that_signs_in(world, login_as, session, app):
    new = _new_staff(session, world, "赵老师")
    other, linked = world.extra["other_staff_a1x"], world.extra["staff_a1x"]  # linked has a login already
    response = _create(login_as("school_admin_a1x"), other, new, linked)
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    slips = _slips(body)
    # Two slips (the two staff without a login), in the order the staff rows were read; the third is counted.
    assert sorted((s["username"], s["name"]) for s in slips) == [
        (f"A1X-{other.id}", "a1x科任（科任教师）"),
        (f"A1X-{new.id}", "赵老师（科任教师）"),
    ]
    assert "另有 1 名所选教职工已有账号" in body
    assert {s["address"] for s in slips} == {"http://localhost/login"}  # the site's address, from the request
    for slip in slips:
        assert len(slip["password"]) == 12
        teacher = app.test_client()
        assert login(teacher, slip["username"], slip["password"]).status_code == 302
        # The initial password must be changed at the first sign-in.
        assert teacher.get("/admin/").headers["Location"].endswith("/password")
    with Session(db.engine) as fresh:
        users = fresh.scalars(select(User).where(User.username.in_([s["username"] for s in slips]))).all()
        assert [(u.role, u.school_id, u.must_change_password) for u in users] == [
            ("teacher", world.schools["a1x"].id, True)
        ] * 2


def test_the_slip_workbook_opens_with_the_same_rows_as_the_page(world, login_as):
    body = _create(login_as("school_admin_a1x"), world.extra["other_staff_a1x"]).get_data(as_text=True)
    link = XLSX_LINK.search(body)
    assert link, body[:3000]
    assert link["name"] == "教师账号_甲一区实验小学_2026-11-20.xlsx"
    sheet = load_workbook(io.BytesIO(base64.b64decode(link["data"]))).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0][0].startswith("教师账号（甲一区实验小学）") and "2026-11-20 16:30" in rows[0][0]  # Beijing time
    assert rows[1] == ["姓名", "岗位", "用户名", "初始密码", "登录地址"]
    (slip,) = _slips(body)
    assert rows[2:] == [["a1x科任", "科任教师", slip["username"], slip["password"], "http://localhost/login"]]


def _every_stored_text() -> str:
    """Every value of every table, as text, read on a connection of its own after the request."""
    out = []
    with Session(db.engine) as fresh:
        for table in db.metadata.sorted_tables:
            out.extend(str(tuple(row)) for row in fresh.execute(text(f'SELECT * FROM "{table.name}"')))
    return "\n".join(out)


def test_no_initial_password_is_stored_logged_or_put_in_the_session_cookie(world, login_as, app, caplog):
    admin = login_as("school_admin_a1x")
    staff = world.extra["other_staff_a1x"]
    with caplog.at_level(logging.DEBUG):
        body = _create(admin, staff).get_data(as_text=True)
    (slip,) = _slips(body)
    password = slip["password"]
    stored = _every_stored_text()
    assert password not in stored  # neither in the users' rows nor in the audit log's changes
    with Session(db.engine) as fresh:
        user = fresh.scalar(select(User).where(User.username == slip["username"]))
        assert check_password_hash(user.password_hash, password)  # what is kept is the hash
        changes = fresh.execute(text("SELECT changes FROM audit_log WHERE table_name = 'user'")).scalars().all()
        assert any(
            '"password_hash": [null, "***"]' in json.dumps(json.loads(c) if isinstance(c, str) else c) for c in changes
        )
    assert password not in caplog.text
    cookie = admin.get_cookie("session").value
    content = app.session_interface.get_signing_serializer(app).loads(cookie)
    assert password not in cookie and password not in json.dumps(content, ensure_ascii=False)
    assert "_flashes" not in content  # nothing flashed: the slips are the page itself


def test_reloading_the_slip_sheet_does_not_show_the_passwords_again(world, login_as):
    admin = login_as("school_admin_a1x")
    staff = world.extra["other_staff_a1x"]
    (slip,) = _slips(_create(admin, staff).get_data(as_text=True))
    again = _create(admin, staff)  # the browser's "reload" sends the same form again
    assert again.status_code == 302
    page = admin.get(again.headers["Location"]).get_data(as_text=True)
    assert "所选教职工都已有账号" in page and not _slips(page)
    for url in ("/admin/staff/", "/admin/user/", "/admin/audit/"):
        assert slip["password"] not in admin.get(url).get_data(as_text=True)


def test_a_refused_batch_makes_no_login_and_shows_no_slip(world, login_as, session):
    other = world.extra["other_staff_a1x"]
    new = _new_staff(session, world, "钱老师")
    # A colleague's account already holds the username the second one would get: the batch is refused whole.
    session.add(User(username=f"A1X-{new.id}", password_hash="x", role="teacher", school=world.schools["a1x"]))
    session.commit()
    admin = login_as("school_admin_a1x")
    response = _create(admin, other, new)
    assert response.status_code == 302
    page = admin.get(response.headers["Location"]).get_data(as_text=True)
    assert f"用户名「A1X-{new.id}」已被使用" in page and not _slips(page)
    with Session(db.engine) as fresh:
        assert fresh.scalar(select(Staff.user_id).where(Staff.id == other.id)) is None
        assert fresh.scalar(select(User.id).where(User.username == f"A1X-{other.id}")) is None
