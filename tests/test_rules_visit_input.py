"""What a visit record must hold (bureau/visits/records.py `_check`), reason by reason: each refusal
names its field (so the form shows it there) and says what is wrong; nothing is written. Written to
kill the mutants that survived `./scripts/mutants` on it."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from bureau import clock
from bureau.visits.models import Visit
from bureau.visits.records import VisitError, record_visit
from tests.factories import stored
from tests.visits_support import family

OCTOBER = datetime(2026, 10, 1, 4, 0, tzinfo=UTC)  # 2026-10-01 12:00 Beijing, in the world's term


def _refusal(session, world, **changes) -> dict:
    """The reasons by field of recording a family visit of a1x's second student, changed by `changes`."""
    staff = world.extra["staff_a1x"]
    data = replace(family(world.extra["students_a1x"][1].id, date(2026, 9, 30)), **changes)
    before = stored(select(func.count(Visit.id)))
    with clock.frozen_at(OCTOBER), pytest.raises(VisitError) as refused:
        record_visit(session, staff, data)
    session.rollback()
    assert stored(select(func.count(Visit.id))) == before
    return refused.value.fields


def test_a_visit_dated_today_is_accepted_and_tomorrow_refused(session, world):
    staff, student = world.extra["staff_a1x"], world.extra["students_a1x"][1].id
    with clock.frozen_at(OCTOBER):
        assert record_visit(session, staff, family(student, date(2026, 10, 1))).id is not None
    session.rollback()
    assert _refusal(session, world, visited_on=date(2026, 10, 2)) == {"visited_on": ["走访日期不能晚于今天"]}


@pytest.mark.parametrize(
    ("changes", "reasons"),
    [
        ({"mode": "walk"}, {"mode": ["请选择走访方式"]}),
        ({"target": "pet"}, {"target": ["请选择走访对象类型"]}),
        ({"student_id": None}, {"student_id": ["请选择被走访的学生"]}),
        ({"target": "staff", "student_id": None}, {"target_staff_id": ["请选择被访谈的教职工"]}),
        (
            {"target": "community", "student_id": None, "visited_person": "  "},
            {"visited_person": ["请填写被走访人员的姓名和身份"]},
        ),
        ({"target": "community", "student_id": None}, {"visited_person": ["请填写被走访人员的姓名和身份"]}),
        ({"employment": "Z"}, {"employment": ["家长就业情况的选项无效"]}),
        ({"caregiver": "Z"}, {"caregiver": ["在家照顾学生人员的选项无效"]}),
        ({"housing": "Z"}, {"housing": ["住房条件的选项无效"]}),
        ({"household_size": 31}, {"household_size": ["家庭总人口应在 0 到 30 之间"]}),
        ({"school_children": -1}, {"school_children": ["学生人数应在 0 到 30 之间"]}),
        ({"no_gifts": False}, {"no_gifts": ["请确认未收受家长礼品、未接受宴请"]}),
        ({"student_id": 999999}, {"student_id": ["所选学生不存在"]}),
        ({"visited_on": date(2026, 7, 1)}, {"visited_on": ["走访日期不在任何学期内，请联系管理员设置学期"]}),
    ],
)
def test_each_reason_names_its_field_and_says_what_is_wrong(session, world, changes, reasons):
    assert _refusal(session, world, **changes) == reasons


def test_a_companion_must_be_someone_else_of_the_school(session, world):
    staff = world.extra["staff_a1x"]
    assert _refusal(session, world, staff2_id=staff.id) == {"staff2_id": ["同行人员不能是本人"]}
    other_school = world.extra["staff_a1y"].id
    assert _refusal(session, world, staff2_id=other_school) == {"staff2_id": ["所选教职工不存在"]}
    assert _refusal(session, world, target="staff", student_id=None, target_staff_id=other_school) == {
        "target_staff_id": ["所选教职工不存在"]
    }


def test_a_staff_interview_and_a_community_visit_need_no_student(session, world):
    staff, colleague = world.extra["staff_a1x"], world.extra["other_staff_a1x"]
    base = family(world.extra["students_a1x"][1].id, date(2026, 9, 30))
    with clock.frozen_at(OCTOBER):
        record_visit(session, staff, replace(base, target="staff", student_id=None, target_staff_id=colleague.id))
        record_visit(session, staff, replace(base, target="community", student_id=None, visited_person="村主任 张某"))
    session.rollback()


def test_several_reasons_are_all_given_in_order(session, world):
    fields = _refusal(session, world, mode="walk", no_gifts=False, household_size=40)
    assert fields == {
        "mode": ["请选择走访方式"],
        "household_size": ["家庭总人口应在 0 到 30 之间"],
        "no_gifts": ["请确认未收受家长礼品、未接受宴请"],
    }
    assert list(fields) == ["mode", "household_size", "no_gifts"]
