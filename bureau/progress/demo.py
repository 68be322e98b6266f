"""Demo data of the weekly reports: every past week of the demo campaign with on-time, late,
missing, returned and approved reports, and the current week open with a draft."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bureau import clock
from bureau.progress import periods
from bureau.progress.models import WeeklyReport
from bureau.progress.service import (
    approve,
    campaign_weeks,
    open_week,
    return_report,
    save_draft,
    submit,
    week_deadline,
)
from bureau.tenants.models import School, User
from bureau.visits import demo as visits_demo
from bureau.visits.calendar import school_year
from bureau.visits.models import Campaign, Term

CAMPAIGN = "周调度演示：万师访万家大走访"
PAST_WEEKS = 6
TEXT = {
    "progress": "本周走访学生家庭 {n} 户，其中留守儿童家庭 {m} 户。",
    "problems": "个别家长外出务工，只能电话或视频联系。",
    "next_plan": "继续走访未覆盖的班级，重点走访六类重点家庭。",
    "contact_name": "办公室 王老师",
    "contact_phone": "0791-86668888",
}


def _at(day, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=clock.LOCAL)


def _campaign(session: Session, nodes: dict, now: datetime) -> Campaign:
    """The visits demo's campaign, so one campaign carries both; a campaign of our own without it."""
    campaign = session.scalar(select(Campaign).where(Campaign.name.in_((visits_demo.CAMPAIGN, CAMPAIGN))))
    if campaign is not None:
        return campaign
    # Six weeks back, but within this school year, as the date rule wants a term and campaign.
    year_start, year_end = school_year(clock.local(now).date())
    start = max(periods.current_week(now) - timedelta(weeks=PAST_WEEKS), year_start)
    term = Term(name="演示学期（周调度）", start_date=start, end_date=min(start + timedelta(weeks=20), year_end))
    campaign = Campaign(
        name=CAMPAIGN,
        region=nodes["990000"],
        term=term,
        start_date=start,
        end_date=min(start + timedelta(weeks=18), year_end),
        coverage_deadline=start + timedelta(weeks=8),
        report_weekday=3,
        report_time=time(17, 0),
    )
    session.add(campaign)
    session.flush()
    return campaign


def _week(session: Session, campaign: Campaign, week, schools: list[School], reviewer: User) -> None:
    """One past week: the fate of each school follows its index, so every status appears."""
    open_week(session, campaign, week, _at(week, 8))
    thursday = week + timedelta(days=3)
    for i, school in enumerate(schools):
        fate = (i + week.toordinal() // 7) % 6
        if fate == 0:
            continue  # missing
        text = {k: v.format(n=8 + i, m=2 + i % 3) for k, v in TEXT.items()}
        at = _at(thursday, 10 + i % 6) if fate != 1 else _at(thursday + timedelta(days=1), 9, 30)
        report = submit(session, school.id, campaign, week, text, at)
        if fate == 2:
            return_report(session, report, "请补充本周留守儿童家庭的走访情况。", at + timedelta(hours=20), reviewer)
        elif fate in (3, 4):
            approve(session, report, at + timedelta(hours=22), reviewer)


def load(session: Session, nodes: dict) -> None:
    """Add weekly-report demo data; `nodes` maps region/school codes to rows. Idempotent."""
    now = clock.now()
    campaign = _campaign(session, nodes, now)
    if session.scalar(select(WeeklyReport.id).where(WeeklyReport.campaign_id == campaign.id).limit(1)):
        return
    schools = [node for node in nodes.values() if isinstance(node, School)]
    reviewer = session.scalar(select(User).where(User.username == "province_admin"))
    for week in campaign_weeks(campaign):
        if week_deadline(campaign, week) <= now:
            _week(session, campaign, week, schools, reviewer)
    current = periods.current_week(now)
    if current in campaign_weeks(campaign) and week_deadline(campaign, current) > now:  # still open
        open_week(session, campaign, current, now)
        save_draft(session, schools[0].id, campaign, current, {**TEXT, "progress": "（草稿）本周已走访 5 户。"}, now)
