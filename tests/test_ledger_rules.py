"""Issue 12: each rule of the ledger held by a test of its own — what a new problem needs, who
takes which action, what a follow-up needs, what may be merged, and who keeps the categories.

The world: a1x, a1y in county A1 (admin_a1), b1 in B1; tests/world_ledger.py registers problems
on 2026-11-20 (Beijing), due 2026-11-30.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bureau import clock
from bureau.ledger.models import ProblemCategory
from bureau.ledger.queries import category_counts
from bureau.ledger.service import (
    FollowUpInput,
    LedgerError,
    ProblemInput,
    act,
    check_problem,
    follow_up,
    merge,
    register,
)
from bureau.tenants.guard import TenantViolation, set_scope
from tests.world_ledger import NOW, as_user, categories, problem

TODAY = date(2026, 11, 20)


def _input(world, session, **fields) -> ProblemInput:
    cats = categories(session)
    return ProblemInput(
        **{
            "school": world.schools["a1x"],
            "category": cats["乱收费"],
            "description": "班主任要求家长统一购买教辅资料",
            "deadline": date(2026, 11, 30),
            "owner": world.extra["staff_a1x"],
        }
        | fields
    )


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"category": None}, "请选择问题类别"),
        ({"description": " x "}, "请填写问题描述"),
        ({"deadline": None}, "请填写整改时限"),
        ({"deadline": date(2026, 11, 19)}, "整改时限不能早于今天"),
        ({"priority": "urgent!"}, "请选择紧急程度"),
        ({"source": "rumour"}, "请选择问题来源"),
        ({"owner_key": "staff_a1y"}, "责任人须为本校在职教职工"),
        ({"owner": None}, "请指定责任人或责任部门"),
        ({"student_key": "students_a1y"}, "所选学生不属于本校"),
        ({"raised_by": "名" * 101}, "反映人姓名不超过 100 字"),
    ],
)
def test_a_new_problem_is_refused_with_each_reason(world, session, fields, message):
    fields = dict(fields)  # the parameters are shared by the SQLite and PostgreSQL runs
    if "owner_key" in fields:
        fields["owner"] = world.extra[fields.pop("owner_key")]
    if "student_key" in fields:
        fields["student"] = world.extra[fields.pop("student_key")][0]
    assert any(message in error for error in check_problem(_input(world, session, **fields), TODAY))


def test_a_new_problem_with_a_department_and_no_owner_is_accepted(world, session):
    assert check_problem(_input(world, session, owner=None, owner_department="总务处"), TODAY) == []


def test_an_inactive_category_is_refused(world, session):
    cats = categories(session)
    cats["其他"].active = False
    assert "请选择问题类别。" in check_problem(_input(world, session, category=cats["其他"]), TODAY)


def test_register_refuses_what_check_problem_refuses(world, session):
    data = _input(world, session, deadline=date(2026, 11, 1))
    user = as_user(session, world, "school_admin_a1x")
    with clock.frozen_at(NOW), pytest.raises(LedgerError, match="整改时限不能早于今天"):
        register(session, data, user, NOW)


@pytest.mark.parametrize("action", ["start", "fix", "escalate", "explain"])
def test_only_the_schools_admin_takes_the_schools_actions(world, session, action):
    item = problem(session, world)
    with pytest.raises(LedgerError, match="问题由学校管理员处理"):
        act(session, item, action, "由县里处理", as_user(session, world, "admin_a1"), NOW)


def test_a_follow_up_needs_a_familys_problem_a_date_a_mode_words_and_an_answer(world, session):
    family = problem(session, world)
    admin = as_user(session, world, "school_admin_a1x")
    good = FollowUpInput(TODAY, "phone", "家长表示满意", True)
    with pytest.raises(LedgerError, match="不是家长反映的"):
        follow_up(session, problem(session, world, student=None), good, admin, NOW)
    for data, message in [
        (FollowUpInput(TODAY + timedelta(days=1), "phone", "家长表示满意", True), "不能晚于今天"),
        (FollowUpInput(None, "phone", "家长表示满意", True), "回访日期须填写"),
        (FollowUpInput(TODAY, "letter", "家长表示满意", True), "请选择回访方式"),
        (FollowUpInput(TODAY, "phone", "", True), "请填写家长的意见"),
        (FollowUpInput(TODAY, "phone", "家长表示满意", None), "请选择家长是否满意"),
    ]:
        with pytest.raises(LedgerError, match=message):
            follow_up(session, family, data, as_user(session, world, "school_admin_a1x"), NOW)
    with pytest.raises(LedgerError, match="回访由学校管理员或督学记录"):
        follow_up(session, family, good, as_user(session, world, "leader_a"), NOW)
    family.state = "closed"
    with pytest.raises(LedgerError, match="不再回访"):
        follow_up(session, family, good, admin, NOW)


def test_merging_needs_two_owed_problems_of_one_school(world, session):
    first = problem(session, world)
    admin = as_user(session, world, "school_admin_a1x")
    with pytest.raises(LedgerError, match="不能与自己合并"):
        merge(session, first, first, admin, NOW)
    other_school = problem(session, world, key="a1y", by="school_admin_a1y", student=None)
    set_admin = as_user(session, world, "school_admin_a1x")
    with pytest.raises(LedgerError, match="只能合并本校的问题"):
        merge(session, first, other_school, set_admin, NOW)
    second = problem(session, world)
    second.state = "closed"
    with pytest.raises(LedgerError, match="已结束或已合并"):
        merge(session, second, first, as_user(session, world, "school_admin_a1x"), NOW)
    with pytest.raises(LedgerError, match="由学校管理员合并"):
        merge(session, first, second, as_user(session, world, "admin_a1"), NOW)


def test_only_a_provinces_region_admin_keeps_the_categories(world, session):
    categories(session)
    session.commit()
    for username in ("admin_a1", "inspector_a", "school_admin_a1x"):
        as_user(session, world, username)
        session.add(ProblemCategory(name=f"新类别{username}", position=20))
        with pytest.raises(TenantViolation):
            session.flush()
        session.rollback()
    as_user(session, world, "admin_p")
    session.add(ProblemCategory(name="招生入学", position=11))
    session.flush()


def test_a_follow_up_dated_before_the_fix_does_not_allow_closing(world, session):
    """Fixed 2026-11-20; a satisfied 回访 recorded afterwards but dated 11-19 is not a check of the fix."""
    item = problem(session, world)
    act(session, item, "fix", "已整改", as_user(session, world, "school_admin_a1x"), NOW)
    early = FollowUpInput(date(2026, 11, 19), "phone", "家长表示满意", True)
    follow_up(session, item, early, as_user(session, world, "school_admin_a1x"), NOW + timedelta(hours=1))
    with pytest.raises(LedgerError, match="须先回访家长"):
        act(session, item, "close", "核实", as_user(session, world, "admin_a1"), NOW + timedelta(hours=2))


def test_an_escalated_problem_is_not_merged_by_the_school(world, session):
    first = problem(session, world)
    second = problem(session, world, student=None)
    act(session, second, "escalate", "需县里解决", as_user(session, world, "school_admin_a1x"), NOW)
    with pytest.raises(LedgerError, match="已上报的问题"):
        merge(session, second, first, as_user(session, world, "school_admin_a1x"), NOW)


def test_the_category_counts_leave_out_inactive_schools_as_the_school_counts_do(world, session):
    problem(session, world, key="a1y", by="school_admin_a1y", student=None)
    set_scope(session, None)
    world.schools["a1y"].active = False
    session.commit()
    counts = dict(category_counts(session, None, world.regions["a1"]))
    assert sum(counts["有偿补课"].values()) == 0


@pytest.mark.parametrize("username", ["leader_a", "teacher_a1x"])
def test_only_a_school_admin_an_inspector_or_a_region_admin_closes(world, session, username):
    item = problem(session, world, student=None)
    act(session, item, "fix", "已整改", as_user(session, world, "school_admin_a1x"), NOW)
    with pytest.raises(LedgerError, match="只有学校管理员、督学或教育局管理员可以销号"):
        act(session, item, "close", "核实", as_user(session, world, username), NOW)
