"""Issue 11, must-show 5, in a browser: an inspector records a deduction from a contradicted phone
check, the teacher sees it on a phone and objects, the inspector reverses it, and the school's
score is restored on its page.

Worked out by hand: a1x has two active staff; BZR-6 (0.5) × 1 against its 班主任 makes the
teachers' average 0.5 / 2 = 0.25 and the school's score 100 − 0.25 = 99.75; reversed, 100.00.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select

from bureau import clock
from bureau.extensions import db
from bureau.inspection.models import PhoneCheck
from bureau.inspection.phone import BatchInput, make_batch, record_call
from bureau.tenants.guard import set_scope
from bureau.tenants.scope import scope_for_user
from tests.e2e.conftest import shot, sign_in
from tests.world_scoring import seed_rules

NOV_20 = datetime(2026, 11, 20, 9, 0, tzinfo=clock.LOCAL)


def _contradicted_check(world) -> int:
    """Phone-check a1x's two families (one per visit of the world) and find the 班主任's 不属实."""
    session = db.session
    seed_rules(session, world)
    inspector = world.users["inspector_a"]
    set_scope(session, scope_for_user(inspector))
    data = BatchInput(
        name="十一月电话抽查",
        region=world.regions["a1"],
        period_start=date(2026, 9, 1),
        period_end=date(2026, 10, 31),
        per="school",
        n=2,
        seed="2026",
    )
    with clock.frozen_at(NOV_20):
        batch = make_batch(session, data, inspector)
        head = world.extra["staff_a1x"]
        (check,) = [c for c in batch_checks(session, batch.id) if c.visit.staff_id == head.id]
        record_call(
            session,
            check.id,
            outcome="contradicted",
            satisfaction="fair",
            remarks="家长说老师没有来过",
            caller=inspector,
            now=clock.now(),
        )
    set_scope(session, None)
    session.commit()
    return check.id


def batch_checks(session, batch_id: int):
    return session.scalars(select(PhoneCheck).where(PhoneCheck.batch_id == batch_id)).all()


def test_a_deduction_from_a_phone_check_is_objected_to_reversed_and_the_score_restored(live_server, page, phone, world):
    check_id = _contradicted_check(world)
    term = world.extra["term"].id
    with clock.frozen_at(NOV_20):
        sign_in(page, live_server, "inspector_a")
        page.goto(f"{live_server}/admin/phone_check/check?check={check_id}")
        page.click("#phone-check-deduct")
        page.wait_for_load_state()
        assert page.input_value("#evidence_kind") == "phone_check"
        page.select_option("#rule", label="BZR-6 不能完成家访任务（班主任，每次 0.50 分）")
        page.fill("#note", "电话抽查不属实：家长说老师没有来过")
        page.click("#deduction-record")
        page.wait_for_load_state()
        assert "-0.50" in page.inner_text("#deduction-points")
        deduction_url = page.url
        page.goto(f"{live_server}/admin/score/school?school={world.schools['a1x'].id}&term={term}")
        assert "99.75" in page.inner_text("#school-figures")

        sign_in(phone, live_server, "teacher_a1x")
        phone.goto(f"{live_server}/admin/deduction/?term={term}")
        assert "BZR-6" in phone.inner_text("#deductions")
        phone.click("#deductions a")
        phone.wait_for_load_state()
        phone.fill("#text", "当天已经入户家访，家长记错了，有照片为证。")
        phone.click("#objection-lodge")
        phone.wait_for_load_state()
        assert "待督学处理" in phone.inner_text("#objection-decision")
        assert phone.evaluate("document.documentElement.scrollWidth") <= 360
        shot(phone, "deduction_objection_phone")

        page.goto(f"{live_server}/admin/")
        assert "扣分异议待处理" in page.inner_text("#todo")
        page.goto(deduction_url)
        page.select_option("#decision", label="撤销扣分")
        page.fill("#note", "核实家访照片，确已入户")
        page.click("#objection-decide")
        page.wait_for_load_state()
        assert "已撤销" in page.inner_text("#deduction-status")
        shot(page, "deduction_reversed")

        sign_in(page, live_server, "school_admin_a1x")
        page.goto(f"{live_server}/admin/score/?term={term}")
        assert "100.00" in page.inner_text("#school-figures")
        phone.goto(f"{live_server}/admin/score/?term={term}")
        assert "100.00 分" in phone.inner_text("#my-score")
