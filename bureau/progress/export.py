"""The leadership workbook of one week (a summary row per county, then a sheet per county), and the
催报 list. Counts are integer columns, rates fractions shown as percentages."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from itertools import groupby

from sqlalchemy.orm import Session

from bureau.exports.xlsx import Column, Sheet
from bureau.progress import periods
from bureau.progress.figures import FIGURES
from bureau.progress.rates import SchoolStatus, breakdown, school_statuses, total
from bureau.progress.reminders import Reminder
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


def _figure_kind(key: str) -> str:
    """A figure stored in percent (coverage_pct: 62.5) is a rate; every other figure is a count."""
    return "percent" if FIGURES[key].unit == "%" else "int"


def _figure_value(key: str, figures: dict):
    value = figures.get(key)
    return value / 100 if value is not None and _figure_kind(key) == "percent" else value


def _school_columns() -> list[Column]:
    figures = [Column(fig.label, _figure_kind(key)) for key, fig in FIGURES.items()]
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
        *[_figure_value(key, figures) for key in FIGURES],
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


def reminder_sheet(reminder: Reminder) -> Sheet:
    """The 催报 list: every school that owes, by county, those overdue from earlier weeks first."""
    week = periods.week_short(reminder.week)
    columns = [
        Column("县(市、区)"),
        Column("学校"),
        Column("联系人及电话"),
        Column(f"{week}状态"),
        Column("往周逾期未报（周）", "int"),
        Column("逾期周次"),
    ]
    rows = (
        [
            county.county,
            owing.school,
            owing.contact,
            owing.this_week_text,
            owing.earlier.weeks if owing.earlier else 0,
            owing.earlier.weeks_text if owing.earlier else "",
        ]
        for county in reminder.counties
        for owing in county.schools
    )
    return Sheet("催报名单", columns, rows, title=f"{reminder.campaign} {periods.week_label(reminder.week)} 催报名单")
