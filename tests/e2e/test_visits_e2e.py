"""A teacher records a family visit on a phone-sized screen; the school admin reviews it."""

from __future__ import annotations

from datetime import datetime

from bureau import clock
from tests.e2e.conftest import shot, sign_in

NOON_20_NOV = datetime(2026, 11, 20, 12, 0, tzinfo=clock.LOCAL)


def test_teacher_records_a_visit_on_a_phone_and_the_school_admin_approves_it(live_server, phone, page, world):
    with clock.frozen_at(NOON_20_NOV):
        sign_in(phone, live_server, "teacher_a1x")
        phone.goto(f"{live_server}/admin/my_visits/")
        phone.click("#new-visit")
        phone.wait_for_selector("#visit-form")
        student = world.extra["students_a1x"][1]
        phone.select_option("select[name=student_id]", str(student.id))
        phone.fill("input[name=visited_on]", "2026-11-19")
        phone.select_option("select[name=mode]", "home")
        phone.fill("input[name=household_size]", "4")
        phone.fill("textarea[name=feedback]", "家长希望多关注孩子的阅读习惯")
        phone.check("input[name=no_gifts]")
        # The form fits a 360-pixel screen: nothing is wider than the viewport.
        assert phone.evaluate("document.documentElement.scrollWidth") <= 360
        shot(phone, "teacher_visit_form_360px")
        phone.click("#submit-visit")
        phone.wait_for_selector(".visit-card")
        card = phone.locator(f".visit-card:has-text('{student.name}')")
        assert card.locator(".visit-status").inner_text().strip() == "待审核"
        assert phone.evaluate("document.documentElement.scrollWidth") <= 360
        shot(phone, "teacher_visit_list_360px")
        visit_id = card.get_attribute("data-visit-id")
        # The next visit's picker says the student has been visited this term.
        phone.click("#new-visit")
        picked = phone.locator(f"select[name=student_id] option[value='{student.id}']").inner_text()
        assert picked.endswith(f"{student.name}（{student.number}）（已访）"), picked

        sign_in(page, live_server, "school_admin_a1x")
        page.goto(f"{live_server}/admin/visit/review/?id={visit_id}")
        assert "家长希望多关注孩子的阅读习惯" in page.inner_text("#visit-detail")
        page.click("#review-approve")
        page.wait_for_load_state()
        shot(page, "school_admin_visit_review")

        phone.goto(f"{live_server}/admin/my_visits/")
        card = phone.locator(f".visit-card[data-visit-id='{visit_id}']")
        assert card.locator(".visit-status").inner_text().strip() == "通过"
