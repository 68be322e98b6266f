"""What is owed: a school's weeks still to report, the schools overdue, the reports awaiting review.

A report is overdue when its week's deadline has passed and the school has not submitted it (no
report, or a draft only); a returned report is owed again but was sent, so it counts as submitted
in the rates. Every count is one statement whatever the number of schools.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ColumnElement, Select, distinct, func, or_, select
from sqlalchemy.orm import Session, joinedload

from bureau.progress import periods
from bureau.progress.models import ExpectedReport, WeeklyReport, report_of_expected
from bureau.progress.rates import in_scope, region_clause
from bureau.progress.service import (
    closed_weeks,
    expects_report,
    report_status,
    unopened_weeks,
    week_deadline,
)
from bureau.tenants.guard import explicitly_scoped
from bureau.tenants.models import Region, School
from bureau.tenants.scope import Scope
from bureau.visits.models import Campaign

OWED = ("missing", "returned")


@dataclass(frozen=True)
class SchoolWeek:
    """One week a school must report in, with its report (None if it has none)."""

    week: date
    report: WeeklyReport | None
    deadline: datetime

    @property
    def status(self) -> str:
        return report_status(self.report)

    @property
    def owed(self) -> bool:
        """Still to be sent: never submitted, or returned for correction."""
        return self.status in OWED

    def overdue(self, now: datetime) -> bool:
        return self.status == "missing" and self.deadline <= now


def school_weeks(session: Session, school_id: int, campaign: Campaign, now: datetime) -> list[SchoolWeek]:
    """Every begun week the school must report in, newest first: the weeks recorded as expected,
    and a begun week not recorded yet (the Monday job has not run), which is due all the same."""
    query = (
        select(ExpectedReport.week_start, WeeklyReport)
        .outerjoin(WeeklyReport, report_of_expected())
        .where(ExpectedReport.school_id == school_id, ExpectedReport.campaign_id == campaign.id)
        .order_by(ExpectedReport.week_start.desc())
    )
    rows = [
        (week, None)
        for week in reversed(unopened_weeks(session, campaign, now))
        if expects_report(session, school_id, campaign, week)
    ]
    rows += list(session.execute(query))
    return [SchoolWeek(week, report, week_deadline(campaign, week)) for week, report in rows]


@dataclass(frozen=True)
class OverdueSchool:
    """A school that has not submitted `weeks` closed weeks, the first and the last of them."""

    school_id: int
    school: str
    county_id: int
    county: str
    contact: str
    weeks: int
    first: date
    last: date

    @property
    def weeks_text(self) -> str:
        """第37周 / 第37周、第38周 / 第37周—第40周 / 第37周至第45周间 5 周."""
        first, last = periods.week_short(self.first), periods.week_short(self.last)
        span = (self.last - self.first).days // 7 + 1
        if self.weeks == 1:
            return first
        if self.weeks == 2 and span == 2:
            return f"{first}、{last}"
        if self.weeks == span:
            return f"{first}—{last}"
        return f"{first}至{last}间 {self.weeks} 周"


def _missing() -> ColumnElement[bool]:
    """No report, or a draft never submitted (report_status's "missing", in SQL)."""
    return or_(WeeklyReport.id.is_(None), WeeklyReport.state == "draft")


def _overdue_rows(
    campaign: Campaign, now: datetime, scope: Scope | None, region: Region | None, before: date | None
) -> Select | None:
    """Expected rows of closed weeks (before `before`, if given) the school has not submitted."""
    closed = [week for week in closed_weeks(campaign, now) if before is None or week < before]
    if not closed:
        return None
    return (
        select(ExpectedReport.school_id)
        .select_from(ExpectedReport)
        .outerjoin(WeeklyReport, report_of_expected())
        .where(
            ExpectedReport.campaign_id == campaign.id,
            ExpectedReport.week_start.between(closed[0], closed[-1]),
            _missing(),
            in_scope(scope),
            region_clause(region),
        )
    )


def overdue_count(
    session: Session, campaign: Campaign, now: datetime, scope: Scope | None, region: Region | None
) -> int:
    """How many schools have at least one closed week not submitted: one statement."""
    rows = _overdue_rows(campaign, now, scope, region, None)
    if rows is None:
        return 0
    query = rows.with_only_columns(func.count(distinct(ExpectedReport.school_id)))
    return session.scalar(explicitly_scoped(query, scope)) or 0


def overdue_schools(
    session: Session,
    campaign: Campaign,
    now: datetime,
    scope: Scope | None,
    region: Region | None,
    before: date | None = None,
) -> list[OverdueSchool]:
    """Each school with closed weeks (before `before`) not submitted, by county: one statement."""
    rows = _overdue_rows(campaign, now, scope, region, before)
    if rows is None:
        return []
    county = Region.name.label("county")
    query = (
        rows.add_columns(
            School.name,
            ExpectedReport.county_id,
            county,
            School.contact_name,
            School.contact_phone,
            func.count(ExpectedReport.id),
            func.min(ExpectedReport.week_start),
            func.max(ExpectedReport.week_start),
        )
        .join(School, School.id == ExpectedReport.school_id)
        .join(Region, Region.id == ExpectedReport.county_id)
        .group_by(
            ExpectedReport.school_id,
            School.name,
            ExpectedReport.county_id,
            county,
            School.contact_name,
            School.contact_phone,
        )
        .order_by(county, ExpectedReport.county_id, School.name)
    )
    return [
        OverdueSchool(sid, name, cid, cname, f"{contact or ''} {phone or ''}".strip(), n, first, last)
        for sid, name, cid, cname, contact, phone, n, first, last in session.execute(explicitly_scoped(query, scope))
    ]


def _awaiting(scope: Scope | None) -> Select:
    query = select(WeeklyReport.id).where(WeeklyReport.state == "submitted")
    return query if scope is None else query.where(scope.school_clause(WeeklyReport.school_id))


def awaiting_review(session: Session, scope: Scope | None) -> int:
    """Reports submitted and not yet reviewed (approved or returned), in the scope: one statement."""
    query = _awaiting(scope).with_only_columns(func.count(WeeklyReport.id))
    return session.scalar(explicitly_scoped(query, scope)) or 0


def reports_awaiting_review(session: Session, scope: Scope | None, limit: int) -> list[WeeklyReport]:
    """The oldest `limit` reports awaiting review in the scope, with their school and campaign."""
    query = (
        _awaiting(scope)
        .with_only_columns(WeeklyReport)
        .options(joinedload(WeeklyReport.school), joinedload(WeeklyReport.campaign))
        .order_by(WeeklyReport.submitted_at, WeeklyReport.id)
        .limit(limit)
    )
    return list(session.scalars(explicitly_scoped(query, scope)))
