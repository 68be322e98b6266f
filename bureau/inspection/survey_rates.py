"""满意度 rates: per city, county or school, (满意 + 基本满意) answers over all answers of the four
questions, from the responses of a term's surveys. One grouped statement that starts from the
active schools in scope, so a school without targets or answers is listed — 未抽取 or 未录入答卷 —
and the weakest units never vanish.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import BigInteger, and_, case, cast, func, select
from sqlalchemy.orm import Session, aliased

from bureau.inspection.models import SURVEY_QUESTIONS, Survey, SurveyResponse, SurveyTarget
from bureau.tenants.guard import explicitly_scoped
from bureau.tenants.models import Region, School
from bureau.tenants.scope import Scope
from bureau.visits.coverage import unit_key, within_units
from bureau.visits.models import Term

DEFAULT_THRESHOLD = 80  # % : units below it are listed
POSITIVE = ("satisfied", "fair")  # 满意 and 基本满意 count as satisfied in the rate
RATE_LEVELS = {"city": "市", "county": "县(市、区)", "school": "学校"}
# The level a scope's page shows first; a school sees its own line.
FIRST_LEVEL = {"province": "city", "city": "county", "direct_county": "school", "county": "school", "school": "school"}
NEXT_RATE_LEVEL = {"city": "county", "county": "school"}

# Bulk SQL on the plain tables; the scope is applied by the statement itself (explicitly_scoped).
_survey, _target, _response = Survey.__table__, SurveyTarget.__table__, SurveyResponse.__table__


@dataclass
class RateRow:
    """The survey figures of one unit (a region or a school) in a term."""

    key: int | None
    label: str
    school_id: int | None
    schools: int
    targets: int
    responses: int
    positive: int  # 满意 + 基本满意 answers, all four questions
    not_drawn: int  # schools with no family drawn this term
    unanswered: int  # schools with families drawn but no response yet
    questions: dict[str, int] = field(default_factory=dict)  # question → its 满意 + 基本满意 answers

    @property
    def answers(self) -> int:
        return self.responses * len(SURVEY_QUESTIONS)

    @property
    def rate(self) -> float | None:
        """(满意 + 基本满意) / all answers; no answers is no rate (not 0 %)."""
        return self.positive / self.answers if self.answers else None

    @property
    def response_rate(self) -> float | None:
        return self.responses / self.targets if self.targets else None

    def question_rate(self, key: str) -> float | None:
        return self.questions[key] / self.responses if self.responses else None

    @property
    def mark(self) -> str:
        """What a unit without a rate is: 未抽取 (no family drawn) or 未录入答卷 (none answered)."""
        if self.answers:
            return ""
        return "未抽取" if self.targets == 0 else "未录入答卷"

    def below(self, threshold: int) -> bool:
        return self.rate is not None and self.rate * 100 < threshold


def _sum(column):
    return cast(func.coalesce(func.sum(column), 0), BigInteger)


def _positive(column):
    return case((column.in_(POSITIVE), 1), else_=0)


def rate_rows(
    session: Session, scope: Scope, term: Term, level: str, within: dict[str, int] | None = None
) -> list[RateRow]:
    """Every unit of `level` (city, county, school) under `within` in the scope, starting from its
    active schools: one statement, best rate first, units without answers last."""
    targets = (
        select(_target.c.school_id, func.count().label("targets"))
        .join(_survey, _survey.c.id == _target.c.survey_id)
        .where(_survey.c.term_id == term.id, scope.school_clause(_target.c.school_id))
        .group_by(_target.c.school_id)
        .subquery("targets")
    )
    positive = {key: _sum(_positive(_response.c[key])) for key in SURVEY_QUESTIONS}
    responses = (
        select(
            _response.c.school_id,
            func.count().label("responses"),
            *[value.label(key) for key, value in positive.items()],
        )
        .where(_response.c.term_id == term.id, scope.school_clause(_response.c.school_id))
        .group_by(_response.c.school_id)
        .subquery("responses")
    )
    key = unit_key(level)
    unit = [key.label("key")]
    if level == "school":
        unit += [School.name.label("label"), School.id.label("school_id")]
    else:
        region = aliased(Region)
        unit += [region.name.label("label")]
    n_targets, n_responses = _sum(targets.c.targets), _sum(responses.c.responses)
    questions = {k: _sum(responses.c[k]) for k in SURVEY_QUESTIONS}
    all_positive = sum(questions.values())
    stmt = (
        select(
            *unit,
            func.count(School.id).label("schools"),
            n_targets.label("targets"),
            n_responses.label("responses"),
            *[value.label(k) for k, value in questions.items()],
            _sum(case((targets.c.targets.is_(None), 1), else_=0)).label("not_drawn"),
            _sum(case((and_(targets.c.targets.is_not(None), responses.c.responses.is_(None)), 1), else_=0)).label(
                "unanswered"
            ),
        )
        .select_from(School)
        .outerjoin(targets, targets.c.school_id == School.id)
        .outerjoin(responses, responses.c.school_id == School.id)
        .where(School.active.is_(True), scope.school_clause(School.id))
    )
    if level != "school":
        stmt = stmt.join(region, region.id == key)
    stmt = within_units(stmt, within or {}, ("province", "city", "county", "school"))
    rate = all_positive * 1.0 / func.nullif(n_responses * len(SURVEY_QUESTIONS), 0)
    stmt = stmt.group_by(*[c.element for c in unit]).order_by(
        case((n_responses == 0, 1), else_=0), rate.desc(), unit[0].element
    )
    return [_rate_row(r) for r in session.execute(explicitly_scoped(stmt, scope))]


def _rate_row(r) -> RateRow:
    values = r._mapping
    questions = {k: values[k] for k in SURVEY_QUESTIONS}
    return RateRow(
        key=r.key,
        label=r.label or "",
        school_id=values.get("school_id"),
        schools=r.schools,
        targets=r.targets,
        responses=r.responses,
        positive=sum(questions.values()),
        not_drawn=r.not_drawn,
        unanswered=r.unanswered,
        questions=questions,
    )


def rate_total(rows: list[RateRow], label: str = "合计") -> RateRow:
    """The sum of a level's rows."""
    out = RateRow(None, label, None, 0, 0, 0, 0, 0, 0, {k: 0 for k in SURVEY_QUESTIONS})
    for row in rows:
        out.schools += row.schools
        out.targets += row.targets
        out.responses += row.responses
        out.positive += row.positive
        out.not_drawn += row.not_drawn
        out.unanswered += row.unanswered
        out.questions = {k: out.questions[k] + row.questions[k] for k in SURVEY_QUESTIONS}
    return out
