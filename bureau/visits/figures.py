"""The visit figures of the home pages: records awaiting review or returned, a teacher's own work.

Each function is one statement (two for a teacher's students) whatever the number of schools,
restricted to the caller's scope explicitly.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import Session

from bureau.tenants.guard import explicitly_scoped
from bureau.tenants.scope import Scope
from bureau.visits.assignments import with_responsible
from bureau.visits.missed import missed_students
from bureau.visits.models import Student, Term, Visit


def _count_if(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


@dataclass(frozen=True)
class ReviewCounts:
    pending: int  # 待审核: submitted, not yet reviewed by the school
    returned: int  # 退回: sent back to the teacher, not yet resubmitted


def review_counts(session: Session, scope: Scope) -> ReviewCounts:
    """Visit records in the scope awaiting the school's review, and returned to their teacher."""
    query = select(_count_if(Visit.status == "pending"), _count_if(Visit.status == "returned")).where(
        scope.school_clause(Visit.school_id)
    )
    pending, returned = session.execute(explicitly_scoped(query, scope)).one()
    return ReviewCounts(pending, returned)


@dataclass(frozen=True)
class TeacherFigures:
    visits: int  # own records this term (as recorder or companion), whatever their state
    pending: int  # of which awaiting review
    returned: int  # own records returned, in any term: each is still to correct
    students: int  # active students the teacher answers for (包保)
    unvisited: int  # of which not visited this term (漏访)


def teacher_figures(session: Session, scope: Scope, term: Term | None) -> TeacherFigures:
    """A teacher's own records and students (scope.staff_id is the teacher's staff row)."""
    staff_id = scope.staff_id
    own = or_(Visit.staff_id == staff_id, Visit.staff2_id == staff_id)
    this_term = Visit.term_id == (term.id if term is not None else None)
    counts = select(
        _count_if(this_term), _count_if(this_term & (Visit.status == "pending")), _count_if(Visit.status == "returned")
    ).where(own, scope.school_clause(Visit.school_id))
    visits, pending, returned = session.execute(explicitly_scoped(counts, scope)).one()
    students, responsible = with_responsible(select(func.count(Student.id)).select_from(Student))
    students = students.where(responsible == staff_id, Student.active.is_(True), scope.school_clause(Student.school_id))
    unvisited = 0
    if term is not None:
        missed = missed_students(scope, term).subquery()
        query = select(func.count()).select_from(missed).where(missed.c.staff_id == staff_id)
        unvisited = session.scalar(explicitly_scoped(query, scope)) or 0
    return TeacherFigures(visits, pending, returned, session.scalar(explicitly_scoped(students, scope)) or 0, unvisited)
