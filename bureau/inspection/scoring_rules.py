"""Scoring rules for the tenant guard: who reads and writes deduction rules, settings,
deductions, objections and notices.

- The rules' catalogue and the settings are a bureau's: written by its inspectors within their
  region, read by everyone at or below it (a school reads its county's, city's and province's).
- A deduction is written once and never changed; only an inspector records one, or a school's
  admin for its own school when the nearest bureau's settings allow it. A reversal is a new
  entry; one of an inspector's deductions is reversed by an inspector only.
- A teacher reads only their own deductions and objections, and lodges an objection once, on a
  deduction of their own; an inspector decides it once.
- A notice is a region's row, written by its inspectors while a draft: published, it is frozen,
  and only then do the schools it names see it.
"""

from __future__ import annotations

from sqlalchemy import and_, select, true
from sqlalchemy.orm import Session, with_loader_criteria

from bureau.history import is_stored, stored
from bureau.inspection.rules import made_for_region
from bureau.inspection.scoring_models import (
    Deduction,
    DeductionRule,
    Notice,
    NoticeSchool,
    Objection,
    ScoringSetting,
)
from bureau.tenants.guard import read_rule, write_check, write_rule
from bureau.tenants.models import School
from bureau.tenants.scope import Scope
from bureau.visits.models import Staff

_deduction, _notice, _named = Deduction.__table__, Notice.__table__, NoticeSchool.__table__


def setting_for(session: Session, school: School) -> ScoringSetting | None:
    """The settings that apply to `school`: its county's, else its city's, else its province's
    (None: the defaults — base 100, school admins do not record deductions)."""
    chain = [i for i in (school.county_id, school.city_id, school.province_id) if i is not None]
    found = {s.region_id: s for s in session.scalars(select(ScoringSetting).where(ScoringSetting.region_id.in_(chain)))}
    return next((found[i] for i in chain if i in found), None)


def school_admin_may_deduct(session: Session, school: School) -> bool:
    setting = setting_for(session, school)
    return setting is not None and setting.school_admin_may_deduct


def _bureau_rows(scope: Scope, model):
    """A bureau's rows are read at and below its region (a school: its regions above)."""
    visible = scope.visible_regions()
    return with_loader_criteria(model, lambda cls: cls.region_id.in_(visible), include_aliases=True)


@read_rule
def _rules_read(scope: Scope):
    return _bureau_rows(scope, DeductionRule)


@read_rule
def _settings_read(scope: Scope):
    return _bureau_rows(scope, ScoringSetting)


@read_rule
def _deductions_read(scope: Scope):
    """A teacher reads the deductions against them only (their colleagues' are not theirs)."""
    if scope.role != "teacher":
        return with_loader_criteria(Deduction, lambda cls: true(), include_aliases=True)
    staff_id = scope.staff_id
    return with_loader_criteria(Deduction, lambda cls: cls.staff_id == staff_id, include_aliases=True)


@read_rule
def _objections_read(scope: Scope):
    if scope.role != "teacher":
        return with_loader_criteria(Objection, lambda cls: true(), include_aliases=True)
    own = select(_deduction.c.id).where(_deduction.c.staff_id == scope.staff_id)
    return with_loader_criteria(Objection, lambda cls: cls.deduction_id.in_(own), include_aliases=True)


@read_rule
def _notices_read(scope: Scope):
    """Region users read their region's notices (and those above); a school, the published
    notices that name it."""
    if not scope.is_school:
        return _bureau_rows(scope, Notice)
    school_id = scope.node_id
    naming = select(_named.c.notice_id).where(_named.c.school_id == school_id)
    return with_loader_criteria(
        Notice, lambda cls: and_(cls.state == "published", cls.id.in_(naming)), include_aliases=True
    )


@read_rule
def _named_read(scope: Scope):
    if not scope.is_school:
        return with_loader_criteria(NoticeSchool, lambda cls: true(), include_aliases=True)
    published = select(_notice.c.id).where(_notice.c.state == "published")
    return with_loader_criteria(NoticeSchool, lambda cls: cls.notice_id.in_(published), include_aliases=True)


@write_rule(DeductionRule)
def _rule_writes(session: Session, scope: Scope, rule: DeductionRule) -> bool:
    return scope.role == "inspector" and made_for_region(session, scope, rule)


@write_rule(ScoringSetting)
def _setting_writes(session: Session, scope: Scope, setting: ScoringSetting) -> bool:
    return scope.role == "inspector" and made_for_region(session, scope, setting)


@write_rule(Notice)
def _notice_writes(session: Session, scope: Scope, notice: Notice) -> bool:
    """A draft is written by the region's inspectors; a published notice never again."""
    published = is_stored(notice) and stored(notice, "state") == "published"
    return scope.role == "inspector" and not published and made_for_region(session, scope, notice)


@write_check
def _scoring_writes(session: Session, scope: Scope, obj: object) -> bool | None:
    """Deductions, objections and the schools a notice names (their school is held to the scope
    by the guard's tenant rule as well)."""
    if isinstance(obj, Deduction):
        return _deduction_write(session, scope, obj)
    if isinstance(obj, Objection):
        return _objection_write(session, scope, obj)
    if isinstance(obj, NoticeSchool):
        notice = obj.notice or session.get(Notice, obj.notice_id)
        return (
            scope.role == "inspector"
            and not is_stored(obj)
            and notice is not None
            and (not is_stored(notice) or stored(notice, "state") == "draft")
        )
    return None


def _deduction_write(session: Session, scope: Scope, deduction: Deduction) -> bool:
    if is_stored(deduction):
        return False  # never changed or deleted: a reversal is another entry
    if deduction.staff_id is not None:
        staff = deduction.staff or session.get(Staff, deduction.staff_id)
        if staff is None or staff.school_id != deduction.school_id:
            return False
    if scope.role == "inspector":
        return True
    if scope.role != "school_admin":
        return False
    if deduction.reverses_id is not None:
        original = session.get(Deduction, deduction.reverses_id)
        if original is None or original.recorded_by_role == "inspector":
            return False
    school = session.get(School, deduction.school_id or scope.node_id)
    return school is not None and school_admin_may_deduct(session, school)


def _objection_write(session: Session, scope: Scope, objection: Objection) -> bool:
    if scope.role == "teacher":
        if is_stored(objection) or objection.decision is not None:
            return False
        deduction = session.get(Deduction, objection.deduction_id) if objection.deduction_id else None
        return deduction is not None and deduction.staff_id == scope.staff_id and deduction.reverses_id is None
    if scope.role == "inspector":
        return is_stored(objection) and stored(objection, "decision") is None
    return False
