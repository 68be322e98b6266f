"""Ledger rows for the tests and the tenant walk: the ten categories (the migration seeds them; the tests empty every
table between tests, so they are put back here) and a helper that registers a problem."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy.orm import Session

from bureau import clock
from bureau.ledger.models import ProblemCategory
from bureau.ledger.service import FollowUpInput, ProblemInput, act, ensure_categories, follow_up, register
from bureau.tenants.guard import set_scope
from bureau.tenants.scope import scope_for_user

NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)  # 10:00 in Beijing
DEADLINE = date(2026, 11, 30)


def categories(session: Session) -> dict[str, ProblemCategory]:
    return ensure_categories(session)


def as_user(session: Session, world, username: str):
    user = world.users[username]
    set_scope(session, scope_for_user(user))
    return user


def problem(session: Session, world, key: str = "a1x", by: str = "school_admin_a1x", **fields):
    """A problem of school `key` registered by `by` on 2026-11-20 (a family's, by default: the
    school's first student), owned by its 班主任, due 2026-11-30."""
    set_scope(session, None)
    cats = categories(session)
    user = as_user(session, world, by)
    data = ProblemInput(
        school=world.schools[key],
        category=cats[fields.pop("category", "有偿补课")],
        description=fields.pop("description", "家长反映数学老师周末组织有偿补课"),
        deadline=fields.pop("deadline", DEADLINE),
        student=fields.pop("student", world.extra[f"students_{key}"][0]),
        raised_by=fields.pop("raised_by", "王家长"),
        raised_phone=fields.pop("raised_phone", "13800001234"),
        owner=fields.pop("owner", world.extra[f"staff_{key}"]),
        **fields,
    )
    with clock.frozen_at(NOW):
        return register(session, data, user, NOW)


def extend(session: Session, world) -> None:
    """A family's problem in a1x (with a follow-up), and a problem each in a1y and b1 (b1's
    escalated to county B1): rows inside and outside every walker's scope."""
    first = problem(session, world, "a1x")
    admin = as_user(session, world, "school_admin_a1x")
    follow_up(session, first, FollowUpInput(date(2026, 11, 20), "phone", "家长说已经不补课了", True), admin, NOW)
    world.extra["problem_a1x"] = first
    world.extra["problem_a1y"] = problem(session, world, "a1y", by="school_admin_a1y", student=None)
    far = problem(session, world, "b1", by="school_admin_b1", student=None)
    act(session, far, "escalate", "需县里协调校车", as_user(session, world, "school_admin_b1"), NOW)
    world.extra["problem_b1"] = far
    set_scope(session, None)
    session.commit()
