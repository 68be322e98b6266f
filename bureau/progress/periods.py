"""The one deadline rule: ISO weeks of Beijing dates, each campaign's deadline, on time or late.

A weekly period is named by its Monday (`week_start`). A report belongs to the week it reports
on, chosen when it is created; `current_week(now)` is the week a Beijing clock shows at `now`,
so a Sunday 23:59 submission is still that week and Monday 00:00 Beijing (Sunday 16:00 UTC)
is already the next one.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta

from bureau import clock

WEEKDAYS = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
_WEEK_CODE = re.compile(r"^(\d{4})-W(\d{1,2})$")


class PeriodError(ValueError):
    """A week code that names no ISO week; the message is shown to the user."""


def week_of(day: date) -> date:
    """The Monday of the ISO week holding `day`."""
    return day - timedelta(days=day.weekday())


def current_week(now: datetime) -> date:
    """The ISO week of the Beijing date at the instant `now`."""
    return week_of(clock.local(now).date())


def week_code(week_start: date) -> str:
    """`2026-W53`: ISO year and week number (the ISO year may differ from the calendar year).
    The code names a week in URLs and forms only; people read `week_label`."""
    year, week, _ = week_start.isocalendar()
    return f"{year}-W{week:02d}"


def parse_week(code: str) -> date:
    """The Monday of a `2026-W53` week code."""
    match = _WEEK_CODE.match((code or "").strip())
    if match is None:
        raise PeriodError("周次格式应为 2026-W05")
    try:
        return date.fromisocalendar(int(match.group(1)), int(match.group(2)), 1)
    except ValueError:
        raise PeriodError(f"{code} 不是有效的周次") from None


def week_name(week_start: date) -> str:
    """`2026年第47周`: the ISO year and week as people here write it (in file names, titles)."""
    year, week, _ = week_start.isocalendar()
    return f"{year}年第{week}周"


def week_short(week_start: date) -> str:
    """`第47周`: where the year goes without saying (a chart's axis, a reminder's text)."""
    return f"第{week_start.isocalendar()[1]}周"


def week_label(week_start: date) -> str:
    """`2026年第47周（11月16日—11月22日）`: the name and the dates it covers, shown on pages."""
    end = week_start + timedelta(days=6)
    return f"{week_name(week_start)}（{day_text(week_start)}—{day_text(end)}）"


def day_text(day: date) -> str:
    """`11月16日`."""
    return f"{day.month}月{day.day}日"


def moment_text(instant: datetime) -> str:
    """`12月3日 17:00`: an instant in Beijing time, as a reminder or a deadline reads it."""
    local = clock.local(instant)
    return f"{day_text(local.date())} {local:%H:%M}"


def deadline(week_start: date, weekday: int, local_time: time) -> datetime:
    """The deadline instant (UTC) of a week: `weekday` (0 = Monday) at `local_time` Beijing."""
    local = datetime.combine(week_start + timedelta(days=weekday), local_time, tzinfo=clock.LOCAL)
    return local.astimezone(UTC)


def to_the_second(instant: datetime) -> datetime:
    """Submission times are recorded, and judged, to the whole second."""
    return clock.as_utc(instant).replace(microsecond=0)


def is_on_time(submitted_at: datetime, due: datetime) -> bool:
    """On time means at or before the deadline, to the second: 17:00:00 is on time, 17:00:01 late."""
    return to_the_second(submitted_at) <= clock.as_utc(due)


def weeks_between(first: date, last: date) -> list[date]:
    """The Mondays of every ISO week touching the dates first..last."""
    start, end = week_of(first), week_of(last)
    return [start + timedelta(weeks=i) for i in range((end - start).days // 7 + 1)]


def hours_overdue(due: datetime, now: datetime) -> float:
    """Hours since the deadline (0 before it), to one decimal."""
    return round(max((clock.as_utc(now) - clock.as_utc(due)).total_seconds(), 0) / 3600, 1)
