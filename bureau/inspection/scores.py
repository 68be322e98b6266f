"""Scores (量化得分) of a term, computed in SQL from the deductions that stand.

A teacher's score = the base (the nearest bureau's setting, default 100) − the sum of their
entries of the term (a reversal's negative points cancel the deduction it reverses).
A school's figures: its own deductions (rules of the school), its teachers' total and average
(over its active staff) and how many of them lost points; its score = base − its own
deductions − its teachers' average. A school with no staff has no average and no score: it is
listed last, marked 未导入教职工, and never ranked. Rankings (RANK: ties share a place) are of
teachers within a school and of schools within a county.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import Integer, case, func, literal, select
from sqlalchemy.orm import Session, aliased

from bureau.inspection.frames import schools_under
from bureau.inspection.scoring_models import DEFAULT_BASE, Deduction, ScoringSetting
from bureau.inspection.scoring_rules import setting_for
from bureau.tenants.guard import explicitly_scoped
from bureau.tenants.models import Region, School
from bureau.tenants.scope import Scope
from bureau.visits.models import Staff, Term

CENT = Decimal("0.01")
NO_STAFF = "未导入教职工"
_d, _staff = Deduction.__table__, Staff.__table__


def points(value) -> Decimal:
    """A figure of points as shown and exported: two decimals, half up (0.335 → 0.34)."""
    return Decimal(str(value or 0)).quantize(CENT, rounding=ROUND_HALF_UP)


def _count_if(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _entries(table):
    """Deductions that stand: each reversal cancels exactly one deduction."""
    return _count_if(table.c.reverses_id.is_(None)) - _count_if(table.c.reverses_id.is_not(None))


@dataclass
class TeacherScore:
    staff_id: int
    name: str
    position: str
    deductions: int  # deductions that stand
    deducted: Decimal
    score: Decimal
    rank: int


def base_of(session: Session, school: School) -> Decimal:
    setting = setting_for(session, school)
    return setting.base_score if setting is not None else DEFAULT_BASE


def teacher_scores(session: Session, scope: Scope | None, school: School, term: Term) -> list[TeacherScore]:
    """Every active staff member of `school` with their term's score and rank in the school,
    those without deductions included: two statements (the settings, the scores)."""
    base = base_of(session, school)
    net = (
        select(_d.c.staff_id, func.sum(_d.c.points).label("deducted"), _entries(_d).label("entries"))
        .where(_d.c.school_id == school.id, _d.c.term_id == term.id, _d.c.staff_id.is_not(None))
        .group_by(_d.c.staff_id)
        .subquery("net")
    )
    deducted = func.coalesce(net.c.deducted, 0)
    score = literal(base) - deducted
    statement = (
        select(
            _staff.c.id,
            _staff.c.name,
            _staff.c.position,
            func.coalesce(net.c.entries, 0),
            deducted,
            score,
            func.rank().over(order_by=score.desc()),
        )
        .outerjoin(net, net.c.staff_id == _staff.c.id)
        .where(_staff.c.school_id == school.id, _staff.c.active.is_(True))
        .order_by(score.desc(), _staff.c.position != "班主任", _staff.c.id)
    )
    if scope is not None:
        statement = statement.where(scope.school_clause(_staff.c.school_id))
    rows = session.execute(explicitly_scoped(statement, scope))
    return [TeacherScore(i, name, pos, int(n), points(d), points(s), int(r)) for i, name, pos, n, d, s, r in rows]


@dataclass
class SchoolScore:
    school_id: int
    code: str
    name: str
    county: str
    staff: int
    teachers_deducted: int
    teacher_points: Decimal
    school_points: Decimal
    base: Decimal
    average: Decimal | None  # the teachers' average deduction; None without staff
    score: Decimal | None
    rank: int | None

    @property
    def total(self) -> Decimal:
        return self.teacher_points + self.school_points

    @property
    def mark(self) -> str:
        return NO_STAFF if self.staff == 0 else ""


def school_scores(session: Session, scope: Scope | None, region: Region, term: Term) -> list[SchoolScore]:
    """Every active school under `region` (and in `scope`) with its term's figures and its rank
    in its county, those without deductions included: one statement."""

    # Each part reads the region's schools only (and the scope's): a county's figures never
    # aggregate the whole province's deductions first.
    in_region = select(School.__table__.c.id).where(schools_under(region))

    def scoped(statement, column):
        statement = statement.where(column.in_(in_region))
        return statement.where(scope.school_clause(column)) if scope is not None else statement

    per_staff = scoped(
        select(_d.c.school_id, _d.c.staff_id, func.sum(_d.c.points).label("net"))
        .where(_d.c.term_id == term.id, _d.c.staff_id.is_not(None))
        .group_by(_d.c.school_id, _d.c.staff_id),
        _d.c.school_id,
    ).subquery("per_staff")
    teachers = (
        select(
            per_staff.c.school_id,
            func.sum(per_staff.c.net).label("points"),
            _count_if(per_staff.c.net > 0).label("deducted"),
        )
        .group_by(per_staff.c.school_id)
        .subquery("teachers")
    )
    own = scoped(
        select(_d.c.school_id, func.sum(_d.c.points).label("points"))
        .where(_d.c.term_id == term.id, _d.c.staff_id.is_(None))
        .group_by(_d.c.school_id),
        _d.c.school_id,
    ).subquery("own")
    staff = scoped(
        select(_staff.c.school_id, func.count().label("n"))
        .where(_staff.c.active.is_(True))
        .group_by(_staff.c.school_id),
        _staff.c.school_id,
    ).subquery("staff")
    settings = [aliased(ScoringSetting) for _ in range(3)]
    base = func.coalesce(*[s.base_score for s in settings], literal(DEFAULT_BASE))
    n = func.coalesce(staff.c.n, 0)
    teacher_points = func.coalesce(teachers.c.points, 0)
    school_points = func.coalesce(own.c.points, 0)
    average = teacher_points * 1.0 / func.nullif(n, 0)  # * 1.0: SQLite keeps whole points as integers
    score = base - school_points - average
    has_staff = case((n > 0, 1), else_=0)
    county = aliased(Region)
    statement = (
        select(
            School.id,
            School.code,
            School.name,
            county.name,
            n,
            func.coalesce(teachers.c.deducted, 0),
            teacher_points,
            school_points,
            base,
            average,
            score,
            func.rank().over(partition_by=(School.county_id, has_staff), order_by=score.desc()).cast(Integer),
        )
        .join(county, county.id == School.county_id)
        .outerjoin(teachers, teachers.c.school_id == School.id)
        .outerjoin(own, own.c.school_id == School.id)
        .outerjoin(staff, staff.c.school_id == School.id)
        .outerjoin(settings[0], settings[0].region_id == School.county_id)
        .outerjoin(settings[1], settings[1].region_id == School.city_id)
        .outerjoin(settings[2], settings[2].region_id == School.province_id)
        .where(School.active.is_(True), schools_under(region))
        .order_by(county.code, has_staff.desc(), score.desc(), School.code)
    )
    if scope is not None:
        statement = statement.where(scope.school_rows_clause())
    return [_school_row(row) for row in session.execute(explicitly_scoped(statement, scope))]


def _school_row(row) -> SchoolScore:
    school_id, code, name, county, n, deducted, teacher_points, school_points, base, average, score, rank = row
    return SchoolScore(
        school_id,
        code,
        name,
        county,
        int(n),
        int(deducted),
        points(teacher_points),
        points(school_points),
        points(base),
        points(average) if n else None,
        points(score) if n else None,
        int(rank) if n else None,
    )
