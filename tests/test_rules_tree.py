"""The region tree's one write rule (bureau/tenants/tree.py), case by case: the console, import-org
and the guard all ask it. Written to kill the mutants that survived `./scripts/mutants` on it."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bureau.sheets import SheetError
from bureau.tenants.guard import TenantViolation, scoped
from bureau.tenants.models import Region, School
from bureau.tenants.orgimport import import_org
from bureau.tenants.scope import scope_for_user
from bureau.tenants.tree import region_write_error, school_write_error
from tests.factories import stored
from tests.test_tenant_orgimport import sheet


def _scope(world, username):
    return scope_for_user(world.users[username])


def _refused(session, world, username, rows) -> list[tuple[int, str, str]]:
    with pytest.raises(SheetError) as refused:
        import_org(session, sheet(rows), _scope(world, username))
    session.rollback()
    return [(e.row, e.column, e.message) for e in refused.value.errors]


def test_a_county_admin_renames_its_own_county_by_import(session, world):
    """Its own node, under the parent it has: no move, so the rename is the county's to make."""
    result = import_org(session, sheet([["A1", "甲市一区（新）", "县区", "A", ""]]), _scope(world, "admin_a1"))
    session.commit()
    assert result.updated == 1
    assert stored(select(Region.name).where(Region.code == "A1")) == "甲市一区（新）"


def test_a_city_admin_renames_a_county_below_it_by_import(session, world):
    import_org(session, sheet([["A2", "甲市二县（新）", "县区", "A", ""]]), _scope(world, "admin_a"))
    session.commit()
    assert stored(select(Region.name).where(Region.code == "A2")) == "甲市二县（新）"


def test_a_county_admin_cannot_add_a_county_beside_itself(session, world):
    """The city above is visible to the county admin, but not its to place a new county under."""
    assert _refused(session, world, "admin_a1", [["A3", "甲市三县", "县区", "A", ""]]) == [
        (2, "上级代码", "「A」：不在您的管辖范围内")
    ]
    assert stored(select(Region.id).where(Region.code == "A3")) is None


def test_nobody_signed_in_adds_a_province(session, world):
    assert _refused(session, world, "admin_p", [["Q", "另一个省", "省", "", ""]]) == [
        (2, "上级代码", "不在您的管辖范围内")
    ]


def test_an_import_names_the_kind_column_when_a_kind_would_change(session, world):
    assert _refused(session, world, "admin_a", [["A1", "甲市一区", "省直管县", "P", ""]]) == [
        (2, "类型", "「A1」已是县区，不能改为省直管县")
    ]


def test_an_import_names_the_code_column_for_a_row_outside_the_scope(session, world):
    # county A1's admin names city A itself (visible to it as the region above)
    assert _refused(session, world, "admin_a1", [["A", "甲市", "设区市", "P", ""]]) == [
        (2, "代码", "不在您的管辖范围内")
    ]


@pytest.mark.parametrize("username", ["leader_a", "inspector_a"])
def test_only_region_admins_write_regions_and_schools(session, world, username):
    """Leaders and inspectors read the tree; the guard refuses their writes, whatever the path."""
    with scoped(session, _scope(world, username)):
        world.regions["a1"].name = "改名"
        with pytest.raises(TenantViolation):
            session.flush()
    session.rollback()
    with scoped(session, _scope(world, username)):
        world.schools["a1x"].name = "改名"
        with pytest.raises(TenantViolation):
            session.flush()
    session.rollback()


@pytest.mark.parametrize(
    ("username", "code", "allowed"),
    [
        ("admin_a", "A2", True),  # a county below the city
        ("admin_a", "A", False),  # its own node
        ("admin_a1", "A1", False),  # its own node
        ("admin_a1", "A2", False),  # a neighbour
        ("leader_a", "A2", False),  # a leader writes nothing
    ],
)
def test_who_may_remove_a_region(session, world, username, code, allowed):
    scope = _scope(world, username)
    region = session.scalar(select(Region).where(Region.code == code))
    session.delete(region)
    refusal = region_write_error(session, scope, region)
    assert (refusal is None) is allowed
    assert region_write_error(session, None, region) is None  # the command line
    session.rollback()


@pytest.mark.parametrize(
    ("username", "code", "allowed"),
    [
        ("admin_a1", "A1X", True),  # a school of its county
        ("admin_a1", "A2S", False),  # a school of another county
        ("leader_a", "A1X", False),
        ("school_admin_a1x", "A1X", False),
    ],
)
def test_who_may_remove_a_school(session, world, username, code, allowed):
    scope = _scope(world, username)
    school = session.scalar(select(School).where(School.code == code))
    session.delete(school)
    assert (school_write_error(session, scope, school) is None) is allowed
    session.rollback()


def test_a_province_never_gets_a_parent(world, login_as, session):
    """Not even one of its own cities (which would make the tree a loop)."""
    p = world.regions["p"]
    page = login_as("admin_p").post(
        f"/admin/region/edit/?id={p.id}",
        data={"code": "P", "name": p.name, "kind": "province", "parent": world.regions["a"].id},
        follow_redirects=True,
    )
    assert "省不应有上级" in page.get_data(as_text=True)
    assert stored(select(Region.parent_id).where(Region.code == "P")) is None


def test_a_county_without_a_parent_is_told_what_it_needs(world):
    from bureau.tenants.tree import region_change_error

    refusal = region_change_error(None, None, "county", None, None)
    assert (refusal.field, refusal.message) == ("parent", "县区的上级应为设区市")


def test_the_province_admin_renames_its_province_and_a_county_by_import(session, world):
    rows = [["P", "测试省（新）", "省", "", ""], ["A1", "甲市一区（新）", "县区", "A", ""]]
    assert import_org(session, sheet(rows), _scope(world, "admin_p")).updated == 2
    session.commit()
    assert stored(select(Region.name).where(Region.code == "P")) == "测试省（新）"


def test_a_new_city_and_its_new_county_come_in_one_sheet(session, world):
    rows = [["C", "丙市", "设区市", "P", ""], ["C1", "丙市一区", "县区", "C", ""]]
    assert import_org(session, sheet(rows), _scope(world, "admin_p")).created == 2
    session.commit()
    assert stored(select(Region.city_id).where(Region.code == "C1")) == stored(
        select(Region.id).where(Region.code == "C")
    )


def test_the_province_admin_renames_the_province_in_the_console(world, login_as):
    p = world.regions["p"]
    login_as("admin_p").post(
        f"/admin/region/edit/?id={p.id}", data={"code": "P", "name": "测试省（改）", "kind": "province"}
    )
    assert stored(select(Region.name).where(Region.code == "P")) == "测试省（改）"
