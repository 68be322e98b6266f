"""A notice's (通报) sheets, built only from what the notice stores — its title, text, figures and
the schools it names — never recomputed, so the file is what was published."""

from __future__ import annotations

from collections.abc import Iterable

from bureau import clock
from bureau.exports.xlsx import Column, Sheet
from bureau.inspection.notices import SECTIONS
from bureau.inspection.scoring_models import NOTICE_STATES, Notice, NoticeSchool
from bureau.tenants.models import place_name

TEXT_COLUMNS = [Column("内容", width=100)]
FIGURE_COLUMNS = {
    "lowest": [Column("学校", width=24), Column("县(市、区)", width=16), Column("得分"), Column("扣分合计")],
    "satisfaction": [Column("学校", width=24), Column("满意度", "percent")],
    "contradicted": [Column("学校", width=24), Column("不属实户数", "int")],
}
NAMED_COLUMNS = [Column("学校", width=24), Column("点名原因", width=60)]


def meta_lines(notice: Notice) -> list[str]:
    """What a notice is, line by line: who issues it, for which term and period, its state."""
    lines = [
        f"发布单位：{place_name(notice.region)}教育局",
        f"学期：{notice.term.name}",
        f"通报期间：{notice.period_start:%Y-%m-%d} 至 {notice.period_end:%Y-%m-%d}",
        f"状态：{NOTICE_STATES.get(notice.state, notice.state)}",
    ]
    if notice.published_at is not None:
        lines.append(f"发布时间：{clock.local_text(notice.published_at)}（北京时间）")
        lines.append(f"发布人：{notice.published_by_name or ''}")
    return lines


def paragraphs(notice: Notice) -> list[str]:
    """The notice's text, one paragraph a line (blank lines left out)."""
    return [line.strip() for line in notice.body.splitlines() if line.strip()]


def figure_rows(figures: dict, key: str) -> list[list]:
    """A section's rows as the page shows them (the satisfaction rate as a fraction for a % cell)."""
    rows = figures.get(key, [])
    if key == "lowest":
        return [[r["name"], r.get("county", ""), r["score"], r["total"]] for r in rows]
    if key == "satisfaction":
        return [[r["name"], r["rate"] / 100] for r in rows]
    return [[r["name"], r["count"]] for r in rows]


def section_title(figures: dict, key: str) -> str:
    if key == "satisfaction" and "threshold" in figures:
        return f"{SECTIONS[key]}（标准 {figures['threshold']}%）"
    return SECTIONS[key]


def notice_sheets(notice: Notice, named: Iterable[tuple[NoticeSchool, str]]) -> list[Sheet]:
    """The notice (title, facts, text), a sheet per section of its figures, the schools it names."""
    text = [[notice.title], *([line] for line in meta_lines(notice)), [""], *([p] for p in paragraphs(notice))]
    sheets = [Sheet("通报", TEXT_COLUMNS, text, title=notice.title)]
    figures = notice.figures or {}
    for key, heading in SECTIONS.items():
        sheets.append(Sheet(heading, FIGURE_COLUMNS[key], figure_rows(figures, key), title=section_title(figures, key)))
    named_rows = ([name, row.reasons] for row, name in named)
    sheets.append(Sheet("点名学校", NAMED_COLUMNS, named_rows, title=f"{notice.title} 点名学校"))
    return sheets
