"""满意度调查: a term's survey of a scope's families, drawn per class; the answers; the rates.

- The frame is every active student (one family each) of the scope's active schools, one stratum
  per class (f"{school code}/{grade}-{number}"), unit code f"{school code}/{学号}", drawn by the one
  sampling service: `percent` % of each class, rounded up (a class of 5 gives 3 at 50 %).
- "Surveyed" means ANSWERED: a family with a SurveyResponse in an earlier term of the same school
  year. In the second term of a school year (a term whose school year already had a term) the
  answered families are deferred and every other family is drawn (`all_fresh`), then each class is
  topped up to `percent` % from the deferred, in ticket order. A family drawn in the first term
  but never reached is therefore asked again first, and by the year's end every family has been
  asked. The draw reads the answers recorded when it is made.
- A response belongs to a drawn family (its SurveyTarget), one per target, each of the four
  questions 满意 / 基本满意 / 不满意.
- The rates are `survey_rates`.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import ColumnElement, String, case, cast, func, literal, or_, select
from sqlalchemy.orm import Session

from bureau import clock
from bureau.inspection.frames import schools_under
from bureau.inspection.models import SATISFACTION, SURVEY_QUESTIONS, Survey, SurveyResponse, SurveyTarget
from bureau.inspection.sampling import DEFERRED, Frame, Size, make_draw, sampled_codes
from bureau.tenants.models import Region, School, User
from bureau.tenants.scope import Scope
from bureau.visits.calendar import school_year
from bureau.visits.models import SchoolClass, Student, Term, class_label

MIN_PERCENT, DEFAULT_PERCENT = 50, 50
MAX_NAME, MAX_COMMENTS = 100, 1000
TARGET_BATCH = 1000

# Frames and checks are bulk SQL on the plain tables, bounded by the region they are given.
_student, _class, _school = Student.__table__, SchoolClass.__table__, School.__table__
_survey, _target, _response, _region = (
    Survey.__table__,
    SurveyTarget.__table__,
    SurveyResponse.__table__,
    Region.__table__,
)


class SurveyError(ValueError):
    """A survey or a response refused; the message is for the user and nothing is written."""


def earlier_terms(session: Session, term: Term) -> list[Term]:
    """The terms of `term`'s school year that started before it."""
    first, _ = school_year(term.start_date)
    return list(
        session.scalars(
            select(Term).where(Term.start_date >= first, Term.start_date < term.start_date).order_by(Term.start_date)
        )
    )


def _families(region: Region):
    """FROM/WHERE of the frame: active students of the active schools under `region`."""
    return (
        select()
        .select_from(_student)
        .join(_class, _class.c.id == _student.c.class_id)
        .join(_school, _school.c.id == _student.c.school_id)
        .where(schools_under(region), _school.c.active.is_(True), _student.c.active.is_(True))
    )


def _unit_code():
    return _school.c.code + "/" + _student.c.number


def _stratum_code():
    return _school.c.code + "/" + cast(_class.c.grade, String) + "-" + cast(_class.c.number, String)


def answered_in(term_ids: list[int]):
    """SELECT of the students (families) with a response in one of `term_ids`."""
    return select(_response.c.student_id).where(_response.c.term_id.in_(term_ids))


def survey_frame(session: Session, region: Region, term: Term) -> tuple[Frame, list[Term]]:
    """The frame of a survey of `region` in `term`, and the earlier terms of its school year whose
    answered families are deferred (none in a first term)."""
    earlier = earlier_terms(session, term)
    status = literal("")
    if earlier:
        status = case((_student.c.id.in_(answered_in([t.id for t in earlier])), literal(DEFERRED)), else_=literal(""))
    units = _families(region).add_columns(
        _stratum_code().label("stratum"), _unit_code().label("code"), status.label("status")
    )
    labels = session.execute(
        select(_stratum_code(), _school.c.name, _class.c.grade, _class.c.number)
        .select_from(_class)
        .join(_school, _school.c.id == _class.c.school_id)
        .where(schools_under(region))
    )
    return Frame(units, {code: f"{name} {class_label(g, n)}" for code, name, g, n in labels}), earlier


def _check_survey(session: Session, name: str, region: Region, term: Term, percent) -> tuple[str, int]:
    name = (name or "").strip()
    if not name:
        raise SurveyError("请填写调查名称。")
    if len(name) > MAX_NAME:
        raise SurveyError(f"调查名称最长 {MAX_NAME} 个字，现有 {len(name)} 个。")
    if not isinstance(percent, int) or isinstance(percent, bool) or not MIN_PERCENT <= percent <= 100:
        raise SurveyError(f"抽取比例须在 {MIN_PERCENT}% 到 100% 之间（每学期至少调查一半家庭）。")
    if term.end_date < clock.today():
        raise SurveyError(f"{term.name}已于 {term.end_date:%Y-%m-%d} 结束，不能再为它抽取调查家庭。")
    overlap = session.scalar(
        select(_survey.c.name)
        .join(_region, _region.c.id == _survey.c.region_id)
        .where(_survey.c.term_id == term.id, _overlaps(region))
        .limit(1)
    )
    if overlap is not None:
        raise SurveyError(f"{term.name}已有覆盖这一范围的调查「{overlap}」：每所学校每学期只抽取一次。")
    return name, percent


def _overlaps(region: Region) -> ColumnElement[bool]:
    """Over the plain region table: a region at, above or below `region` (their schools meet)."""
    above = [i for i in (region.province_id, region.city_id) if i is not None]
    return or_(
        _region.c.id == region.id,
        _region.c.id.in_(above),
        _region.c.province_id == region.id,
        _region.c.city_id == region.id,
    )


def make_survey(
    session: Session,
    *,
    name: str,
    region: Region,
    term: Term,
    percent: int = DEFAULT_PERCENT,
    seed: str | None,
    drawn_by: User | None,
    drawn_by_name: str = "",
) -> Survey:
    """A survey of `region` in `term`: its draw and one SurveyTarget per drawn family (flush)."""
    name, percent = _check_survey(session, name, region, term, percent)
    survey = Survey(
        name=name,
        region=region,
        term=term,
        percent=percent,
        created_by_id=drawn_by.id if drawn_by else None,
        created_at=clock.now(),
    )
    session.add(survey)
    session.flush()
    frame, earlier = survey_frame(session, region, term)
    draw = make_draw(
        session,
        purpose="survey",
        region=region,
        per="class",
        size=Size(percent=percent, all_fresh=bool(earlier)),
        seed=seed,
        frame=frame,
        drawn_by=drawn_by,
        drawn_by_name=drawn_by_name,
        params={
            "survey_id": survey.id,
            "term_id": term.id,
            "deferred_terms": [t.id for t in earlier],
            "deferred": "本学年此前学期已作答的家庭" if earlier else "",
        },
    )
    survey.draw_id = draw.id
    _add_targets(session, survey, region, {code for _, code, _ in sampled_codes(draw)})
    session.flush()
    return survey


def _add_targets(session: Session, survey: Survey, region: Region, codes: set[str]) -> None:
    """One target per drawn family: the frame's students streamed once, those drawn kept."""
    rows = session.execute(
        _families(region)
        .add_columns(_student.c.id, _student.c.class_id, _student.c.school_id, _unit_code().label("code"))
        .execution_options(yield_per=TARGET_BATCH)
    )
    batch = []
    for student_id, class_id, school_id, code in rows:
        if code in codes:
            batch.append(SurveyTarget(survey=survey, student_id=student_id, class_id=class_id, school_id=school_id))
    for start in range(0, len(batch), TARGET_BATCH):
        session.add_all(batch[start : start + TARGET_BATCH])
        session.flush()


def record_response(
    session: Session, target: SurveyTarget, answers: dict[str, str | None], comments: str | None, recorded_by: User
) -> SurveyResponse:
    """The drawn family's answers (flush): each question one of SATISFACTION, one per target."""
    missing = [label for key, label in SURVEY_QUESTIONS.items() if answers.get(key) not in SATISFACTION]
    if missing:
        raise SurveyError("请为每个问题选择满意、基本满意或不满意：" + "；".join(f"「{m}」" for m in missing) + "。")
    comments = (comments or "").strip() or None
    if comments and len(comments) > MAX_COMMENTS:
        raise SurveyError(f"意见建议最长 {MAX_COMMENTS} 个字，现有 {len(comments)} 个。")
    if session.scalar(select(_response.c.id).where(_response.c.target_id == target.id)) is not None:
        raise SurveyError("这户家庭本次调查的答卷已经录入，每户只录一份。")
    response = SurveyResponse(
        school_id=target.school_id,
        survey_id=target.survey_id,
        target_id=target.id,
        student_id=target.student_id,
        term_id=target.survey.term_id,
        comments=comments,
        recorded_at=clock.now(),
        recorded_by_id=recorded_by.id,
        **{key: answers[key] for key in SURVEY_QUESTIONS},
    )
    session.add(response)
    session.flush()
    return response


def term_surveys(session: Session, scope: Scope) -> Iterator[tuple[Survey, int, int]]:
    """The surveys the user reads (the guard's rule), newest first, each with its targets and
    responses within the scope: two statements whatever the number of surveys."""
    surveys = session.scalars(select(Survey).order_by(Survey.created_at.desc(), Survey.id.desc()).limit(200)).all()
    ids = [s.id for s in surveys]
    counts = dict.fromkeys(ids, (0, 0))
    if ids:
        answered = (
            select(_response.c.target_id)
            .where(_response.c.survey_id.in_(ids), scope.school_clause(_response.c.school_id))
            .subquery()
        )
        rows = session.execute(
            select(_target.c.survey_id, func.count(), func.count(answered.c.target_id))
            .outerjoin(answered, answered.c.target_id == _target.c.id)
            .where(_target.c.survey_id.in_(ids), scope.school_clause(_target.c.school_id))
            .group_by(_target.c.survey_id)
        )
        counts.update({survey_id: (n, done) for survey_id, n, done in rows})
    for survey in surveys:
        yield survey, *counts[survey.id]
