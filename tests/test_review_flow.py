"""Issue 8, item 5: review that flows. The 待办 opens the records awaiting review, the longest
waiting first; a decision opens the next one; several checked records are approved at once, all
or nothing, by the school's admins only."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bureau.audit import AuditLog
from bureau.extensions import db
from bureau.tenants.guard import scoped
from bureau.tenants.scope import scope_for_user
from bureau.visits.models import Visit
from bureau.visits.records import next_pending
from tests.factories import stored


def pending_queue(session, world) -> list[Visit]:
    """Three records of school a1x awaiting review, submitted on 09-20, 09-21 and 09-22: the first
    submitted is the newest row, so the queue's order is not the order of the ids."""
    added = Visit(
        school=world.schools["a1x"],
        target="family",
        student=world.extra["students_a1x"][1],
        staff=world.extra["staff_a1x"],
        term=world.extra["term"],
        visited_on=date(2026, 9, 15),
        mode="home",
        no_gifts=True,
    )
    session.add(added)
    queue = [added, world.extra["visits_a1x"][1], world.extra["visits_a1x"][0]]
    for day, visit in enumerate(queue, start=20):
        visit.status, visit.submitted_at = "pending", datetime(2026, 9, day, 8, 0, tzinfo=UTC)
    session.commit()
    return queue


def stored_statuses(visits) -> list[str]:
    """The statuses as committed, read in a session of their own."""
    with Session(db.engine) as fresh:
        return [fresh.get(Visit, v.id).status for v in visits]


def _decide(client, visit: Visit, decision: str = "approve", note: str = ""):
    return client.post(f"/admin/visit/review/?id={visit.id}", data={"decision": decision, "note": note})


def _record_id(location: str) -> int | None:
    parts = urlsplit(location)
    return int(parse_qs(parts.query)["id"][0]) if parts.path == "/admin/visit/review/" else None


def test_the_todo_opens_the_pending_list_the_longest_waiting_first(world, login_as, session):
    first, second, third = pending_queue(session, world)
    second.status = "approved"
    session.commit()
    admin = login_as("school_admin_a1x")
    home = admin.get("/admin/").get_data(as_text=True)
    todo = home.split('id="todo"')[1].split("</ul>")[0]
    link = todo.split("2 条家访记录待审核")[0].rsplit('href="', 1)[1].split('"')[0].replace("&amp;", "&")
    page = admin.get(link).get_data(as_text=True)
    rows = [page.find(f'href="/admin/visit/review/?id={v.id}"') for v in (first, second, third)]
    # a1x's two pending records, the one submitted first at the top; the approved one is not listed
    assert 0 < rows[0] < rows[2] and rows[1] == -1
    assert world.extra["visits_a1y"][0].student.name not in page


def test_approving_the_first_of_three_opens_the_second_then_the_third_then_the_list(world, login_as, session):
    first, second, third = pending_queue(session, world)
    admin = login_as("school_admin_a1x")
    assert _record_id(_decide(admin, first).headers["Location"]) == second.id
    assert _record_id(_decide(admin, second, "return", "请补充家庭情况").headers["Location"]) == third.id
    last = _decide(admin, third)
    assert _record_id(last.headers["Location"]) is None
    assert "flt0_" in last.headers["Location"]  # the pending list
    page = admin.get(last.headers["Location"]).get_data(as_text=True)
    assert "待审核的家访记录已全部处理完" in page
    assert stored_statuses([first, second, third]) == ["approved", "returned", "approved"]


def test_a_record_skipped_comes_round_again_after_the_last(world, login_as, session):
    first, second, third = pending_queue(session, world)
    admin = login_as("school_admin_a1x")
    # the admin opens the second (skipping the first): next is the third, then back to the first
    assert _record_id(_decide(admin, second).headers["Location"]) == third.id
    assert _record_id(_decide(admin, third).headers["Location"]) == first.id


def test_a_refused_decision_stays_on_the_record(world, login_as, session):
    first, _, _ = pending_queue(session, world)
    page = _decide(login_as("school_admin_a1x"), first, "return", "").get_data(as_text=True)
    assert "退回时请填写退回原因" in page and 'id="review-form"' in page
    assert stored_statuses([first]) == ["pending"]


def _audited_decisions(ids) -> int:
    return stored(
        select(func.count(AuditLog.id)).where(
            AuditLog.table_name == "visit", AuditLog.action == "update", AuditLog.row_id.in_(ids)
        )
    )


def _bulk(client, visits):
    return client.post(
        "/admin/visit/action/",
        data={"action": "approve", "rowid": [str(v.id) for v in visits]},
        follow_redirects=True,
    )


def test_bulk_approve_of_two_pending_and_one_approved_is_refused_whole(world, login_as, session):
    first, second, third = pending_queue(session, world)
    third.status = "approved"
    session.commit()
    audited = _audited_decisions([first.id, second.id, third.id])
    page = _bulk(login_as("school_admin_a1x"), [first, second, third]).get_data(as_text=True)
    assert f"未做任何修改：只能审核待审核的记录（{third}）" in page
    assert stored_statuses([first, second, third]) == ["pending", "pending", "approved"]
    assert _audited_decisions([first.id, second.id, third.id]) == audited


def test_bulk_approve_of_two_pending_records_approves_both_and_audits_each(world, login_as, session):
    first, second, third = pending_queue(session, world)
    admin = world.users["school_admin_a1x"]
    audited = _audited_decisions([first.id, second.id])
    page = _bulk(login_as("school_admin_a1x"), [first, second]).get_data(as_text=True)
    assert "已审核通过 2 条家访记录" in page
    assert stored_statuses([first, second, third]) == ["approved", "approved", "pending"]
    with Session(db.engine) as fresh:
        rows = fresh.scalars(
            select(AuditLog).where(
                AuditLog.table_name == "visit", AuditLog.action == "update", AuditLog.row_id.in_([first.id, second.id])
            )
        ).all()
        assert len(rows) == audited + 2
        decided = [r for r in rows if r.changes.get("status") == ["pending", "approved"]]
        assert sorted(r.row_id for r in decided) == sorted([first.id, second.id])
        assert {(r.actor_id, r.school_id) for r in decided} == {(admin.id, world.schools["a1x"].id)}
        assert {fresh.get(Visit, v.id).reviewed_by_id for v in (first, second)} == {admin.id}


def test_bulk_approve_with_another_schools_record_is_refused_whole(world, login_as, session):
    first, _, _ = pending_queue(session, world)
    foreign = world.extra["visits_a1y"][0]  # pending, in a1y
    page = _bulk(login_as("school_admin_a1x"), [first, foreign]).get_data(as_text=True)
    assert "未做任何修改：1 条所选记录不存在" in page
    assert stored_statuses([first, foreign]) == ["pending", "pending"]


@pytest.mark.parametrize("username", ["admin_a1", "leader_a", "inspector_a"])
def test_a_region_role_cannot_bulk_approve(world, login_as, session, username):
    first, second, _ = pending_queue(session, world)
    client = login_as(username)
    assert "modelActions.execute('approve')" not in client.get("/admin/visit/").get_data(as_text=True)
    audited = _audited_decisions([first.id, second.id])
    _bulk(client, [first, second])
    assert stored_statuses([first, second]) == ["pending", "pending"]
    assert _audited_decisions([first.id, second.id]) == audited


def test_the_school_admin_is_offered_bulk_approve_with_a_confirmation(world, login_as):
    page = login_as("school_admin_a1x").get("/admin/visit/").get_data(as_text=True)
    assert "modelActions.execute('approve')" in page
    confirmations = json.loads(page.split('id="actions-confirmation-data" class="d-none">')[1].split("</div>")[0])
    assert confirmations["approve"].startswith("确定将勾选的家访记录全部审核通过吗？")


def test_records_submitted_at_the_same_instant_queue_by_number(world, session):
    """Ties in submission time go by record number, and the queue wraps round from the last."""
    queue = pending_queue(session, world)
    for visit in queue:
        visit.submitted_at = datetime(2026, 9, 20, 8, 0, tzinfo=UTC)
    session.commit()
    first, second, third = sorted(queue, key=lambda v: v.id)
    with scoped(session, scope_for_user(world.users["school_admin_a1x"])):  # a1x's queue, as in a request
        assert [next_pending(session, v) for v in (first, second, third)] == [second, third, first]


def test_the_only_pending_record_has_no_next(world, session):
    """Skipping the last record awaiting review leads back to the list, not to itself."""
    queue = pending_queue(session, world)
    for visit in queue[1:]:
        visit.status = "approved"
    session.commit()
    with scoped(session, scope_for_user(world.users["school_admin_a1x"])):
        assert next_pending(session, queue[0]) is None
