"""Issue 12, must-show 1 and 3: a problem walked through every path of the ledger — open → in
progress → fixed → closed by another user; the same user cannot close what they fixed; escalated
→ the county answers → back to the school; explained; an unsatisfied follow-up reopens it; merged
duplicates keep both histories; a problem is never deleted.

The world (tests/factories.py): a1x, a1y in county A1 (admin_a1), b1 in county B1; a1x's first
student's family raised the problem (tests/world_ledger.py), due 2026-11-30.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bureau.extensions import db
from bureau.ledger.models import Problem, ProblemEvent
from bureau.ledger.service import FollowUpInput, LedgerError, act, follow_up, is_overdue, merge
from bureau.tenants.guard import TenantViolation
from bureau.tenants.models import User
from tests.factories import stored
from tests.world_ledger import NOW, as_user, problem

LATER = NOW + timedelta(hours=2)


def states(problem_id: int) -> list[tuple]:

    with Session(db.engine) as fresh:
        return [
            tuple(row)
            for row in fresh.execute(
                select(ProblemEvent.from_state, ProblemEvent.to_state, ProblemEvent.by_name)
                .where(ProblemEvent.problem_id == problem_id)
                .order_by(ProblemEvent.id)
            )
        ]


def satisfied(session, world, item, by="school_admin_a1x", ok=True, at=LATER):
    user = as_user(session, world, by)
    data = FollowUpInput(date(2026, 11, 20), "home", "已经停止补课，家长满意", ok)
    return follow_up(session, item, data, user, at)


def test_a_problem_goes_open_in_progress_fixed_and_is_closed_by_another_user(world, session):
    item = problem(session, world)
    admin = as_user(session, world, "school_admin_a1x")
    act(session, item, "start", "班主任约谈当事教师", admin, NOW)
    act(session, item, "fix", "当事教师停止补课并写出检查", admin, NOW)
    satisfied(session, world, item)
    county = as_user(session, world, "admin_a1")
    act(session, item, "close", "电话核实，已停止补课", county, LATER)
    session.commit()
    assert stored(select(Problem.state)) == "closed"
    assert [s[:2] for s in states(item.id)] == [
        (None, "open"),
        ("open", "in_progress"),
        ("in_progress", "fixed"),
        ("fixed", "closed"),
    ]


def test_the_user_who_marked_it_fixed_cannot_close_it(world, session):
    item = problem(session, world)
    admin = as_user(session, world, "school_admin_a1x")
    act(session, item, "fix", "已整改", admin, NOW)
    satisfied(session, world, item)
    with pytest.raises(LedgerError, match="须由不同的人办理"):
        act(session, item, "close", "自己核实", as_user(session, world, "school_admin_a1x"), LATER)


def test_a_familys_problem_is_closed_only_after_a_satisfied_follow_up_since_the_fix(world, session):
    item = problem(session, world)
    satisfied(session, world, item, at=NOW)  # before the fix: does not count
    act(session, item, "fix", "已整改", as_user(session, world, "school_admin_a1x"), LATER)
    with pytest.raises(LedgerError, match="须先回访家长"):
        act(session, item, "close", "核实", as_user(session, world, "admin_a1"), LATER)


def test_a_problem_not_raised_by_a_family_is_closed_without_a_follow_up(world, session):
    item = problem(session, world, student=None, raised_by="", raised_phone="", category="校园安全")
    act(session, item, "fix", "更换损坏的护栏", as_user(session, world, "school_admin_a1x"), NOW)
    act(session, item, "close", "现场查看护栏已更换", as_user(session, world, "inspector_a"), LATER)
    assert item.state == "closed" and item.closed_by_name


def test_an_escalated_problem_is_answered_by_the_county_and_comes_back_to_the_school(world, session):
    item = problem(session, world, category="上学距离与布局", description="村里到学校太远，希望增设校车")
    act(session, item, "escalate", "校车线路需县教育局协调", as_user(session, world, "school_admin_a1x"), NOW)
    with pytest.raises(LedgerError, match="由县\\(市、区\\)教育局处理"):
        act(session, item, "send_back", "学校自己答复", as_user(session, world, "school_admin_a1x"), NOW)
    act(
        session, item, "send_back", "已协调公交公司加开早班车，请学校告知家长", as_user(session, world, "admin_a1"), NOW
    )
    session.commit()
    assert stored(select(Problem.state)) == "in_progress"
    assert stored(select(Problem.county_answer)).startswith("已协调公交公司")
    assert [s[:2] for s in states(item.id)][1:] == [("open", "escalated"), ("escalated", "in_progress")]


def test_the_county_may_resolve_an_escalated_problem_itself(world, session):
    item = problem(session, world, student=None)
    act(session, item, "escalate", "需县里解决", as_user(session, world, "school_admin_a1x"), NOW)
    act(session, item, "fix", "县教育局已拨付经费维修", as_user(session, world, "admin_a1"), NOW)
    act(session, item, "close", "学校核实已维修", as_user(session, world, "school_admin_a1x"), LATER)
    assert item.state == "closed"


def test_a_problem_that_cannot_be_solved_is_explained_to_the_family(world, session):
    item = problem(session, world, category="作业负担", description="希望取消周末作业")
    act(
        session,
        item,
        "explain",
        "向家长说明作业量符合规定，并约定减少重复性作业",
        as_user(session, world, "school_admin_a1x"),
        NOW,
    )
    session.commit()
    assert stored(select(Problem.state)) == "explained"
    assert stored(select(Problem.explanation)).startswith("向家长说明")


def test_an_unsatisfied_follow_up_reopens_a_fixed_problem(world, session):
    item = problem(session, world)
    act(session, item, "fix", "已整改", as_user(session, world, "school_admin_a1x"), NOW)
    satisfied(session, world, item, ok=False)
    session.commit()
    assert stored(select(Problem.state)) == "in_progress"
    assert states(item.id)[-1][:2] == ("fixed", "in_progress")


@pytest.mark.parametrize(
    ("state", "action"),
    [
        ("open", "close"),
        ("open", "send_back"),
        ("closed", "fix"),
        ("explained", "start"),
        ("explained", "explain"),
        ("escalated", "escalate"),
    ],
)
def test_an_action_from_the_wrong_state_is_refused(world, session, state, action):
    item = problem(session, world)
    item.state = state
    with pytest.raises(LedgerError, match="的问题不能"):
        act(session, item, action, "说明说明", as_user(session, world, "admin_a1"), NOW)


def test_a_problem_is_overdue_after_its_deadline_until_it_is_closed(world, session):
    item = problem(session, world)
    assert not is_overdue(item, date(2026, 11, 30))
    assert is_overdue(item, date(2026, 12, 1))
    item.state = "fixed"
    assert is_overdue(item, date(2026, 12, 1))  # fixed but not yet checked and closed
    item.state = "closed"
    assert not is_overdue(item, date(2026, 12, 1))


def test_merging_a_duplicate_keeps_both_histories_linked(world, session):
    first = problem(session, world)
    second = problem(session, world, description="家长反映数学老师周末有偿补课（重复反映）")
    merge(session, second, first, as_user(session, world, "school_admin_a1x"), NOW)
    session.commit()
    assert stored(select(Problem.merged_into_id).where(Problem.id == second.id)) == first.id
    assert states(second.id)[-1][:2] == ("open", "merged")
    assert len(states(first.id)) == 2  # registered, then the merge noted
    assert stored(select(func.count()).select_from(Problem)) == 2


def test_a_problem_is_never_deleted_and_its_history_never_changed(world, session):
    item = problem(session, world)
    session.commit()
    as_user(session, world, "school_admin_a1x")
    session.delete(session.get(Problem, item.id))
    with pytest.raises(TenantViolation):
        session.flush()
    session.rollback()
    as_user(session, world, "school_admin_a1x")
    event = session.scalar(select(ProblemEvent))
    event.note = "改写历史"
    with pytest.raises(TenantViolation):
        session.flush()


def test_problems_are_numbered_per_school(world, session):
    assert [problem(session, world).number, problem(session, world).number] == [1, 2]
    assert problem(session, world, key="a1y", by="school_admin_a1y", student=None).number == 1


def test_another_schools_admin_and_a_teacher_read_no_problem_here(world, session):
    problem(session, world)
    session.commit()
    as_user(session, world, "school_admin_a1y")
    assert session.scalars(select(Problem)).all() == []
    as_user(session, world, "teacher_a1x")
    assert session.scalars(select(Problem)).all() == []
    as_user(session, world, "admin_a1")
    assert len(session.scalars(select(Problem)).all()) == 1
    as_user(session, world, "inspector_b")
    assert session.scalars(select(Problem)).all() == []


def test_a_leader_and_a_teacher_change_nothing(world, session):
    item = problem(session, world)
    session.commit()
    for username in ("leader_a",):
        user = as_user(session, world, username)
        with pytest.raises((LedgerError, TenantViolation)):
            act(session, session.get(Problem, item.id), "close", "领导销号", user, LATER)
        session.rollback()


def test_two_changes_of_one_problem_at_once_the_second_is_told_to_refresh(world, session):
    item = problem(session, world, student=None)
    session.commit()
    admin_id = world.users["school_admin_a1x"].id
    with Session(db.engine) as first, Session(db.engine) as second:
        mine, theirs = second.get(Problem, item.id), first.get(Problem, item.id)  # both pages open
        act(first, theirs, "explain", "已向家长解释", first.get(User, admin_id), NOW)
        first.commit()
        with pytest.raises(LedgerError, match="刚被别人修改过"):
            act(second, mine, "start", "开始整改", second.get(User, admin_id), NOW)
    assert stored(select(Problem.state)) == "explained"
