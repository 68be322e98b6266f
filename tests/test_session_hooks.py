"""db.session's hooks: on the app's own session class only, and before a flush in a fixed order."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bureau.audit import AuditLog
from bureau.extensions import db
from bureau.tenants import guard
from bureau.tenants.guard import TenantViolation, scoped, set_scope
from bureau.tenants.models import Region, School, User
from bureau.tenants.scope import scope_for_user


def _audit_rows(table: str, row_id: int) -> int:
    """The row's audited updates (its insert, by the world's build, is numbered too)."""
    with Session(db.engine) as fresh:
        return fresh.scalar(
            select(func.count(AuditLog.id)).where(
                AuditLog.table_name == table, AuditLog.row_id == row_id, AuditLog.action == "update"
            )
        )


def test_a_plain_sqlalchemy_session_is_neither_guarded_nor_audited(session, world):
    """A second Session in the process (a script, a test's fresh look) is a plain connection:
    a school admin's scope on it filters nothing and refuses nothing, and nothing is audited,
    no ancestors are placed and no session token turns over."""
    b1, a1 = world.schools["b1"], world.regions["a1"]
    teacher = world.users["teacher_a1x"]
    token = teacher.session_token
    with Session(db.engine) as plain:
        set_scope(plain, scope_for_user(world.users["school_admin_a1x"]))
        assert plain.scalar(select(func.count(School.id))) == 5  # the world's five schools
        plain.get(School, b1.id).name = "乙一县改名小学"
        plain.get(School, b1.id).county = plain.get(Region, a1.id)
        plain.get(User, teacher.id).role = "school_admin"
        plain.commit()
    with Session(db.engine) as fresh:
        stored = fresh.get(School, b1.id)
        assert (stored.name, stored.county_id) == ("乙一县改名小学", a1.id)
        assert stored.city_id == world.regions["b"].id  # not placed: still its old city's
        assert fresh.get(User, teacher.id).session_token == token
    assert _audit_rows("school", b1.id) == 0
    assert _audit_rows("user", teacher.id) == 0


def test_db_session_is_guarded_and_audited(session, world):
    """The control of the test above: the same scope on db.session filters and refuses, and an
    unscoped write through it is audited."""
    b1 = world.schools["b1"]
    with scoped(session, scope_for_user(world.users["school_admin_a1x"])):
        assert session.scalar(select(func.count(School.id))) == 1  # its own school only
        session.get(School, world.schools["a1x"].id).name = "甲一区改名小学"
        with pytest.raises(TenantViolation):
            session.flush()
    session.rollback()
    session.get(School, b1.id).name = "乙一县改名小学"
    session.commit()
    assert _audit_rows("school", b1.id) == 1


def test_a_new_county_and_its_first_school_are_judged_with_the_ancestors_they_will_get(session, world):
    """A city admin adds a county (given only its parent) and a school in it in one flush: the
    guard runs after placement, so both are judged as rows of the admin's city and pass."""
    with scoped(session, scope_for_user(world.users["admin_a"])):
        county = Region(code="A3", name="甲市三区", kind="county", parent=world.regions["a"])
        session.add(county)
        session.add(School(code="A3S", name="甲三区小学", county=county, stage="小学", active=True))
        session.commit()
    with Session(db.engine) as fresh:
        school = fresh.scalar(select(School).where(School.code == "A3S"))
        assert (school.city_id, school.province_id) == (world.regions["a"].id, world.regions["p"].id)


@pytest.fixture
def guard_sees():
    """What the tenant guard sees of each school it judges: (code, city_id)."""
    seen: list[tuple[str, int | None]] = []

    @guard.write_check
    def record(session, scope, obj):
        if isinstance(obj, School):
            seen.append((obj.code, obj.city_id))
        return None

    yield seen
    guard._extra_checks.remove(record)


def test_a_region_moved_in_the_same_flush_as_a_guarded_write_is_judged_with_its_new_ancestors(
    session, world, guard_sees
):
    """The province admin moves county A1 from city A to city B and renames one of its schools in
    the same flush: the guard judges both of A1's schools, each already in city B."""
    a, b = world.regions["a"].id, world.regions["b"].id
    with scoped(session, scope_for_user(world.users["admin_p"])):
        session.get(Region, world.regions["a1"].id).parent_id = b
        session.get(School, world.schools["a1x"].id).name = "甲一区育才小学"
        session.commit()
    assert set(guard_sees) == {("A1X", b), ("A1Y", b)}  # never ("A1X", a)
    with Session(db.engine) as fresh:
        assert set(fresh.scalars(select(School.city_id).where(School.county_id == world.regions["a1"].id))) == {b}
        assert fresh.scalar(select(func.count(School.id)).where(School.city_id == a)) == 1  # A2's school
