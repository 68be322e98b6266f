"""The report's life: expected schools, one report per week, figures kept, return, lock."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bureau.audit import AuditLog
from bureau.extensions import db
from bureau.progress.models import ExpectedReport, WeeklyReport, WeeklyReportVersion
from bureau.progress.rates import breakdown, trend
from bureau.progress.service import (
    DUPLICATE,
    ReportError,
    approve,
    open_week,
    report_status,
    return_report,
    save_draft,
    submit,
    unlock,
)
from bureau.tenants.models import School
from bureau.visits.models import SchoolClass, Staff, Student, Visit
from tests.factories import make_school
from tests.world_progress import FIELDS, WEEK, beijing


def _week(n: int) -> date:
    """Week n of the world's campaign (week 1 = 2026-W37, Monday 09-07)."""
    return WEEK + timedelta(weeks=n - 1)


def test_a_school_closed_after_week_5_leaves_weeks_1_to_5_unchanged(world, session):
    campaign, s = world.extra["progress_campaign"], world.schools
    province = world.regions["p"]
    for n in range(2, 6):  # week 1 is opened by the world
        open_week(session, campaign, _week(n), beijing(2026, 9, 7, 8, 0, 0) + timedelta(weeks=n - 1))
        for key in ("a1x", "a1y", "a2", "b1", "d"):
            thursday_noon = beijing(2026, 9, 10, 12, 0, 0) + timedelta(weeks=n - 1)
            submit(session, s[key].id, campaign, _week(n), FIELDS, thursday_noon)
    before = [(r.expected, r.submitted, r.on_time) for r in trend(session, campaign.id, None, province)]
    # Week 1: 5 expected, 4 submitted (a1y missing), 3 on time (a1x, b1, d; a2 late).
    # Weeks 2-5: 5 expected, 5 submitted, 5 on time.
    assert before == [(5, 4, 3)] + [(5, 5, 5)] * 4
    # After week 5: a1y closes, a2 moves to county B1 and a new school opens in A1.
    s["a1y"].active = False
    s["a2"].county = world.regions["b1"]
    make_school(session, "A1Z", "甲一区新建小学", world.regions["a1"])
    session.flush()
    open_week(session, campaign, _week(6), beijing(2026, 10, 12, 8, 0, 0))
    after = trend(session, campaign.id, None, province)
    assert [(r.expected, r.submitted, r.on_time) for r in after[:5]] == before
    # Week 6 expects the 5 active schools now (a1x, a2, b1, d, A1Z); nothing submitted yet.
    assert (after[5].expected, after[5].submitted) == (5, 0)
    # Week 1 by county still puts a2 in A2, where it was: A1 2 expected, A2 1 expected.
    counties = breakdown(session, campaign.id, _week(1), None, world.regions["a"])
    assert [(r.name, r.expected, r.submitted) for r in counties] == [("甲市一区", 2, 1), ("甲市二县", 1, 1)]
    assert all(r.reporting_rate <= 1 for r in after)


def test_a_school_not_expected_in_a_week_cannot_report_for_it(world, session):
    campaign = world.extra["progress_campaign"]
    late_comer = make_school(session, "A1Z", "甲一区新建小学", world.regions["a1"])
    with pytest.raises(ReportError, match="不在.*应报学校名单"):
        submit(session, late_comer.id, campaign, WEEK, FIELDS, beijing(2026, 9, 10, 9, 0, 0))
    # Its report would push A1 above 100 %: it is refused, and A1 stays 2 expected.
    rows = breakdown(session, campaign.id, WEEK, None, world.regions["a"])
    assert rows[0].expected == 2


def test_open_week_is_idempotent(world, session):
    campaign = world.extra["progress_campaign"]
    again = open_week(session, campaign, WEEK, beijing(2026, 9, 9, 8, 0, 0))
    assert again.expected_count == 5
    count = session.scalar(select(func.count(ExpectedReport.id)).where(ExpectedReport.week_start == WEEK))
    assert count == 5


def test_a_second_submission_for_the_same_week_is_refused(world, session):
    campaign, a1x = world.extra["progress_campaign"], world.schools["a1x"]
    with pytest.raises(ReportError, match="已提交"):
        submit(session, a1x.id, campaign, WEEK, FIELDS, beijing(2026, 9, 10, 10, 0, 0))


def test_two_simultaneous_submissions_leave_one_report(world, session, app):
    """Two sessions (two browser double-clicks) submit a1y's week at once: the database keeps
    one report and the other submission gets the duplicate message."""
    campaign_id, school_id = world.extra["progress_campaign"].id, world.schools["a1y"].id
    engine = db.engine
    barrier, outcomes = threading.Barrier(2), []

    def click() -> None:
        with Session(engine) as other:
            from bureau.visits.models import Campaign

            campaign = other.get(Campaign, campaign_id)
            barrier.wait()
            try:
                submit(other, school_id, campaign, WEEK, FIELDS, beijing(2026, 9, 10, 9, 0, 0))
                other.commit()
                outcomes.append("saved")
            except ReportError as refused:
                other.rollback()
                outcomes.append(str(refused))

    threads = [threading.Thread(target=click) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(outcomes) == sorted(["saved", DUPLICATE])
    session.expire_all()
    reports = session.scalars(select(WeeklyReport).where(WeeklyReport.school_id == school_id))
    assert len(list(reports)) == 1
    versions = session.scalar(
        select(func.count(WeeklyReportVersion.id)).where(WeeklyReportVersion.school_id == school_id)
    )
    assert versions == 1


def test_returned_then_resubmitted_keeps_the_first_submission_time(world, session):
    campaign, b1 = world.extra["progress_campaign"], world.schools["b1"]
    report = world.extra["weekly_report_b1"]  # submitted Thu 16:00 (on time), returned Fri 9:00
    assert report_status(report) == "returned"
    fixed = submit(
        session, b1.id, campaign, WEEK, {**FIELDS, "progress": "已补充留守儿童走访情况"}, beijing(2026, 9, 12, 10, 0, 0)
    )  # Saturday: after the deadline
    assert fixed.first_submitted_at == beijing(2026, 9, 10, 16, 0, 0)
    assert fixed.submitted_at == beijing(2026, 9, 12, 10, 0, 0)
    assert report_status(fixed) == "on_time"
    assert [v.progress for v in fixed.versions] == [FIELDS["progress"], "已补充留守儿童走访情况"]


def test_a_late_report_stays_late_after_return_and_resubmission(world, session):
    campaign, a2 = world.extra["progress_campaign"], world.schools["a2"]
    report = world.extra["weekly_report_a2"]  # Friday 08:00: late
    return_report(session, report, "请写明下周计划", beijing(2026, 9, 11, 9, 0, 0), world.users["inspector_a"])
    again = submit(session, a2.id, campaign, WEEK, FIELDS, beijing(2026, 9, 11, 10, 0, 0))
    assert report_status(again) == "late"


def test_an_approved_report_is_locked_until_unlocked_and_the_unlock_is_audited(world, session):
    campaign, d = world.extra["progress_campaign"], world.schools["d"]
    report = world.extra["weekly_report_d"]
    assert report_status(report) == "approved"
    for change in (save_draft, submit):
        with pytest.raises(ReportError, match="已审核并锁定"):
            change(session, d.id, campaign, WEEK, FIELDS, beijing(2026, 9, 12, 9, 0, 0))
    with pytest.raises(ReportError, match="没有解锁"):
        unlock(session, report, "数据有误", beijing(2026, 9, 12, 9, 0, 0), world.users["inspector_a"])
    with pytest.raises(ReportError, match="请填写解锁原因"):
        unlock(session, report, "  ", beijing(2026, 9, 12, 9, 0, 0), world.users["admin_d"])
    unlock(session, report, "学校申请更正家访次数", beijing(2026, 9, 12, 9, 0, 0), world.users["admin_d"])
    session.commit()
    audit = session.scalar(
        select(AuditLog).where(
            AuditLog.table_name == "weekly_report", AuditLog.row_id == report.id, AuditLog.reason.is_not(None)
        )
    )
    assert audit.reason == "解锁周报：学校申请更正家访次数"
    assert audit.changes["state"] == ["approved", "returned"]
    again = submit(session, d.id, campaign, WEEK, FIELDS, beijing(2026, 9, 12, 10, 0, 0))
    assert report_status(again) == "on_time"  # first submitted Thursday 12:00
    assert len(again.versions) == 2


def test_only_a_submitted_report_can_be_reviewed_and_only_by_a_reviewer(world, session):
    report = world.extra["weekly_report_a1x"]
    now = beijing(2026, 9, 11, 9, 0, 0)
    with pytest.raises(ReportError, match="没有审核"):
        approve(session, report, now, world.users["leader_a"])
    with pytest.raises(ReportError, match="请填写退回原因"):
        return_report(session, report, "", now, world.users["inspector_a"])
    approve(session, report, now, world.users["inspector_a"])
    with pytest.raises(ReportError, match="只有已提交"):
        return_report(session, report, "补充", now, world.users["inspector_a"])


def test_bad_input_is_refused_in_chinese_and_nothing_is_written(world, session):
    campaign, a1y = world.extra["progress_campaign"], world.schools["a1y"]
    bad = {**FIELDS, "progress": " ", "contact_phone": "打电话"}
    with pytest.raises(ReportError) as refused:
        submit(session, a1y.id, campaign, WEEK, bad, beijing(2026, 9, 10, 9, 0, 0))
    assert "请填写本周工作进展" in str(refused.value)
    assert "联系电话格式不正确" in str(refused.value)
    assert session.scalar(select(WeeklyReport).where(WeeklyReport.school_id == a1y.id)) is None
    # A draft may be incomplete, and is still "missing" until submitted.
    draft = save_draft(session, a1y.id, campaign, WEEK, {"progress": "写了一半"}, beijing(2026, 9, 9, 9, 0, 0))
    assert (draft.state, report_status(draft)) == ("draft", "missing")


def _visits(session, school: School, term_id: int, rows: list[tuple]) -> None:
    """rows: (day, mode, left_behind student?, status) — one student per row."""
    klass = SchoolClass(school_id=school.id, grade=3, number=1)
    staff = Staff(school_id=school.id, name="李老师")
    session.add_all([klass, staff])
    session.flush()
    for i, (day, mode, left_behind, status) in enumerate(rows):
        student = Student(
            school_id=school.id, number=f"{school.code}{i}", name=f"学生{i}", class_id=klass.id, left_behind=left_behind
        )
        session.add(student)
        session.flush()
        session.add(
            Visit(
                school_id=school.id,
                student_id=student.id,
                staff_id=staff.id,
                term_id=term_id,
                visited_on=day,
                mode=mode,
                status=status,
            )
        )
    session.flush()


def test_figures_are_filled_in_at_submission_and_kept_as_submitted(world, session):
    campaign, a2 = world.extra["progress_campaign"], world.schools["a2"]
    # A school of its own, so that no other test world's students count in its coverage.
    a1y = make_school(session, "A1Z", "甲一区新建小学", world.regions["a1"])
    week2 = _week(2)  # 2026-09-14 .. 09-20; opened after the school exists
    _visits(
        session,
        a1y,
        campaign.term_id,
        [
            (date(2026, 9, 8), "home", False, "approved"),  # week 1: cumulative only
            (date(2026, 9, 15), "home", True, "pending"),  # week 2, in person, left-behind
            (date(2026, 9, 16), "phone", True, "approved"),  # week 2, left-behind by phone
            (date(2026, 9, 17), "at_school", False, "returned"),  # rejected: not counted
            (date(2026, 9, 22), "home", False, "approved"),  # week 3: not yet
        ],
    )
    _visits(session, a2, campaign.term_id, [(date(2026, 9, 15), "home", False, "pending")])
    open_week(session, campaign, week2, beijing(2026, 9, 14, 8, 0, 0))
    report = submit(session, a1y.id, campaign, week2, FIELDS, beijing(2026, 9, 17, 10, 0, 0))
    # Week 2 counts 2 (09-15, 09-16); the term so far 3 (adds 09-08); in person 1 (home);
    # left-behind 2; coverage: 3 of its 5 active students visited (09-22 is after the week,
    # the returned one does not count) = 60.0 %. a2's visit counts for a2 only.
    assert report.figures == {
        "visits_week": 2,
        "visits_term": 3,
        "in_person_week": 1,
        "left_behind_week": 2,
        "coverage_pct": 60.0,
        "problems_found_week": 0,  # the ledger's: no problem registered that week
        "problems_closed_week": 0,
    }
    student = session.scalar(select(Student).where(Student.school_id == a1y.id).limit(1))
    session.add(
        Visit(
            school_id=a1y.id,
            student_id=student.id,
            staff_id=session.scalar(select(Staff.id).where(Staff.school_id == a1y.id)),
            term_id=campaign.term_id,
            visited_on=date(2026, 9, 18),
            mode="home",
        )
    )
    session.flush()
    session.refresh(report)
    assert report.figures["visits_week"] == 2  # kept as submitted
    assert report.versions[0].figures == report.figures
