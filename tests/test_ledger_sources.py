"""Issue 12: a problem registered from the record it came from is filled in from it — a visit's
flagged 附2 answers, a weekly report's 存在的问题 — and a record the user may not read fills
nothing (another school's looks like none)."""

from __future__ import annotations

from bureau.ledger.sources import prefill
from tests.world_ledger import as_user


def test_a_visits_flagged_answers_become_the_problems_text_and_category(world, session):
    visit = world.extra["visits_a1x"][0]
    visit.q_tutoring, visit.opinions = True, "希望老师多关心孩子"
    session.commit()
    as_user(session, world, "school_admin_a1x")
    filled = prefill(session, "visit", visit.id)
    assert (filled.school_id, filled.student.id, filled.category) == (visit.school_id, visit.student_id, "有偿补课")
    assert "有偿家教或违规补课" in filled.description and "希望老师多关心孩子" in filled.description
    assert filled.raised_by.startswith("a1x学生0家长") and filled.raised_phone == "13800000000"


def test_a_weekly_reports_problems_fill_a_schools_problem(world, session):
    report = world.extra["weekly_report_a1x"] if "weekly_report_a1x" in world.extra else None
    key = "a1x" if report is not None else "a2"
    report = report or world.extra["weekly_report_a2"]
    report.problems = "部分班主任家访记录填写不规范"
    session.commit()
    as_user(session, world, "inspector_a")
    filled = prefill(session, "weekly_report", report.id)
    assert filled.student is None and "家访记录填写不规范" in filled.description
    assert filled.school_id == world.schools[key].id


def test_another_schools_record_fills_nothing(world, session):
    visit = world.extra["visits_a1y"][0]
    as_user(session, world, "school_admin_a1x")
    assert prefill(session, "visit", visit.id) is None
    assert prefill(session, "nonsense", visit.id) is None
