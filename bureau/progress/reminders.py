"""催报: the schools that still owe a report, by county, with a text to paste into the county's
work group; and the reports due within N hours, for the `due-reports` command."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import groupby

from sqlalchemy import select
from sqlalchemy.orm import Session

from bureau import clock
from bureau.progress import periods
from bureau.progress.overdue import OverdueSchool, overdue_schools
from bureau.progress.rates import SchoolStatus, school_statuses
from bureau.progress.service import campaign_weeks, opened_weeks, week_deadline
from bureau.tenants.models import Region
from bureau.tenants.scope import Scope
from bureau.visits.models import Campaign


def visible_campaigns(session: Session) -> list[Campaign]:
    """Campaigns run by a region the session's user may see (all of them without a user)."""
    query = select(Campaign).join(Region, Region.id == Campaign.region_id)
    return list(session.scalars(query.order_by(Campaign.start_date.desc(), Campaign.id)))


def default_campaign(campaigns: list[Campaign], now: datetime) -> Campaign | None:
    """The campaign a page shows unless asked: the latest one begun by `now` (else the first)."""
    today = clock.local(now).date()
    return next((c for c in campaigns if c.start_date <= today), campaigns[0] if campaigns else None)


def reminder_week(campaign: Campaign, now: datetime) -> date | None:
    """The week to chase: this week, until its deadline and after it (the week just closed),
    or the campaign's last week once it has ended; None before it begins."""
    weeks = opened_weeks(campaign, now)
    return weeks[-1] if weeks else None


@dataclass(frozen=True)
class Owing:
    """A school that owes: the week's report (`this_week`), earlier weeks (`earlier`), or both."""

    school: str
    contact: str
    this_week: SchoolStatus | None
    earlier: OverdueSchool | None

    @property
    def this_week_text(self) -> str:
        if self.this_week is None:
            return "已提交"
        return "有草稿未提交" if self.this_week.report is not None else "未提交"


@dataclass(frozen=True)
class CountyReminder:
    county_id: int
    county: str
    schools: list[Owing]  # those overdue from earlier weeks first


@dataclass(frozen=True)
class Reminder:
    """Who owes the report of `week` (due at `deadline`) and of earlier weeks, as of `now`."""

    campaign: Campaign
    week: date
    deadline: datetime
    now: datetime
    counties: list[CountyReminder]

    @property
    def closed(self) -> bool:
        return self.deadline <= self.now

    def text(self, county: CountyReminder) -> str:
        """The message for the county's work group."""
        earlier = [o.earlier for o in county.schools if o.earlier is not None]
        this_week = [o.school for o in county.schools if o.this_week is not None]
        week, due = periods.week_short(self.week), periods.moment_text(self.deadline)
        sentences = []
        if earlier:
            names = "、".join(f"{o.school}（{o.weeks_text}）" for o in earlier)
            sentences.append(f"以下学校往周周调度逾期未报：{names}，请尽快补报")
        if this_week and self.closed:
            sentences.append(f"以下学校尚未提交{week}周调度（{due}已截止）：{'、'.join(this_week)}，请尽快补报")
        elif this_week:
            sentences.append(f"以下学校尚未提交{week}周调度：{'、'.join(this_week)}，请于{due}前提交")
        return f"【周调度催报】截至{periods.moment_text(self.now)}，{'；'.join(sentences)}。"


def reminder(
    session: Session, campaign: Campaign, week: date, now: datetime, scope: Scope | None, region: Region | None
) -> Reminder:
    """The schools below `region` that have not submitted `week`, and those overdue from closed
    weeks before it, by county: two statements."""
    this_week = [s for s in school_statuses(session, campaign.id, week, scope, region) if s.status == "missing"]
    earlier = overdue_schools(session, campaign, now, scope, region, before=week)
    counties: dict[int, tuple[str, dict[int, Owing]]] = {}
    for row in earlier:  # overdue first: they are listed, and named, before the week's others
        schools = counties.setdefault(row.county_id, (row.county, {}))[1]
        schools[row.school_id] = Owing(row.school, row.contact, None, row)
    for row in this_week:
        schools = counties.setdefault(row.county_id, (row.county, {}))[1]
        known = schools.get(row.school_id)
        schools[row.school_id] = Owing(row.school, row.contact, row, known.earlier if known else None)
    groups = [CountyReminder(cid, name, list(schools.values())) for cid, (name, schools) in counties.items()]
    groups.sort(key=lambda group: (group.county, group.county_id))
    return Reminder(campaign, week, week_deadline(campaign, week), now, groups)


@dataclass(frozen=True)
class DueGroup:
    """The schools of one county that still owe one campaign's report due at `deadline`."""

    campaign: Campaign
    week_start: date
    deadline: datetime
    county: str
    schools: list[SchoolStatus]


def due_within(session: Session, now: datetime, hours: int, scope: Scope | None) -> list[DueGroup]:
    """Schools whose report of the current week is due in the next `hours` and not submitted.

    A deadline falls inside its own week, so only the current week can still be due. It reads
    only: a week not opened yet (by `bureau open-weeks`) has no expected schools to list.
    """
    week = periods.current_week(now)
    horizon = now + timedelta(hours=hours)
    groups = []
    for campaign in visible_campaigns(session):
        due = week_deadline(campaign, week)
        if week not in campaign_weeks(campaign) or not now < due <= horizon:
            continue
        owing = [row for row in school_statuses(session, campaign.id, week, scope, None) if row.status == "missing"]
        for county, rows in groupby(owing, key=lambda row: row.county):
            groups.append(DueGroup(campaign, week, due, county, list(rows)))
    return groups
