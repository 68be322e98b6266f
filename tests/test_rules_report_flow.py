"""The weekly-report flow rules of bureau/progress/service.py, each on its own (mutants of
open_week, expects_report, is_expected, clean_fields, _editable and submit): which schools a week
expects (by its own campaign and week), each text's limits and each refusal's exact message, what a
draft and each submission store.

The world's campaign runs under province P; week 2026-W37 is open (a1x submitted, a2 late, b1
returned, d approved, a1y missing). The tests here add a campaign under city A (counties A1 and A2:
schools a1x, a1y, a2; city B's b1 and direct county D's d are outside it). What was stored is read
through a fresh session.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from bureau.extensions import db
from bureau.progress.models import ExpectedReport, ReportWeek, WeeklyReport, WeeklyReportVersion
from bureau.progress.service import (
    ReportError,
    clean_fields,
    expects_report,
    open_week,
    return_report,
    save_draft,
    submit,
)
from bureau.tenants.models import School
from tests.factories import make_school
from tests.world_progress import FIELDS, WEEK, beijing, make_campaign

WEEK2 = date(2026, 9, 14)  # 2026-W38, Monday
MONDAY_W38 = beijing(2026, 9, 14, 8, 0, 0)
PHONE_FORMAT = "联系电话格式不正确（只能包含数字、空格和 + - ( )，7 至 30 位）"


def fresh() -> Session:
    return Session(db.engine)


def city_a_campaign(session, world):
    """A campaign under city A, committed (so that another session can see it)."""
    campaign = make_campaign(session, world.regions["a"], WEEK, date(2027, 1, 10), name="甲市周调度")
    session.commit()
    return campaign


# Which schools a week expects ------------------------------------------------------------------


def test_before_a_week_opens_an_active_school_under_the_campaigns_region_is_expected(world, session):
    """Week W38 of city A's campaign is not open: a1x and a2 (active, in A) yes; b1 (city B), d
    (direct county D), a1y once closed, and a school id that does not exist: no."""
    campaign, s = city_a_campaign(session, world), world.schools
    s["a1y"].active = False
    session.flush()
    missing_id = session.scalar(select(func.max(School.id))) + 100
    answers = {key: expects_report(session, s[key].id, campaign, WEEK2) for key in ("a1x", "a1y", "a2", "b1", "d")}
    assert answers == {"a1x": True, "a1y": False, "a2": True, "b1": False, "d": False}
    assert expects_report(session, missing_id, campaign, WEEK2) is False
    assert session.scalar(select(func.count(ReportWeek.id)).where(ReportWeek.campaign_id == campaign.id)) == 0


def test_once_a_week_is_open_the_schools_it_recorded_are_expected_whatever_changes(world, session):
    """W38 opened with a1x, a1y, a2 active in A. Then a2 closes and a new school opens in A1:
    a2 is still expected that week, the new school is not; b1 never."""
    campaign, s = city_a_campaign(session, world), world.schools
    open_week(session, campaign, WEEK2, MONDAY_W38)
    s["a2"].active = False
    newcomer = make_school(session, "A1Z", "甲一区新建小学", world.regions["a1"])
    answers = {key: expects_report(session, s[key].id, campaign, WEEK2) for key in ("a1x", "a1y", "a2", "b1")}
    assert answers == {"a1x": True, "a1y": True, "a2": True, "b1": False}
    assert expects_report(session, newcomer.id, campaign, WEEK2) is False


def test_opening_a_week_records_each_expected_school_with_its_county_and_city(world, session):
    """City A's W38: a1x, a1y (county A1) and a2 (county A2), all in city A: 3 rows, the count 3,
    the opening time kept. Opening it again returns the same week and adds nothing."""
    campaign, s, r = city_a_campaign(session, world), world.schools, world.regions
    week = open_week(session, campaign, WEEK2, MONDAY_W38)
    again = open_week(session, campaign, WEEK2, beijing(2026, 9, 15, 9, 0, 0))
    session.commit()
    assert again.id == week.id
    with fresh() as f:
        stored = f.get(ReportWeek, week.id)
        assert (stored.campaign_id, stored.week_start, stored.expected_count) == (campaign.id, WEEK2, 3)
        assert stored.opened_at == MONDAY_W38
        rows = f.execute(
            select(
                ExpectedReport.campaign_id,
                ExpectedReport.week_start,
                ExpectedReport.school_id,
                ExpectedReport.county_id,
                ExpectedReport.city_id,
            ).where(ExpectedReport.campaign_id == campaign.id)
        ).all()
    a = r["a"].id
    assert sorted(rows) == sorted(
        [
            (campaign.id, WEEK2, s["a1x"].id, r["a1"].id, a),
            (campaign.id, WEEK2, s["a1y"].id, r["a1"].id, a),
            (campaign.id, WEEK2, s["a2"].id, r["a2"].id, a),
        ]
    )


def test_a_weeks_expected_count_is_of_its_own_campaign_and_week(world, session):
    """The province's campaign opened W37 with all five schools. City A's opens W37 too, then W38:
    3 expected each (a1x, a1y, a2), not 8 (W37 of both campaigns) nor 6 (both of city A's weeks)."""
    campaign = city_a_campaign(session, world)
    w37 = open_week(session, campaign, WEEK, beijing(2026, 9, 7, 8, 0, 0))
    w38 = open_week(session, campaign, WEEK2, MONDAY_W38)
    session.commit()
    with fresh() as f:
        counts = f.execute(
            select(ReportWeek.week_start, ReportWeek.expected_count).where(ReportWeek.id.in_([w37.id, w38.id]))
        ).all()
    assert sorted(counts) == [(WEEK, 3), (WEEK2, 3)]


def test_a_school_is_expected_only_by_the_campaign_and_week_that_recorded_it(world, session):
    """b1 is expected in the province campaign's W37, not in city A's W37 (opened too). a2 closes
    after city A's W37 is opened and before its W38 is: expected in W37, not in W38."""
    campaign, s = city_a_campaign(session, world), world.schools
    open_week(session, campaign, WEEK, beijing(2026, 9, 7, 8, 0, 0))
    s["a2"].active = False
    session.flush()
    open_week(session, campaign, WEEK2, MONDAY_W38)
    assert expects_report(session, s["b1"].id, world.extra["progress_campaign"], WEEK) is True
    assert expects_report(session, s["b1"].id, campaign, WEEK) is False
    assert [expects_report(session, s["a2"].id, campaign, week) for week in (WEEK, WEEK2)] == [True, False]


def test_a_week_outside_the_campaign_or_not_begun_is_refused_by_name(world, session):
    """2027-W02 starts the day after the campaign ends (2027-01-10); W38 begins Monday 09-14 00:00
    Beijing, so on Sunday 23:59:59 it has not begun."""
    campaign = city_a_campaign(session, world)
    with pytest.raises(ReportError) as outside:
        open_week(session, campaign, date(2027, 1, 11), beijing(2027, 1, 11, 9, 0, 0))
    assert str(outside.value) == "2027年第2周（1月11日—1月17日）不在活动“甲市周调度”期间。"
    with pytest.raises(ReportError) as early:
        open_week(session, campaign, WEEK2, beijing(2026, 9, 13, 23, 59, 59))
    assert str(early.value) == "2026年第38周（9月14日—9月20日）尚未开始。"
    assert open_week(session, campaign, WEEK2, beijing(2026, 9, 14, 0, 0, 0)).week_start == WEEK2


def test_a_week_opened_by_someone_else_meanwhile_gives_a_clear_message(world, session):
    """Another request opens (and commits) the same week between this one's look and its write:
    the database refuses the second week row, and the user is told to refresh."""
    campaign = city_a_campaign(session, world)
    campaign_id = campaign.id
    real, done = session(), []

    def other_request_first(s, context, instances):
        if not done:
            done.append(True)
            with fresh() as other:
                other.add(ReportWeek(campaign_id=campaign_id, week_start=WEEK2, opened_at=MONDAY_W38))
                other.commit()

    event.listen(real, "before_flush", other_request_first)
    try:
        with pytest.raises(ReportError) as refused:
            open_week(session, campaign, WEEK2, MONDAY_W38)
    finally:
        event.remove(real, "before_flush", other_request_first)
    assert str(refused.value) == "该周正在由他人开启，请稍后刷新重试。"
    session.rollback()
    with fresh() as f:
        assert f.scalar(select(func.count(ReportWeek.id)).where(ReportWeek.campaign_id == campaign_id)) == 1
        assert f.scalar(select(func.count(ExpectedReport.id)).where(ExpectedReport.campaign_id == campaign_id)) == 0


# The school's text ---------------------------------------------------------------------------


def test_each_text_may_be_as_long_as_its_limit_and_not_one_character_more():
    """Limits: 5000 for the three texts, 50 for the contact, 30 for the phone. At the limit: kept;
    one over: every one named in one message, in the form's order (the 31-digit phone also fails
    its format, 7 to 30 characters)."""
    at_limit = {
        "progress": "进" * 5000,
        "problems": "问" * 5000,
        "next_plan": "计" * 5000,
        "contact_name": "张" * 50,
        "contact_phone": "1" * 30,
    }
    assert clean_fields(at_limit, submitting=True) == at_limit
    with pytest.raises(ReportError) as refused:
        clean_fields({key: value + value[0] for key, value in at_limit.items()}, submitting=True)
    assert str(refused.value) == (
        "本周工作进展不能超过 5000 个字；存在的问题不能超过 5000 个字；下周计划不能超过 5000 个字；"
        f"联系人不能超过 50 个字；联系电话不能超过 30 个字；{PHONE_FORMAT}。"
    )


def test_a_submission_needs_four_texts_and_a_draft_none_and_text_is_trimmed():
    """Missing, empty and blank are the same: nothing. 存在的问题 is never required."""
    with pytest.raises(ReportError) as refused:
        clean_fields({"problems": "无", "next_plan": "   ", "contact_name": None}, submitting=True)
    assert str(refused.value) == "请填写本周工作进展；请填写下周计划；请填写联系人；请填写联系电话。"
    draft = clean_fields({"progress": "  写了一半 \n", "contact_name": None}, submitting=False)
    assert draft == {"progress": "写了一半", "problems": "", "next_plan": "", "contact_name": "", "contact_phone": ""}
    assert clean_fields({**FIELDS, "problems": ""}, submitting=True)["problems"] == ""


def test_a_phone_is_7_to_30_digits_spaces_or_plus_minus_brackets_and_may_be_left_out_of_a_draft():
    assert clean_fields({"contact_phone": "1234567"}, submitting=False)["contact_phone"] == "1234567"
    assert clean_fields({"contact_phone": "+86 (791) 8888-6666"}, submitting=False)["contact_phone"]
    for bad in ("123456", "0791-8888 转 6", "电话"):
        with pytest.raises(ReportError) as refused:
            clean_fields({"contact_phone": bad}, submitting=False)
        assert str(refused.value) == f"{PHONE_FORMAT}。"


# Drafts, refusals, versions ------------------------------------------------------------------


def test_a_draft_is_stored_as_a_draft_without_figures_or_times(world, session):
    campaign, a1y = world.extra["progress_campaign"], world.schools["a1y"]
    draft = save_draft(session, a1y.id, campaign, WEEK, {"progress": " 写了一半 "}, beijing(2026, 9, 9, 9, 0, 0))
    session.commit()
    with fresh() as f:
        stored = f.get(WeeklyReport, draft.id)
        assert (stored.school_id, stored.campaign_id, stored.week_start) == (a1y.id, campaign.id, WEEK)
        assert (stored.state, stored.progress, stored.next_plan, stored.figures) == ("draft", "写了一半", "", {})
        assert (stored.first_submitted_at, stored.submitted_at, stored.on_time) == (None, None, None)
        versions = select(func.count(WeeklyReportVersion.id)).where(WeeklyReportVersion.report_id == draft.id)
        assert f.scalar(versions) == 0


def test_each_refusal_to_edit_a_report_names_why(world, session):
    """A school not expected (new after the week opened), a submitted report (a1x), an approved one (d)."""
    campaign, s = world.extra["progress_campaign"], world.schools
    newcomer = make_school(session, "A1Z", "甲一区新建小学", world.regions["a1"])
    thursday = beijing(2026, 9, 10, 9, 0, 0)
    cases = [
        (newcomer.id, "本校不在2026年第37周（9月7日—9月13日）的应报学校名单中。"),
        (s["a1x"].id, "本周周报已提交，正在等待审核；如需修改，请联系审核人员退回。"),
        (s["d"].id, "本周周报已审核并锁定；如需修改，请联系教育局管理员解锁。"),
    ]
    for school_id, message in cases:
        for change in (save_draft, submit):
            with pytest.raises(ReportError) as refused:
                change(session, school_id, campaign, WEEK, FIELDS, thursday)
            assert str(refused.value) == message
    session.rollback()
    with fresh() as f:
        assert f.scalar(select(func.count(WeeklyReport.id)).where(WeeklyReport.school_id == newcomer.id)) == 0


def test_each_submission_is_a_numbered_version_by_its_submitter_and_clears_the_review(world, session):
    """a1y saves a draft (no version), submits as its admin (version 1), is returned by inspector A,
    resubmits with no user given (version 2, no submitter): the return's reviewer and time are
    cleared, and each version holds its own text, time and figures."""
    campaign, a1y = world.extra["progress_campaign"], world.schools["a1y"]
    admin, inspector = world.users["school_admin_a1y"], world.users["inspector_a"]
    first, second = beijing(2026, 9, 10, 9, 0, 0), beijing(2026, 9, 11, 10, 0, 0)
    save_draft(session, a1y.id, campaign, WEEK, {"progress": "草稿"}, beijing(2026, 9, 9, 9, 0, 0))
    report = submit(session, a1y.id, campaign, WEEK, FIELDS, first, user=admin)
    return_report(session, report, "请补充", beijing(2026, 9, 10, 12, 0, 0), inspector)
    assert report.reviewed_by_id == inspector.id
    submit(session, a1y.id, campaign, WEEK, {**FIELDS, "progress": "已补充"}, second)
    session.commit()
    with fresh() as f:
        stored = f.get(WeeklyReport, report.id)
        assert (stored.state, stored.progress, stored.reviewed_by_id, stored.reviewed_at) == (
            "submitted",
            "已补充",
            None,
            None,
        )
        assert (stored.first_submitted_at, stored.submitted_at, stored.on_time) == (first, second, True)
        versions = f.scalars(
            select(WeeklyReportVersion)
            .where(WeeklyReportVersion.report_id == report.id)
            .order_by(WeeklyReportVersion.number)
        ).all()
        assert [(v.number, v.submitted_by_id, v.submitted_at, v.progress) for v in versions] == [
            (1, admin.id, first, FIELDS["progress"]),
            (2, None, second, "已补充"),
        ]
        assert all(v.school_id == a1y.id and v.figures == stored.figures for v in versions)
        assert stored.figures["visits_term"] == 0 and stored.figures["coverage_pct"] == 0
