"""Report layouts of the home-visit campaign: the coverage table and the 漏访名单."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from bureau.exports.xlsx import Column, Sheet
from bureau.tenants.scope import Scope
from bureau.visits.coverage import LEVELS, CoverageRow
from bureau.visits.models import FOCUS_TYPES, class_label
from bureau.visits.privacy import shown_phone


def coverage_sheet(rows: list[CoverageRow], level: str, title: str) -> Sheet:
    columns = [
        Column(LEVELS[level]),
        Column("在籍学生", "int"),
        Column("已走访", "int"),
        Column("覆盖率", "percent"),
        Column("上门/到校占比", "percent"),
        Column("走访记录数", "int"),
        Column("留守儿童每月联系", "int"),
    ]
    columns += [Column(f"{label}覆盖率", "percent") for label in FOCUS_TYPES.values()]
    columns += [Column("教职工访谈率", "percent")]

    def values() -> Iterator[list]:
        for row in rows:
            yield [
                row.label,
                row.students,
                row.visited,
                row.coverage,
                row.in_person_share,
                row.visits,
                row.left_behind_monthly,
                *[row.focus_coverage(k) for k in FOCUS_TYPES],
                row.staff_share,
            ]

    return Sheet("覆盖率", columns, values(), title=title)


MISSED_COLUMNS = [
    Column("学校"),
    Column("班级"),
    Column("学号"),
    Column("姓名"),
    Column("监护人"),
    Column("联系电话"),
    Column("村(社区)"),
    Column("重点类型"),
    Column("责任教师"),
]


def missed_sheet(rows: Iterable, role: str, scope: Scope | None, title: str) -> Sheet:
    """漏访名单 rows (from coverage.missed_students) with guardian phones masked as the viewer must see them."""

    def values() -> Iterator[list]:
        for r in rows:
            focus = "、".join(label for key, label in FOCUS_TYPES.items() if getattr(r, key))
            yield [
                r.school,
                class_label(r.grade, r.class_number),
                r.number,
                r.name,
                r.guardian_name,
                shown_phone(r.guardian_phone, role, scope, r.school_id),
                r.village,
                focus,
                r.staff_name or "（未落实包保）",
            ]

    return Sheet("漏访名单", MISSED_COLUMNS, values(), title=title)
