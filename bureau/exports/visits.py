"""Report layouts of the home-visit campaign: the coverage table, the 漏访名单 and the 家访情况记录表."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from bureau.exports.xlsx import Column, Sheet
from bureau.tenants.scope import Scope
from bureau.visits.coverage import LEVELS, NO_ROSTER, REGION_LEVELS, CoverageRow
from bureau.visits.models import (
    CAREGIVERS,
    EMPLOYMENT,
    FOCUS_TYPES,
    HOUSING,
    QUESTIONS,
    VISIT_MODES,
    VISIT_STATUSES,
    class_label,
)
from bureau.visits.privacy import shown_phone
from bureau.visits.problems import PROBLEM_QUESTIONS, raised


def roster_note(row: CoverageRow) -> str:
    """未导入名册 for a unit none of whose schools has a roster; how many lack one otherwise."""
    if row.roster_missing:
        return NO_ROSTER
    return f"{row.no_roster} 所学校{NO_ROSTER}" if row.no_roster else ""


def coverage_sheet(rows: list[CoverageRow], level: str, title: str) -> Sheet:
    """The coverage table of a level: every unit, those without a roster marked (no rate)."""
    regions = level in REGION_LEVELS
    columns = [Column(LEVELS[level])]
    columns += [Column("学校数", "int"), Column("未导入名册学校数", "int")] if regions else []
    columns += [
        Column("在籍学生", "int"),
        Column("已走访", "int"),
        Column("覆盖率", "percent"),
        Column("上门/到校占比", "percent"),
        Column("走访记录数", "int"),
        Column("问题反映", "int"),
        Column("留守儿童每月联系", "int"),
    ]
    columns += [Column(f"{label}覆盖率", "percent") for label in FOCUS_TYPES.values()]
    columns += [Column("教职工访谈率", "percent"), Column("备注")]

    def values() -> Iterator[list]:
        for row in rows:
            yield [
                row.label,
                *([row.schools, row.no_roster] if regions else []),
                row.students,
                row.visited,
                row.coverage,
                row.in_person_share,
                row.visits,
                row.problems,
                row.left_behind_monthly,
                *[row.focus_coverage(k) for k in FOCUS_TYPES],
                row.staff_share,
                roster_note(row),
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


def missed_sheet(rows: Iterable, role: str, scope: Scope | None, title: str, without_roster: Iterable = ()) -> Sheet:
    """漏访名单: first a line per school without a roster (from missed.schools_without_roster: its
    students cannot be listed), then the students (from missed.missed_students) with guardian
    phones masked as the viewer must see them."""

    def values() -> Iterator[list]:
        for school in without_roster:
            yield [school.name, NO_ROSTER, "", "", "", "", "", "", ""]
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


# Short headers of 附2's questions 1-7 (the full text is on the record page); problems by their label.
QUESTION_HEADERS = {
    **PROBLEM_QUESTIONS,
    "q_homework": "家庭作业份量",
    "q_marking": "作业批改",
    "q_safety": "学校安全工作",
}
RECORD_COLUMNS = [
    Column("走访单位"),
    Column("走访时间", "date"),
    Column("走访方式"),
    Column("被走访学生"),
    Column("学号"),
    Column("年级班级"),
    Column("家长姓名"),
    Column("联系电话"),
    Column("家庭住址"),
    Column("家庭总人口", "int"),
    Column("学生数", "int"),
    Column("家长就业情况"),
    Column("在家照顾学生人员"),
    Column("住房条件"),
    *[Column(f"{n}. {QUESTION_HEADERS[name]}") for n, name in enumerate(QUESTIONS, start=1)],
    Column("8. 意见建议"),
    Column("问题反映"),
    Column("走访人员"),
    Column("审核状态"),
]


def _answer(value: bool | None, pair: tuple[str, str]) -> str:
    """有/没有, 满意/不满意 as the questionnaire writes them; blank when not answered."""
    return "" if value is None else pair[0 if value else 1]


def records_sheet(rows: Iterable, role: str, scope: Scope | None, title: str) -> Sheet:
    """家访情况记录表 in the layout of seed 000 附2: one row per visit (from
    record_lists.visit_records), the family data and the answers as text, phones masked."""

    def values() -> Iterator[list]:
        for r in rows:
            yield [
                r.school,
                r.visited_on,
                VISIT_MODES.get(r.mode, r.mode),
                r.student,
                r.number,
                class_label(r.grade, r.class_number),
                r.guardian_name,
                shown_phone(r.guardian_phone, role, scope, r.school_id),
                r.address,
                r.household_size,
                r.school_children,
                EMPLOYMENT.get(r.employment, ""),
                CAREGIVERS.get(r.caregiver, ""),
                HOUSING.get(r.housing, ""),
                *[_answer(getattr(r, name), pair) for name, (_, pair) in QUESTIONS.items()],
                r.opinions,
                "、".join(raised(r)),
                "、".join(name for name in (r.staff, r.staff2) if name),
                VISIT_STATUSES.get(r.status, r.status),
            ]

    return Sheet("家访情况记录表", RECORD_COLUMNS, values(), title=title)
