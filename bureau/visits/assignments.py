"""包保 assignments: who answers for each grade, class and student, with every handover kept."""

from __future__ import annotations

from datetime import date

from sqlalchemy import ColumnElement, Select, and_, func, select
from sqlalchemy.orm import Session, aliased

from bureau.visits.models import Assignment, SchoolClass, Staff, Student


class AssignmentError(ValueError):
    """A refused assignment, with a message for the user."""


def _target_clause(
    kind: str, grade: int | None, school_class: SchoolClass | None, student: Student | None
) -> ColumnElement[bool]:
    if kind == "grade":
        return Assignment.grade == grade
    if kind == "class":
        return Assignment.class_id == school_class.id
    return Assignment.student_id == student.id


def current(
    session: Session,
    school_id: int,
    kind: str,
    *,
    grade: int | None = None,
    school_class: SchoolClass | None = None,
    student: Student | None = None,
) -> Assignment | None:
    """The assignment in force for a target (one query)."""
    return session.scalar(
        select(Assignment).where(
            Assignment.school_id == school_id,
            Assignment.kind == kind,
            Assignment.end_date.is_(None),
            _target_clause(kind, grade, school_class, student),
        )
    )


def assign(
    session: Session,
    staff: Staff,
    kind: str,
    on: date,
    reason: str | None = None,
    *,
    grade: int | None = None,
    school_class: SchoolClass | None = None,
    student: Student | None = None,
) -> Assignment:
    """Make `staff` answer for the target from `on`; the previous holder's row is ended (交接)."""
    row = Assignment(
        school_id=staff.school_id,
        kind=kind,
        staff=staff,
        grade=grade,
        school_class=school_class,
        student=student,
        start_date=on,
        reason=reason,
    )
    hand_over(session, row)
    session.add(row)
    session.flush()
    return row


def hand_over(session: Session, row: Assignment) -> None:
    """End the assignment in force for `row`'s target the day `row` starts (交接)."""
    missing = {
        "grade": (row.grade, "请填写包保的年级"),
        "class": (row.school_class, "请选择包保的班级"),
        "student": (row.student, "请选择责任学生"),
    }
    if row.kind not in missing:
        raise AssignmentError("未知的包保类型")
    if not missing[row.kind][0]:
        raise AssignmentError(missing[row.kind][1])
    row.school_id = row.staff.school_id
    target = row.school_class or row.student
    if target is not None and target.school_id != row.staff.school_id:
        raise AssignmentError("教职工与包保对象不属于同一学校")
    with session.no_autoflush:
        previous = current(
            session, row.staff.school_id, row.kind, grade=row.grade, school_class=row.school_class, student=row.student
        )
    if previous is None or previous is row:
        return
    if previous.staff_id == row.staff.id:
        raise AssignmentError(f"{row.staff.name}已在包保该对象")
    if row.start_date < previous.start_date:
        raise AssignmentError("交接日期不能早于上一任包保的开始日期")
    previous.end_date = row.start_date


def with_responsible(stmt: Select) -> tuple[Select, ColumnElement[int]]:
    """Outer-join the assignments in force to a statement over Student.

    Returns the statement and the responsible staff id: a student's own assignment wins,
    otherwise whoever answers for the student's class. Joined row by row, never as a subquery
    over every student, so a county's list reads only the county's assignments.
    """
    own = aliased(Assignment)
    by_class = aliased(Assignment)
    stmt = stmt.outerjoin(
        own, and_(own.student_id == Student.id, own.kind == "student", own.end_date.is_(None))
    ).outerjoin(
        by_class, and_(by_class.class_id == Student.class_id, by_class.kind == "class", by_class.end_date.is_(None))
    )
    return stmt, func.coalesce(own.staff_id, by_class.staff_id)


def without_responsible(stmt: Select) -> Select:
    """A statement over Student kept to the active students nobody answers for (包保缺口)."""
    stmt, staff_id = with_responsible(stmt)
    return stmt.where(staff_id.is_(None), Student.active.is_(True))
