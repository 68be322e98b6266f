"""Inspection rules for the tenant guard: who reads and writes draws, rounds, inspections, phone
checks and surveys.

- Region users read what was made at, below or above their region; the rows of schools are
  scoped by the guard's tenant rule as every school's rows are.
- School users never see draws, phone-check batches or pending calls. They see an inspection of
  their school once its round is published — an unannounced one (明察暗访) only from its date —,
  a phone check once it has ended, and the surveys that drew families of theirs.
- Inspectors make draws, rounds, inspections and phone checks; inspectors and school admins
  record survey answers (a school admin for its own school, by the tenant rule).
"""

from __future__ import annotations

from sqlalchemy import and_, false, or_, select, true
from sqlalchemy.orm import Session, with_loader_criteria

from bureau import clock
from bureau.history import is_stored, stored, target
from bureau.inspection.models import (
    Inspection,
    InspectionPhoto,
    InspectionRound,
    PhoneCall,
    PhoneCheck,
    PhoneCheckBatch,
    SampleDraw,
    SampleFrameUnit,
    Survey,
    SurveyResponse,
    SurveyTarget,
)
from bureau.tenants.guard import read_rule, write_check, write_rule
from bureau.tenants.scope import Scope

# Who may write each kind of row (a school's rows are further held to the school by the guard).
WRITERS = {
    SampleDraw: ("inspector",),
    InspectionRound: ("inspector",),
    Inspection: ("inspector",),
    InspectionPhoto: ("inspector",),
    PhoneCheckBatch: ("inspector",),
    PhoneCheck: ("inspector",),
    PhoneCall: ("inspector",),
    Survey: ("inspector",),
    SurveyTarget: ("inspector",),
    SurveyResponse: ("inspector", "school_admin"),
}

_round, _inspection, _target = InspectionRound.__table__, Inspection.__table__, SurveyTarget.__table__


def school_sees_inspection(today):
    """The clause "a school's users may see this inspection today", on the plain tables: its
    round is published, and it is announced or its date has come."""
    published = select(_round.c.id).where(_round.c.state == "published")
    announced = published.where(_round.c.unannounced.is_(False))
    return lambda cls: or_(
        cls.round_id.in_(announced),
        and_(cls.round_id.in_(published), cls.scheduled_on.is_not(None), cls.scheduled_on <= today),
    )


def _region_rows(scope: Scope, model):
    """Rows made for a region: what the scope's regions (and those above it) made; none for schools."""
    if scope.is_school:
        return with_loader_criteria(model, lambda cls: false(), include_aliases=True)
    visible = scope.visible_regions()
    return with_loader_criteria(model, lambda cls: cls.region_id.in_(visible), include_aliases=True)


@read_rule
def _draws(scope: Scope):
    return _region_rows(scope, SampleDraw)


@read_rule
def _frames(scope: Scope):
    if scope.is_school:
        return with_loader_criteria(SampleFrameUnit, lambda cls: false(), include_aliases=True)
    visible = select(SampleDraw.__table__.c.id).where(SampleDraw.__table__.c.region_id.in_(scope.visible_regions()))
    return with_loader_criteria(SampleFrameUnit, lambda cls: cls.draw_id.in_(visible), include_aliases=True)


@read_rule
def _batches(scope: Scope):
    return _region_rows(scope, PhoneCheckBatch)


@read_rule
def _rounds(scope: Scope):
    if not scope.is_school:
        return _region_rows(scope, InspectionRound)
    seen = school_sees_inspection(clock.today())(_inspection.c)
    school_id = scope.node_id
    mine = select(_inspection.c.round_id).where(_inspection.c.school_id == school_id, seen)
    return with_loader_criteria(InspectionRound, lambda cls: cls.id.in_(mine), include_aliases=True)


@read_rule
def _inspections(scope: Scope):
    """明察暗访: the one read rule that hides an inspection from its school until its day."""
    if not scope.is_school:
        return with_loader_criteria(Inspection, lambda cls: true(), include_aliases=True)
    return with_loader_criteria(Inspection, school_sees_inspection(clock.today()), include_aliases=True)


@read_rule
def _inspection_photos(scope: Scope):
    if not scope.is_school:
        return with_loader_criteria(InspectionPhoto, lambda cls: true(), include_aliases=True)
    seen = school_sees_inspection(clock.today())(_inspection.c)
    visible = select(_inspection.c.id).where(seen)
    return with_loader_criteria(InspectionPhoto, lambda cls: cls.inspection_id.in_(visible), include_aliases=True)


@read_rule
def _phone_checks(scope: Scope):
    """A school's admin sees a phone check of its families once it has ended, never the call
    list; a teacher never sees one (the school's admin takes a 不属实 up with the visitor)."""
    if not scope.is_school:
        return with_loader_criteria(PhoneCheck, lambda cls: true(), include_aliases=True)
    if scope.role == "teacher":
        return with_loader_criteria(PhoneCheck, lambda cls: false(), include_aliases=True)
    return with_loader_criteria(PhoneCheck, lambda cls: cls.outcome.is_not(None), include_aliases=True)


@read_rule
def _phone_calls(scope: Scope):
    if not scope.is_school:
        return with_loader_criteria(PhoneCall, lambda cls: true(), include_aliases=True)
    return with_loader_criteria(PhoneCall, lambda cls: false(), include_aliases=True)


@read_rule
def _surveys(scope: Scope):
    if not scope.is_school:
        return _region_rows(scope, Survey)
    school_id = scope.node_id
    drawn = select(_target.c.survey_id).where(_target.c.school_id == school_id)
    return with_loader_criteria(Survey, lambda cls: cls.id.in_(drawn), include_aliases=True)


@write_check
def _writers(session: Session, scope: Scope, obj: object) -> bool | None:
    """Each inspection row is written only by the roles WRITERS names for it."""
    roles = WRITERS.get(type(obj))
    if roles is None:
        return None
    return scope.role in roles


def made_for_region(session: Session, scope: Scope, row) -> bool:
    """A region's row stays within the writer's region: as it is and as it will be."""
    after = target(session, row, "region")
    before = stored(row, "region") if is_stored(row) else after
    return all(region is not None and scope.covers_region(region) for region in (before, after))


@write_rule(SampleDraw)
def _draw_writes(session: Session, scope: Scope, draw: SampleDraw) -> bool:
    """A draw is written while it is made (its sample recorded once, in the same flushes): a
    draw whose frame hash is stored is published and never changed."""
    made = is_stored(draw) and stored(draw, "frame_sha256")
    return not made and made_for_region(session, scope, draw)


@write_rule(InspectionRound)
def _round_writes(session: Session, scope: Scope, round_: InspectionRound) -> bool:
    return made_for_region(session, scope, round_)


@write_rule(PhoneCheckBatch)
def _batch_writes(session: Session, scope: Scope, batch: PhoneCheckBatch) -> bool:
    return made_for_region(session, scope, batch)


@write_rule(Survey)
def _survey_writes(session: Session, scope: Scope, survey: Survey) -> bool:
    """A survey stays within the writer's region; once its families are drawn (its draw stored)
    it is never changed or removed: its draw, targets and answers stand on it."""
    drawn = is_stored(survey) and stored(survey, "draw_id") is not None
    return not drawn and made_for_region(session, scope, survey)


@read_rule
def _survey_responses(scope: Scope):
    """A teacher never reads the families' answers (their comments may be about that teacher)."""
    if scope.role == "teacher":
        return with_loader_criteria(SurveyResponse, lambda cls: false(), include_aliases=True)
    return with_loader_criteria(SurveyResponse, lambda cls: true(), include_aliases=True)


@write_check
def _response_of_a_drawn_family(session: Session, scope: Scope, obj: object) -> bool | None:
    """Only a drawn family answers: a response is its target's, for the target's student, survey
    and school, and is written once (never changed afterwards)."""
    if not isinstance(obj, SurveyResponse):
        return None
    if is_stored(obj):
        return False
    drawn = session.get(SurveyTarget, obj.target_id) if obj.target_id is not None else None
    return drawn is not None and (drawn.student_id, drawn.survey_id, drawn.school_id) == (
        obj.student_id,
        obj.survey_id,
        obj.school_id,
    )
