"""Issue 11 on the home page: a school's users find the notices that name it in their 待办 for 30
days; an inspector finds the objections awaiting a decision."""

from __future__ import annotations

import pytest

from bureau import clock
from tests.world_scoring import NOW, extend


@pytest.fixture
def scored(world, session):
    extend(session, world)
    return world


def home(login_as, username: str) -> str:
    return login_as(username).get("/admin/").get_data(as_text=True)


def test_a_school_sees_a_recent_notice_naming_it_in_its_todo(scored, login_as):
    """notice_a (published 2026-11-20) names a1x only; 31 days later it has left the 待办."""
    with clock.frozen_at(NOW):
        assert "通报：" in home(login_as, "school_admin_a1x")
        assert "通报：" in home(login_as, "teacher_a1x")
        assert "通报：" not in home(login_as, "school_admin_a1y")
    with clock.frozen_at(NOW.replace(month=12, day=21)):
        assert "通报：" not in home(login_as, "school_admin_a1x")


def test_an_inspector_sees_the_objections_awaiting_a_decision_in_scope(scored, login_as):
    """The world's objections are on a1x's and a1y's deductions (city A): inspector_a has them,
    inspector_b (city B) none; once decided they leave the 待办."""
    assert "扣分异议待处理" in home(login_as, "inspector_a")
    assert "扣分异议待处理" not in home(login_as, "inspector_b")
    client = login_as("inspector_a")
    for key in ("a1x", "a1y"):
        deduction = scored.extra[f"deduction_{key}"].id
        client.post(
            f"/admin/deduction/item/{deduction}", data={"action": "decide", "decision": "upheld", "note": "维持"}
        )
    assert "扣分异议待处理" not in home(login_as, "inspector_a")
