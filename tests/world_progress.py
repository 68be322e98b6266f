"""The weekly-report rows of the test world: rows in at least two schools of two counties.

The world's campaign runs under province P (all five schools) from Monday 2026-09-07 to Sunday
2027-01-10, so its weeks include 2026-W53 (12-28..01-03) and 2027-W01. Week 2026-W37 is open:
a1x on time, a2 late, b1 returned, d approved, a1y missing.
"""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy.orm import Session

from bureau import clock
from bureau.progress.service import approve, open_week, return_report, submit
from bureau.tenants.models import Region
from bureau.visits.models import Campaign, Term

WEEK = date(2026, 9, 7)  # 2026-W37; its deadline is Thursday 09-10 17:00 Beijing
FIELDS = {
    "progress": "本周完成家访 12 户",
    "problems": "无",
    "next_plan": "继续走访留守儿童家庭",
    "contact_name": "张老师",
    "contact_phone": "0791-88886666",
}


def beijing(*parts: int) -> datetime:
    """An instant given as Beijing wall-clock time (year, month, day, hour, minute, second)."""
    return datetime(*parts, tzinfo=clock.LOCAL)


def make_campaign(
    session: Session,
    region: Region,
    start: date,
    end: date,
    name: str = "周调度测试活动",
    weekday: int = 3,
    at: time = time(17, 0),
) -> Campaign:
    """A campaign under `region` with its own term of the same dates."""
    term = Term(name=f"{name}学期", start_date=start, end_date=end)
    campaign = Campaign(
        name=name,
        region=region,
        term=term,
        start_date=start,
        end_date=end,
        coverage_deadline=end,
        report_weekday=weekday,
        report_time=at,
    )
    session.add(campaign)
    session.flush()
    return campaign


def extend(session: Session, world) -> None:
    """Add weekly-report rows to `world` (world.extra holds them by name)."""
    s, u = world.schools, world.users
    campaign = make_campaign(session, world.regions["p"], WEEK, date(2027, 1, 10))
    open_week(session, campaign, WEEK, beijing(2026, 9, 7, 0, 0, 1))
    reports = {
        "a1x": submit(session, s["a1x"].id, campaign, WEEK, FIELDS, beijing(2026, 9, 10, 9, 0, 0)),
        "a2": submit(session, s["a2"].id, campaign, WEEK, FIELDS, beijing(2026, 9, 11, 8, 0, 0)),
        "b1": submit(session, s["b1"].id, campaign, WEEK, FIELDS, beijing(2026, 9, 10, 16, 0, 0)),
        "d": submit(session, s["d"].id, campaign, WEEK, FIELDS, beijing(2026, 9, 10, 12, 0, 0)),
    }
    return_report(session, reports["b1"], "请补充留守儿童走访情况", beijing(2026, 9, 11, 9, 0, 0), u["inspector_b"])
    approve(session, reports["d"], beijing(2026, 9, 11, 10, 0, 0), u["admin_d"])
    world.extra["progress_campaign"] = campaign
    world.extra["progress_week"] = WEEK
    world.extra.update({f"weekly_report_{key}": report for key, report in reports.items()})
