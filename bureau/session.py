"""What every read and every flush of db.session does, in one place and in order.

The hooks are on BureauSession (db.session's class), not on SQLAlchemy's Session, so no other
session in the process is touched. Before a flush, in this order:

1. place_ancestors: regions and schools get the ancestors of their (new) parent, and everything
   below a moved region follows it, so the later steps see each row as it will be stored;
2. end_sessions_on_change: a user whose password, role, scope or active flag changed gets a new
   session token, so old cookies stop at once;
3. guard_writes: any new, changed or deleted row outside the session's scope refuses the flush,
   judged on the placed rows (a school moved into another city is outside the old city's scope).

After the flush, write_audit records every row written, in the same transaction. Every ORM SELECT
gets the scope's loader criteria (scope_reads). Files written for the transaction (visit photos)
are kept when it commits and removed when it rolls back.
"""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session

from bureau.audit import write_audit
from bureau.extensions import BureauSession
from bureau.tenants.guard import guard_writes, scope_reads
from bureau.tenants.models import end_sessions_on_change, place_ancestors
from bureau.visits.records import keep_files, remove_files


@event.listens_for(BureauSession, "before_flush")
def _before_flush(session: Session, flush_context, instances) -> None:
    place_ancestors(session)
    end_sessions_on_change(session)
    guard_writes(session)


@event.listens_for(BureauSession, "after_flush")
def _after_flush(session: Session, flush_context) -> None:
    write_audit(session)


@event.listens_for(BureauSession, "after_commit")
def _after_commit(session: Session) -> None:
    keep_files(session)


@event.listens_for(BureauSession, "after_rollback")
def _after_rollback(session: Session) -> None:
    remove_files(session)


@event.listens_for(BureauSession, "do_orm_execute")
def _on_execute(state: ORMExecuteState) -> None:
    scope_reads(state)
