"""The audit log: every insert, update and delete of a domain row, written in the same flush."""

from __future__ import annotations

import datetime as dt
import decimal
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, insert, inspect, or_
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship, with_loader_criteria

from bureau import clock
from bureau.db_types import UTCDateTime
from bureau.extensions import db
from bureau.tenants.guard import read_rule
from bureau.tenants.models import LoginAttempt, LoginLock, Region, School, User
from bureau.tenants.scope import Scope

ACTOR_KEY = "bureau.actor"
ACTIONS = {"insert": "新增", "update": "修改", "delete": "删除"}
SECRET_COLUMNS = {"password_hash", "session_token"}


@dataclass
class TableLabels:
    """How the audit log names a table in Chinese: its rows (家访记录), its fields (状态) and their
    stored values (pending → 待审核); `page` is the page of one row, as (endpoint, id argument)."""

    name: str = ""
    fields: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict] = field(default_factory=dict)
    page: tuple[str, str] | None = None


# table → its labels: the one mapping the audit log reads. The console's own lists and forms fill it
# first (bureau.admin.audit); each domain adds what no console list shows, with `label_table`.
LABELS: dict[str, TableLabels] = {}


def label_table(
    table: str,
    name: str = "",
    fields: dict[str, str] | None = None,
    values: dict[str, dict] | None = None,
    page: tuple[str, str] | None = None,
) -> TableLabels:
    """Add a domain's names to a table's labels, keeping any already given; the console's own labels
    (learnt by bureau.admin.audit) replace them, so a field reads in the log as in its list."""
    labels = LABELS.setdefault(table, TableLabels())
    labels.name = labels.name or name
    labels.page = labels.page or page
    for key, text in (fields or {}).items():
        labels.fields.setdefault(key, text)
    for key, choices in (values or {}).items():
        labels.values.setdefault(key, dict(choices))
    return labels


def table_label(table: str) -> str:
    """家访记录 for `visit`: the Chinese name of a table's rows (the raw name if none was given)."""
    labels = LABELS.get(table)
    return labels.name if labels is not None and labels.name else table


class AuditLog(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    actor_name: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(10))
    table_name: Mapped[str] = mapped_column(String(64))
    row_id: Mapped[int | None]
    school_id: Mapped[int | None] = mapped_column(ForeignKey("school.id", ondelete="SET NULL"))
    region_id: Mapped[int | None] = mapped_column(ForeignKey("region.id", ondelete="SET NULL"))
    reason: Mapped[str | None] = mapped_column(String(500))
    changes: Mapped[dict] = mapped_column(JSON, default=dict)

    school: Mapped[School | None] = relationship(lazy="joined")

    __table_args__ = (
        Index("ix_audit_log_school_id_at", "school_id", "at"),
        Index("ix_audit_log_region_id_at", "region_id", "at"),
    )

    def __str__(self) -> str:
        number = f" #{self.row_id}" if self.row_id is not None else ""
        return f"{ACTIONS.get(self.action, self.action)}{table_label(self.table_name)}{number}"


@read_rule
def _audit_rule(scope: Scope):
    schools, regions = scope.schools(), scope.regions()
    return with_loader_criteria(
        AuditLog,
        lambda cls: or_(cls.school_id.in_(schools), cls.region_id.in_(regions)),
        include_aliases=True,
    )


def set_actor(session: Session, user: User | None, name: str | None = None) -> None:
    """Who the following writes are by: a signed-in user, or a named process (命令行)."""
    session.info[ACTOR_KEY] = (user.id, str(user)) if user is not None else (None, name or "系统")


def set_reason(session: Session, reason: str | None) -> None:
    """A reason recorded with the writes of the next flush (unlock, handover...)."""
    session.info["bureau.reason"] = reason


def _plain(value):
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, bytes):
        return f"<{len(value)} bytes>"
    return value


def _owner(obj, action: str) -> tuple[int | None, int | None]:
    """(school_id, region_id) an audit row belongs to, for scoping the log itself.

    A deleted school or region is recorded against its parent: its own row is gone.
    """
    if isinstance(obj, School):
        return (None if action == "delete" else obj.id), obj.county_id
    if isinstance(obj, Region):
        return None, (obj.parent_id if action == "delete" else obj.id)
    return getattr(obj, "school_id", None), getattr(obj, "region_id", None)


def _changes(obj, action: str) -> dict:
    state = inspect(obj)
    out = {}
    for attr in state.mapper.column_attrs:
        hist = state.attrs[attr.key].history
        if action == "update":
            if not hist.has_changes():
                continue
            before = hist.deleted[0] if hist.deleted else None
            after = hist.added[0] if hist.added else None
        elif action == "insert":
            before, after = None, getattr(obj, attr.key)
        else:
            before, after = getattr(obj, attr.key), None
        if attr.key in SECRET_COLUMNS:
            before, after = ("***" if before else None), ("***" if after else None)
        out[attr.key] = [_plain(before), _plain(after)]
    return out


def _audited(obj) -> bool:
    """A domain row; not the log itself, nor the sign-in throttle's bookkeeping."""
    return isinstance(obj, db.Model) and not isinstance(obj, AuditLog | LoginAttempt | LoginLock)


def _row_id(obj) -> int | None:
    """The row's number, known after the flush also for a row just inserted (whose identity is not yet set)."""
    state = inspect(obj)
    key = state.identity or state.mapper.primary_key_from_instance(obj)
    return key[0] if len(key) == 1 and isinstance(key[0], int) else None


def write_audit(session: Session) -> None:
    """One audit row per inserted, updated or deleted row of the flush just made.

    Run after every flush of db.session by bureau.session, in the flush's own transaction.
    """
    actor_id, actor_name = session.info.get(ACTOR_KEY, (None, "系统"))
    reason = session.info.pop("bureau.reason", None)
    at = clock.now()
    rows = []
    for action, objs in (("insert", session.new), ("update", session.dirty), ("delete", session.deleted)):
        for obj in objs:
            if not _audited(obj):
                continue
            changes = _changes(obj, action)
            if action == "update" and not changes:
                continue
            school_id, region_id = _owner(obj, action)
            rows.append(
                {
                    "at": at,
                    "actor_id": actor_id,
                    "actor_name": actor_name,
                    "action": action,
                    "table_name": obj.__tablename__,
                    "row_id": _row_id(obj),
                    "school_id": school_id,
                    "region_id": region_id,
                    "reason": reason,
                    "changes": changes,
                }
            )
    if rows:
        session.connection().execute(insert(AuditLog), rows)
