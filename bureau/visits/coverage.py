"""Coverage (覆盖率) and 漏访名单 for a term at every level, in aggregate SQL within a scope.

One statement gives the student figures of every unit of a level, one more the staff-interview
share; the number of statements never depends on how many schools or students there are.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import ColumnElement, Select, and_, case, distinct, extract, func, literal, select
from sqlalchemy.orm import Session, aliased

from bureau.tenants.guard import explicitly_scoped
from bureau.tenants.models import Region, School
from bureau.tenants.scope import Scope
from bureau.visits.assignments import with_responsible
from bureau.visits.models import (
    FOCUS_TYPES,
    IN_PERSON_MODES,
    SchoolClass,
    Staff,
    Student,
    Term,
    Visit,
    class_label,
    grade_label,
)

LEVELS = {"province": "省", "city": "市", "county": "县(市、区)", "school": "学校", "grade": "年级", "class": "班级"}
NEXT_LEVEL = {
    "province": "city",
    "city": "county",
    "direct_county": "school",
    "county": "school",
    "school": "grade",
    "grade": "class",
}


@dataclass
class CoverageRow:
    """The figures of one unit (a region, school, grade or class)."""

    key: int | None
    label: str
    school_id: int | None
    students: int
    visited: int
    in_person: int
    visits: int
    left_behind_monthly: int
    focus: dict[str, tuple[int, int]] = field(default_factory=dict)  # key → (students, visited)
    staff: int | None = None
    staff_interviewed: int | None = None

    @property
    def coverage(self) -> float:
        return self.visited / self.students if self.students else 0.0

    @property
    def in_person_share(self) -> float:
        return self.in_person / self.visited if self.visited else 0.0

    @property
    def missed(self) -> int:
        return self.students - self.visited

    @property
    def staff_share(self) -> float | None:
        if self.staff is None:
            return None
        return self.staff_interviewed / self.staff if self.staff else 0.0

    def focus_coverage(self, key: str) -> float | None:
        total, visited = self.focus[key]
        return visited / total if total else None


def months_so_far(term: Term, today: date) -> list[tuple[int, int]]:
    """(year, month) of every month of the term up to today: 留守儿童 are contacted in each."""
    end = min(today, term.end_date)
    months, (year, month) = [], (term.start_date.year, term.start_date.month)
    while (year, month) <= (end.year, end.month):
        months.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _unit_key(level: str):
    """The column that names a unit of `level`; a direct county stands at city level too."""
    return {
        "province": School.province_id,
        "city": func.coalesce(School.city_id, School.county_id),
        "county": School.county_id,
        "school": School.id,
        "grade": SchoolClass.grade,
        "class": SchoolClass.id,
    }[level]


def _within(stmt: Select, within: dict[str, int]) -> Select:
    for level, value in within.items():
        stmt = stmt.where(_unit_key(level) == value)
    return stmt


def counted_visit() -> ColumnElement[bool]:
    """The one definition of a visit that counts (coverage, the weekly figures): a family visit
    that was not returned."""
    return and_(Visit.target == "family", Visit.status != "returned")


def _family_visits(scope: Scope, term: Term, until: date | None = None) -> Select:
    """Per student: counted visits in the term (up to `until`), any in person, in how many months."""
    month = extract("year", Visit.visited_on) * 100 + extract("month", Visit.visited_on)
    stmt = (
        select(
            Visit.student_id,
            func.count().label("n"),
            func.max(case((Visit.mode.in_(IN_PERSON_MODES), 1), else_=0)).label("in_person"),
            func.count(distinct(month)).label("months"),
        )
        .where(Visit.term_id == term.id, counted_visit(), scope.school_clause(Visit.school_id))
        .group_by(Visit.student_id)
    )
    return stmt if until is None else stmt.where(Visit.visited_on <= until)


def _unit_columns(level: str) -> tuple[list, list]:
    """(key, label[, school_id[, grade, number]]) expressions of a unit, and the joins naming it."""
    key = _unit_key(level)
    if level in ("province", "city", "county"):
        region = aliased(Region)
        return [key, region.name], [(region, region.id == key)]
    extra = [SchoolClass.grade, SchoolClass.number] if level == "class" else []
    return [key, School.name, School.id, *extra], []


def _count_if(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def coverage_rows(
    session: Session,
    scope: Scope,
    term: Term,
    level: str,
    today: date,
    within: dict[str, int] | None = None,
    order: str = "coverage",
) -> list[CoverageRow]:
    """Coverage of every unit of `level` under `within` (e.g. {"county": 7}) in the scope,
    best first by coverage or by records submitted (`order`)."""
    visits = _family_visits(scope, term, until=today).subquery()
    month_count = len(months_so_far(term, today))
    unit, joins = _unit_columns(level)
    names = ["key", "label", "school_id", "grade", "number"][: len(unit)]
    visited = visits.c.student_id.is_not(None)
    focus_cols = []
    for name in FOCUS_TYPES:
        flag = getattr(Student, name).is_(True)
        focus_cols += [_count_if(flag).label(f"{name}_n"), _count_if(and_(flag, visited)).label(f"{name}_v")]
    monthly = (
        _count_if(and_(Student.left_behind.is_(True), visits.c.months >= month_count)) if month_count else literal(0)
    )
    submitted = func.coalesce(func.sum(visits.c.n), 0)
    stmt = (
        select(
            *[c.label(n) for c, n in zip(unit, names, strict=True)],
            func.count(Student.id).label("students"),
            _count_if(visited).label("visited"),
            _count_if(visits.c.in_person == 1).label("in_person"),
            submitted.label("visits"),
            monthly.label("monthly"),
            *focus_cols,
        )
        .select_from(Student)
        .join(SchoolClass, SchoolClass.id == Student.class_id)
        .join(School, School.id == Student.school_id)
        .outerjoin(visits, visits.c.student_id == Student.id)
        .where(Student.active.is_(True), School.active.is_(True), scope.school_clause(Student.school_id))
    )
    for target, on in joins:
        stmt = stmt.join(target, on)
    ranking = submitted if order == "visits" else _count_if(visited) * 1.0 / func.count(Student.id)
    stmt = _within(stmt, within or {}).group_by(*unit).order_by(ranking.desc(), unit[0])
    rows = [_row(r, level) for r in session.execute(explicitly_scoped(stmt, scope))]
    if level not in ("grade", "class"):
        _add_staff(session, scope, term, level, within or {}, rows)
    return rows


def _row(r, level: str) -> CoverageRow:
    label = r.label
    if level == "grade":
        label = f"{r.label} {grade_label(r.key)}年级"
    elif level == "class":
        label = f"{r.label} {class_label(r.grade, r.number)}"
    return CoverageRow(
        key=r.key,
        label=label or "",
        school_id=r._mapping.get("school_id"),
        students=r.students,
        visited=r.visited,
        in_person=r.in_person,
        visits=r.visits,
        left_behind_monthly=r.monthly,
        focus={name: (getattr(r, f"{name}_n"), getattr(r, f"{name}_v")) for name in FOCUS_TYPES},
    )


def _add_staff(
    session: Session, scope: Scope, term: Term, level: str, within: dict[str, int], rows: list[CoverageRow]
) -> None:
    """Share of staff interviewed by a leader this term (干部访谈教师), per unit."""
    interviewed = (
        select(Visit.target_staff_id)
        .where(
            Visit.term_id == term.id,
            Visit.target == "staff",
            Visit.status != "returned",
            scope.school_clause(Visit.school_id),
        )
        .group_by(Visit.target_staff_id)
        .subquery()
    )
    key = _unit_key(level).label("key")
    stmt = (
        select(key, func.count(Staff.id).label("staff"), func.count(interviewed.c.target_staff_id).label("interviewed"))
        .select_from(Staff)
        .join(School, School.id == Staff.school_id)
        .outerjoin(interviewed, interviewed.c.target_staff_id == Staff.id)
        .where(Staff.active.is_(True), School.active.is_(True), scope.school_clause(Staff.school_id))
        .group_by(_unit_key(level))
    )
    # Staff belong to a school, not a grade or class: those filters would cross-join every class.
    school_units = {level: value for level, value in within.items() if level not in ("grade", "class")}
    figures = {
        r.key: (r.staff, r.interviewed) for r in session.execute(explicitly_scoped(_within(stmt, school_units), scope))
    }
    for row in rows:
        row.staff, row.staff_interviewed = figures.get(row.key, (0, 0))


def total(rows: list[CoverageRow], label: str = "合计") -> CoverageRow:
    """The sum of a level's rows (already aggregated units, not students)."""
    out = CoverageRow(None, label, None, 0, 0, 0, 0, 0, {name: (0, 0) for name in FOCUS_TYPES}, None, None)
    for row in rows:
        out.students += row.students
        out.visited += row.visited
        out.in_person += row.in_person
        out.visits += row.visits
        out.left_behind_monthly += row.left_behind_monthly
        out.focus = {k: (out.focus[k][0] + row.focus[k][0], out.focus[k][1] + row.focus[k][1]) for k in FOCUS_TYPES}
        if row.staff is not None:
            out.staff = (out.staff or 0) + row.staff
            out.staff_interviewed = (out.staff_interviewed or 0) + row.staff_interviewed
    return out


def missed_students(scope: Scope, term: Term, within: dict[str, int] | None = None) -> Select:
    """漏访名单: active students with no visit this term, with their responsible staff member."""
    visited = _family_visits(scope, term).subquery()
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
    return explicitly_scoped(_within(stmt, within or {}), scope)


def current_term(session: Session, today: date) -> Term | None:
    """The term today falls in, else the latest that has started."""
    return session.scalar(
        select(Term)
        .where(Term.start_date <= today)
        .order_by((Term.end_date >= today).desc(), Term.start_date.desc())
        .limit(1)
    )
