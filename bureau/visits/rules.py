"""Visit rules for the tenant guard: a teacher reads and writes only the visits they made,
a campaign belongs to the region that runs it, and terms are the province's.

A teacher's scope carries `staff_id` (their linked staff row, or NO_STAFF when none is
linked, which matches nothing); other users' scopes have none and see their schools' visits.
"""

from __future__ import annotations

from sqlalchemy import or_, select, true
from sqlalchemy.orm import Session, with_loader_criteria

from bureau.history import is_stored, stored, target
from bureau.tenants.guard import read_rule, write_check, write_rule
from bureau.tenants.scope import Scope
from bureau.visits.models import Campaign, Term, Visit, VisitPhoto, VisitVersion

NO_STAFF = 0  # the staff_id of a teacher whose login is linked to no staff row


def _own_visits(staff_id: int):
    return select(Visit.id).where(or_(Visit.staff_id == staff_id, Visit.staff2_id == staff_id))


# Rules are lambdas of the entity (so aliases are covered), closing over ids and selects only.
@read_rule
def _teacher_visits(scope: Scope):
    if scope.staff_id is None:
        return with_loader_criteria(Visit, lambda cls: true(), include_aliases=True)
    staff_id = scope.staff_id
    return with_loader_criteria(
        Visit, lambda cls: or_(cls.staff_id == staff_id, cls.staff2_id == staff_id), include_aliases=True
    )


@read_rule
def _teacher_photos(scope: Scope):
    if scope.staff_id is None:
        return with_loader_criteria(VisitPhoto, lambda cls: true(), include_aliases=True)
    own = _own_visits(scope.staff_id)
    return with_loader_criteria(VisitPhoto, lambda cls: cls.visit_id.in_(own), include_aliases=True)


@read_rule
def _teacher_versions(scope: Scope):
    if scope.staff_id is None:
        return with_loader_criteria(VisitVersion, lambda cls: true(), include_aliases=True)
    own = _own_visits(scope.staff_id)
    return with_loader_criteria(VisitVersion, lambda cls: cls.visit_id.in_(own), include_aliases=True)


@read_rule
def _campaign_regions(scope: Scope):
    visible = scope.visible_regions()
    return with_loader_criteria(Campaign, lambda cls: cls.region_id.in_(visible), include_aliases=True)


@write_check
def _teacher_writes(session: Session, scope: Scope, obj: object) -> bool | None:
    if scope.staff_id is None:
        return None
    if isinstance(obj, VisitPhoto | VisitVersion):
        obj = obj.visit or session.get(Visit, obj.visit_id)
        if obj is None:
            return False
    if isinstance(obj, Visit):
        return scope.staff_id in (obj.staff_id, obj.staff2_id, obj.staff.id if obj.staff else None)
    return None


@write_rule(Term)
def _term_writes(session: Session, scope: Scope, term: Term) -> bool:
    """Terms are the whole province's calendar: only a province's region admins write them."""
    return scope.role == "region_admin" and scope.level == "province"


@write_rule(Campaign)
def _campaign_writes(session: Session, scope: Scope, campaign: Campaign) -> bool:
    """A campaign is written by the admins of the region that runs it (or above), and stays
    within their region: judged on the region it has and the one it will have."""
    if scope.role != "region_admin":
        return False
    after = target(session, campaign, "region")
    before = stored(campaign, "region") if is_stored(campaign) else after
    return all(region is not None and scope.covers_region(region) for region in (before, after))
