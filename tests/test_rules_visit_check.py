"""What a visit record must hold, beyond tests/test_rules_visit_input.py (mutants of
bureau/visits/records.py `_check`): 家庭总人口 and 学生人数 are each 0 to 30, both ends included;
the student is one of the visitor's own school, even where no scope filters the read. Each reason
names its field; nothing is written."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from bureau import clock
from bureau.visits.models import Visit
from bureau.visits.records import VisitError, record_visit
from tests.factories import stored
from tests.visits_support import family

OCTOBER = datetime(2026, 10, 1, 4, 0, tzinfo=UTC)  # in the world's term


@pytest.mark.parametrize("field", ["household_size", "school_children"])
def test_each_count_may_be_0_or_30_and_not_minus_1_or_31(session, world, field):
    """a1x's 班主任 records a visit of student 1 with the count at 0, then at 30: both stored; at -1 and
    at 31 refused, the reason under the field."""
    staff, student = world.extra["staff_a1x"], world.extra["students_a1x"][1]
    name = {"household_size": "家庭总人口", "school_children": "学生人数"}[field]
    with clock.frozen_at(OCTOBER):
        kept = [record_visit(session, staff, family(student.id, date(2026, 9, 30), **{field: n})).id for n in (0, 30)]
        session.commit()
        before = stored(select(func.count(Visit.id)))
        for bad in (-1, 31):
            with pytest.raises(VisitError) as refused:
                record_visit(session, staff, family(student.id, date(2026, 9, 30), **{field: bad}))
            assert refused.value.fields == {field: [f"{name}应在 0 到 30 之间"]}
            session.rollback()
    assert [stored(select(getattr(Visit, field)).where(Visit.id == i)) for i in kept] == [0, 30]
    assert stored(select(func.count(Visit.id))) == before


def test_a_student_of_another_school_does_not_exist_for_the_visitor(session, world):
    """With no scope on the session (a script, the CLI), a1x's 班主任 names a1y's student 1 (same
    county): refused as if there were no such student."""
    staff, foreign = world.extra["staff_a1x"], world.extra["students_a1y"][1]
    before = stored(select(func.count(Visit.id)))
    with clock.frozen_at(OCTOBER), pytest.raises(VisitError) as refused:
        record_visit(session, staff, family(foreign.id, date(2026, 9, 30)))
    session.rollback()
    assert refused.value.fields == {"student_id": ["所选学生不存在"]}
    assert stored(select(func.count(Visit.id))) == before
