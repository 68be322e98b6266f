"""The tenant guard and the scope, case by case (bureau/tenants/guard.py, bureau/tenants/scope.py).
Written to kill the mutants that survived `./scripts/mutants` on them."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import aliased

from bureau.tenants.guard import TenantViolation, explicitly_scoped, scoped
from bureau.tenants.models import Region, School, User
from bureau.tenants.scope import Scope, scope_for_user
from bureau.visits.models import SchoolClass
from tests.factories import statements_sent, stored


def _scope(world, username: str) -> Scope:
    return scope_for_user(world.users[username])


def test_an_aliased_entity_is_scoped_like_the_entity(session, world):
    """A self-join or a second copy of a table (aliased) must not open a way around the guard."""
    other = aliased(School)
    with scoped(session, _scope(world, "school_admin_a1x")):
        names = set(session.scalars(select(other.name)))
    assert names == {"甲一区实验小学"}


def test_a_school_user_reads_only_its_own_schools_users_even_through_an_alias(session, world):
    """No region user and no other school's user, whether read as User or as an alias of it."""
    other = aliased(User)
    with scoped(session, _scope(world, "school_admin_a1x")):
        direct = set(session.scalars(select(User.username)))
        through_alias = set(session.scalars(select(other.username)))
    assert direct == through_alias == {"school_admin_a1x", "teacher_a1x"}


def test_a_school_user_reads_only_the_regions_above_its_school(session, world):
    with scoped(session, _scope(world, "school_admin_a1x")):
        names = set(session.scalars(select(Region.name)))
    assert names == {"测试省", "甲市", "甲市一区"}


def _school_filters(session, statement) -> int:
    """How many times the statement as sent restricts school_id to the scope's schools."""
    with statements_sent() as sent:
        session.execute(statement).all()
    (text,) = sent
    return text.count("school_class.school_id IN")


def test_a_statement_scoped_by_hand_is_not_filtered_again_but_a_plain_one_is(session, world):
    scope = _scope(world, "admin_a1")
    plain = select(SchoolClass.id).where(scope.school_clause(SchoolClass.school_id))
    with scoped(session, scope):
        assert _school_filters(session, explicitly_scoped(plain, scope)) == 1
        assert _school_filters(session, plain) == 2  # its own clause and the guard's


def test_a_row_placed_in_another_school_by_its_relationship_is_refused(session, world):
    """Before the flush only the relationship is set: the guard reads the school from it."""
    with scoped(session, _scope(world, "school_admin_a1x")):
        session.add(SchoolClass(school=world.schools["b1"], grade=3, number=9))
        with pytest.raises(TenantViolation, match="^SchoolClass outside scope$"):
            session.flush()
    session.rollback()
    assert stored(select(SchoolClass.id).where(SchoolClass.number == 9)) is None


def test_a_region_user_cannot_write_a_school_row_without_a_school(session, world):
    """Only a school user has its school filled in; a county admin must name one."""
    with scoped(session, _scope(world, "admin_a1")):
        session.add(SchoolClass(grade=3, number=9))
        with pytest.raises(TenantViolation, match="^SchoolClass outside scope$"):
            session.flush()
    session.rollback()


def test_a_school_scope_covers_no_region(world):
    scope = _scope(world, "school_admin_a1x")
    assert not scope.covers_region(world.regions["a1"]) and not scope.covers_region(world.regions["p"])


def test_a_direct_county_covers_its_own_schools_only(world):
    scope = _scope(world, "admin_d")
    assert scope.level == "direct_county"
    assert scope.covers_school(world.schools["d"]) and not scope.covers_school(world.schools["b1"])


def test_a_users_scope_carries_its_role_and_its_staff_record(world):
    school = scope_for_user(world.users["school_admin_a1x"], staff_id=7)
    assert (school.level, school.role, school.staff_id) == ("school", "school_admin", 7)
    region = scope_for_user(world.users["admin_a1"], staff_id=8)
    assert (region.level, region.role, region.staff_id) == ("county", "region_admin", 8)
