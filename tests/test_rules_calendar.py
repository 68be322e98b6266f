"""The date window of terms and campaigns (bureau/visits/calendar.py), message by message: what a
bureau clerk reads when a date is wrong. Written for the mutants that survived `./scripts/mutants`."""

from __future__ import annotations

from datetime import date

import pytest

from bureau.visits.calendar import DateWindowError, check_campaign, check_term

SEP1, JAN31 = date(2026, 9, 1), date(2027, 1, 31)


@pytest.mark.parametrize(
    ("start", "end", "term_start", "deadline", "message"),
    [
        (None, JAN31, SEP1, None, "请填写活动的开始日期和结束日期"),
        (SEP1, None, SEP1, None, "请填写活动的开始日期和结束日期"),
        (SEP1, JAN31, None, None, "请选择活动所属的学期"),
        (SEP1, date(2101, 1, 1), SEP1, None, "活动的日期应在 2000 年至 2100 年之间，「2101-01-01」不在其中"),
        (SEP1, JAN31, SEP1, date(2101, 1, 1), "活动的日期应在 2000 年至 2100 年之间，「2101-01-01」不在其中"),
        (SEP1, date(2026, 8, 31), SEP1, None, "活动的结束日期不能早于开始日期"),
        (SEP1, date(2027, 9, 1), SEP1, None, "活动应在所属学期的2026-2027学年（2026-09-01至2027-08-31）之内，最长一年"),
        (SEP1, JAN31, SEP1, date(2026, 8, 31), "全覆盖截止日期不能早于活动开始日期"),
    ],
)
def test_a_campaign_outside_the_window_is_refused_with_its_reason(start, end, term_start, deadline, message):
    with pytest.raises(DateWindowError) as refused:
        check_campaign(start, end, term_start, deadline)
    assert str(refused.value) == message


def test_a_term_across_31_august_names_its_school_year():
    with pytest.raises(DateWindowError) as refused:
        check_term(date(2027, 6, 1), date(2027, 9, 15))  # 107 days, but into the next school year
    assert (
        str(refused.value)
        == "学期不能跨学年：开始日期属于2026-2027学年（2026-09-01至2027-08-31），结束日期应不晚于 2027-08-31"
    )


def test_a_campaign_within_its_terms_school_year_passes():
    check_campaign(SEP1, date(2027, 8, 31), SEP1, SEP1)  # the whole school year, deadline on day one


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        (None, JAN31, "请填写学期的开始日期和结束日期"),
        (date(1999, 9, 1), date(2000, 1, 31), "学期的日期应在 2000 年至 2100 年之间，「1999-09-01」不在其中"),
        (date(2100, 9, 1), date(2101, 1, 31), "学期的日期应在 2000 年至 2100 年之间，「2101-01-31」不在其中"),
    ],
)
def test_a_term_outside_the_years_is_refused_with_its_reason(start, end, message):
    with pytest.raises(DateWindowError) as refused:
        check_term(start, end)
    assert str(refused.value) == message


def test_the_years_2000_and_2100_are_inside_the_window():
    check_term(date(2000, 2, 1), date(2000, 6, 30))
    check_term(date(2100, 2, 1), date(2100, 6, 30))


def test_a_term_ending_before_it_starts_says_so():
    with pytest.raises(DateWindowError) as refused:
        check_term(date(2026, 9, 1), date(2026, 9, 1))
    assert str(refused.value) == "学期的结束日期应晚于开始日期"
