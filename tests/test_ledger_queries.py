"""Issue 12, must-show 3 and 5: duplicates offered (the same family and category within 30 days,
or a very similar text), counts by state and category for every school in scope from a bounded
number of statements, the overdue list by the clock, and the weekly report's figures.

The world: a1x, a1y in county A1, a2 in A2 (city A), b1 in B1; problems from tests/world_ledger.py
registered 2026-11-20 (Beijing), due 2026-11-30.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from bureau import clock
from bureau.ledger.models import Problem
from bureau.ledger.queries import (
    category_counts,
    likely_duplicates,
    overdue_problems,
    problems_closed_week,
    problems_found_week,
    school_counts,
)
from bureau.ledger.service import ProblemInput, act, register
from bureau.progress.figures import Period
from bureau.tenants.guard import set_scope
from bureau.tenants.scope import scope_for_user
from tests.factories import statements_sent
from tests.world_ledger import NOW, as_user, categories, problem


def test_the_same_familys_problem_of_the_same_category_within_30_days_is_offered(world, session):
    first = problem(session, world)
    cats = categories(session)
    student = world.extra["students_a1x"][0]
    offered = likely_duplicates(session, first.school_id, student.id, cats["有偿补课"].id, "另一种说法", NOW)
    assert offered == [first]
    assert likely_duplicates(session, first.school_id, student.id, cats["乱收费"].id, "另一种说法", NOW) == []
    later = NOW + timedelta(days=31)
    assert likely_duplicates(session, first.school_id, student.id, cats["有偿补课"].id, "另一种说法", later) == []


def test_a_very_similar_text_in_the_same_school_is_offered_and_another_schools_never(world, session):
    first = problem(session, world, student=None)
    similar = "家长反映数学老师周末组织有偿补课。"
    assert likely_duplicates(session, first.school_id, None, None, similar, NOW) == [first]
    assert likely_duplicates(session, first.school_id, None, None, "食堂饭菜太咸", NOW) == []
    assert likely_duplicates(session, world.schools["a1y"].id, None, None, similar, NOW) == []


def test_counts_list_every_school_in_scope_with_its_states_and_overdue(world, session):
    """a1x: two problems, one in progress; a1y: one escalated; a2 none; b1 (city B) not listed."""
    one = problem(session, world)
    problem(session, world, student=None, description="操场护栏损坏")
    two = problem(session, world, key="a1y", by="school_admin_a1y", student=None)
    act(session, one, "start", None, as_user(session, world, "school_admin_a1x"), NOW)
    act(session, two, "escalate", "需县里解决", as_user(session, world, "school_admin_a1y"), NOW)
    problem(session, world, key="b1", by="school_admin_b1", student=None)
    session.commit()
    scope = scope_for_user(world.users["leader_a"])
    set_scope(session, scope)
    with statements_sent() as sent:
        rows = school_counts(session, scope, world.regions["a"], date(2026, 12, 1))
    assert len(sent) == 1
    assert [
        (r.code, r.total, r.states["open"], r.states["in_progress"], r.states["escalated"], r.overdue) for r in rows
    ] == [
        ("A1X", 2, 1, 1, 0, 2),
        ("A1Y", 1, 0, 0, 1, 1),
        ("A2S", 0, 0, 0, 0, 0),
    ]
    with statements_sent() as sent:
        by_category = dict(category_counts(session, scope, world.regions["a"]))
    assert len(sent) == 1
    assert len(by_category) == 10 and by_category["有偿补课"]["in_progress"] == 1
    assert sum(by_category["有偿补课"].values()) == 3 and sum(by_category["师德师风"].values()) == 0


def test_the_overdue_list_follows_the_clock(world, session):
    problem(session, world)
    session.commit()
    as_user(session, world, "admin_a1")
    assert overdue_problems(session, date(2026, 11, 30)) == []
    assert [p.number for p in overdue_problems(session, date(2026, 12, 1))] == [1]


def test_the_weekly_report_counts_the_problems_found_and_closed_in_its_week(world, session):
    """Registered Friday 2026-11-20 (week of Monday 11-16); closed the next Monday (week 11-23)."""
    item = problem(session, world, student=None)
    act(session, item, "fix", "已整改", as_user(session, world, "school_admin_a1x"), NOW)
    act(session, item, "close", "核实", as_user(session, world, "admin_a1"), NOW + timedelta(days=3))
    session.commit()
    set_scope(session, None)
    school = world.schools["a1x"].id
    term = world.extra["term"].id
    week, next_week = Period(date(2026, 11, 16), term), Period(date(2026, 11, 23), term)
    assert (problems_found_week(session, school, week), problems_closed_week(session, school, week)) == (1, 0)
    assert (problems_found_week(session, school, next_week), problems_closed_week(session, school, next_week)) == (0, 1)
    assert session.scalar(select(Problem.state)) == "closed"


def test_an_ended_problem_is_never_overdue_in_the_counts_or_the_list(world, session):
    """Due 2026-11-30, read on 12-01: the open one is overdue, the explained one is not."""
    problem(session, world)
    ended = problem(session, world, student=None, description="希望学校门口增设减速带")
    act(
        session,
        ended,
        "explain",
        "已向家长说明交通设施由交管部门设置",
        as_user(session, world, "school_admin_a1x"),
        NOW,
    )
    session.commit()
    set_scope(session, None)
    (row,) = [r for r in school_counts(session, None, world.regions["a1"], date(2026, 12, 1)) if r.code == "A1X"]
    assert (row.total, row.overdue) == (2, 1)
    assert [p.number for p in overdue_problems(session, date(2026, 12, 1))] == [1]


def test_a_school_no_longer_active_is_not_counted(world, session):
    problem(session, world, key="a1y", by="school_admin_a1y", student=None)
    set_scope(session, None)
    world.schools["a1y"].active = False
    session.commit()
    assert [r.code for r in school_counts(session, None, world.regions["a1"], date(2026, 12, 1))] == ["A1X"]


def test_problems_are_numbered_within_their_school_even_without_a_scope(world, session):
    """The demo and the commands register without a user's scope: the number is still the school's."""
    problem(session, world)
    problem(session, world)
    set_scope(session, None)
    cats = categories(session)
    data = ProblemInput(
        school=world.schools["a1y"],
        category=cats["校园安全"],
        description="围墙有裂缝",
        deadline=date(2026, 11, 30),
        owner_department="总务处",
    )
    with clock.frozen_at(NOW):
        assert register(session, data, world.users["school_admin_a1y"], NOW).number == 1
