"""The weekly-report rules (bureau/progress/periods.py, bureau/progress/service.py), each on its own.

A campaign's deadline is its own weekday and Beijing time, judged to the second; its first week
opens on its first Monday; only a reviewer returns or approves, and only a submitted report; a
reason holds at most 500 characters; only an approved report can be unlocked. "Nothing was written"
is read through a fresh session after the refusal.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bureau.audit import AuditLog
from bureau.extensions import db
from bureau.progress.models import WeeklyReport
from bureau.progress.periods import PeriodError, hours_overdue, parse_week
from bureau.progress.service import (
    ReportError,
    approve,
    open_week,
    opened_weeks,
    report_status,
    return_report,
    submit,
    unlock,
    week_deadline,
)
from tests.world_progress import FIELDS, WEEK, beijing, make_campaign

TERM_END = date(2027, 1, 10)


def fresh() -> Session:
    """A new session on the engine: what the database holds once the test's work is gone."""
    return Session(db.engine)


def _stored_report(report_id: int) -> tuple:
    with fresh() as s:
        return s.execute(
            select(
                WeeklyReport.state, WeeklyReport.on_time, WeeklyReport.return_reason, WeeklyReport.reviewed_by_id
            ).where(WeeklyReport.id == report_id)
        ).one()


# The campaign's own deadline rule -------------------------------------------------------------


def test_a_tuesday_0930_deadline_is_the_campaigns_own_and_judged_to_the_second(world, session):
    """Tuesday 09:30 Beijing of week 2026-W37 is 2026-09-08 01:30 UTC. Submitted at 09:30:00:
    on time; at 09:30:01: late; on Thursday 16:00 (on time under the default Thursday 17:00): late."""
    s = world.schools
    campaign = make_campaign(
        session, world.regions["a"], WEEK, TERM_END, name="周二截止活动", weekday=1, at=time(9, 30)
    )
    assert week_deadline(campaign, WEEK) == datetime(2026, 9, 8, 1, 30, tzinfo=UTC)
    open_week(session, campaign, WEEK, beijing(2026, 9, 7, 8, 0, 0))
    on_time = submit(session, s["a1x"].id, campaign, WEEK, FIELDS, beijing(2026, 9, 8, 9, 30, 0))
    one_second_late = submit(session, s["a1y"].id, campaign, WEEK, FIELDS, beijing(2026, 9, 8, 9, 30, 1))
    thursday = submit(session, s["a2"].id, campaign, WEEK, FIELDS, beijing(2026, 9, 10, 16, 0, 0))
    session.commit()
    assert [_stored_report(r.id)[:2] for r in (on_time, one_second_late, thursday)] == [
        ("submitted", True),
        ("submitted", False),
        ("submitted", False),
    ]
    assert [report_status(r) for r in (on_time, one_second_late, thursday)] == ["on_time", "late", "late"]


def test_a_monday_0700_deadline_falls_on_the_sunday_before_in_utc(world, session):
    """Monday 07:00 Beijing (UTC+8) of the week starting 2026-09-07 is Sunday 2026-09-06 23:00 UTC;
    a Sunday 23:59:59 deadline of the same week is 2026-09-13 15:59:59 UTC."""
    monday = make_campaign(session, world.regions["b"], WEEK, TERM_END, name="周一早报", weekday=0, at=time(7, 0))
    sunday = make_campaign(session, world.regions["d"], WEEK, TERM_END, name="周日晚报", weekday=6, at=time(23, 59, 59))
    assert week_deadline(monday, WEEK) == datetime(2026, 9, 6, 23, 0, tzinfo=UTC)
    assert week_deadline(sunday, WEEK) == datetime(2026, 9, 13, 15, 59, 59, tzinfo=UTC)
    open_week(session, sunday, WEEK, beijing(2026, 9, 7, 8, 0, 0))
    report = submit(session, world.schools["d"].id, sunday, WEEK, FIELDS, beijing(2026, 9, 13, 23, 59, 59))
    session.commit()
    assert _stored_report(report.id)[:2] == ("submitted", True)


def test_hours_overdue_count_from_the_campaigns_deadline_and_never_below_zero(world, session):
    """Deadline Tuesday 09:30 Beijing: at 11:00 the same day 1.5 h overdue, on Thursday 10:30
    49.0 h, one second before the deadline 0 (not negative), at 10:10 0.7 h, on the next
    Wednesday 17:30 200.0 h."""
    campaign = make_campaign(session, world.regions["a"], WEEK, TERM_END, name="周二截止", weekday=1, at=time(9, 30))
    due = week_deadline(campaign, WEEK)
    assert hours_overdue(due, beijing(2026, 9, 8, 11, 0, 0)) == 1.5
    assert hours_overdue(due, beijing(2026, 9, 10, 10, 30, 0)) == 49.0
    assert hours_overdue(due, beijing(2026, 9, 8, 9, 29, 59)) == 0
    assert hours_overdue(due, beijing(2026, 9, 8, 10, 10, 0)) == 0.7  # 40 min, to one decimal
    assert hours_overdue(due, beijing(2026, 9, 16, 17, 30, 0)) == 200.0  # 8 days 8 hours


def test_a_week_code_is_an_iso_week_or_a_clear_message():
    """2026 has 53 ISO weeks (it starts on a Thursday): W53 is Monday 12-28; 2027 has 52."""
    assert parse_week(" 2026-W53 ") == date(2026, 12, 28)
    with pytest.raises(PeriodError, match="^周次格式应为 2026-W05$"):
        parse_week("2026-w05")
    with pytest.raises(PeriodError, match="^2027-W53 不是有效的周次$"):
        parse_week("2027-W53")


# Only an approved report can be unlocked -------------------------------------------------------


def _unlocks() -> int:
    with fresh() as s:
        return s.scalar(select(func.count(AuditLog.id)).where(AuditLog.reason.like("解锁周报%")))


def test_only_an_approved_report_can_be_unlocked(world, session):
    """In the world's week a1x is submitted (awaiting review), b1 returned, d approved."""
    x = world.extra
    admin = world.users["admin_p"]
    submitted, returned = x["weekly_report_a1x"], x["weekly_report_b1"]
    before = {r.id: _stored_report(r.id) for r in (submitted, returned)}
    for report in (submitted, returned):
        with pytest.raises(ReportError, match="^只有已审核锁定的周报可以解锁。$"):
            unlock(session, report, "数据填错", beijing(2026, 9, 12, 9, 0, 0), admin)
        session.rollback()
    assert {r.id: _stored_report(r.id) for r in (submitted, returned)} == before
    assert _unlocks() == 0
    approved = x["weekly_report_d"]
    unlock(session, approved, "数据填错", beijing(2026, 9, 12, 9, 0, 0), admin)
    session.commit()
    assert _stored_report(approved.id) == ("returned", True, "已解锁：数据填错", admin.id)
    assert _unlocks() == 1


# A campaign's weeks begin on their Mondays ------------------------------------------------------


def test_a_campaigns_first_week_is_open_from_its_first_monday_and_a_one_week_campaign_has_it(world, session):
    """City A's campaign starts Monday 2026-09-07 (W37): on Sunday 23:59:59 Beijing before it no week
    has begun; at Monday 00:00:00 W37 has, alone. A campaign of that week only (09-07 .. 09-13)
    has W37 and nothing else, a month later too."""
    campaign = make_campaign(session, world.regions["a"], WEEK, TERM_END, name="甲市周调度")
    one_week = make_campaign(session, world.regions["b"], WEEK, date(2026, 9, 13), name="乙市一周活动")
    assert opened_weeks(campaign, beijing(2026, 9, 6, 23, 59, 59)) == []
    assert opened_weeks(campaign, beijing(2026, 9, 7, 0, 0, 0)) == [WEEK]
    assert opened_weeks(one_week, beijing(2026, 9, 7, 0, 0, 0)) == [WEEK]
    assert opened_weeks(one_week, beijing(2026, 10, 8, 9, 0, 0)) == [WEEK]


# Who reviews, and each refusal's exact message ---------------------------------------------------


def test_a_school_admin_may_not_return_a_report_and_is_told_so(world, session):
    report = world.extra["weekly_report_a1x"]  # submitted, awaiting review
    with pytest.raises(ReportError) as refused:
        return_report(session, report, "请补充", beijing(2026, 9, 11, 9, 0, 0), world.users["school_admin_a1x"])
    assert str(refused.value) == "您没有退回周报的权限。"
    session.rollback()
    assert _stored_report(report.id) == ("submitted", True, None, None)


def test_only_a_submitted_report_can_be_returned_or_approved_each_with_its_message(world, session):
    """b1's report was returned, d's approved: neither can be returned or approved (again)."""
    x, admin = world.extra, world.users["admin_p"]
    at = beijing(2026, 9, 12, 9, 0, 0)
    reports = (x["weekly_report_b1"], x["weekly_report_d"])
    before = {r.id: _stored_report(r.id) for r in reports}
    for report in reports:
        with pytest.raises(ReportError) as returned:
            return_report(session, report, "再退回一次", at, admin)
        assert str(returned.value) == "只有已提交、待审核的周报可以退回。"
        with pytest.raises(ReportError) as approved:
            approve(session, report, at, admin)
        assert str(approved.value) == "只有已提交、待审核的周报可以审核通过。"
        session.rollback()
    assert {r.id: _stored_report(r.id) for r in reports} == before


def test_a_reason_may_be_500_characters_after_trimming_and_not_501(world, session):
    """Returning a1x's report with 501 characters is refused by name; 500 between spaces are kept."""
    report, inspector = world.extra["weekly_report_a1x"], world.users["inspector_a"]
    at = beijing(2026, 9, 11, 9, 0, 0)
    with pytest.raises(ReportError) as refused:
        return_report(session, report, "补" * 501, at, inspector)
    assert str(refused.value) == "退回原因不能超过 500 个字。"
    session.rollback()
    return_report(session, report, "  " + "补" * 500 + "  ", at, inspector)
    session.commit()
    assert _stored_report(report.id) == ("returned", True, "补" * 500, inspector.id)
