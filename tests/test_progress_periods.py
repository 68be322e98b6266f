"""The deadline rule: to the second, across a year end, and by the Beijing calendar."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from bureau.progress import periods
from bureau.progress.service import ReportError, open_week, report_status, submit
from tests.world_progress import FIELDS, WEEK, beijing

THURSDAY_17 = periods.deadline(WEEK, 3, time(17, 0))  # 2026-09-10 17:00 Beijing


def test_deadline_is_thursday_17_beijing_stored_in_utc():
    # Beijing is UTC+8 all year: 17:00 local is 09:00 UTC.
    assert THURSDAY_17 == datetime(2026, 9, 10, 9, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize("clock_time, on_time", [((16, 59, 59), True), ((17, 0, 0), True), ((17, 0, 1), False)])
def test_on_time_is_decided_to_the_second(clock_time, on_time):
    assert periods.is_on_time(beijing(2026, 9, 10, *clock_time), THURSDAY_17) is on_time


def test_a_fraction_of_a_second_after_17_00_00_is_still_17_00_00():
    # Times are recorded to the second: 17:00:00.900 is recorded as 17:00:00, on time.
    assert periods.is_on_time(beijing(2026, 9, 10, 17, 0, 0) + timedelta(milliseconds=900), THURSDAY_17)


def test_iso_week_53_and_week_1_across_the_year_end():
    # 2026 has 53 ISO weeks: W53 is Mon 2026-12-28 .. Sun 2027-01-03; 2027-W01 starts 01-04.
    assert periods.parse_week("2026-W53") == date(2026, 12, 28)
    assert periods.week_code(periods.week_of(date(2027, 1, 1))) == "2026-W53"
    assert periods.week_code(periods.week_of(date(2027, 1, 4))) == "2027-W01"
    assert periods.week_label(date(2026, 12, 28)) == "2026年第53周（12月28日—1月3日）"
    assert periods.week_name(date(2027, 1, 4)) == "2027年第1周"
    assert periods.week_short(date(2026, 12, 28)) == "第53周"
    # W53's deadline is Thursday 2026-12-31 17:00 Beijing = 09:00 UTC.
    assert periods.deadline(date(2026, 12, 28), 3, time(17, 0)) == datetime(2026, 12, 31, 9, 0, tzinfo=UTC)
    with pytest.raises(periods.PeriodError):
        periods.parse_week("2027-W53")  # 2027 has only 52 ISO weeks
    with pytest.raises(periods.PeriodError):
        periods.parse_week("53")


def test_the_week_is_the_beijing_calendar_week_not_the_utc_one():
    # Sunday 2026-09-13 23:59:59 Beijing is still week 2026-W37.
    assert periods.current_week(beijing(2026, 9, 13, 23, 59, 59)) == WEEK
    # Monday 00:00:01 Beijing is Sunday 16:00:01 UTC, yet already the next week (W38).
    monday = beijing(2026, 9, 14, 0, 0, 1)
    assert monday.astimezone(UTC).date() == date(2026, 9, 13)
    assert periods.current_week(monday) == date(2026, 9, 14)


def test_a_sunday_night_submission_counts_for_its_own_week_as_late(world, session):
    campaign, a1y = world.extra["progress_campaign"], world.schools["a1y"]
    report = submit(session, a1y.id, campaign, WEEK, FIELDS, beijing(2026, 9, 13, 23, 59, 59))
    assert report.week_start == WEEK
    assert report_status(report) == "late"


def test_a_report_for_week_53_submitted_on_new_years_day(world, session):
    campaign, a1x = world.extra["progress_campaign"], world.schools["a1x"]
    w53 = periods.parse_week("2026-W53")
    open_week(session, campaign, w53, beijing(2026, 12, 28, 8, 0, 0))
    # Friday 2027-01-01 09:00 Beijing: after Thursday 2026-12-31 17:00 -> late, still W53.
    report = submit(session, a1x.id, campaign, w53, FIELDS, beijing(2027, 1, 1, 9, 0, 0))
    assert (report.week_start, report_status(report)) == (date(2026, 12, 28), "late")
    # 2027-W01 (Jan 4..10) is the campaign's last week; Thursday 01-07 16:59:59 is on time.
    w01 = periods.parse_week("2027-W01")
    report = submit(session, a1x.id, campaign, w01, FIELDS, beijing(2027, 1, 7, 16, 59, 59))
    assert (report.week_start, report_status(report)) == (date(2027, 1, 4), "on_time")


def test_a_week_outside_the_campaign_or_not_begun_cannot_be_opened(world, session):
    campaign = world.extra["progress_campaign"]
    with pytest.raises(ReportError, match="不在活动"):
        open_week(session, campaign, date(2027, 1, 11), beijing(2027, 1, 11, 9, 0, 0))
    with pytest.raises(ReportError, match="尚未开始"):
        open_week(session, campaign, date(2026, 9, 14), beijing(2026, 9, 13, 23, 0, 0))
