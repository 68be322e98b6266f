"""Term and campaign dates stay in a sane window (issue 7, finding 9), for every writer, and opening
weeks is bounded work whatever dates the database holds.

The school year runs 1 September to 31 August; a term lies within one and lasts at most 214 days;
a campaign lies within its term's school year; years 2000..2100.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from bureau import clock
from bureau.extensions import db
from bureau.progress.models import ExpectedReport, ReportWeek
from bureau.progress.service import open_due_weeks, opened_weeks
from bureau.visits.calendar import DateWindowError, check_campaign, check_term
from bureau.visits.models import Campaign, Term

NOW = datetime(2026, 11, 20, 4, 0, tzinfo=UTC)  # Friday 2026-11-20 12:00 Beijing, week of Monday 11-16


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (date(2026, 9, 1), date(2027, 1, 31)),  # 第一学期
        (date(2027, 2, 20), date(2027, 7, 10)),  # 第二学期
        (date(2027, 7, 1), date(2027, 8, 31)),  # a summer term for 暑期家访, ends on the year's last day
        (date(2026, 9, 1), date(2027, 4, 2)),  # 214 days, the longest term
    ],
)
def test_a_term_within_one_school_year_and_seven_months_is_accepted(start, end):
    check_term(start, end)


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        (date(2026, 6, 1), date(2026, 10, 1), "学期不能跨学年"),  # crosses 31 August / 1 September
        (date(2026, 8, 31), date(2026, 9, 1), "学期不能跨学年"),
        (date(2026, 9, 1), date(2027, 4, 3), "学期不能超过 7 个月（214 天）"),  # 215 days
        (date(1990, 9, 1), date(1991, 1, 31), "2000 年至 2100 年"),
        (date(2101, 9, 1), date(2102, 1, 31), "2000 年至 2100 年"),
        (date(2026, 9, 1), date(2026, 9, 1), "结束日期应晚于开始日期"),
        (date(2026, 9, 1), None, "请填写学期的开始日期和结束日期"),
    ],
)
def test_a_term_outside_the_window_is_refused(start, end, message):
    with pytest.raises(DateWindowError, match=message):
        check_term(start, end)


def test_a_campaign_lies_within_its_terms_school_year():
    term_start = date(2026, 9, 1)  # school year 2026-09-01 .. 2027-08-31
    check_campaign(date(2026, 9, 1), date(2027, 8, 31), term_start)  # the whole year, 365 days
    check_campaign(date(2027, 3, 1), date(2027, 3, 1), date(2027, 2, 20), date(2027, 3, 1))
    for start, end in [
        (date(2026, 8, 31), date(2026, 12, 31)),
        (date(2026, 9, 1), date(2027, 9, 1)),
        (date(1990, 1, 1), date(2026, 12, 31)),
    ]:
        with pytest.raises(DateWindowError):
            check_campaign(start, end, term_start)
    with pytest.raises(DateWindowError, match="结束日期不能早于开始日期"):
        check_campaign(date(2026, 10, 2), date(2026, 10, 1), term_start)
    with pytest.raises(DateWindowError, match="全覆盖截止日期不能早于活动开始日期"):
        check_campaign(date(2026, 10, 1), date(2026, 12, 1), term_start, date(2026, 9, 30))
    with pytest.raises(DateWindowError, match="2000 年至 2100 年"):
        check_campaign(date(2026, 10, 1), date(2026, 12, 1), term_start, date(9999, 1, 1))


def _fresh_count(model) -> int:
    with Session(db.engine) as fresh:
        return fresh.scalar(select(func.count()).select_from(model))


def test_every_writer_meets_the_rule_on_insert_and_update(world, session):
    """Not only the console: a plain ORM write (the CLI, the demo, a script) is refused at flush."""
    terms, campaigns = _fresh_count(Term), _fresh_count(Campaign)
    session.add(Term(name="跨学年", start_date=date(2026, 6, 1), end_date=date(2026, 10, 1)))
    with pytest.raises(DateWindowError, match="学期不能跨学年"):
        session.flush()
    session.rollback()
    term = session.scalar(select(Term).where(Term.name == "2026-2027学年第一学期"))
    session.add(
        Campaign(
            name="九〇年",
            region=world.regions["a1"],
            term_id=term.id,
            start_date=date(1990, 1, 1),
            end_date=date(2026, 12, 31),
            coverage_deadline=date(2026, 11, 1),
        )
    )
    with pytest.raises(DateWindowError, match="2000 年至 2100 年"):
        session.flush()
    session.rollback()
    campaign = session.scalar(select(Campaign).where(Campaign.name == "万师访万家"))
    campaign.end_date = date(2027, 9, 30)  # past its term's school year
    with pytest.raises(DateWindowError, match="2026-2027学年"):
        session.flush()
    session.rollback()
    term = session.scalar(select(Term).where(Term.name == "2026-2027学年第一学期"))
    term.start_date = date(1999, 9, 1)
    with pytest.raises(DateWindowError):
        session.flush()
    session.rollback()
    assert (_fresh_count(Term), _fresh_count(Campaign)) == (terms, campaigns)
    with Session(db.engine) as fresh:
        assert fresh.scalar(select(Campaign.end_date).where(Campaign.name == "万师访万家")) == date(2027, 1, 31)


def _form(**fields) -> dict:
    return {"name": "新学期", "start_date": "2026-09-01", "end_date": "2027-01-31", **fields}


def test_the_term_form_shows_the_rule_and_writes_nothing(world, login_as):
    client = login_as("admin_p")
    before = _fresh_count(Term)
    page = client.post(
        "/admin/term/new/", data=_form(start_date="2026-06-01", end_date="2026-10-01"), follow_redirects=True
    ).get_data(as_text=True)
    assert "学期不能跨学年" in page
    page = client.post(
        "/admin/term/new/", data=_form(start_date="1990-09-01", end_date="1991-01-31"), follow_redirects=True
    ).get_data(as_text=True)
    assert "2000 年至 2100 年" in page
    page = client.post(
        "/admin/term/new/", data=_form(start_date="2026-09-01", end_date="2026-08-01"), follow_redirects=True
    ).get_data(as_text=True)
    assert "学期的结束日期应晚于开始日期" in page
    assert _fresh_count(Term) == before


def test_the_campaign_form_shows_the_rule_and_writes_nothing(world, login_as):
    with Session(db.engine) as fresh:
        campaign = fresh.scalar(select(Campaign).where(Campaign.name == "万师访万家"))
        data = {
            "name": campaign.name,
            "region": campaign.region_id,
            "term": campaign.term_id,
            "start_date": "1990-01-01",
            "end_date": "2026-12-31",
            "coverage_deadline": "2026-11-01",
            "report_weekday": "3",
            "report_time": "17:00",
        }
        campaign_id = campaign.id
    client = login_as("admin_p")
    page = client.post(
        "/admin/campaign/new/",
        data={**data, "name": "跨年活动", "start_date": "2026-10-01", "end_date": "2027-10-01"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "活动应在所属学期的2026-2027学年" in page
    page = client.post(f"/admin/campaign/edit/?id={campaign_id}", data=data, follow_redirects=True).get_data(
        as_text=True
    )
    assert "2000 年至 2100 年" in page
    with Session(db.engine) as fresh:
        assert fresh.get(Campaign, campaign_id).start_date == date(2026, 9, 1)
        assert fresh.scalar(select(func.count()).select_from(Campaign).where(Campaign.name == "跨年活动")) == 0


def test_opening_weeks_of_a_campaign_from_1990_opens_only_the_latest_54(world, session):
    """A row written before the rule (straight into the table) cannot make a page open 2,000 weeks."""
    term_id = session.scalar(select(Term.id).where(Term.name == "2026-2027学年第一学期"))
    campaign_id = session.execute(
        insert(Campaign.__table__).values(
            name="遗留活动",
            region_id=world.regions["a1"].id,
            term_id=term_id,
            start_date=date(1990, 1, 1),
            end_date=date(2030, 12, 31),
            coverage_deadline=date(1990, 3, 1),
            report_weekday=3,
            report_time=time(17, 0),
        )
    ).inserted_primary_key[0]
    session.commit()
    campaign = session.get(Campaign, campaign_id)
    # The week of NOW is Monday 2026-11-16; 53 weeks before it is Monday 2025-11-10.
    weeks = opened_weeks(campaign, NOW)
    assert (len(weeks), weeks[0], weeks[-1]) == (54, date(2025, 11, 10), date(2026, 11, 16))
    assert open_due_weeks(session, campaign, NOW) == 54
    session.commit()
    opened = session.scalars(select(ReportWeek.week_start).where(ReportWeek.campaign_id == campaign_id)).all()
    assert sorted(opened) == [date(2025, 11, 10) + timedelta(weeks=i) for i in range(54)]
    # County A1 has two active schools: 54 weeks x 2 expected reports.
    assert session.scalar(select(func.count(ExpectedReport.id)).where(ExpectedReport.campaign_id == campaign_id)) == 108
    assert open_due_weeks(session, campaign, NOW) == 0


def test_a_campaign_opens_only_weeks_within_its_window():
    campaign = Campaign(start_date=date(2026, 9, 2), end_date=date(2026, 9, 20))
    with clock.frozen_at(NOW):
        assert opened_weeks(campaign, clock.now()) == [date(2026, 8, 31), date(2026, 9, 7), date(2026, 9, 14)]
    assert opened_weeks(campaign, datetime(2026, 9, 8, 4, 0, tzinfo=UTC)) == [date(2026, 8, 31), date(2026, 9, 7)]
    assert opened_weeks(campaign, datetime(2026, 8, 1, 4, 0, tzinfo=UTC)) == []
