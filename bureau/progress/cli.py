"""`flask bureau` commands of the weekly reports."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from bureau import clock
from bureau.audit import set_actor
from bureau.extensions import db
from bureau.progress import periods
from bureau.progress.reminders import due_within, visible_campaigns
from bureau.progress.service import ReportError, open_due_weeks


def register(group: AppGroup) -> None:
    """Attach the weekly-report commands to the `bureau` command group."""
    group.add_command(due_reports)
    group.add_command(open_weeks)


def _refuse(error: ReportError) -> None:
    db.session.rollback()
    click.echo(str(error), err=True)
    raise SystemExit(1)


@click.command("due-reports")
@click.option(
    "--hours", default=24, show_default=True, type=click.IntRange(1, 24 * 14), help="截止时间在未来多少小时内"
)
def due_reports(hours: int) -> None:
    """列出截止时间在未来 N 小时内、尚未提交周报的学校（按县区分组）。"""
    set_actor(db.session, None, "命令行")
    now = clock.now()
    try:  # the week may not be opened yet if the Monday job has not run: open it first
        for campaign in visible_campaigns(db.session):
            open_due_weeks(db.session, campaign, now)
    except ReportError as error:
        _refuse(error)
    db.session.commit()
    groups = due_within(db.session, now, hours, None)
    if not groups:
        click.echo(f"未来 {hours} 小时内没有待截止且未提交的周报。")
    for group in groups:
        click.echo(
            f"{group.county}（{group.campaign}，{periods.week_label(group.week_start)}，"
            f"截止 {clock.local(group.deadline):%Y-%m-%d %H:%M}）未提交 {len(group.schools)} 所："
        )
        for row in group.schools:
            click.echo(f"  {row.school}  {row.contact}")


@click.command("open-weeks")
def open_weeks() -> None:
    """记录各活动已开始周次的应报学校（每周一 00:05 由定时任务运行；页面只读，不会补记）。"""
    set_actor(db.session, None, "命令行")
    now = clock.now()
    try:
        opened = sum(open_due_weeks(db.session, c, now) for c in visible_campaigns(db.session))
    except ReportError as error:
        _refuse(error)
    db.session.commit()
    click.echo(f"新开启 {opened} 个周次。")
