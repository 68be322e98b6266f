"""The ledger read: likely duplicates of a new problem (查重), counts by state and by category for
every school in scope, the overdue list, and the weekly report's figures (problems found and
closed in the week, registered on the 周调度's figure registry)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from difflib import SequenceMatcher

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session, aliased

from bureau import clock
from bureau.inspection.frames import schools_under
from bureau.ledger.models import ENDED, STATES, Problem, ProblemCategory
from bureau.progress.figures import Period, figure
from bureau.tenants.guard import explicitly_scoped
from bureau.tenants.models import Region, School
from bureau.tenants.scope import Scope

SAME_FAMILY_DAYS = 30  # the same student and category within this many days is a likely duplicate
SIMILAR = 0.8  # a text this similar (difflib ratio) is a likely duplicate
RECENT_TEXTS = 200  # how many of the school's latest open problems the text comparison reads
_problem = Problem.__table__


def _similar(a: str, b: str) -> bool:
    return SequenceMatcher(None, a, b).ratio() >= SIMILAR


def likely_duplicates(
    session: Session, school_id: int, student_id: int | None, category_id: int | None, text: str, now: datetime
) -> list[Problem]:
    """Problems of the same school a new one may repeat: the same student and category within
    SAME_FAMILY_DAYS, or a very similar text among the school's latest problems still owed."""
    since = now - timedelta(days=SAME_FAMILY_DAYS)
    found: dict[int, Problem] = {}
    if student_id is not None and category_id is not None:
        for p in session.scalars(
            select(Problem).where(
                Problem.school_id == school_id,
                Problem.student_id == student_id,
                Problem.category_id == category_id,
                Problem.created_at >= since,
                Problem.state != "merged",
            )
        ):
            found[p.id] = p
    text = (text or "").strip()
    if text:
        recent = session.scalars(
            select(Problem)
            .where(Problem.school_id == school_id, Problem.state.not_in(ENDED))
            .order_by(Problem.created_at.desc())
            .limit(RECENT_TEXTS)
        )
        for p in recent:
            if p.id not in found and _similar(text, p.description):
                found[p.id] = p
    return sorted(found.values(), key=lambda p: p.number)


def overdue_clause(today: date):
    return and_(_problem.c.state.not_in(ENDED), _problem.c.deadline < today)


@dataclass
class SchoolCounts:
    """One school's problems: by state, overdue, and all."""

    school_id: int
    code: str
    name: str
    county: str
    states: dict[str, int] = field(default_factory=dict)
    overdue: int = 0

    @property
    def total(self) -> int:
        return sum(self.states.values())

    @property
    def owed(self) -> int:
        return sum(n for state, n in self.states.items() if state not in ENDED)


def school_counts(session: Session, scope: Scope | None, region: Region, today: date) -> list[SchoolCounts]:
    """Every active school under `region` (and in `scope`), with its problems counted by state
    and overdue — one statement; a school with no problem is listed with zeros."""
    counted = select(
        _problem.c.school_id,
        *[func.count().filter(_problem.c.state == key).label(key) for key in STATES],
        func.count().filter(overdue_clause(today)).label("overdue"),
    ).group_by(_problem.c.school_id)
    if scope is not None:
        counted = counted.where(scope.school_clause(_problem.c.school_id))
    counted = counted.subquery("counted")
    county = aliased(Region)
    statement = (
        select(
            School.id,
            School.code,
            School.name,
            county.name,
            *[func.coalesce(counted.c[key], 0) for key in STATES],
            func.coalesce(counted.c.overdue, 0),
        )
        .join(county, county.id == School.county_id)
        .outerjoin(counted, counted.c.school_id == School.id)
        .where(School.active.is_(True), schools_under(region))
        .order_by(county.code, School.code)
    )
    if scope is not None:
        statement = statement.where(scope.school_rows_clause())
    rows = []
    for school_id, code, name, county_name, *numbers in session.execute(explicitly_scoped(statement, scope)):
        *by_state, overdue = numbers
        rows.append(SchoolCounts(school_id, code, name, county_name, dict(zip(STATES, by_state, strict=True)), overdue))
    return rows


def category_counts(session: Session, scope: Scope | None, region: Region) -> list[tuple[str, dict[str, int]]]:
    """Every category (in its order), with the problems of the region's schools by state: one
    statement; a category with none is listed with zeros."""
    counted = (
        select(_problem.c.category_id, _problem.c.state, func.count().label("n"))
        .join(School.__table__, School.__table__.c.id == _problem.c.school_id)
        .where(schools_under(region), School.__table__.c.active.is_(True))  # as school_counts
        .group_by(_problem.c.category_id, _problem.c.state)
    )
    if scope is not None:
        counted = counted.where(scope.school_clause(_problem.c.school_id))
    counted = counted.subquery("counted")
    statement = (
        select(ProblemCategory.name, counted.c.state, func.coalesce(counted.c.n, 0))
        .outerjoin(counted, counted.c.category_id == ProblemCategory.id)
        .order_by(ProblemCategory.position, ProblemCategory.id)
    )
    out: dict[str, dict[str, int]] = {}
    for name, state, n in session.execute(explicitly_scoped(statement, scope)):
        out.setdefault(name, dict.fromkeys(STATES, 0))
        if state is not None:
            out[name][state] = n
    return list(out.items())


def overdue_problems(session: Session, today: date, limit: int = 200, offset: int = 0):
    """Problems past their deadline and not ended, as the session may read them, longest overdue
    first."""
    return session.scalars(
        select(Problem)
        .where(Problem.state.not_in(ENDED), Problem.deadline < today)
        .order_by(Problem.deadline, Problem.school_id, Problem.number)
        .offset(offset)
        .limit(limit)
    ).all()


def _week_bounds(period: Period) -> tuple[datetime, datetime]:
    start = datetime.combine(period.week_start, time.min, tzinfo=clock.LOCAL)
    return start, start + timedelta(days=7)


@figure("problems_found_week", "本周发现问题", "个")
def problems_found_week(session: Session, school_id: int, period: Period) -> int:
    start, end = _week_bounds(period)
    return session.scalar(
        select(func.count())
        .select_from(_problem)
        .where(_problem.c.school_id == school_id, _problem.c.created_at >= start, _problem.c.created_at < end)
    )


@figure("problems_closed_week", "本周销号问题", "个")
def problems_closed_week(session: Session, school_id: int, period: Period) -> int:
    start, end = _week_bounds(period)
    return session.scalar(
        select(func.count())
        .select_from(_problem)
        .where(_problem.c.school_id == school_id, _problem.c.closed_at >= start, _problem.c.closed_at < end)
    )
