"""Ledger rules for the tenant guard.

- A problem and its history are the school's rows (the guard's tenant rule): region users read
  their schools' problems; teachers do not use the ledger. Who raised a problem is shown only to
  school staff and inspectors (`reporter_visible`, used by every page and export).
- Written by a school's admin, an inspector or a region admin (the workflow decides which
  action each may take); a problem is never deleted, and its events and follow-ups are written
  once and never changed.
- The categories are the province's list: written by a province's region admins, read by all.
"""

from __future__ import annotations

from sqlalchemy import false, true
from sqlalchemy.orm import Session, with_loader_criteria

from bureau.history import is_stored
from bureau.ledger.models import FollowUp, Problem, ProblemCategory, ProblemEvent
from bureau.tenants.guard import read_rule, write_check, write_rule
from bureau.tenants.scope import Scope

WRITERS = ("school_admin", "inspector", "region_admin")
REPORTER_READERS = ("school_admin", "inspector")


def reporter_visible(role: str | None) -> bool:
    """Who raised a problem (name, phone) is private to school staff and inspectors."""
    return role in REPORTER_READERS


def _teachers_none(model):
    def rule(scope: Scope):
        if scope.role == "teacher":
            return with_loader_criteria(model, lambda cls: false(), include_aliases=True)
        return with_loader_criteria(model, lambda cls: true(), include_aliases=True)

    return rule


for _model in (Problem, ProblemEvent, FollowUp):
    read_rule(_teachers_none(_model))


@write_check
def _ledger_writes(session: Session, scope: Scope, obj: object) -> bool | None:
    if not isinstance(obj, Problem | ProblemEvent | FollowUp):
        return None
    if scope.role not in WRITERS or obj in session.deleted:
        return False
    if isinstance(obj, ProblemEvent | FollowUp) and is_stored(obj):
        return False  # the history is written once
    return True


@write_rule(ProblemCategory)
def _category_writes(session: Session, scope: Scope, category: ProblemCategory) -> bool:
    """The categories are the province's one list: its region admins keep it."""
    return scope.role == "region_admin" and scope.level == "province" and category not in session.deleted
