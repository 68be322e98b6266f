"""Issue 11: two inspectors deciding one objection at the same moment — the first decision stands
and the second is told so, with no second reversal; the unique index keeps one reversal of a
deduction whatever the service checked before it."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bureau.extensions import db
from bureau.inspection.deductions import ScoringError, decide_objection, lodge_objection
from bureau.inspection.scoring_models import Deduction, Objection
from tests.factories import stored
from tests.world_scoring import NOW, as_user, deduct, seed_rules


@pytest.fixture
def objected(world, session):
    seed_rules(session, world)
    deduction = deduct(session, world, "a1x", n=3)
    lodge_objection(session, deduction, "当天学生请假，已电话家访。", as_user(session, world, "teacher_a1x"), NOW)
    session.commit()
    return world


def test_of_two_decisions_made_at_once_the_first_stands_and_the_second_is_told(objected):
    inspector = objected.users["inspector_a"]
    with Session(db.engine) as first, Session(db.engine) as second:
        mine = second.scalar(select(Objection))  # both pages were opened before either decided
        theirs = first.scalar(select(Objection))
        decide_objection(first, theirs, "reversed", "核实已家访", first.get(type(inspector), inspector.id), NOW)
        first.commit()
        with pytest.raises(ScoringError, match="已经处理过了"):
            decide_objection(second, mine, "upheld", "维持扣分", second.get(type(inspector), inspector.id), NOW)
        second.rollback()
    assert stored(select(Objection.decision)) == "reversed"
    assert stored(select(func.count()).where(Deduction.reverses_id.is_not(None))) == 1


def test_the_database_keeps_one_reversal_of_a_deduction(objected):
    with Session(db.engine) as other:
        original = other.scalar(select(Deduction))
        for _ in range(2):
            other.add(
                Deduction(
                    school_id=original.school_id,
                    staff_id=original.staff_id,
                    term_id=original.term_id,
                    rule_id=original.rule_id,
                    rule_code=original.rule_code,
                    rule_text=original.rule_text,
                    applies_to=original.applies_to,
                    points_each=original.points_each,
                    instances=original.instances,
                    points=-original.points,
                    occurred_on=original.occurred_on,
                    reverses_id=original.id,
                    reason="重复撤销",
                )
            )
        with pytest.raises(IntegrityError):
            other.flush()
