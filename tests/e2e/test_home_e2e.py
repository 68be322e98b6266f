"""Home pages in a browser: a leader's figures match the coverage page; every role's home page at
1366 px and at 360 px (no sideways scroll on a phone), saved as screenshots."""

from __future__ import annotations

import pytest

from bureau import clock
from tests import world_home
from tests.e2e.conftest import shot, sign_in

ROLES = {
    "leader": "leader_p",
    "inspector": "inspector_a",
    "region_admin_county": "admin_a1",
    "school_admin": "school_admin_a1y",
    "teacher": "teacher_a1x",
}


def test_a_leaders_home_shows_its_figures_and_they_match_the_coverage_page(live_server, page, world, session):
    world_home.build(session, world)
    with clock.frozen_at(world_home.NOW):
        sign_in(page, live_server, "leader_p")
        page.goto(f"{live_server}/admin/")
        coverage = page.inner_text("#fig-coverage .figure-value").strip()
        assert coverage == "50.0%"
        assert page.inner_text("#fig-reporting .figure-value").strip() == "20.0%"
        assert page.inner_text("#fig-overdue .figure-value").strip() == "3 所"
        assert page.locator("#coverage-bars .bar").count() == 2
        assert page.locator("#rate-lines polyline").count() == 2
        page.click("#fig-coverage")
        page.wait_for_url(f"{live_server}/admin/coverage/")
        total = page.locator("#coverage-table tr").last.inner_text()
        assert "合计" in total and coverage in total


@pytest.mark.parametrize("role", list(ROLES))
def test_each_roles_home_page_at_1366_and_360_px(live_server, browser, world, session, role):
    world_home.build(session, world)
    for width, height, mobile in ((1366, 900, False), (360, 740, True)):
        context = browser.new_context(
            locale="zh-CN", viewport={"width": width, "height": height}, is_mobile=mobile, has_touch=mobile
        )
        page = context.new_page()
        try:
            with clock.frozen_at(world_home.NOW):
                sign_in(page, live_server, ROLES[role])
                page.goto(f"{live_server}/admin/")
                assert page.locator("#figures a.card").count() >= 3
                assert page.inner_text("#todo")
                scroll = page.evaluate("document.documentElement.scrollWidth")
                assert scroll <= width, (role, width, scroll)
                shot(page, f"home_{role}_{width}")
        finally:
            context.close()


def test_a_county_admin_copies_the_reminder_text_on_a_phone(live_server, phone, world, session):
    world_home.build(session, world)
    with clock.frozen_at(world_home.NOW):
        sign_in(phone, live_server, "admin_a1")
        phone.goto(f"{live_server}/admin/")
        phone.click("#fig-overdue")
        phone.wait_for_url(f"{live_server}/admin/progress_due/**")
        text = phone.input_value("textarea.due-text")
        assert text.startswith(
            "【周调度催报】截至9月23日 10:00，以下学校往周周调度逾期未报：甲一区第二小学（第37周、第38周）"
        )
        assert phone.evaluate("document.documentElement.scrollWidth") <= 360
        shot(phone, "reminder_county_360")
