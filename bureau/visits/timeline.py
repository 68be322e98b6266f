"""A visit record's history (审核记录): each version submitted and each review decision.

Submissions are the record's versions; decisions are read back from the audit log, which holds
every write of the record with its author, so a record returned twice shows both returns and
their reasons without a table of its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bureau.audit import AuditLog
from bureau.tenants.models import User
from bureau.visits.models import VISIT_STATUSES, Visit, VisitVersion

DECISIONS = ("approved", "returned")


@dataclass(frozen=True)
class Step:
    """One line of the history: when, what (提交第2版, 退回, 通过), by whom, and the reason given."""

    at: datetime
    what: str
    by: str
    note: str | None = None


def _after(changes: dict, key: str):
    """The value an audit row set (an insert records every column, an update the changed ones)."""
    pair = changes.get(key)
    return pair[1] if isinstance(pair, list) and len(pair) == 2 else None


def decisions(session: Session, visit: Visit) -> list[Step]:
    """The review decisions of `visit`, oldest first, replayed from its audit rows: a decision is a
    write that sets reviewed_at and a status of 通过 or 退回; its note is the review_note in force."""
    rows = session.execute(
        select(AuditLog.at, AuditLog.changes, AuditLog.actor_name, User.display_name)
        .outerjoin(User, User.id == AuditLog.actor_id)
        .where(AuditLog.school_id == visit.school_id, AuditLog.table_name == "visit", AuditLog.row_id == visit.id)
        .order_by(AuditLog.at, AuditLog.id)
    ).all()
    steps, note = [], None
    for at, changes, actor_name, display_name in rows:
        if "review_note" in changes:
            note = _after(changes, "review_note")
        status = _after(changes, "status")
        if _after(changes, "reviewed_at") is not None and status in DECISIONS:
            steps.append(Step(at, VISIT_STATUSES[status], display_name or actor_name, note))
    if not steps and visit.reviewed_at is not None and visit.status in DECISIONS:
        # A record loaded without the audit (a bulk import of old records): its last decision only.
        reviewer = visit.reviewed_by
        by = (reviewer.display_name or reviewer.username) if reviewer else ""
        steps.append(Step(visit.reviewed_at, VISIT_STATUSES[visit.status], by, visit.review_note))
    return steps


def history(session: Session, visit: Visit, versions: list[VisitVersion]) -> list[Step]:
    """Submissions and decisions in the order they happened."""
    submitted = [Step(v.submitted_at, f"提交第{v.number}版", visit.staff.name) for v in versions]
    return sorted(submitted + decisions(session, visit), key=lambda step: step.at)
