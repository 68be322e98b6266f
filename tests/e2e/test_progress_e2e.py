"""周调度 in a browser: a school submits before Thursday 17:00, the county sees it on time and approves."""

from __future__ import annotations

from datetime import datetime

from bureau import clock
from tests.e2e.conftest import shot, sign_in

THURSDAY_1630 = datetime(2026, 9, 17, 16, 30, tzinfo=clock.LOCAL)  # 2026-W38, deadline 09-17 17:00


def test_school_submits_the_weekly_report_and_the_county_approves_it(live_server, page, world):
    campaign = world.extra["progress_campaign"]
    with clock.frozen_at(THURSDAY_1630):
        sign_in(page, live_server, "school_admin_a1x")
        page.goto(f"{live_server}/admin/progress/form?campaign={campaign.id}&week=2026-W38")
        page.fill("#progress", "本周走访 15 户，其中留守儿童家庭 4 户")
        page.fill("#problems", "个别家长外出务工，改为视频家访")
        page.fill("#next_plan", "完成五年级剩余家庭走访")
        page.fill("#contact_name", "李老师")
        page.fill("#contact_phone", "0791-86668888")
        page.click("#submit-report")
        page.wait_for_load_state()
        assert "按时" in page.inner_text("body")
        shot(page, "school_weekly_report_submitted")

        page.context.clear_cookies()
        sign_in(page, live_server, "admin_a1")
        a1 = world.regions["a1"].id
        page.goto(f"{live_server}/admin/progress/?campaign={campaign.id}&week=2026-W38&region={a1}")
        schools = page.inner_text("#schools")
        assert "甲一区实验小学" in schools and "按时" in schools
        assert "甲一区第二小学" in page.inner_text("#missing")
        assert "乙一县小学" not in page.inner_text("body")  # another county's school
        shot(page, "county_weekly_rates")
        page.click("#schools a:has-text('查看')")
        page.click("#approve")
        page.wait_for_load_state()
        assert page.inner_text("#status").strip() == "已审核"
