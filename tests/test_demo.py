"""`flask bureau demo` loads a fictional province that shows what the product is for: every school
but one with a roster, staff, 包保 and visits, coverage from well behind to well ahead, weekly
reports on time, late, missing and returned — valid under the product's rules whatever the date,
and running it twice changes nothing."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import aliased

from bureau import clock
from bureau.extensions import db
from bureau.inspection.models import (
    Inspection,
    InspectionRound,
    PhoneCall,
    PhoneCheck,
    PhoneCheckBatch,
    SurveyTarget,
)
from bureau.inspection.survey_rates import rate_rows
from bureau.progress import periods
from bureau.progress.models import ExpectedReport, WeeklyReport, WeeklyReportVersion
from bureau.progress.service import REVIEW_ROLES, week_deadline
from bureau.tenants.models import REGION_KINDS, ROLES, Region, School, User
from bureau.tenants.scope import Scope
from bureau.visits.assignments import without_responsible
from bureau.visits.coverage import coverage_rows
from bureau.visits.demo import NO_ROSTER, PLANS
from bureau.visits.models import Assignment, Campaign, SchoolClass, Staff, Student, Term, Visit, VisitVersion

MID_TERM = datetime(2026, 11, 20, 12, 0, tzinfo=clock.LOCAL)  # a Friday: last week's deadline has passed


def counts() -> dict[str, int]:
    return {
        model.__name__: db.session.scalar(select(func.count()).select_from(model))
        for model in (Region, School, User, Campaign, Student, Visit, VisitVersion, Assignment, WeeklyReport)
    }


def load(app, when: datetime = MID_TERM) -> str:
    with clock.frozen_at(when):
        result = app.test_cli_runner().invoke(args=["bureau", "demo"])
    assert result.exit_code == 0, result.output
    return result.output


def test_demo_loads_every_level_and_role_and_is_idempotent(app, session):
    output = load(app)
    assert "demo-2026" in output and "school_admin" in output and "admin_99012103" in output
    kinds = dict(session.execute(select(Region.kind, func.count()).group_by(Region.kind)).all())
    # 1 province, 2 cities, 1 direct county, 3 counties; 12 schools; one login per role
    assert kinds == {"province": 1, "city": 2, "direct_county": 1, "county": 3}
    assert set(kinds) == set(REGION_KINDS)
    assert set(session.scalars(select(User.role))) == set(ROLES)
    first = counts()
    # 7 logins of the README and a school admin for each of the 11 other schools
    assert first["School"] == 12 and first["Campaign"] == 1 and first["User"] == 18
    load(app)
    assert counts() == first


def test_every_demo_school_but_one_has_a_roster_staff_assignments_and_visits(app, session):
    load(app)
    per_school = {}
    for model in (Student, Staff, Assignment, Visit):
        rows = session.execute(
            select(School.code, func.count(model.id))
            .outerjoin(model, model.school_id == School.id)
            .group_by(School.code)
        ).all()
        per_school[model.__name__] = dict(rows)
    empty = [code for code, n in per_school["Student"].items() if n == 0]
    assert empty == [NO_ROSTER]  # 东城区机关幼儿园: 未导入名册
    for code in PLANS:  # the other eleven
        assert per_school["Student"][code] >= 150
        assert per_school["Assignment"][code] > 0 and per_school["Visit"][code] > 0
    assert all(n > 0 for n in per_school["Staff"].values())  # the school without a roster has staff
    total = sum(per_school["Student"].values())
    assert 3000 <= total <= 5000  # a few thousand students
    # Most students have someone answering for them; a few classes have nobody (包保缺口).
    uncovered = session.scalar(without_responsible(select(func.count(Student.id))))
    assert 0 < uncovered < total * 0.15


def test_coverage_ranges_from_9_percent_behind_to_96_percent_ahead(app, session):
    """Each school's coverage, as the product counts it, is its plan's share to the percent:
    visited = round(share × active students), so |coverage - share| < 0.005."""
    load(app)
    province = session.scalar(select(Region).where(Region.kind == "province"))
    term = session.scalar(select(Term))
    with clock.frozen_at(MID_TERM):
        rows = coverage_rows(session, Scope("province", province.id), term, "school", clock.today())
    codes = dict(session.execute(select(School.id, School.code)).all())
    coverage = {codes[row.school_id]: row.coverage for row in rows if row.students}
    assert {code: round(share, 2) for code, share in coverage.items()} == {c: p.coverage for c, p in PLANS.items()}
    assert min(coverage.values()) < 0.30 and max(coverage.values()) > 0.80
    assert coverage["99022103"] < 0.10 and coverage["99012102"] > 0.95  # 职业中专 9 %, 东疏镇第一小学 96 %


def test_weekly_reports_come_on_time_late_missing_and_returned(app, session):
    """2026-11-20: the campaign began Tuesday 09-01, so weeks 08-31 … 11-16 have begun (12 weeks)
    and all 12 schools are expected in each: 144."""
    load(app)
    expected = session.scalar(select(func.count(ExpectedReport.id)))
    assert expected == 144
    submitted = session.scalar(select(func.count(WeeklyReport.id)).where(WeeklyReport.state != "draft"))
    late = session.scalar(select(func.count(WeeklyReport.id)).where(WeeklyReport.on_time.is_(False)))
    returned = session.scalar(select(func.count(WeeklyReport.id)).where(WeeklyReport.state == "returned"))
    waiting = session.scalar(select(func.count(WeeklyReport.id)).where(WeeklyReport.state == "submitted"))
    assert 0 < late and 0 < expected - submitted and 0 < returned
    assert 0 < waiting
    # The province reviews a week's reports at the end of the following week: on Friday 11-20 the
    # reports of its own schools (桃源县, 梅岭市) for the week of 11-16 all wait for review.
    states = session.scalars(
        select(WeeklyReport.state)
        .join(School, School.id == WeeklyReport.school_id)
        .where(WeeklyReport.week_start == date(2026, 11, 16), or_(School.code.like("9902%"), School.code.like("9909%")))
    ).all()
    assert states and set(states) == {"submitted"}
    # Each careless school's latest reviewed report is sent back and waits for its correction.
    for code in ("99010204", "99012103", "99022103"):
        latest = session.scalar(
            select(WeeklyReport.state)
            .join(School, School.id == WeeklyReport.school_id)
            .where(School.code == code, WeeklyReport.reviewed_at.is_not(None))
            .order_by(WeeklyReport.week_start.desc())
            .limit(1)
        )
        assert latest == "returned"
    # The diligent schools miss far fewer weeks than the careless ones.
    by_school = dict(
        session.execute(
            select(School.code, func.count(WeeklyReport.id))
            .outerjoin(WeeklyReport, and_(WeeklyReport.school_id == School.id, WeeklyReport.state != "draft"))
            .group_by(School.code)
        ).all()
    )
    assert by_school["99012102"] > by_school["99022103"]


def test_every_demo_account_signs_in_with_the_demo_password(app, session):
    load(app)
    with clock.frozen_at(MID_TERM):
        for username in (
            *("leader", "city_leader", "inspector", "province_admin", "county_admin", "school_admin", "teacher"),
            "admin_99010204",
        ):
            client = app.test_client()
            response = client.post("/login", data={"username": username, "password": "demo-2026"})
            assert response.status_code == 302, username
            assert client.get("/admin/").status_code == 200, username
    teacher = session.scalar(select(Staff).join(User, User.id == Staff.user_id).where(User.username == "teacher"))
    statuses = dict(
        session.execute(
            select(Visit.status, func.count()).where(Visit.staff_id == teacher.id).group_by(Visit.status)
        ).all()
    )
    assert set(statuses) == {"approved", "pending", "returned"}  # her 我的家访 shows every state
    # Her latest records wait for the school admin's review, whatever the school's pace.
    latest = select(func.max(Visit.visited_on)).where(Visit.staff_id == teacher.id)
    assert statuses["pending"] >= 2
    assert session.scalar(latest.where(Visit.status == "pending")) == session.scalar(
        latest.where(Visit.status != "returned")
    )


# (clock, the term the demo shows, weeks begun by then)
DATES = {
    # The first week of the autumn term: the spring term before it, complete (02-23 … 07-06).
    "start of term": (datetime(2026, 9, 7, 9, 0), ("2025-2026学年第二学期", date(2026, 3, 1), date(2026, 7, 10)), 20),
    "before the term": (
        datetime(2026, 8, 20, 10, 0),
        ("2025-2026学年第二学期", date(2026, 3, 1), date(2026, 7, 10)),
        20,
    ),
    "mid term": (datetime(2026, 11, 20, 12, 0), ("2026-2027学年第一学期", date(2026, 9, 1), date(2027, 1, 31)), 12),
    # Winter holiday: the autumn term, complete (08-31 … 2027-01-25).
    "holiday": (datetime(2027, 2, 10, 9, 0), ("2026-2027学年第一学期", date(2026, 9, 1), date(2027, 1, 31)), 22),
    # A Thursday 16:00 of the spring term: this week (04-12) is open, its deadline an hour away.
    "spring, before the deadline": (
        datetime(2027, 4, 15, 16, 0),
        ("2026-2027学年第二学期", date(2027, 3, 1), date(2027, 7, 10)),
        7,
    ),
}


@pytest.mark.parametrize("moment", list(DATES))
def test_the_demo_is_valid_on_any_date(app, session, moment):
    local, (name, start, end), weeks = DATES[moment]
    when = local.replace(tzinfo=clock.LOCAL)
    load(app, when)
    term = session.scalar(select(Term))
    assert (term.name, term.start_date, term.end_date) == (name, start, end)
    assert session.scalar(select(func.count(ExpectedReport.id))) == 12 * weeks
    assert session.scalar(select(func.count(func.distinct(Student.school_id)))) == 11
    _visits_obey_the_rules(session, when, term)
    _roster_rows_belong_to_their_school(session)
    _reports_obey_the_rules(session, when)
    drafts = session.scalars(select(WeeklyReport.week_start).where(WeeklyReport.state == "draft")).all()
    this_week = periods.current_week(when)
    assert drafts == ([this_week] if moment == "spring, before the deadline" else [])


def _none(session, *where) -> None:
    assert session.scalar(select(func.count(Visit.id)).where(*where)) == 0, [str(w) for w in where]


def _visits_obey_the_rules(session, now: datetime, term: Term) -> None:
    today = clock.local(now).date()
    _none(session, Visit.visited_on >= today)  # recorded the day after at the latest
    _none(session, or_(Visit.visited_on < term.start_date, Visit.visited_on > term.end_date))
    _none(session, Visit.term_id != term.id)
    _none(session, Visit.submitted_at > now)
    _none(session, Visit.reviewed_at > now)
    _none(session, Visit.no_gifts.is_(False))
    _none(session, Visit.target == "family", Visit.student_id.is_(None))
    _none(session, Visit.status.in_(("approved", "returned")), Visit.reviewed_at < Visit.submitted_at)
    _none(session, Visit.status.in_(("approved", "returned")), Visit.reviewed_by_id.is_(None))
    _none(session, Visit.status == "returned", Visit.review_note.is_(None))
    _none(session, Visit.status == "approved", Visit.review_note.is_not(None))
    for column in (Visit.student_id, Visit.staff_id, Visit.staff2_id, Visit.target_staff_id):
        model = Student if column is Visit.student_id else aliased(Staff)
        wrong = select(func.count(Visit.id)).join(model, model.id == column).where(model.school_id != Visit.school_id)
        assert session.scalar(wrong) == 0, column
    reviewer = select(func.count(Visit.id)).join(User, User.id == Visit.reviewed_by_id)
    assert session.scalar(reviewer.where(or_(User.school_id != Visit.school_id, User.role != "school_admin"))) == 0
    # Every version kept: a record of version n has n versions, in its school.
    versions = select(VisitVersion.visit_id, func.count().label("n")).group_by(VisitVersion.visit_id).subquery()
    kept = select(func.count(Visit.id)).outerjoin(versions, versions.c.visit_id == Visit.id)
    assert session.scalar(kept.where(func.coalesce(versions.c.n, 0) != Visit.version)) == 0
    # A family's first visit of the term is not a repeat, every later one is.
    firsts = func.sum(case((Visit.is_repeat.is_(False), 1), else_=0))
    not_one = (
        select(Visit.student_id).where(Visit.student_id.is_not(None)).group_by(Visit.student_id).having(firsts != 1)
    )
    assert session.execute(not_one).first() is None


def _roster_rows_belong_to_their_school(session) -> None:
    cls = aliased(SchoolClass)
    assert (
        session.scalar(
            select(func.count(Student.id))
            .join(cls, cls.id == Student.class_id)
            .where(cls.school_id != Student.school_id)
        )
        == 0
    )
    for column, model in (
        (Assignment.staff_id, Staff),
        (Assignment.class_id, SchoolClass),
        (Assignment.student_id, Student),
    ):
        wrong = (
            select(func.count(Assignment.id))
            .join(model, model.id == column)
            .where(model.school_id != Assignment.school_id)
        )
        assert session.scalar(wrong) == 0, column
    # At most one 包保 in force per target; a handover ends the old one the day the new one starts.
    for target in (Assignment.grade, Assignment.class_id, Assignment.student_id):
        twice = (
            select(Assignment.school_id, Assignment.kind, target)
            .where(Assignment.end_date.is_(None), target.is_not(None))
            .group_by(Assignment.school_id, Assignment.kind, target)
            .having(func.count() > 1)
        )
        assert session.execute(twice).first() is None
    assert session.scalar(select(func.count(Assignment.id)).where(Assignment.end_date < Assignment.start_date)) == 0


def _reports_obey_the_rules(session, now: datetime) -> None:
    campaign = session.scalar(select(Campaign))
    reports = session.scalars(select(WeeklyReport)).all()
    expected = set(session.execute(select(ExpectedReport.school_id, ExpectedReport.week_start)).all())
    versions = dict(
        session.execute(
            select(WeeklyReportVersion.report_id, func.count()).group_by(WeeklyReportVersion.report_id)
        ).all()
    )
    reviewers = dict(session.execute(select(User.id, User.role)).all())
    for report in reports:
        due = week_deadline(campaign, report.week_start)
        assert (report.school_id, report.week_start) in expected
        if report.state == "draft":
            assert due > now and report.first_submitted_at is None and report.id not in versions
            continue
        first = clock.as_utc(report.first_submitted_at)
        assert first <= clock.as_utc(report.submitted_at) <= now
        assert report.on_time == periods.is_on_time(first, due)  # decided once, at the first submission
        assert versions[report.id] == (2 if report.submitted_at != report.first_submitted_at else 1)
        if report.state in ("approved", "returned"):
            assert clock.as_utc(report.submitted_at) <= clock.as_utc(report.reviewed_at) <= now
            assert reviewers[report.reviewed_by_id] in REVIEW_ROLES
        else:  # submitted, first or again after a return: waiting for review
            assert report.reviewed_at is None
        # A return's reason stays with the report until it is approved.
        returned_once = report.state == "returned" or (report.state == "submitted" and versions[report.id] == 2)
        assert (report.return_reason is not None) == returned_once


def test_the_demo_inspects_phones_and_surveys_the_city_through_the_products_services(app, session):
    """青川市 on 2026-11-20: two published rounds (the second unannounced, one inspection done and
    one to come), a phone-check batch with one visit found 不属实 and one family called twice
    without answer (its check still open), and the term's survey: at least half of every class
    drawn, 70 % of each school's drawn families answered, one school below 80 % and one above."""
    load(app)
    load(app)  # idempotent: the second load adds nothing
    rounds = session.scalars(select(InspectionRound).order_by(InspectionRound.id)).all()
    assert [(r.state, r.unannounced) for r in rounds] == [("published", False), ("published", True)]
    states = session.scalars(
        select(Inspection.state).where(Inspection.round_id == rounds[1].id).order_by(Inspection.scheduled_on)
    ).all()
    assert states == ["completed", "scheduled"]
    assert session.scalar(select(func.count(PhoneCheckBatch.id))) == 1
    outcomes = dict(session.execute(select(PhoneCheck.outcome, func.count()).group_by(PhoneCheck.outcome)).all())
    assert outcomes["contradicted"] == 1 and outcomes["confirmed"] == 4 and outcomes["refused"] == 1
    open_twice = session.scalar(
        select(func.count()).select_from(PhoneCall).join(PhoneCheck).where(PhoneCheck.outcome.is_(None))
    )
    assert open_twice == 2
    drawn = dict(session.execute(select(SurveyTarget.class_id, func.count()).group_by(SurveyTarget.class_id)).all())
    sizes = dict(
        session.execute(
            select(Student.class_id, func.count())
            .join(School, School.id == Student.school_id)
            .where(
                Student.active.is_(True),
                School.city_id == db.session.scalar(select(Region.id).where(Region.code == "990100")),
            )
            .group_by(Student.class_id)
        ).all()
    )
    assert sizes and all(drawn.get(class_id, 0) * 2 >= size for class_id, size in sizes.items())
    term = session.scalar(select(Term))
    rows = rate_rows(
        session, Scope("province", session.scalar(select(Region.id).where(Region.code == "990000"))), term, "school"
    )
    rated = [r for r in rows if r.rate is not None]
    assert any(r.below(80) for r in rated) and any(not r.below(80) for r in rated)
    assert all(r.responses == int(r.targets * 0.7) for r in rated)
