"""Issue 8, item 5 in Chromium: a school admin goes from the home page's 待办 to the records awaiting
review, approves one and lands on the next, then approves two checked records at once."""

from __future__ import annotations

from tests.e2e.conftest import shot, sign_in
from tests.test_review_flow import pending_queue, stored_statuses


def _open_pending_list(page, base: str) -> None:
    page.goto(f"{base}/admin/")
    page.click("#todo a:has-text('条家访记录待审核')")
    page.wait_for_selector("a.visit-record")


def test_a_school_admin_reviews_from_the_todo_to_the_next_record_then_approves_two_at_once(
    live_server, page, phone, world, session
):
    first, second, third = pending_queue(session, world)
    sign_in(page, live_server, "school_admin_a1x")
    page.wait_for_url(f"{live_server}/admin/")
    _open_pending_list(page, live_server)
    assert "flt0_" in page.url
    records = page.locator("table.model-list a.visit-record")
    assert records.count() == 3  # a1x's three pending records; a1y's are not its own

    records.first.click()  # the one submitted first
    page.wait_for_selector("#visit-detail")
    assert page.url.endswith(f"id={first.id}")
    page.click("#review-approve")
    page.wait_for_url(f"**/admin/visit/review/?id={second.id}")
    assert "已通过" in page.inner_text(".alert-success")
    assert page.inner_text("#visit-status") == "待审核"
    shot(page, "school_admin_review_next_record")

    _open_pending_list(page, live_server)
    assert page.locator("table.model-list a.visit-record").count() == 2
    for visit in (second, third):
        page.check(f"input.action-checkbox[value='{visit.id}']")
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    page.click("a.dropdown-toggle:has-text('选中的')")
    page.click("a.dropdown-item:has-text('审核通过')")
    page.wait_for_selector(".alert-success:has-text('已审核通过 2 条家访记录')")
    assert asked and asked[0].startswith("确定将勾选的家访记录全部审核通过吗")
    shot(page, "school_admin_bulk_approved")
    assert stored_statuses([first, second, third]) == ["approved", "approved", "approved"]

    # the record reads on a phone without sideways scrolling
    sign_in(phone, live_server, "school_admin_a1x")
    phone.goto(f"{live_server}/admin/visit/review/?id={first.id}")
    phone.wait_for_selector("#visit-history")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    shot(phone, "school_admin_visit_record_360px")
