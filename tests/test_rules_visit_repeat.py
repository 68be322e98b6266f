"""When a visit record is a repeat (bureau/visits/records.py `_visited_in_term`, `_apply`): a second
family visit to the same student in the same term, whoever recorded the first; never a visit's own
earlier version, a visit in another term, one to another student, or a visit to no student.

The world (term 2026-09-01 .. 2027-01-31): in a1x, the 班主任 visited student 0 (the world's first
visit) and the 科任教师 student 3; students 1 and 2 have no visit; a1y and b1 alike. What was stored
is read through a fresh session.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select

from bureau import clock
from bureau.tenants.guard import scoped
from bureau.tenants.scope import scope_for_user
from bureau.visits.models import Term, Visit
from bureau.visits.records import VisitInput, record_visit, resubmit, review
from tests.factories import stored
from tests.visits_support import family

OCTOBER = datetime(2026, 10, 1, 4, 0, tzinfo=UTC)  # 2026-10-01 12:00 Beijing, in the world's term


def _repeat(visit_id: int) -> bool:
    return stored(select(Visit.is_repeat).where(Visit.id == visit_id))


def test_a_second_visit_to_a_student_in_the_term_is_a_repeat_and_a_first_is_not(session, world):
    """a1x's student 0 was visited on 09-10 (the world's first visit): a visit on 09-30 is a repeat.
    Student 1, never visited (though students 0 and 3 of the school were), is not."""
    staff, students = world.extra["staff_a1x"], world.extra["students_a1x"]
    with clock.frozen_at(OCTOBER):
        again = record_visit(session, staff, family(students[0].id, date(2026, 9, 30)))
        first = record_visit(session, staff, family(students[1].id, date(2026, 9, 30)))
        session.commit()
    assert (_repeat(again.id), _repeat(first.id)) == (True, False)


def test_a_teachers_visit_is_a_repeat_of_a_colleagues_visit_it_cannot_see(session, world):
    """Teacher a1x (the 班主任) sees only their own visits; the 科任教师 visited student 3 on 09-12:
    the teacher's visit to student 3 is still a repeat."""
    teacher, staff = world.users["teacher_a1x"], world.extra["staff_a1x"]
    student = world.extra["students_a1x"][3]
    with clock.frozen_at(OCTOBER), scoped(session, scope_for_user(teacher, staff.id)):
        assert session.scalars(select(Visit).where(Visit.student_id == student.id)).all() == []
        visit = record_visit(session, staff, family(student.id, date(2026, 9, 30)))
        session.commit()
    assert _repeat(visit.id) is True


def test_correcting_a_visit_does_not_make_it_a_repeat_of_itself(session, world):
    """Student 1's only visit, returned and corrected (version 2): still not a repeat."""
    staff, student = world.extra["staff_a1x"], world.extra["students_a1x"][1]
    with clock.frozen_at(OCTOBER):
        visit = record_visit(session, staff, family(student.id, date(2026, 9, 29)))
        review(session, visit, world.users["school_admin_a1x"], approve=False, note="请补充家庭情况")
        resubmit(session, visit, family(student.id, date(2026, 9, 30), household_size=4))
        session.commit()
    assert stored(select(Visit.version).where(Visit.id == visit.id)) == 2
    assert _repeat(visit.id) is False


def test_a_visit_in_another_term_does_not_make_a_repeat(session, world):
    """Spring term 2027-03-01 .. 07-10: student 0, visited in the autumn term, is visited for the
    first time this term on 03-05; a second spring visit on 03-20 is a repeat."""
    staff, student = world.extra["staff_a1x"], world.extra["students_a1x"][0]
    spring = Term(name="2026-2027学年第二学期", start_date=date(2027, 3, 1), end_date=date(2027, 7, 10))
    session.add(spring)
    session.flush()
    with clock.frozen_at(datetime(2027, 3, 25, 4, 0, tzinfo=UTC)):
        first = record_visit(session, staff, family(student.id, date(2027, 3, 5)))
        second = record_visit(session, staff, family(student.id, date(2027, 3, 20), "phone"))
        session.commit()
    assert stored(select(Visit.term_id).where(Visit.id == first.id)) == spring.id
    assert (_repeat(first.id), _repeat(second.id)) == (False, True)


def test_a_visit_to_no_student_is_never_a_repeat_and_keeps_no_student(session, world):
    """A staff interview (given a student id by a stale form) twice in the term: the student is not
    kept, and neither interview is a repeat."""
    staff, other = world.extra["staff_a1x"], world.extra["other_staff_a1x"]
    student = world.extra["students_a1x"][0]
    interview = VisitInput(
        visited_on=date(2026, 9, 30), target="staff", target_staff_id=other.id, student_id=student.id, no_gifts=True
    )
    with clock.frozen_at(OCTOBER):
        visits = [record_visit(session, staff, interview) for _ in range(2)]
        session.commit()
    ids = [v.id for v in visits]
    assert [stored(select(Visit.student_id).where(Visit.id == i)) for i in ids] == [None, None]
    assert [_repeat(i) for i in ids] == [False, False]
