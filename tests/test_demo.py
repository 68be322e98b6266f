"""`flask bureau demo` loads a usable fictional province, and running it twice changes nothing."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from bureau import clock
from bureau.extensions import db
from bureau.progress.models import WeeklyReport
from bureau.tenants.models import REGION_KINDS, ROLES, Region, School, User
from bureau.visits.models import Campaign, Student, Visit


def counts() -> dict[str, int]:
    return {
        model.__name__: db.session.scalar(select(func.count()).select_from(model))
        for model in (Region, School, User, Campaign, Student, Visit, WeeklyReport)
    }


# The demo's term is 2026-09-01 .. 2027-01-31: the test stands inside it whatever today is.
IN_THE_DEMO_TERM = datetime(2026, 11, 20, 12, 0, tzinfo=clock.LOCAL)


def test_demo_loads_every_level_and_role_and_is_idempotent(app, session):
    with clock.frozen_at(IN_THE_DEMO_TERM):
        _loads_and_is_idempotent(app, session)


def _loads_and_is_idempotent(app, session):
    result = app.test_cli_runner().invoke(args=["bureau", "demo"])
    assert result.exit_code == 0, result.output
    assert "demo-2026" in result.output and "school_admin" in result.output
    kinds = dict(session.execute(select(Region.kind, func.count()).group_by(Region.kind)).all())
    # 1 province, 2 cities, 1 direct county, 3 counties; 12 schools; one login per role
    assert kinds == {"province": 1, "city": 2, "direct_county": 1, "county": 3}
    assert set(kinds) == set(REGION_KINDS)
    assert set(session.scalars(select(User.role))) == set(ROLES)
    first = counts()
    assert first["School"] == 12 and first["Campaign"] == 1
    assert first["Student"] > 0 and first["Visit"] > 0 and first["WeeklyReport"] > 0
    assert app.test_cli_runner().invoke(args=["bureau", "demo"]).exit_code == 0
    assert counts() == first
