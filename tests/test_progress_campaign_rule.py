"""A campaign's 周调度 deadline rule is set in the console (default Thursday 17:00)."""

from __future__ import annotations

from datetime import time

from sqlalchemy import select

from bureau.visits.models import Campaign


def test_a_region_admin_changes_a_campaigns_deadline_rule_in_the_console(world, login_as, session):
    """The default is Thursday 17:00; a campaign may move it, e.g. to Friday 12:00."""
    campaign = session.scalars(select(Campaign)).first()
    client = login_as("admin_p")
    page = client.get(f"/admin/campaign/edit/?id={campaign.id}").get_data(as_text=True)
    assert "周调度截止星期" in page and "17:00" in page
    client.post(
        f"/admin/campaign/edit/?id={campaign.id}",
        data={
            "name": campaign.name,
            "region": campaign.region_id,
            "term": campaign.term_id,
            "start_date": campaign.start_date.isoformat(),
            "end_date": campaign.end_date.isoformat(),
            "coverage_deadline": campaign.coverage_deadline.isoformat(),
            "report_weekday": "4",
            "report_time": "12:00",
        },
    )
    session.expire_all()
    campaign = session.get(Campaign, campaign.id)
    assert (campaign.report_weekday, campaign.report_time) == (4, time(12, 0))
