"""`flask bureau` commands of the home-visit campaign."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

from bureau.audit import set_actor
from bureau.extensions import db
from bureau.sheets import SheetError
from bureau.tenants.models import School
from bureau.visits.roster import import_roster, import_staff


def register(group: AppGroup) -> None:
    """Attach the visits commands to the `bureau` command group."""

    def _import(importer, code: str, path: str) -> None:
        set_actor(db.session, None, "命令行")
        school = db.session.scalar(select(School).where(School.code == code))
        if school is None:
            raise click.ClickException(f"找不到代码为「{code}」的学校")
        try:
            result = importer(db.session, school, path)
        except SheetError as refused:
            db.session.rollback()
            raise click.ClickException(
                "导入失败，未写入任何数据：\n" + "\n".join(f"  {e}" for e in refused.errors)
            ) from refused
        db.session.commit()
        click.echo(f"导入成功：{result.summary()}")

    @group.command("import-roster")
    @click.option("--school", "code", required=True, help="学校代码")
    @click.argument("path", type=click.Path(exists=True, dir_okay=False))
    def import_roster_command(code: str, path: str) -> None:
        """导入学生名册（.xlsx，表头见名册导入模板）。"""
        _import(import_roster, code, path)

    @group.command("import-staff")
    @click.option("--school", "code", required=True, help="学校代码")
    @click.argument("path", type=click.Path(exists=True, dir_okay=False))
    def import_staff_command(code: str, path: str) -> None:
        """导入教职工（.xlsx：姓名 | 岗位 | 联系电话）。"""
        _import(import_staff, code, path)
