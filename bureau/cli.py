"""`flask --app wsgi bureau ...`: operations commands. One commit per command."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from bureau.audit import set_actor
from bureau.extensions import db
from bureau.sheets import SheetError
from bureau.tenants.models import ROLES
from bureau.tenants.orgimport import import_org
from bureau.tenants.users import UserError, create_user, resolve_node

bureau_cli = AppGroup("bureau", help="大走访工作平台管理命令")


def _fail(lines: list[str]) -> None:
    db.session.rollback()
    for line in lines:
        click.echo(line, err=True)
    raise SystemExit(1)


@bureau_cli.command("import-org")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def import_org_command(path: str) -> None:
    """导入区域和学校（.xlsx：代码 | 名称 | 类型 | 上级代码 [| 学段]）。"""
    set_actor(db.session, None, "命令行")
    try:
        result = import_org(db.session, path)
    except SheetError as refused:
        _fail(["导入失败，未写入任何数据："] + [f"  {e}" for e in refused.errors])
    db.session.commit()
    click.echo(f"导入成功：{result.summary()}")


@bureau_cli.command("create-user")
@click.option("--username", required=True)
@click.option("--password", required=True)
@click.option("--role", required=True, type=click.Choice(list(ROLES)))
@click.option("--scope", "scope_code", required=True, help="区域或学校代码")
@click.option("--name", "display_name", default="")
def create_user_command(username, password, role, scope_code, display_name) -> None:
    """创建登录账号。"""
    set_actor(db.session, None, "命令行")
    try:
        node = resolve_node(db.session, scope_code)
        user = create_user(
            db.session, username=username, password=password, role=role, node=node, display_name=display_name
        )
    except UserError as error:
        _fail([f"创建失败：{error}"])
    db.session.commit()
    click.echo(f"已创建 {user.username}（{user.role_label}，{user.scope_label}）")


@bureau_cli.command("demo")
def demo_command() -> None:
    """载入演示数据（虚构的省、市、县和学校，每种角色一个账号）。"""
    from bureau.demo import DEMO_PASSWORD, load_demo

    set_actor(db.session, None, "演示数据")
    logins = load_demo(db.session)
    db.session.commit()
    click.echo(f"演示数据已载入。所有账号的密码均为 {DEMO_PASSWORD}")
    for username, label in logins:
        click.echo(f"  {username:<16} {label}")


@bureau_cli.command("prune-attempts")
def prune_attempts_command() -> None:
    """删除一天以前的登录尝试记录（登录时也会分批清理）。"""
    from bureau import clock
    from bureau.tenants.signin import prune_attempts

    total = 0
    while True:  # batch by batch, each committed, so a long backlog never holds one big transaction
        removed = prune_attempts(db.session, clock.now())
        db.session.commit()
        total += removed
        if not removed:
            break
    click.echo(f"已删除 {total} 条过期的登录尝试记录")


def _register_domain_commands() -> None:
    from bureau.inspection.cli import register as register_inspection
    from bureau.progress.cli import register as register_progress
    from bureau.visits.cli import register as register_visits

    register_visits(bureau_cli)
    register_progress(bureau_cli)
    register_inspection(bureau_cli)


_register_domain_commands()
