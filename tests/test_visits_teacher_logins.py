"""Every teacher records visits: a school admin creates teacher logins in bulk from the staff list."""

from __future__ import annotations

import re

from sqlalchemy import select

from bureau.tenants.models import User
from bureau.visits.models import Staff
from tests.conftest import login


def test_school_admin_creates_logins_for_staff_and_each_must_change_password(world, login_as, session, app):
    other = world.extra["other_staff_a1x"]  # a1x's 科任教师, no login yet
    linked = world.extra["staff_a1x"]  # already linked to teacher_a1x
    admin = login_as("school_admin_a1x")
    page = admin.post(
        "/admin/staff/action/", data={"action": "create_logins", "rowid": [other.id, linked.id]}
    ).get_data(as_text=True)
    # The answer is the slip sheet: one slip, for the staff member who had no login.
    found = re.findall(r'data-username="([^"]+)".*?class="secret slip-password">([^<]+)<', page, re.S)
    assert len(found) == 1, page[:2000]
    username, password = found[0]
    assert username == f"A1X-{other.id}"
    session.expire_all()
    staff = session.get(Staff, other.id)
    user = session.scalar(select(User).where(User.username == username))
    assert staff.user_id == user.id and user.role == "teacher" and user.must_change_password
    assert user.school_id == world.schools["a1x"].id
    assert session.get(Staff, linked.id).user_id == world.users["teacher_a1x"].id  # unchanged

    teacher = app.test_client()
    assert login(teacher, username, password).status_code == 302
    response = teacher.get("/admin/my_visits/")
    assert response.status_code == 302 and response.headers["Location"].endswith("/password")
    teacher.post("/password", data={"current": password, "new": "my-own-pass-1", "confirm": "my-own-pass-1"})
    assert teacher.get("/admin/my_visits/").status_code == 200


def test_a_teacher_cannot_create_logins(world, login_as, session):
    before = session.scalar(select(User.id).order_by(User.id.desc()).limit(1))
    login_as("teacher_a1x").post(
        "/admin/staff/action/", data={"action": "create_logins", "rowid": [world.extra["other_staff_a1x"].id]}
    )
    assert session.scalar(select(User.id).order_by(User.id.desc()).limit(1)) == before
