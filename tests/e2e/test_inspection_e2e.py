"""Issue 9, must-show 6, in a browser: an inspector creates an unannounced round of county A1, draws
its schools with a public seed, assigns dates, publishes and, on the day, records the findings;
the school's admin does not see the inspection the day before and sees it (at 360 px, no sideways
scroll) on the day."""

from __future__ import annotations

import hashlib
from datetime import datetime

from bureau import clock
from tests.e2e.conftest import shot, sign_in

NOV_20 = datetime(2026, 11, 20, 9, 0, tzinfo=clock.LOCAL)
DEC_2 = datetime(2026, 12, 2, 18, 0, tzinfo=clock.LOCAL)
DEC_3 = datetime(2026, 12, 3, 9, 0, tzinfo=clock.LOCAL)


def test_an_inspector_runs_an_unannounced_round_and_the_school_sees_it_only_on_the_day(live_server, page, phone, world):
    # n=1 per county over A1 (A1X, A1Y): the school with the smaller sha256("2026冬:code") is drawn
    drawn = min(["A1X", "A1Y"], key=lambda c: hashlib.sha256(f"2026冬:{c}".encode()).hexdigest())
    school = {"A1X": "甲一区实验小学", "A1Y": "甲一区第二小学"}[drawn]
    admin = {"A1X": "school_admin_a1x", "A1Y": "school_admin_a1y"}[drawn]
    with clock.frozen_at(NOV_20):
        sign_in(page, live_server, "inspector_a")
        page.goto(f"{live_server}/admin/inspection_round/")
        page.fill("#name", "2026年冬季明察暗访")
        page.select_option("#region", label="甲市一区（A1）")
        page.fill("#start_date", "2026-12-01")
        page.fill("#end_date", "2026-12-18")
        page.fill("#size", "1")
        page.check("#unannounced")
        page.click("#create-round")
        page.wait_for_load_state()
        page.fill("#seed", "2026冬")
        page.click("#draw-schools")
        page.wait_for_load_state()
        assert page.inner_text("#round-seed") == "2026冬"
        row = page.locator(f"#round-inspections tr[data-school={drawn}]")
        assert school in row.inner_text()
        row.locator("select[name=inspector]").select_option(label="inspector_a")
        row.locator("input[name=scheduled_on]").fill("2026-12-03")
        row.locator("input[name=companions]").fill("陈干事")
        row.locator("button[type=submit]").click()
        page.wait_for_load_state()
        page.once("dialog", lambda dialog: dialog.accept())
        page.click("#publish")
        page.wait_for_load_state()
        assert page.inner_text("#round-state") == "已发布"
        shot(page, "inspection_round_published")

    with clock.frozen_at(DEC_2):
        phone.goto(f"{live_server}/login")
        sign_in(phone, live_server, admin)
        assert "督学检查" not in phone.inner_text("#todo")
        phone.goto(f"{live_server}/admin/my_inspections/")
        assert phone.locator(".school-inspection").count() == 0

    with clock.frozen_at(DEC_3):
        phone.goto(f"{live_server}/admin/")
        assert "督学检查：12月3日" in phone.inner_text("#todo")  # on the day, before the inspectors finish
        page.goto(f"{live_server}/admin/")
        page.click("#todo a:has-text('我的检查安排')")
        page.wait_for_load_state()
        assert page.inner_text("#inspection-figures")  # the figures, live from the data
        for key in ("ledger", "assigned", "rectification", "publicity"):
            page.check(f"#item_{key}_yes")
        page.fill("#notes", "家访台账齐全，包保到人。")
        page.select_option("#verdict", label="良好")
        page.once("dialog", lambda dialog: dialog.accept())
        page.click("#complete-inspection")
        page.wait_for_load_state()
        assert page.inner_text("#inspection-state") == "已完成"
        shot(page, "inspection_findings_completed")

        phone.goto(f"{live_server}/admin/my_inspections/")
        assert phone.locator(".school-inspection").count() == 1
        assert phone.evaluate("document.documentElement.scrollWidth") <= 360
        phone.click(".school-inspection a")
        phone.wait_for_load_state()
        assert "良好" in phone.inner_text("#inspection-verdict")
        assert "家访台账齐全" in phone.inner_text("#inspection-notes")
        assert phone.evaluate("document.documentElement.scrollWidth") <= 360
        shot(phone, "school_inspection_phone")
