"""Who may manage whom (bureau/tenants/users.py), case by case: the console, the CLI and the guard
all ask it. Written to kill the mutants that survived `./scripts/mutants` on it."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bureau.tenants.guard import scoped
from bureau.tenants.models import Region, School, User
from bureau.tenants.scope import Scope, scope_for_user
from bureau.tenants.users import (
    UserError,
    check_password_rule,
    create_user,
    management_error,
    reset_password,
    resolve_node,
    set_active,
    user_write_error,
)
from tests.factories import stored


def _scope(world, username: str) -> Scope:
    return scope_for_user(world.users[username])


def _user(session, username: str) -> User:
    return session.scalar(select(User).where(User.username == username))


def test_a_password_of_exactly_eight_characters_is_long_enough():
    check_password_rule("12345678")
    with pytest.raises(UserError, match="^密码至少需要 8 位$"):
        check_password_rule("1234567")


def test_a_user_needs_a_node():
    assert management_error(None, None, "teacher", None) == "请选择所属区域或学校"


def test_a_school_admin_manages_teachers_only(session, world):
    actor, scope = world.users["school_admin_a1x"], _scope(world, "school_admin_a1x")
    assert management_error(actor, scope, "teacher", world.schools["a1x"]) is None
    assert management_error(actor, scope, "school_admin", world.schools["a1x"]) == "学校管理员只能管理本校教师账号"


def test_a_leader_manages_nobody(session, world):
    actor, scope = world.users["leader_a"], _scope(world, "leader_a")
    assert management_error(actor, scope, "teacher", world.schools["a1x"]) == "您没有管理用户的权限"


def test_a_new_user_is_active_named_by_username_and_free_to_keep_the_password(session, world):
    """Defaults of create_user: display name = username, active, no forced change."""
    create_user(session, username=" zhang ", password="secret-pass", role="teacher", node=world.schools["a1x"])
    create_user(
        session, username="li", password="secret-pass", role="teacher", node=world.schools["a1x"], display_name="李老师"
    )
    session.commit()
    zhang = (User.username == "zhang",)
    assert stored(select(User.display_name).where(*zhang)) == "zhang"
    assert stored(select(User.active).where(*zhang)) is True
    assert stored(select(User.must_change_password).where(*zhang)) is False
    assert stored(select(User.display_name).where(User.username == "li")) == "李老师"


def test_a_blank_username_is_refused_with_a_message(session, world):
    with pytest.raises(UserError, match="^用户名不能为空$"):
        create_user(session, username="  ", password="secret-pass", role="teacher", node=world.schools["a1x"])


def test_a_username_taken_in_another_school_is_refused_by_name(session, world):
    """The actor cannot see the other school's user, but the name is taken province-wide."""
    scope = _scope(world, "school_admin_a1y")
    with scoped(session, scope), pytest.raises(UserError, match="^用户名「teacher_a1x」已被使用$"):
        create_user(
            session,
            username="teacher_a1x",
            password="secret-pass",
            role="teacher",
            node=world.schools["a1y"],
            actor=world.users["school_admin_a1y"],
            actor_scope=scope,
        )


def test_creating_a_user_one_may_not_manage_says_why(session, world):
    with pytest.raises(UserError, match="^学校管理员只能管理本校教师账号$"):
        create_user(
            session,
            username="boss",
            password="secret-pass",
            role="school_admin",
            node=world.schools["a1x"],
            actor=world.users["school_admin_a1x"],
            actor_scope=_scope(world, "school_admin_a1x"),
        )


def test_the_command_line_and_a_system_scope_may_write_any_user(session, world):
    user = _user(session, "admin_a")
    user.role = "leader"
    assert user_write_error(session, None, user) is None
    assert user_write_error(session, Scope("province", world.regions["p"].id), user) is None


def test_nobody_changes_their_own_role_and_the_message_says_so(session, world):
    scope, me = _scope(world, "admin_a1"), _user(session, "admin_a1")
    me.role = "leader"
    assert user_write_error(session, scope, me) == ("不能修改自己的用户名、角色、管辖范围或停用自己的账号")


def test_a_school_admin_cannot_promote_its_teacher_to_school_admin(session, world):
    """The stored row (a teacher) is the admin's to manage; the row as it will be is not."""
    scope, teacher = _scope(world, "school_admin_a1x"), _user(session, "teacher_a1x")
    teacher.role = "school_admin"
    assert user_write_error(session, scope, teacher) == "学校管理员只能管理本校教师账号"


def test_a_county_admin_may_delete_a_teacher_of_its_school(session, world):
    scope, teacher = _scope(world, "admin_a1"), _user(session, "teacher_a1x")
    session.delete(teacher)
    assert user_write_error(session, scope, teacher) is None


def test_moving_a_teacher_by_its_school_key_out_of_the_scope_is_refused(session, world):
    """Only the foreign key changes (as a service may do): the school it will have is read by id."""
    scope, teacher, other = _scope(world, "school_admin_a1x"), _user(session, "teacher_a1x"), world.schools["b1"].id
    with session.no_autoflush:  # as in the guard's before-flush hook: the change is not yet written
        teacher.school_id = other
        assert user_write_error(session, scope, teacher) == "只能管理本辖区内的用户"


def test_moving_a_county_admin_by_its_region_key_out_of_the_city_is_refused(session, world):
    scope, admin, other = _scope(world, "admin_a"), _user(session, "admin_a1"), world.regions["b1"].id
    with session.no_autoflush:
        admin.region_id = other
        assert user_write_error(session, scope, admin) == "只能管理本辖区内的用户"


def test_nobody_disables_themselves_and_the_message_says_so(session, world):
    with pytest.raises(UserError, match="^不能停用或启用自己的账号$"):
        set_active(session, _user(session, "admin_a1"), False, _scope(world, "admin_a1"))


def test_disabling_a_user_of_another_school_is_refused_with_the_reason(session, world):
    with pytest.raises(UserError, match="^只能管理本辖区内的用户$"):
        set_active(session, _user(session, "teacher_a1y"), False, _scope(world, "school_admin_a1x"))


def test_ones_own_password_is_changed_on_the_password_page(session, world):
    with pytest.raises(UserError, match="^请在「修改密码」页修改自己的密码（需输入当前密码）$"):
        reset_password(session, _user(session, "admin_a1"), "new-secret-1", _scope(world, "admin_a1"))


def test_resetting_the_password_of_another_schools_teacher_is_refused(session, world):
    teacher = _user(session, "teacher_a1y")
    with pytest.raises(UserError, match="^只能管理本辖区内的用户$"):
        reset_password(session, teacher, "new-secret-1", _scope(world, "school_admin_a1x"))
    assert teacher.must_change_password is False


def test_a_scope_code_names_a_region_or_a_school(session, world):
    assert isinstance(resolve_node(session, "A1"), Region) and resolve_node(session, "A1").name == "甲市一区"
    assert isinstance(resolve_node(session, "A1X"), School) and resolve_node(session, "A1X").name == "甲一区实验小学"
    with pytest.raises(UserError, match="^找不到代码为「NOPE」的区域或学校$"):
        resolve_node(session, "NOPE")
