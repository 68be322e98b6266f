"""漏访名单: the active students of a term with no counted visit, and the schools that cannot have
one because they have no roster yet (未导入名册), each a streamed SELECT within a scope."""

from __future__ import annotations

from sqlalchemy import Select, false, select

from bureau.tenants.guard import explicitly_scoped
from bureau.tenants.models import School
from bureau.tenants.scope import Scope
from bureau.visits.assignments import with_responsible
from bureau.visits.coverage import SCHOOL_LEVELS, family_visits, has_roster, within_units
from bureau.visits.models import FOCUS_TYPES, SchoolClass, Staff, Student, Term


def schools_without_roster(scope: Scope, within: dict[str, int] | None = None) -> Select:
    """The active schools in scope (under `within`) that have no active student: 未导入名册."""
    within = within or {}
    stmt = (
        select(School.id, School.name)
        .where(School.active.is_(True), scope.school_clause(School.id), ~has_roster())
        .order_by(School.id)
    )
    if "grade" in within or "class" in within:
        stmt = stmt.where(false())  # a grade or class drilled into belongs to a school with a roster
    return explicitly_scoped(within_units(stmt, within, SCHOOL_LEVELS), scope)


def missed_students(scope: Scope, term: Term, within: dict[str, int] | None = None) -> Select:
    """漏访名单: active students with no visit this term, with their responsible staff member."""
    visited = family_visits(scope, term).subquery()
    stmt, staff_id = with_responsible(
        select(Student)
        .join(SchoolClass, SchoolClass.id == Student.class_id)
        .join(School, School.id == Student.school_id)
        .outerjoin(visited, visited.c.student_id == Student.id)
    )
    stmt = (
        stmt.outerjoin(Staff, Staff.id == staff_id)
        .with_only_columns(
            School.name.label("school"),
            School.id.label("school_id"),
            SchoolClass.grade,
            SchoolClass.number.label("class_number"),
            Student.number,
            Student.name,
            Student.guardian_name,
            Student.guardian_phone,
            Student.village,
            Staff.name.label("staff_name"),
            Staff.id.label("staff_id"),
            *[getattr(Student, name) for name in FOCUS_TYPES],
            maintain_column_froms=True,
        )
        .where(
            visited.c.student_id.is_(None),
            Student.active.is_(True),
            School.active.is_(True),
            scope.school_clause(Student.school_id),
        )
        .order_by(School.id, SchoolClass.grade, SchoolClass.number, Student.number)
    )
    return explicitly_scoped(within_units(stmt, within or {}), scope)
