"""Rates by city, county and school, in a bounded number of statements, within the scope."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bureau.progress.rates import breakdown, school_statuses, total, trend
from bureau.progress.service import open_week, submit
from bureau.tenants.models import School
from bureau.tenants.scope import scope_for_user
from tests.factories import make_school, statements_sent
from tests.world_progress import FIELDS, WEEK, beijing


def _counts(rows) -> list[tuple]:
    return [(r.name, r.expected, r.submitted, r.on_time, r.late, r.missing) for r in rows]


def test_the_province_breaks_down_into_cities_and_the_direct_county(world, session):
    campaign = world.extra["progress_campaign"]
    rows = breakdown(session, campaign.id, WEEK, None, world.regions["p"])
    # 甲市: a1x on time, a1y missing, a2 late. 乙市: b1 returned (first sent on time).
    # 丁县级市 (a direct county, no city): d approved, on time.
    assert _counts(rows) == [("丁县级市", 1, 1, 1, 0, 0), ("乙市", 1, 1, 1, 0, 0), ("甲市", 3, 2, 1, 1, 1)]
    overall = total(rows, "测试省")
    # 4 of 5 submitted = 80 %; 3 of 5 on time = 60 %.
    assert (overall.reporting_rate, overall.on_time_rate) == (0.8, 0.6)


def test_a_city_breaks_down_into_counties_and_a_county_into_schools(world, session):
    campaign = world.extra["progress_campaign"]
    counties = breakdown(session, campaign.id, WEEK, None, world.regions["a"])
    assert _counts(counties) == [("甲市一区", 2, 1, 1, 0, 1), ("甲市二县", 1, 1, 0, 1, 0)]
    assert (counties[0].reporting_rate, counties[1].on_time_rate) == (0.5, 0.0)
    schools = breakdown(session, campaign.id, WEEK, None, world.regions["a1"])
    assert _counts(schools) == [("甲一区实验小学", 1, 1, 1, 0, 0), ("甲一区第二小学", 1, 0, 0, 0, 1)]


def test_a_county_user_sees_only_its_schools_even_when_asking_for_the_province(world, session):
    campaign = world.extra["progress_campaign"]
    scope = scope_for_user(world.users["admin_a1"])
    rows = breakdown(session, campaign.id, WEEK, scope, world.regions["p"])
    assert _counts(rows) == [("甲市", 2, 1, 1, 0, 1)]
    statuses = school_statuses(session, campaign.id, WEEK, scope, world.regions["p"])
    assert [(s.school, s.status) for s in statuses] == [("甲一区实验小学", "on_time"), ("甲一区第二小学", "missing")]


def _city_figures(session, campaign, week, scope, city) -> int:
    """Statements for a city's week: rates by county, every school's status, the trend."""
    session.expire_all()
    campaign_id = campaign.id
    session.refresh(city)  # campaign and city loaded before counting
    with statements_sent() as seen:
        breakdown(session, campaign_id, week, scope, city)
        school_statuses(session, campaign_id, week, scope, city)
        trend(session, campaign_id, scope, city)
    return len(seen)


def test_city_rates_take_the_same_number_of_statements_for_3_or_20_schools(world, session):
    campaign, city = world.extra["progress_campaign"], world.regions["a"]
    scope = scope_for_user(world.users["admin_a"])
    small = _city_figures(session, campaign, WEEK, scope, city)  # city A: 3 schools
    for i in range(17):  # city A grows to 20 schools, each reporting in week 2
        county = world.regions["a1"] if i % 2 else world.regions["a2"]
        make_school(session, f"AX{i:02d}", f"甲市新校{i:02d}", county)
    week2 = WEEK + timedelta(weeks=1)
    open_week(session, campaign, week2, beijing(2026, 9, 14, 8, 0, 0))
    for school in session.scalars(select(School)):
        submit(session, school.id, campaign, week2, FIELDS, beijing(2026, 9, 17, 9, 0, 0))
    session.commit()
    large = _city_figures(session, campaign, week2, scope, city)
    assert sum(r.expected for r in breakdown(session, campaign.id, week2, scope, city)) == 20
    assert small == large == 3  # one statement each: rates, statuses, trend
