"""Reporting rates and statuses, aggregated in SQL against the expected-school record.

Every figure counts only rows of `expected_report` for the week, so no rate exceeds 100 % and
a school opened, closed or moved later changes no past week. Each function runs one statement
whatever the number of schools, restricted to the caller's scope explicitly.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, Select, case, func, select, true
from sqlalchemy.orm import Session

from bureau.progress.models import ExpectedReport, WeeklyReport, report_of_expected
from bureau.progress.service import report_status
from bureau.tenants.guard import explicitly_scoped
from bureau.tenants.models import Region, School
from bureau.tenants.scope import Scope


@dataclass(frozen=True)
class Rates:
    """Counts of one group (a region, a school or a week) and the two rates."""

    key: object
    name: str
    expected: int
    submitted: int
    on_time: int

    @property
    def late(self) -> int:
        return self.submitted - self.on_time

    @property
    def missing(self) -> int:
        return self.expected - self.submitted

    @property
    def reporting_rate(self) -> float | None:
        return self.submitted / self.expected if self.expected else None

    @property
    def on_time_rate(self) -> float | None:
        return self.on_time / self.expected if self.expected else None


def total(rows: list[Rates], name: str) -> Rates:
    return Rates(
        None, name, sum(r.expected for r in rows), sum(r.submitted for r in rows), sum(r.on_time for r in rows)
    )


def child_level(region: Region) -> str:
    """What a region's figures break down into: cities, counties or schools."""
    return {"province": "city", "city": "county"}.get(region.kind, "school")


def region_clause(region: Region | None) -> ColumnElement[bool]:
    """Expected rows of a region, by the county and city recorded when the week opened."""
    if region is None or region.kind == "province":
        return true()
    if region.kind == "city":
        return ExpectedReport.city_id == region.id
    return ExpectedReport.county_id == region.id


def in_scope(scope: Scope | None) -> ColumnElement[bool]:
    """Expected rows a user may see (the CLI, with no user, sees all)."""
    return true() if scope is None else scope.school_clause(ExpectedReport.school_id)


def _counted(campaign_id: int, scope: Scope | None, region: Region | None, *columns) -> Select:
    """SELECT columns + expected / submitted / on-time counts, expected rows LEFT JOIN reports."""
    on_time = func.sum(case((WeeklyReport.on_time == true(), 1), else_=0))
    query = (
        select(*columns, func.count(ExpectedReport.id), func.count(WeeklyReport.first_submitted_at), on_time)
        .select_from(ExpectedReport)
        .outerjoin(WeeklyReport, report_of_expected())
        .where(ExpectedReport.campaign_id == campaign_id, in_scope(scope), region_clause(region))
    )
    return explicitly_scoped(query, scope)  # the rest of the query only joins on these rows


def breakdown(
    session: Session, campaign_id: int, week_start: date, scope: Scope | None, region: Region, level: str | None = None
) -> list[Rates]:
    """A week's rates of each city, county or school below `region`: one statement.

    `level` defaults to the level directly below the region (see child_level).
    """
    level = level or child_level(region)
    if level == "school":
        key, name, table = ExpectedReport.school_id, School.name, School
    else:
        key = (
            ExpectedReport.county_id
            if level == "county"
            else func.coalesce(ExpectedReport.city_id, ExpectedReport.county_id)
        )
        name, table = Region.name, Region
    query = (
        _counted(campaign_id, scope, region, key, name)
        .join(table, table.id == key)
        .where(ExpectedReport.week_start == week_start)
        .group_by(key, name)
        .order_by(name)
    )
    return [Rates(k, n, e, s or 0, o or 0) for k, n, e, s, o in session.execute(query)]


def trend(session: Session, campaign_id: int, scope: Scope | None, region: Region) -> list[Rates]:
    """Rates of every opened week of the campaign, for `region`: one statement."""
    query = (
        _counted(campaign_id, scope, region, ExpectedReport.week_start)
        .group_by(ExpectedReport.week_start)
        .order_by(ExpectedReport.week_start)
    )
    return [Rates(w, str(w), e, s or 0, o or 0) for w, e, s, o in session.execute(query)]


@dataclass(frozen=True)
class SchoolStatus:
    """One expected school's state in a week, with its report (None if it has none)."""

    school_id: int
    school: str
    county_id: int
    county: str
    school_contact: str
    school_phone: str
    report: WeeklyReport | None

    @property
    def status(self) -> str:
        return report_status(self.report)

    @property
    def contact(self) -> str:
        """Who to call: the report's contact if a draft names one, else the school's."""
        if self.report is not None and self.report.contact_name:
            return f"{self.report.contact_name} {self.report.contact_phone}".strip()
        return f"{self.school_contact} {self.school_phone}".strip()


def school_statuses(
    session: Session, campaign_id: int, week_start: date, scope: Scope | None, region: Region | None
) -> list[SchoolStatus]:
    """Every expected school of the week below `region`, with its report: one statement."""
    county = Region.name.label("county")
    query = (
        select(
            ExpectedReport.school_id,
            School.name,
            ExpectedReport.county_id,
            county,
            School.contact_name,
            School.contact_phone,
            WeeklyReport,
        )
        .select_from(ExpectedReport)
        .join(School, School.id == ExpectedReport.school_id)
        .join(Region, Region.id == ExpectedReport.county_id)
        .outerjoin(WeeklyReport, report_of_expected())
        .where(
            ExpectedReport.campaign_id == campaign_id,
            ExpectedReport.week_start == week_start,
            in_scope(scope),
            region_clause(region),
        )
        .order_by(county, ExpectedReport.county_id, School.name)
    )
    query = explicitly_scoped(query, scope)
    return [
        SchoolStatus(sid, name, county_id, county_name, contact or "", phone or "", report)
        for sid, name, county_id, county_name, contact, phone, report in session.execute(query)
    ]
