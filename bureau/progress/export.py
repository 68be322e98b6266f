"""The leadership workbook of one week: a summary row per county, then a sheet per county."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from itertools import groupby

from sqlalchemy.orm import Session

from bureau.exports.xlsx import Column, Sheet
from bureau.progress import periods
from bureau.progress.figures import FIGURES
from bureau.progress.rates import SchoolStatus, breakdown, school_statuses, total
from bureau.progress.service import FIELDS, STATUS_LABELS
from bureau.tenants.models import Region
from bureau.tenants.scope import Scope
from bureau.visits.models import Campaign

SUMMARY_COLUMNS = [
    Column("县(市、区)"),
    Column("应报", "int"),
    Column("已报", "int"),
    Column("按时", "int"),
    Column("逾期", "int"),
    Column("未报", "int"),
    Column("上报率", "percent"),
    Column("按时率", "percent"),
]


def _school_columns() -> list[Column]:
    figures = [Column(f"{fig.label}{'（%）' if fig.unit == '%' else ''}", "number") for fig in FIGURES.values()]
    text = [
        Column(label, width=40 if key in ("progress", "problems", "next_plan") else None)
        for key, label in FIELDS.items()
    ]
    return [
        Column("学校"),
        Column("状态"),
        Column("首次提交时间", "datetime"),
        Column("最后提交时间", "datetime"),
        *figures,
        *text,
        Column("退回原因"),
    ]


def _school_row(row: SchoolStatus) -> list:
    report = row.report
    figures = report.figures if report is not None and report.first_submitted_at else {}
    text = [getattr(report, key) if report is not None else "" for key in FIELDS]
    return [
        row.school,
        STATUS_LABELS[row.status],
        report.first_submitted_at if report else None,
        report.submitted_at if report else None,
        *[figures.get(key) for key in FIGURES],
        *text,
        report.return_reason if report else None,
    ]


def week_sheets(
    session: Session, campaign: Campaign, week_start: date, scope: Scope, region: Region
) -> Iterator[Sheet]:
    """The summary sheet, then one sheet per county, each school's status, figures and text."""
    title = f"{campaign} {periods.week_label(week_start)} 周调度"
    counties = breakdown(session, campaign.id, week_start, scope, region, level="county")
    summary = [*counties, total(counties, "合计")]
    yield Sheet(
        "汇总",
        SUMMARY_COLUMNS,
        title=title,
        rows=(
            [r.name, r.expected, r.submitted, r.on_time, r.late, r.missing, r.reporting_rate, r.on_time_rate]
            for r in summary
        ),
    )
    used: set[str] = {"汇总"}
    statuses = school_statuses(session, campaign.id, week_start, scope, region)
    for _, rows in groupby(statuses, key=lambda row: row.county_id):
        rows = list(rows)
        name = rows[0].county[:28]
        name = name if name not in used else f"{name}{len(used)}"
        used.add(name)
        yield Sheet(name, _school_columns(), (_school_row(row) for row in rows), title=f"{rows[0].county} {title}")
