"""Scoring rows for the tests and the tenant walk: seed 001 篇四's rules in province P's catalogue,
a school rule of city A (XX-1, 2 points) and one of city B (YY-1); one deduction (with a photo
and an objection) against the 班主任 of each of a1x, a1y and b1, recorded by the inspector of the
school's city; and a published notice of city A naming a1x and of city B naming b1.

Worked out by hand: BZR-6 (不能完成家访任务, 0.5) × 3 against a1x's 班主任 on 2026-11-10 is −1.5;
× 1 against a1y's and b1's is −0.5 each.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from bureau import clock
from bureau.inspection.deductions import (
    DeductionInput,
    RuleInput,
    lodge_objection,
    record_deduction,
    save_rule,
    seed_default_rules,
)
from bureau.inspection.notices import NoticeInput, create_notice, publish_notice
from bureau.inspection.scoring_models import DeductionRule
from bureau.tenants.guard import set_scope
from bureau.tenants.scope import scope_for_user
from tests.world_visits import PNG

NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)  # 10:00 in Beijing
ON = date(2026, 11, 10)


def rule(session: Session, world, code: str) -> DeductionRule:
    return session.scalar(select(DeductionRule).where(DeductionRule.code == code))


def as_user(session: Session, world, username: str):
    user = world.users[username]
    key = {"A1X": "a1x", "A1Y": "a1y", "B1S": "b1"}.get(user.school.code) if user.school else None
    staff = world.extra.get(f"staff_{key}") if user.role == "teacher" and key else None
    set_scope(session, scope_for_user(user, staff.id if staff is not None else None))
    return user


def deduct(session: Session, world, key: str, code: str = "BZR-6", n: int = 1, by: str = "inspector_a", **fields):
    user = as_user(session, world, by)
    staff = fields.pop("staff", world.extra[f"staff_{key}"])
    data = DeductionInput(
        school=world.schools[key],
        staff=staff,
        rule=fields.pop("rule", None) or rule(session, world, code),
        instances=n,
        occurred_on=fields.pop("on", ON),
        **({"note": "家访任务未完成"} | fields),
    )
    with clock.frozen_at(NOW):
        return record_deduction(session, data, user, NOW)


def seed_rules(session: Session, world) -> None:
    set_scope(session, None)
    seed_default_rules(session, world.regions["p"])
    save_rule(session, world.regions["a"], RuleInput("XX-1", "家访记录弄虚作假", "school", "2"))
    save_rule(session, world.regions["b"], RuleInput("YY-1", "未按时报送周调度", "school", "1"))
    session.flush()


def extend(session: Session, world) -> None:
    """Add the rules, deductions, objections and notices above to `world` (committed)."""
    seed_rules(session, world)
    for key, n, by in (("a1x", 3, "inspector_a"), ("a1y", 1, "inspector_a"), ("b1", 1, "inspector_b")):
        school_id = world.schools[key].id
        photo = Path(current_app.config["UPLOAD_DIR"]) / str(school_id) / f"deduction-world-{key}.png"
        photo.parent.mkdir(parents=True, exist_ok=True)
        photo.write_bytes(PNG)
        deduction = deduct(
            session, world, key, n=n, by=by, photo_path=f"{school_id}/{photo.name}", photo_type="image/png"
        )
        world.extra[f"deduction_{key}"] = deduction
        teacher = f"teacher_{key}"
        if teacher in world.users:
            as_user(session, world, teacher)
            lodge_objection(session, deduction, "当天学生生病请假，已电话家访。", world.users[teacher], NOW)
    for region, by, lowest in (("a", "inspector_a", 1), ("b", "inspector_b", 1)):
        user = as_user(session, world, by)
        data = NoticeInput(world.regions[region], world.extra["term"], date(2026, 11, 1), date(2026, 11, 30))
        data.lowest = lowest
        with clock.frozen_at(NOW):
            notice = create_notice(session, scope_for_user(user), data, user)
            publish_notice(session, notice, user, NOW)
        world.extra[f"notice_{region}"] = notice
    set_scope(session, None)
    session.commit()
