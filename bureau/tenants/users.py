"""Creating and disabling logins, with the rule of who may manage whom."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

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


def management_error(actor: User | None, actor_scope: Scope | None, role: str,
                     node: Region | School) -> str | None:
    """Why `actor` may not manage a user of `role` at `node`, or None if it may.

    No actor means the command line, which may do anything. A region admin manages region
    admins of regions strictly below its own, and school admins and teachers of its schools;
    leaders and inspectors only from a province. A school admin manages its own teachers.
    """
    if role not in ROLES:
        return f"未知角色「{role}」"
    if role in REGION_ROLES and not isinstance(node, Region):
        return f"{ROLES[role]}的管辖范围应为区域，不能是学校"
    if role in SCHOOL_ROLES and not isinstance(node, School):
        return f"{ROLES[role]}的管辖范围应为学校"
    if actor is None:
        return None
    inside = (
        actor_scope.covers_school(node) if isinstance(node, School) else actor_scope.covers_region(node)
    )
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


def create_user(session: Session, *, username: str, password: str, role: str, node: Region | School,
                display_name: str = "", actor: User | None = None, actor_scope: Scope | None = None,
                must_change_password: bool = False) -> User:
    username = username.strip()
    if not username:
        raise UserError("用户名不能为空")
    error = management_error(actor, actor_scope, role, node)
    if error:
        raise UserError(error)
    check_password_rule(password)
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise UserError(f"用户名「{username}」已被使用")
    user = User(username=username, display_name=display_name or username, role=role,
                active=True, must_change_password=must_change_password)
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


def set_active(session: Session, user: User, active: bool, actor: User | None,
               actor_scope: Scope | None) -> None:
    if actor is not None and actor.id == user.id and not active:
        raise UserError("不能停用自己的账号")
    error = management_error(actor, actor_scope, user.role, user.school or user.region)
    if error:
        raise UserError(error)
    user.active = active
    session.flush()
