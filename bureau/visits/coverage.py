"""Coverage (覆盖率) and 漏访名单 for a term at every level, in aggregate SQL within a scope.

Every aggregate starts from the units in scope, not from the rows that happen to exist: each
active school appears (a school without a roster as 未导入名册, counted on its own line), and a
region's rate is over the students it has. One statement gives every figure of every unit of a
level; the number of statements never depends on how many schools or students there are.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Select,
    Subquery,
    and_,
    case,
    cast,
    distinct,
    extract,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.orm import Session, aliased

from bureau.tenants.guard import explicitly_scoped
from bureau.tenants.models import Region, School
from bureau.tenants.scope import Scope
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
from bureau.visits.problems import raised_clause

LEVELS = {"province": "省", "city": "市", "county": "县(市、区)", "school": "学校", "grade": "年级", "class": "班级"}
NEXT_LEVEL = {
    "province": "city",
    "city": "county",
    "direct_county": "school",
    "county": "school",
    "school": "grade",
    "grade": "class",
}
REGION_LEVELS = ("province", "city", "county")
SCHOOL_LEVELS = (*REGION_LEVELS, "school")  # units made of whole schools (they have staff figures)
NO_ROSTER = "未导入名册"
# The student figures of a unit, summed from its schools (or its grades and classes).
FIGURES = ("students", "visited", "in_person", "visits", "problems", "monthly") + tuple(
    f"{name}_{part}" for name in FOCUS_TYPES for part in ("n", "v")
)


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
    problems: int = 0  # counted visits in which the family reported at least one problem (问题反映)
    schools: int = 0  # active schools in the unit
    no_roster: int = 0  # of which without a roster (未导入名册)

    @property
    def coverage(self) -> float | None:
        """Visited over the students the unit has; none at all is no rate (not 0 %)."""
        return self.visited / self.students if self.students else None

    @property
    def roster_missing(self) -> bool:
        """No school of the unit has imported a roster: the unit is listed, marked, never ranked."""
        return self.schools > 0 and self.no_roster == self.schools

    @property
    def in_person_share(self) -> float | None:
        return self.in_person / self.visited if self.visited else None

    @property
    def missed(self) -> int:
        return self.students - self.visited

    @property
    def staff_share(self) -> float | None:
        return self.staff_interviewed / self.staff if self.staff else None

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


def unit_key(level: str):
    """The column that names a unit of `level`; a direct county stands at city level too."""
    return {
        "province": School.province_id,
        "city": func.coalesce(School.city_id, School.county_id),
        "county": School.county_id,
        "school": School.id,
        "grade": SchoolClass.grade,
        "class": SchoolClass.id,
    }[level]


def within_units(stmt: Select, within: dict[str, int], levels=tuple(LEVELS)) -> Select:
    """`stmt` (over School, and SchoolClass for grade and class) kept to the units drilled into."""
    for level, value in within.items():
        if level in levels:
            stmt = stmt.where(unit_key(level) == value)
    return stmt


def counted_visit() -> ColumnElement[bool]:
    """The one definition of a visit that counts (coverage, the weekly figures): a family visit
    that was not returned."""
    return and_(Visit.target == "family", Visit.status != "returned")


def family_visits(scope: Scope, term: Term, until: date | None = None) -> Select:
    """Per student: counted visits in the term (up to `until`), any in person, in how many months,
    and how many report a problem."""
    month = extract("year", Visit.visited_on) * 100 + extract("month", Visit.visited_on)
    stmt = (
        select(
            Visit.student_id,
            func.count().label("n"),
            func.max(case((Visit.mode.in_(IN_PERSON_MODES), 1), else_=0)).label("in_person"),
            func.count(distinct(month)).label("months"),
            _count_if(raised_clause()).label("problems"),
        )
        .where(Visit.term_id == term.id, counted_visit(), scope.school_clause(Visit.school_id))
        .group_by(Visit.student_id)
    )
    return stmt if until is None else stmt.where(Visit.visited_on <= until)


def _count_if(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _sum(column):
    """The sum of a count column, an integer on every backend (PostgreSQL sums bigints as numeric)."""
    return cast(func.coalesce(func.sum(column), 0), BigInteger)


def _fine_columns(level: str) -> list:
    """The unit columns below a school (a grade; a class with its grade and number)."""
    if level == "grade":
        return [SchoolClass.grade.label("grade")]
    if level == "class":
        return [SchoolClass.id.label("class_id"), SchoolClass.grade.label("grade"), SchoolClass.number.label("number")]
    return []


def _student_figures(scope: Scope, term: Term, level: str, today: date, within: dict[str, int]) -> Subquery:
    """Per school (and grade or class below the school level): every student figure of FIGURES."""
    visits = family_visits(scope, term, until=today).subquery()
    month_count = len(months_so_far(term, today))
    visited = visits.c.student_id.is_not(None)
    focus = []
    for name in FOCUS_TYPES:
        flag = getattr(Student, name).is_(True)
        focus += [_count_if(flag).label(f"{name}_n"), _count_if(and_(flag, visited)).label(f"{name}_v")]
    monthly = (
        _count_if(and_(Student.left_behind.is_(True), visits.c.months >= month_count)) if month_count else literal(0)
    )
    fine = _fine_columns(level)
    stmt = (
        select(
            Student.school_id.label("school_id"),
            *fine,
            func.count(Student.id).label("students"),
            _count_if(visited).label("visited"),
            _count_if(visits.c.in_person == 1).label("in_person"),
            _sum(visits.c.n).label("visits"),
            _sum(visits.c.problems).label("problems"),
            monthly.label("monthly"),
            *focus,
        )
        .select_from(Student)
        .join(SchoolClass, SchoolClass.id == Student.class_id)
        .outerjoin(visits, visits.c.student_id == Student.id)
        .where(Student.active.is_(True), scope.school_clause(Student.school_id))
    )
    stmt = within_units(stmt, within, ("grade", "class"))
    return stmt.group_by(Student.school_id, *[c.element for c in fine]).subquery("per_school")


def _staff_figures(scope: Scope, term: Term) -> Subquery:
    """Per school: active staff, and how many a leader interviewed this term (干部访谈教师)."""
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
    return (
        select(
            Staff.school_id.label("school_id"),
            func.count(Staff.id).label("staff"),
            func.count(interviewed.c.target_staff_id).label("interviewed"),
        )
        .select_from(Staff)
        .outerjoin(interviewed, interviewed.c.target_staff_id == Staff.id)
        .where(Staff.active.is_(True), scope.school_clause(Staff.school_id))
        .group_by(Staff.school_id)
        .subquery("per_school_staff")
    )


def has_roster() -> ColumnElement[bool]:
    """SQL, over School: the school has at least one active student (its roster was imported)."""
    return select(Student.id).where(Student.school_id == School.id, Student.active.is_(True)).exists()


def _unit_columns(level: str, per_school: Subquery) -> tuple[list, list]:
    """(key, label[, school_id[, grade, number]]) of a unit, and the joins naming it."""
    if level in REGION_LEVELS:
        region = aliased(Region)
        key = unit_key(level)
        return [key.label("key"), region.name.label("label")], [(region, region.id == key)]
    key = {"school": School.id, "grade": per_school.c.get("grade"), "class": per_school.c.get("class_id")}[level]
    extra = [per_school.c.grade.label("grade"), per_school.c.number.label("number")] if level == "class" else []
    return [key.label("key"), School.name.label("label"), School.id.label("school_id"), *extra], []


def coverage_rows(
    session: Session,
    scope: Scope,
    term: Term,
    level: str,
    today: date,
    within: dict[str, int] | None = None,
    order: str = "coverage",
) -> list[CoverageRow]:
    """Coverage of every unit of `level` under `within` (e.g. {"county": 7}) in the scope: every
    active school counts, with or without a roster. Best first by coverage or by records submitted
    (`order`); units without students last, by key."""
    within = within or {}
    per_school = _student_figures(scope, term, level, today, within)
    unit, joins = _unit_columns(level, per_school)
    sums = {name: _sum(per_school.c[name]) for name in FIGURES}
    columns = [
        *unit,
        func.count(School.id).label("schools"),
        _count_if(~has_roster()).label("no_roster"),
        *[value.label(name) for name, value in sums.items()],
    ]
    stmt = select(*columns).select_from(School).outerjoin(per_school, per_school.c.school_id == School.id)
    if level in SCHOOL_LEVELS:
        staff = _staff_figures(scope, term)
        stmt = stmt.outerjoin(staff, staff.c.school_id == School.id).add_columns(
            _sum(staff.c.staff).label("staff"),
            _sum(staff.c.interviewed).label("interviewed"),
        )
    else:
        # Below a school the units are its grades or classes; a school without a roster is one line.
        stmt = stmt.where(or_(per_school.c.school_id.is_not(None), ~has_roster()))
    for target, on in joins:
        stmt = stmt.join(target, on)
    stmt = stmt.where(School.active.is_(True), scope.school_clause(School.id))
    stmt = within_units(stmt, within, SCHOOL_LEVELS)
    students = sums["students"]
    ranking = sums["visits"] if order == "visits" else sums["visited"] * 1.0 / func.nullif(students, 0)
    keys = [c for c in unit if c.name != "label"]
    stmt = stmt.group_by(*[c.element for c in unit]).order_by(case((students == 0, 1), else_=0), ranking.desc(), *keys)
    return [_row(r, level) for r in session.execute(explicitly_scoped(stmt, scope))]


def _row(r, level: str) -> CoverageRow:
    label = r.label or ""
    if level == "grade" and r.key is not None:
        label = f"{r.label} {grade_label(r.key)}年级"
    elif level == "class" and r.key is not None:
        label = f"{r.label} {class_label(r.grade, r.number)}"
    values = r._mapping
    return CoverageRow(
        key=r.key,
        label=label,
        school_id=values.get("school_id"),
        students=r.students,
        visited=r.visited,
        in_person=r.in_person,
        visits=r.visits,
        left_behind_monthly=r.monthly,
        focus={name: (values[f"{name}_n"], values[f"{name}_v"]) for name in FOCUS_TYPES},
        staff=values.get("staff"),
        staff_interviewed=values.get("interviewed"),
        problems=r.problems,
        schools=r.schools,
        no_roster=r.no_roster,
    )


def total(rows: list[CoverageRow], label: str = "合计") -> CoverageRow:
    """The sum of a level's rows (already aggregated units, not students)."""
    out = CoverageRow(None, label, None, 0, 0, 0, 0, 0, {name: (0, 0) for name in FOCUS_TYPES}, None, None)
    for row in rows:
        out.students += row.students
        out.visited += row.visited
        out.in_person += row.in_person
        out.visits += row.visits
        out.left_behind_monthly += row.left_behind_monthly
        out.problems += row.problems
        out.schools += row.schools
        out.no_roster += row.no_roster
        out.focus = {k: (out.focus[k][0] + row.focus[k][0], out.focus[k][1] + row.focus[k][1]) for k in FOCUS_TYPES}
        if row.staff is not None:
            out.staff = (out.staff or 0) + row.staff
            out.staff_interviewed = (out.staff_interviewed or 0) + row.staff_interviewed
    return out


def current_term(session: Session, today: date) -> Term | None:
    """The term today falls in, else the latest that has started."""
    return session.scalar(
        select(Term)
        .where(Term.start_date <= today)
        .order_by((Term.end_date >= today).desc(), Term.start_date.desc())
        .limit(1)
    )
