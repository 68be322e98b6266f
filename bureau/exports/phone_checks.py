"""The phone checks' sheets: a batch's call list (the phone in full for an inspector only, as on
the page) and the counts per school."""

from __future__ import annotations

from collections.abc import Iterable

from bureau.exports.xlsx import Column, Sheet
from bureau.inspection.models import CALL_OUTCOMES, SATISFACTION, PhoneCheck
from bureau.inspection.phone import SchoolCount
from bureau.visits.models import VISIT_MODES, Visit
from bureau.visits.privacy import call_list_phone

CALL_COLUMNS = [
    Column("学校", width=24),
    Column("班级"),
    Column("学生"),
    Column("监护人"),
    Column("联系电话", width=14),
    Column("走访日期", "date"),
    Column("走访方式"),
    Column("走访人"),
    Column("已拨打次数", "int"),
    Column("抽查结果"),
    Column("满意度"),
    Column("备注", width=40),
]
SUMMARY_COLUMNS = [
    Column("县(市、区)", width=16),
    Column("学校", width=24),
    Column("学校代码"),
    Column("抽查家庭", "int"),
    Column("属实", "int"),
    Column("不属实", "int"),
    Column("未接通", "int"),
    Column("拒访", "int"),
    Column("待拨打", "int"),
    Column("属实率（接通家庭中）", "percent"),
]


def call_sheet(checks: Iterable[tuple[PhoneCheck, int, Visit | None]], role: str, title: str) -> Sheet:
    """The call list: a row per (check, tries, visit), streamed; the phone as `role` may read it."""

    def rows():
        for check, tries, visit in checks:
            yield [
                check.school.name,
                str(check.student.school_class),
                check.student.name,
                check.student.guardian_name or "",
                call_list_phone(check.student.guardian_phone, role),
                visit.visited_on if visit else None,
                VISIT_MODES.get(visit.mode, visit.mode) if visit else "",
                visit.visitors if visit else "",
                tries,
                CALL_OUTCOMES.get(check.outcome, "待拨打"),
                SATISFACTION.get(check.satisfaction, ""),
                check.remarks or "",
            ]

    return Sheet("抽查清单", CALL_COLUMNS, rows(), title=title)


def summary_sheet(rows: Iterable[SchoolCount], title: str) -> Sheet:
    """The counts per school (and their total line, when given one)."""
    figures = (
        [r.county, r.name, r.code, r.drawn, r.confirmed, r.contradicted, r.unreachable, r.refused, r.pending, r.rate]
        for r in rows
    )
    return Sheet("各校汇总", SUMMARY_COLUMNS, figures, title=title)
