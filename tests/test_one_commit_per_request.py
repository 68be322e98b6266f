"""One commit per request (issue 10): a GET never writes, a refused bulk action changes nothing
and says why, and the rules the views used to hold live in services."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bureau import clock
from bureau.extensions import db
from bureau.progress.models import ExpectedReport, ReportWeek
from bureau.progress.service import closed_weeks, open_due_weeks
from bureau.tenants.models import School, User
from bureau.tenants.scope import scope_for_user
from bureau.tenants.users import UserError
from bureau.visits.logins import create_teacher_logins, teacher_username
from bureau.visits.models import Staff
from bureau.visits.records import VisitError, review
from tests.factories import make_user

MONDAY_W38 = datetime(2026, 9, 14, 9, 0, tzinfo=clock.LOCAL)  # W38 has begun; nobody opened it
FRIDAY_W38 = datetime(2026, 9, 18, 9, 0, tzinfo=clock.LOCAL)  # W38's deadline (Thu 17:00) passed


def row_counts() -> dict[str, int]:
    """Rows of every table, read through a fresh session after the requests ended."""
    with Session(db.engine) as fresh:
        return {t.name: fresh.scalar(select(func.count()).select_from(t)) for t in db.metadata.sorted_tables}


@pytest.mark.parametrize("user", ["school_admin_a1x", "admin_a1", "leader_p", "teacher_a1x"])
def test_reading_pages_writes_no_row_even_when_a_week_has_begun_unopened(world, login_as, user):
    client = login_as(user)
    campaign = world.extra["progress_campaign"].id
    before = row_counts()
    with clock.frozen_at(MONDAY_W38):
        for url in (
            "/admin/",
            f"/admin/progress/?campaign={campaign}",
            "/admin/progress_due/?hours=100",
            "/admin/coverage/",
            "/admin/my_visits/",
        ):
            assert client.get(url).status_code in (200, 403), url
    assert row_counts() == before


def test_a_school_is_told_of_this_weeks_report_before_the_week_is_opened(world, login_as):
    campaign = world.extra["progress_campaign"]
    with clock.frozen_at(MONDAY_W38):
        client = login_as("school_admin_a1x")
        assert "2026年第38周" in client.get(f"/admin/progress/?campaign={campaign.id}").get_data(as_text=True)
        form = client.get(f"/admin/progress/form?campaign={campaign.id}&week=2026-W38")
        assert form.status_code == 200
        # saving the draft (a POST) records the week's expected schools, then the draft
        client.post(
            f"/admin/progress/form?campaign={campaign.id}&week=2026-W38",
            data={"action": "draft", "progress": "本周走访 3 户"},
        )
    with Session(db.engine) as fresh:
        assert (
            fresh.scalar(
                select(func.count())
                .select_from(ExpectedReport)
                .where(ExpectedReport.week_start == datetime(2026, 9, 14).date())
            )
            == 5
        )  # all five schools of P


def test_a_bureau_user_opens_the_begun_weeks_with_a_post(world, login_as):
    campaign = world.extra["progress_campaign"]
    client = login_as("admin_a1")
    with clock.frozen_at(MONDAY_W38):
        page = client.get(f"/admin/progress/?campaign={campaign.id}&week=2026-W38").get_data(as_text=True)
        assert "本周的应报学校尚未记录" in page
        client.post(f"/admin/progress/open?campaign={campaign.id}")
    with Session(db.engine) as fresh:
        weeks = fresh.scalars(
            select(ReportWeek.week_start).where(ReportWeek.campaign_id == campaign.id).order_by(ReportWeek.week_start)
        ).all()
    assert [w.isoformat() for w in weeks] == ["2026-09-07", "2026-09-14"]
    assert login_as("school_admin_a1x").post(f"/admin/progress/open?campaign={campaign.id}").status_code == 403


def test_the_latest_week_past_its_deadline_is_one_rule(world, session):
    campaign = world.extra["progress_campaign"]
    # Monday of W38: only W37 has closed; Friday of W38: W37 and W38 have
    assert [w.isoformat() for w in closed_weeks(campaign, MONDAY_W38)] == ["2026-09-07"]
    assert [w.isoformat() for w in closed_weeks(campaign, FRIDAY_W38)] == ["2026-09-07", "2026-09-14"]
    assert open_due_weeks(session, campaign, FRIDAY_W38) == 1  # W37 was open already


# Bulk actions: a refusal is a message and nothing changes --------------------------------------


def _active(model, name_or_username: str) -> bool:
    key = User.username if model is User else School.code
    with Session(db.engine) as fresh:
        return fresh.scalar(select(model.active).where(key == name_or_username))


@pytest.mark.parametrize("action", ["deactivate", "activate"])
def test_a_user_action_refused_for_one_row_changes_no_row(world, login_as, session, action):
    # the city's fellow admin (made last, so switched after the teacher) is not the city admin's to manage
    colleague = make_user(session, "colleague_a", "region_admin", world.regions["a"])
    colleague.active = world.users["teacher_a1x"].active = action == "deactivate"
    session.commit()
    before = {u: _active(User, u) for u in ("teacher_a1x", "colleague_a")}
    ids = [world.users["teacher_a1x"].id, colleague.id]
    page = login_as("admin_a").post("/admin/user/action/", data={"action": action, "rowid": ids}, follow_redirects=True)
    assert page.status_code == 200 and "未做任何修改" in page.get_data(as_text=True)
    assert "已停用" not in page.get_data(as_text=True) and "已启用" not in page.get_data(as_text=True)
    assert {u: _active(User, u) for u in before} == before


@pytest.mark.parametrize("action", ["deactivate", "activate"])
def test_a_school_action_on_a_school_outside_the_scope_changes_no_row(world, login_as, action):
    ids = [world.schools["a1x"].id, world.schools["b1"].id]  # b1 is another city's school
    page = login_as("admin_a1").post(
        "/admin/school/action/", data={"action": action, "rowid": ids}, follow_redirects=True
    )
    assert page.status_code == 200
    # the foreign id reads as missing: the county's own school is switched, the other city's is not
    assert _active(School, "A1X") is (action == "activate") and _active(School, "B1S") is True
    assert ("已停用" if action == "deactivate" else "已启用") + " 1 所学校" in page.get_data(as_text=True)


def test_creating_teacher_logins_refused_for_one_staff_creates_none(world, login_as, session):
    staff = [world.extra["other_staff_a1x"], Staff(school=world.schools["a1x"], name="新教师", position="科任教师")]
    session.add(staff[1])
    session.commit()
    make_user(session, teacher_username(staff[1]), "teacher", world.schools["a1x"])  # the name is taken
    session.commit()
    page = (
        login_as("school_admin_a1x")
        .post(
            "/admin/staff/action/",
            data={"action": "create_logins", "rowid": [s.id for s in staff]},
            follow_redirects=True,
        )
        .get_data(as_text=True)
    )
    assert "未做任何修改" in page and "已被使用" in page
    with Session(db.engine) as fresh:
        assert fresh.scalars(select(Staff.user_id).where(Staff.id.in_([s.id for s in staff]))).all() == [None, None]


# Rules moved out of the views --------------------------------------------------------------------


def test_a_teacher_login_is_named_after_the_school_code_and_the_staff_number(world, session):
    staff = world.extra["other_staff_a1x"]
    made = create_teacher_logins(session, [staff, world.extra["staff_a1x"]], None)  # the 班主任 has one
    assert [(m.staff.id, m.username) for m in made] == [(staff.id, f"A1X-{staff.id}")]
    user = session.scalar(select(User).where(User.username == f"A1X-{staff.id}"))
    assert user.role == "teacher" and user.must_change_password and user.check_password(made[0].password)
    assert len(made[0].password) >= 10


def test_only_a_school_admin_reviews_a_visit(world, session):
    visit = world.extra["visits_a1x"][0]
    for username in ("teacher_a1x", "admin_a1", "inspector_a"):
        with pytest.raises(VisitError, match="只有学校管理员可以审核"):
            review(session, visit, world.users[username], approve=True)
    review(session, visit, world.users["school_admin_a1x"], approve=True)
    assert visit.status == "approved"


def test_the_teacher_login_service_keeps_the_management_rule(world, session):
    with pytest.raises(UserError):
        create_teacher_logins(session, [world.extra["other_staff_a1x"]], scope_for_user(world.users["teacher_a1x"]))
