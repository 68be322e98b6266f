"""The tenant guard itself: reads filtered and writes refused at the session, for every path."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bureau.tenants.guard import TenantViolation, scoped
from bureau.tenants.models import Region, School, User
from bureau.tenants.scope import scope_for_user
from bureau.visits.models import SchoolClass


def _scope(world, username):
    return scope_for_user(world.users[username])


def _classes(session, world):
    rows = {}
    for key in ("a1x", "a1y", "b1"):
        rows[key] = SchoolClass(school=world.schools[key], grade=3, number=2)
        session.add(rows[key])
    session.commit()
    return rows


def test_session_get_of_another_schools_row_returns_nothing(session, world):
    rows = _classes(session, world)
    ids = {k: r.id for k, r in rows.items()}
    scope = _scope(world, "school_admin_a1x")
    session.expunge_all()  # nothing in the identity map: every get goes to the database
    with scoped(session, scope):
        assert session.get(SchoolClass, ids["a1x"]) is not None
        assert session.get(SchoolClass, ids["a1y"]) is None
        assert session.get(SchoolClass, ids["b1"]) is None
        mine = select(func.count(SchoolClass.id)).where(SchoolClass.id.in_(ids.values()))
        assert session.scalar(mine) == 1


def test_county_scope_counts_only_its_own_schools_rows(session, world):
    ids = [r.id for r in _classes(session, world).values()]
    scope = _scope(world, "admin_a1")
    session.expunge_all()
    with scoped(session, scope):
        # A1 holds a1x and a1y: two of the three classes this test made
        assert session.scalar(select(func.count(SchoolClass.id)).where(SchoolClass.id.in_(ids))) == 2


def test_a_school_user_gets_its_school_filled_in_never_chosen(session, world):
    with scoped(session, _scope(world, "school_admin_a1x")):
        row = SchoolClass(grade=1, number=1)
        session.add(row)
        session.flush()
        assert row.school_id == world.schools["a1x"].id


def test_writing_a_row_into_another_school_is_refused(session, world):
    with scoped(session, _scope(world, "school_admin_a1x")):
        session.add(SchoolClass(school_id=world.schools["b1"].id, grade=1, number=1))
        with pytest.raises(TenantViolation):
            session.flush()
    session.rollback()


def test_changing_a_row_loaded_before_the_scope_is_refused(session, world):
    rows = _classes(session, world)
    foreign = rows["b1"]  # loaded without a scope, then changed by a scoped user
    with scoped(session, _scope(world, "school_admin_a1x")):
        foreign.number = 9
        with pytest.raises(TenantViolation):
            session.flush()
    session.rollback()


def test_moving_a_row_to_another_school_is_refused(session, world):
    rows = _classes(session, world)
    own = rows["a1x"]
    with scoped(session, _scope(world, "admin_a1")):
        own.school_id = world.schools["b1"].id
        with pytest.raises(TenantViolation):
            session.flush()
    session.rollback()


def test_county_admin_cannot_create_a_school_in_another_county(session, world):
    with scoped(session, _scope(world, "admin_a1")):
        session.add(School(code="NEW", name="新学校", county=world.regions["b1"], active=True))
        with pytest.raises(TenantViolation):
            session.flush()
    session.rollback()


def test_county_admin_cannot_rename_its_city(session, world):
    with scoped(session, _scope(world, "admin_a1")):
        city = session.get(Region, world.regions["a"].id)
        assert city is not None  # readable: it is above the county
        city.name = "改名市"
        with pytest.raises(TenantViolation):
            session.flush()
    session.rollback()


def test_city_admin_sees_users_of_its_city_only(session, world):
    with scoped(session, _scope(world, "admin_a")):
        names = set(session.scalars(select(User.username)))
    assert "school_admin_b1" not in names and "inspector_b" not in names
    assert {"admin_a", "admin_a1", "school_admin_a1x", "teacher_a1y"} <= names
    assert "admin_p" not in names and "leader_p" not in names


def test_aliased_entities_are_scoped_on_their_alias(session, world):
    """Reports join regions and schools under aliases; the rule must follow the alias."""
    from sqlalchemy.orm import aliased

    county, other = aliased(Region), aliased(School)
    with scoped(session, _scope(world, "admin_a1")):
        names = set(session.execute(select(county.name)).scalars())
        schools = set(session.execute(select(other.code)).scalars())
        joined = session.execute(select(other.code, county.name).join(county, county.id == other.county_id)).all()
    assert names == {"甲市一区", "甲市", "测试省"}
    assert schools == {"A1X", "A1Y"}
    assert sorted(joined) == [("A1X", "甲市一区"), ("A1Y", "甲市一区")]


def test_province_leader_opens_coverage_by_city(world, login_as):
    # the city level joins regions under an alias: this page once failed on it
    response = login_as("leader_p").get("/admin/coverage/")
    assert response.status_code == 200 and "甲市" in response.get_data(as_text=True)


def test_a_statement_marked_with_another_scope_is_still_filtered(session, world):
    """Bulk SQL may apply the session's own scope itself; a different scope never opens it up."""
    from bureau.tenants.guard import explicitly_scoped

    ids = [r.id for r in _classes(session, world).values()]
    own, wider = _scope(world, "school_admin_a1x"), _scope(world, "leader_p")
    unfiltered = select(func.count(SchoolClass.id)).where(SchoolClass.id.in_(ids))
    with scoped(session, own):
        assert session.scalar(explicitly_scoped(unfiltered, wider)) == 1  # the guard still applies
        explicit = unfiltered.where(own.school_clause(SchoolClass.school_id))
        assert session.scalar(explicitly_scoped(explicit, own)) == 1
