"""The visit records of a unit as lists: the 家访情况记录表 export and the 问题反映 list.

Both hold the visits coverage counts (`counted_visit`, of the term), so a list and its coverage
figure agree: the export has as many rows as the unit's 走访记录, the problem list as many as its
问题反映.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Select, select
from sqlalchemy.orm import aliased

from bureau.tenants.guard import explicitly_scoped
from bureau.tenants.models import School
from bureau.tenants.scope import Scope
from bureau.visits.coverage import counted_visit, within_units
from bureau.visits.models import QUESTIONS, SchoolClass, Staff, Student, Term, Visit
from bureau.visits.problems import PROBLEM_QUESTIONS, raised_clause, raised_one


def _counted(stmt: Select, term: Term, today: date, within: dict[str, int]) -> Select:
    """`stmt` over Visit joined to its student, class and school, kept to the visits coverage
    counts on `today` (active students of active schools) under `within`."""
    stmt = (
        stmt.join(Student, Student.id == Visit.student_id)
        .join(SchoolClass, SchoolClass.id == Student.class_id)
        .join(School, School.id == Visit.school_id)
        .where(
            Visit.term_id == term.id,
            counted_visit(),
            Visit.visited_on <= today,
            Student.active.is_(True),
            School.active.is_(True),
        )
    )
    return within_units(stmt, within)


def visit_records(scope: Scope, term: Term, today: date, within: dict[str, int] | None = None) -> Select:
    """家访情况记录表 (seed 000 附2): one row per counted visit of the term, with the family data and
    the answers, read as plain columns so an export streams it (no ORM objects held)."""
    second = aliased(Staff)
    stmt = _counted(select(Visit.id), term, today, within or {})
    stmt = (
        stmt.join(Staff, Staff.id == Visit.staff_id)
        .outerjoin(second, second.id == Visit.staff2_id)
        .with_only_columns(
            School.name.label("school"),
            Visit.school_id,
            Visit.visited_on,
            Visit.mode,
            Student.name.label("student"),
            Student.number,
            SchoolClass.grade,
            SchoolClass.number.label("class_number"),
            Student.guardian_name,
            Student.guardian_phone,
            Student.address,
            Visit.household_size,
            Visit.school_children,
            Visit.employment,
            Visit.caregiver,
            Visit.housing,
            *[getattr(Visit, name) for name in QUESTIONS],
            Visit.opinions,
            Staff.name.label("staff"),
            second.name.label("staff2"),
            Visit.status,
            maintain_column_froms=True,
        )
        .where(scope.school_clause(Visit.school_id))
        .order_by(Visit.school_id, Visit.visited_on, Visit.id)
    )
    return explicitly_scoped(stmt, scope)


ALL_RECORDS = "all"  # the `kind` of problem_visits that lists every counted record of the unit


def problem_visits(term: Term, today: date, kind: str | None = None, within: dict[str, int] | None = None) -> Select:
    """问题反映: the counted visits of the term whose family reported a problem (of question `kind`,
    a key of PROBLEM_QUESTIONS, or any), newest first, with the school's name; with
    `kind=ALL_RECORDS`, every counted visit of the unit (where the coverage drill-down leads). An ORM
    statement: the tenant guard scopes it like every console list."""
    stmt = _counted(select(Visit, School.name.label("school")), term, today, within or {})
    if kind != ALL_RECORDS:
        stmt = stmt.where(raised_one(kind) if kind in PROBLEM_QUESTIONS else raised_clause())
    return stmt.order_by(Visit.visited_on.desc(), Visit.id.desc())
