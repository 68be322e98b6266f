"""The sane window of term and campaign dates: one rule per model, run for every writer.

A school year (学年) runs from 1 September to 31 August, as the Ministry of Education counts it.
A term (学期) lies within one school year and lasts at most seven months: a Chinese semester is
four to six months, and a summer term for 暑期家访 (July-August) fits too. A campaign (活动)
lies within the school year of its term, so it lasts at most a year and touches at most
MAX_CAMPAIGN_WEEKS weekly reports. Years outside MIN_YEAR..MAX_YEAR are typing mistakes.

The rules run on every insert and update of a Term or Campaign (mapper events in
bureau.visits.models), whoever writes: the console, the CLI, the demo. The console calls the
same functions first, to show the message on the form.
"""

from __future__ import annotations

from datetime import date

MIN_YEAR, MAX_YEAR = 2000, 2100
MAX_TERM_DAYS = 214  # seven months
# A school year has at most 366 days; 366 consecutive days touch at most 54 ISO weeks.
MAX_CAMPAIGN_WEEKS = 54


class DateWindowError(ValueError):
    """Dates outside the sane window; str() is the Chinese message."""


def school_year(day: date) -> tuple[date, date]:
    """The first and last day of the school year holding `day` (1 September to 31 August)."""
    first = day.year if day.month >= 9 else day.year - 1
    return date(first, 9, 1), date(first + 1, 8, 31)


def _label(first: date) -> str:
    return f"{first.year}-{first.year + 1}学年（{first:%Y-%m-%d}至{first.year + 1}-08-31）"


def _years(what: str, *days: date | None) -> None:
    for day in days:
        if day is not None and not MIN_YEAR <= day.year <= MAX_YEAR:
            raise DateWindowError(f"{what}的日期应在 {MIN_YEAR} 年至 {MAX_YEAR} 年之间，「{day}」不在其中")


def check_term(start: date | None, end: date | None) -> None:
    """A term: both dates, end after start, at most MAX_TERM_DAYS days, within one school year."""
    if start is None or end is None:
        raise DateWindowError("请填写学期的开始日期和结束日期")
    _years("学期", start, end)
    if end <= start:
        raise DateWindowError("学期的结束日期应晚于开始日期")
    if (end - start).days + 1 > MAX_TERM_DAYS:
        raise DateWindowError(f"学期不能超过 7 个月（{MAX_TERM_DAYS} 天）")
    first, last = school_year(start)
    if end > last:
        raise DateWindowError(f"学期不能跨学年：开始日期属于{_label(first)}，结束日期应不晚于 {last}")


def check_campaign(
    start: date | None, end: date | None, term_start: date | None, coverage_deadline: date | None = None
) -> None:
    """A campaign: end not before start, both within its term's school year; the coverage
    deadline, when given, not before the start and within the years allowed."""
    if start is None or end is None:
        raise DateWindowError("请填写活动的开始日期和结束日期")
    if term_start is None:
        raise DateWindowError("请选择活动所属的学期")
    _years("活动", start, end, coverage_deadline)
    if end < start:
        raise DateWindowError("活动的结束日期不能早于开始日期")
    first, last = school_year(term_start)
    if start < first or end > last:
        raise DateWindowError(f"活动应在所属学期的{_label(first)}之内，最长一年")
    if coverage_deadline is not None and coverage_deadline < start:
        raise DateWindowError("全覆盖截止日期不能早于活动开始日期")
