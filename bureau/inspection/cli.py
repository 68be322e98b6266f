"""`flask bureau draw` and `verify-draw`: school draws for bureau staff, and anyone's check of a draw;
`seed-deduction-rules`: seed 001 篇四's rules in a region's catalogue."""

from __future__ import annotations

import json

import click
from flask.cli import AppGroup
from sqlalchemy import select

from bureau.audit import set_actor
from bureau.extensions import db
from bureau.inspection.deductions import DEFAULT_RULES, seed_default_rules
from bureau.inspection.frames import SCHOOL_STRATA, draw_schools
from bureau.inspection.models import SampleDraw
from bureau.inspection.sampling import DrawError, Size, verify_draw
from bureau.tenants.models import Region


def register(group: AppGroup) -> None:
    """Attach the sampling commands to the `bureau` command group."""
    group.add_command(draw_command)
    group.add_command(verify_draw_command)
    group.add_command(seed_rules_command)


@click.command("draw")
@click.option("--purpose", type=click.Choice(["inspection"]), default="inspection", show_default=True, help="用途")
@click.option("--scope", "scope_code", required=True, help="抽样范围：区域代码")
@click.option(
    "--per", type=click.Choice(SCHOOL_STRATA), default="county", show_default=True, help="分层：每县区、每市或每校"
)
@click.option("--n", "n", type=int, help="每层抽取的学校数")
@click.option("--percent", type=int, help="每层抽取的比例（%，向上取整），与 --n 二选一")
@click.option("--seed", help="随机种子（如公开摇号结果）；不填则由系统生成并显示")
@click.option(
    "--exclude-recent", type=click.IntRange(0, 50), default=0, show_default=True, help="排除本区域最近 K 轮已检查的学校"
)
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出：{draw_id, strata: {分层代码: [学校代码…]}}")
def draw_command(purpose, scope_code, per, n, percent, seed, exclude_recent, as_json) -> None:
    """随机抽取学校（可复核：种子、抽样框及其 SHA-256、每个样本的签号都被记录）。"""
    set_actor(db.session, None, "命令行")
    region = db.session.scalar(select(Region).where(Region.code == scope_code))
    try:
        if region is None:
            raise DrawError(f"找不到代码为「{scope_code}」的区域（抽样范围须为区域）。")
        draw = draw_schools(
            db.session,
            region=region,
            per=per,
            size=Size(n=n, percent=percent),
            seed=seed,
            drawn_by=None,
            drawn_by_name="命令行",
            exclude_recent=exclude_recent,
        )
    except DrawError as error:
        db.session.rollback()
        raise click.ClickException(f"未抽取：{error}") from error
    db.session.commit()
    strata = {code: [unit for unit, _ in info["sample"]] for code, info in draw.strata.items()}
    if as_json:
        click.echo(json.dumps({"draw_id": draw.id, "strata": strata}, ensure_ascii=False))
        return
    click.echo(
        f"已抽取：第 {draw.id} 号，种子 {draw.seed}，抽样框 {draw.frame_count} 所学校，SHA-256 {draw.frame_sha256}"
    )
    for code, info in draw.strata.items():
        click.echo(f"  {info['label']}（{code}）：{info['n']}/{info['eligible']}  " + " ".join(strata[code]))


@click.command("verify-draw")
@click.argument("draw_id", type=int)
def verify_draw_command(draw_id: int) -> None:
    """按记录重算一次抽取；一致时退出码 0，不一致时 1 并说明哪一层不同。"""
    draw = db.session.get(SampleDraw, draw_id)
    if draw is None:
        click.echo(f"找不到第 {draw_id} 号抽取。", err=True)
        raise SystemExit(1)
    problems = verify_draw(db.session, draw)
    db.session.rollback()
    if problems:
        click.echo(f"第 {draw_id} 号抽取复核不一致：", err=True)
        for problem in problems:
            click.echo(f"  {problem}", err=True)
        raise SystemExit(1)
    click.echo(
        f"第 {draw_id} 号抽取复核一致：种子 {draw.seed}，{draw.sample_size} 个样本；抽样框 SHA-256 {draw.frame_sha256}"
    )


@click.command("seed-deduction-rules")
@click.option("--scope", "scope_code", required=True, help="区域代码（通常为省）")
def seed_rules_command(scope_code: str) -> None:
    """把篇四的扣分细则加入该区域的扣分细则（已有的编号不重复添加）。"""
    set_actor(db.session, None, "命令行")
    region = db.session.scalar(select(Region).where(Region.code == scope_code))
    if region is None:
        raise click.ClickException(f"找不到代码为「{scope_code}」的区域。")
    added = seed_default_rules(db.session, region)
    db.session.commit()
    click.echo(f"{region.name}：新增扣分细则 {added} 条（篇四共 {len(DEFAULT_RULES)} 条）。")
