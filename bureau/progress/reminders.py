"""Reports due soon and not yet submitted, grouped by county, for county staff to chase."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import groupby

from sqlalchemy import select
from sqlalchemy.orm import Session

from bureau.progress import periods
from bureau.progress.rates import SchoolStatus, school_statuses
from bureau.progress.service import campaign_weeks, week_deadline
from bureau.tenants.models import Region
from bureau.tenants.scope import Scope
from bureau.visits.models import Campaign


@dataclass(frozen=True)
class DueGroup:
    """The schools of one county that still owe one campaign's report due at `deadline`."""

    campaign: Campaign
    week_start: date
    deadline: datetime
    county: str
    schools: list[SchoolStatus]


def visible_campaigns(session: Session) -> list[Campaign]:
    """Campaigns run by a region the session's user may see (all of them without a user)."""
    query = select(Campaign).join(Region, Region.id == Campaign.region_id)
    return list(session.scalars(query.order_by(Campaign.start_date.desc(), Campaign.id)))


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
