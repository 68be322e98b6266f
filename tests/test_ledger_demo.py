"""Issue 12: the demo's ledger walks problems to every state through the product's services, and
a second load adds nothing."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select

from bureau import clock
from bureau.demo import load_demo
from bureau.ledger.models import Problem


def test_the_demo_ledger_holds_every_state_and_loads_once(app, session):
    with clock.frozen_at(datetime(2026, 11, 20, 4, 0, tzinfo=UTC)):
        load_demo(session)
        session.commit()
        states = dict(session.execute(select(Problem.state, func.count()).group_by(Problem.state)).all())
        assert {"open", "in_progress", "fixed", "closed", "escalated", "explained"} <= set(states)
        total = sum(states.values())
        load_demo(session)
        session.commit()
        assert session.scalar(select(func.count()).select_from(Problem)) == total
