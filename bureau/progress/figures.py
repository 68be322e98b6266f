"""The figures a weekly report carries, filled in from the data when it is submitted.

Each figure is one registration: a key, a Chinese label and an aggregate query. Adding
"problems found / closed this week" when the problem ledger exists is one more `@figure`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bureau.tenants.scope import Scope
from bureau.visits.coverage import counted_visit, coverage_rows
from bureau.visits.models import IN_PERSON_MODES, Campaign, Student, Term, Visit

Number = int | float


@dataclass(frozen=True)
class Period:
    """The week a report covers, and the term its cumulative figures count in."""

    week_start: date
    term_id: int

    @property
    def week_end(self) -> date:
        return self.week_start + timedelta(days=6)

    @classmethod
    def of(cls, campaign: Campaign, week_start: date) -> Period:
        return cls(week_start, campaign.term_id)


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    compute: Callable[[Session, int, Period], Number]
    unit: str = ""


FIGURES: dict[str, Figure] = {}


def figure(key: str, label: str, unit: str = ""):
    """Register a figure: `@figure("key", "中文名")` on a function (session, school_id, period)."""

    def register(compute: Callable[[Session, int, Period], Number]):
        FIGURES[key] = Figure(key, label, compute, unit)
        return compute

    return register


def compute_figures(session: Session, school_id: int, period: Period) -> dict[str, Number]:
    """Every registered figure of one school for one period."""
    return {key: fig.compute(session, school_id, period) for key, fig in FIGURES.items()}


def label_of(key: str) -> str:
    """The Chinese label of a stored figure (a figure since unregistered shows its key)."""
    return FIGURES[key].label if key in FIGURES else key


def _family_visits(school_id: int, period: Period, this_week: bool):
    """Counted visits of a school in the period's term up to the week's Sunday (or in the week
    only), by the coverage's one definition."""
    query = select(func.count(Visit.id)).where(
        Visit.school_id == school_id,
        Visit.term_id == period.term_id,
        counted_visit(),
        Visit.visited_on <= period.week_end,
    )
    return query.where(Visit.visited_on >= period.week_start) if this_week else query


@figure("visits_week", "本周家访（次）")
def _visits_week(session: Session, school_id: int, period: Period) -> int:
    return session.scalar(_family_visits(school_id, period, this_week=True)) or 0


@figure("visits_term", "本学期累计家访（次）")
def _visits_term(session: Session, school_id: int, period: Period) -> int:
    return session.scalar(_family_visits(school_id, period, this_week=False)) or 0


@figure("in_person_week", "本周上门或到校面谈（次）")
def _in_person_week(session: Session, school_id: int, period: Period) -> int:
    query = _family_visits(school_id, period, this_week=True)
    return session.scalar(query.where(Visit.mode.in_(IN_PERSON_MODES))) or 0


@figure("left_behind_week", "本周联系留守/单亲家庭（次）")
def _left_behind_week(session: Session, school_id: int, period: Period) -> int:
    query = _family_visits(school_id, period, this_week=True)
    query = query.join(Student, Student.id == Visit.student_id).where(Student.left_behind)
    return session.scalar(query) or 0


@figure("coverage_pct", "本学期家访覆盖率", unit="%")
def _coverage_pct(session: Session, school_id: int, period: Period) -> float:
    """Share of active students with at least one family visit this term by the week's Sunday."""
    term = session.get(Term, period.term_id)
    rows = coverage_rows(session, Scope("school", school_id), term, "school", period.week_end)
    coverage = rows[0].coverage if rows else None  # None: the school has no roster yet
    return round(100 * coverage, 1) if coverage is not None else 0.0
