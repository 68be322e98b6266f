"""Creating and disabling logins, with the rule of who may manage whom."""

from __future__ import annotations

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from bureau.audit import set_reason
from bureau.history import stored, target
from bureau.tenants.guard import write_rule
from bureau.tenants.models import REGION_ROLES, ROLES, SCHOOL_ROLES, Region, School, User
from bureau.tenants.scope import Scope

MIN_PASSWORD = 8


class UserError(ValueError):
    """A refused user change, with a message for the user."""


def resolve_node(session: Session, code: str) -> Region | School:
    node = session.scalar(select(Region).where(Region.code == code)) or session.scalar(
        select(School).where(School.code == code)
    )
    if node is None:
        raise UserError(f"找不到代码为「{code}」的区域或学校")
    return node


def check_password_rule(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise UserError(f"密码至少需要 {MIN_PASSWORD} 位")


# What a user may not change of their own account: who they are and what they may reach.
MANAGED = ("username", "role", "region", "school", "region_id", "school_id", "active")


def management_error(
    actor: User | None, actor_scope: Scope | None, role: str, node: Region | School | None
) -> str | None:
    """Why `actor` may not manage a user of `role` at `node`, or None if it may.

    No actor means the command line, which may do anything. A region admin manages region
    admins of regions strictly below its own, and school admins and teachers of its schools;
    leaders and inspectors only from a province. A school admin manages its own teachers.
    """
    if node is None:
        return "请选择所属区域或学校"
    if role not in ROLES:
        return f"未知角色「{role}」"
    if role in REGION_ROLES and not isinstance(node, Region):
        return f"{ROLES[role]}的管辖范围应为区域，不能是学校"
    if role in SCHOOL_ROLES and not isinstance(node, School):
        return f"{ROLES[role]}的管辖范围应为学校"
    if actor is None:
        return None
    inside = actor_scope.covers_school(node) if isinstance(node, School) else actor_scope.covers_region(node)
    if not inside:
        return "只能管理本辖区内的用户"
    if actor.role == "school_admin":
        return None if role == "teacher" else "学校管理员只能管理本校教师账号"
    if actor.role != "region_admin":
        return "您没有管理用户的权限"
    if role in ("leader", "inspector"):
        return None if actor_scope.level == "province" else "局领导和督学账号只能由省级管理员创建"
    if role == "region_admin" and node.id == actor_scope.node_id:
        return "只能为下级区域创建管理员"
    return None


def create_user(
    session: Session,
    *,
    username: str,
    password: str,
    role: str,
    node: Region | School,
    display_name: str = "",
    actor: User | None = None,
    actor_scope: Scope | None = None,
    must_change_password: bool = False,
) -> User:
    username = username.strip()
    if not username:
        raise UserError("用户名不能为空")
    error = management_error(actor, actor_scope, role, node)
    if error:
        raise UserError(error)
    check_password_rule(password)
    # Usernames are unique across the province: read the plain table, which the guard does not
    # filter, so a name taken in another school is refused by name, not by the database.
    users = User.__table__
    if session.scalar(select(users.c.id).where(users.c.username == username)) is not None:
        raise UserError(f"用户名「{username}」已被使用")
    user = User(
        username=username,
        display_name=display_name or username,
        role=role,
        active=True,
        must_change_password=must_change_password,
    )
    place_user(user, node)
    user.set_password(password)
    session.add(user)
    session.flush()
    return user


def place_user(user: User, node: Region | School) -> None:
    if isinstance(node, School):
        user.school, user.region = node, None
    else:
        user.region, user.school = node, None


@write_rule(User)
def _user_writes(session: Session, scope: Scope, user: User) -> bool:
    """The guard's rule for users: inside the scope, and manageable as they are and will be."""
    node = node_of(session, user)
    inside = node is not None and (scope.covers_school(node) if isinstance(node, School) else scope.covers_region(node))
    return inside and user_write_error(session, scope, user) is None


def user_write_error(session: Session, actor_scope: Scope | None, user: User) -> str | None:
    """Why the signed-in user of `actor_scope` may not write `user` as it stands in the session.

    The row is judged as it is and as it will be: the actor must be able to manage the user's
    stored role and scope node and the new ones (a takeover by demoting a colleague to a role
    one manages is refused), and nobody changes their own username, role, scope or active flag.
    """
    if actor_scope is None or actor_scope.user_id is None:
        return None
    actor = session.get(User, actor_scope.user_id)
    state = inspect(user)
    if state.key is not None and user.id == actor_scope.user_id:
        changed = [key for key in MANAGED if state.attrs[key].history.has_changes()]
        return "不能修改自己的用户名、角色、管辖范围或停用自己的账号" if changed else None
    if state.key is not None:
        error = management_error(
            actor, actor_scope, stored(user, "role"), stored(user, "school") or stored(user, "region")
        )
        if error or user in session.deleted:
            return error
    return management_error(actor, actor_scope, user.role, node_of(session, user))


def node_of(session: Session, user: User) -> Region | School | None:
    """The scope node `user` will have once this change is flushed."""
    return target(session, user, "school") or target(session, user, "region")


def set_active(session: Session, user: User, active: bool, actor_scope: Scope | None) -> None:
    """Enable or disable a login: the right to manage it; nobody disables themselves."""
    if actor_scope is not None and actor_scope.user_id == user.id:
        raise UserError("不能停用或启用自己的账号")
    error = user_write_error(session, actor_scope, user)
    if error:
        raise UserError(error)
    user.active = active
    session.flush()


def reset_password(session: Session, user: User, password: str, actor_scope: Scope | None) -> None:
    """Set someone's password (the right to manage them): they must change it at next sign-in."""
    check_password_rule(password)
    if actor_scope is not None and actor_scope.user_id == user.id:
        raise UserError("请在「修改密码」页修改自己的密码（需输入当前密码）")
    error = user_write_error(session, actor_scope, user)
    if error:
        raise UserError(error)
    user.set_password(password)
    user.must_change_password = True
    set_reason(session, "重置密码")
