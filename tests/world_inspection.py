"""Inspection rows for the tenant walk: a draw and a published round in each of two cities.

市 A's round (inspector_a) draws every school of the city — a1x, a1y, a2 — and inspects them on
2026-11-16, 17 and 18; 市 B's round (inspector_b) draws b1 and inspects it on 2026-11-16. Both
are announced, so a school sees its inspection as soon as the round is published.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.orm import Session

from bureau.inspection.rounds import RoundInput, create_round, draw_round, publish, round_inspections, schedule

FIRST_DAY = date(2026, 11, 16)


def _round(session: Session, region, inspector, name: str, seed: str):
    data = RoundInput(
        name=name,
        region=region,
        start_date=date(2026, 11, 2),
        end_date=date(2026, 12, 31),
        per="county",
        size_percent=100,
    )
    round_ = create_round(session, data, inspector)
    draw_round(session, round_, seed, inspector)
    for offset, inspection in enumerate(round_inspections(session, round_)):
        schedule(session, inspection, inspector, FIRST_DAY + timedelta(days=offset), f"{region.name}督导组", inspector)
    publish(session, round_)
    return round_


def extend(session: Session, world) -> None:
    """Add a published round (its draw and inspections) in 市 A and in 市 B to `world`."""
    r, u = world.regions, world.users
    world.extra["round_a"] = _round(session, r["a"], u["inspector_a"], "甲市秋季督学检查", "2026-11-01 甲")
    world.extra["round_b"] = _round(session, r["b"], u["inspector_b"], "乙市秋季督学检查", "2026-11-01 乙")
