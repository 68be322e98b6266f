"""Issue 12, must-show 5, in a browser: a problem walked from a visit to 销号 — the school's admin
opens a visit whose family answered 有 to 附2's paid-tutoring question, registers it in the ledger
(the form filled in from the visit), starts and fixes it, records a satisfied 回访 on a phone, is
refused the 销号 of its own fix, and the county's admin checks and closes it."""

from __future__ import annotations

from datetime import datetime

from bureau import clock
from bureau.extensions import db
from bureau.ledger.service import ensure_categories
from tests.e2e.conftest import shot, sign_in

NOV_20 = datetime(2026, 11, 20, 9, 0, tzinfo=clock.LOCAL)


def test_a_problem_from_a_visit_is_fixed_followed_up_and_closed_by_another_user(live_server, page, phone, world):
    visit = world.extra["visits_a1x"][0]
    visit.q_tutoring = True
    ensure_categories(db.session)
    db.session.commit()
    with clock.frozen_at(NOV_20):
        sign_in(page, live_server, "school_admin_a1x")
        page.goto(f"{live_server}/admin/visit/review/?id={visit.id}")
        page.click("#visit-register-problem")
        page.wait_for_load_state()
        assert "有偿家教或违规补课" in page.input_value("#description")
        assert page.locator("#category option:checked").inner_text() == "有偿补课"
        page.fill("#deadline", "2026-11-30")
        page.select_option("#owner", index=1)  # the school's first staff member answers for it
        page.click("#problem-register")
        page.wait_for_load_state()
        assert page.inner_text("#problem-state") == "待处理"
        problem_url = page.url
        page.fill("#note-start", "班主任约谈当事教师")
        page.click("#do-start")
        page.wait_for_load_state()
        page.fill("#note-fix", "当事教师停止补课并退还费用")
        page.click("#do-fix")
        page.wait_for_load_state()
        assert page.inner_text("#problem-state") == "已整改"

        sign_in(phone, live_server, "school_admin_a1x")
        phone.goto(problem_url)
        phone.fill("#said", "老师已经不补课了，费用也退了，满意")
        phone.check("#satisfied-1")
        phone.click("#do-follow_up")
        phone.wait_for_load_state()
        assert "满意" in phone.inner_text("#problem-follow-ups")
        assert phone.evaluate("document.documentElement.scrollWidth") <= 360
        shot(phone, "problem_follow_up_phone")

        page.goto(problem_url)
        assert page.locator("#do-close").count() == 0 or "不同的人" in page.inner_text("#problem-page")

        sign_in(page, live_server, "admin_a1")
        page.goto(problem_url)
        page.fill("#note-close", "电话回访家长并查看退费凭证，整改到位")
        page.click("#do-close")
        page.wait_for_load_state()
        assert page.inner_text("#problem-state") == "已销号"
        events = page.inner_text("#problem-events")
        for step in ("待处理", "整改中", "已整改", "已销号"):
            assert step in events
        shot(page, "problem_closed")
