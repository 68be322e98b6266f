"""Scoring's sheets: a term's deductions by school and teacher with their reversals shown, and
the scores of schools and of a school's teachers (with the ranks the pages show)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from bureau.exports.xlsx import Column, Sheet
from bureau.inspection.scores import SchoolScore, TeacherScore
from bureau.inspection.scoring_models import EVIDENCE_KINDS, Deduction
from bureau.tenants.models import Region, School
from bureau.visits.models import Staff, Term

DEDUCTION_COLUMNS = [
    Column("县(市、区)", width=14),
    Column("学校", width=22),
    Column("教职工"),
    Column("岗位"),
    Column("细则编号"),
    Column("细则内容", width=30),
    Column("次数", "int"),
    Column("每次扣分", "points"),
    Column("扣分", "points"),
    Column("发生日期", "date"),
    Column("依据"),
    Column("记录人"),
    Column("记录时间", "datetime"),
    Column("状态"),
    Column("撤销原因或说明", width=36),
]
SCHOOL_COLUMNS = [
    Column("县(市、区)", width=14),
    Column("学校", width=22),
    Column("学校代码"),
    Column("在职教职工", "int"),
    Column("被扣分教师", "int"),
    Column("教师扣分合计", "points"),
    Column("教师人均扣分", "points"),
    Column("学校扣分", "points"),
    Column("基础分", "points"),
    Column("学校得分", "points"),
    Column("县内排名", "int"),
    Column("备注"),
]
TEACHER_COLUMNS = [
    Column("排名", "int"),
    Column("教职工"),
    Column("岗位"),
    Column("有效扣分条数", "int"),
    Column("扣分", "points"),
    Column("得分", "points"),
]


def status_of(entry: Deduction, reversal) -> str:
    """有效, 已撤销 (a reversal was written for it) or 撤销记录 (it is a reversal)."""
    if entry.is_reversal:
        return "撤销记录"
    return "已撤销" if reversal is not None else "有效"


def deduction_rows(session: Session, term: Term, school: School | None = None) -> Iterator[tuple]:
    """Every entry of the term the session may read, as the sheet's columns (no whole rows: a
    province's 200,000 entries stream in seconds), a reversal right after the entry it reverses;
    the guard scopes the statement by its entities as any other."""
    reversal, county = aliased(Deduction), aliased(Region)
    statement = (
        select(
            county.name,
            School.name,
            Staff.name,
            Staff.position,
            Deduction.rule_code,
            Deduction.rule_text,
            Deduction.instances,
            Deduction.points_each,
            Deduction.points,
            Deduction.occurred_on,
            Deduction.evidence_kind,
            Deduction.recorded_by_name,
            Deduction.recorded_at,
            Deduction.reverses_id,
            Deduction.reason,
            Deduction.note,
            reversal.id,
            reversal.reason,
        )
        .join(School, School.id == Deduction.school_id)
        .join(county, county.id == School.county_id)
        .outerjoin(Staff, Staff.id == Deduction.staff_id)
        .outerjoin(reversal, reversal.reverses_id == Deduction.id)
        .where(Deduction.term_id == term.id)
        .order_by(county.code, School.code, Deduction.staff_id, Deduction.occurred_on, Deduction.id)
        .execution_options(yield_per=1000)
    )
    if school is not None:
        statement = statement.where(Deduction.school_id == school.id)
    yield from session.execute(statement).tuples()


def deductions_sheet(rows: Iterable[tuple], title: str) -> Sheet:
    def lines():
        for row in rows:
            county, school, staff, position, code, text, instances, each, points, on, kind = row[:11]
            recorder, recorded_at, reverses_id, reason, note, reversal_id, reversal_reason = row[11:]
            if reverses_id is not None:
                status, shown = "撤销记录", reason
            elif reversal_id is not None:
                status, shown = "已撤销", reversal_reason
            else:
                status, shown = "有效", note
            yield [
                county,
                school,
                staff or "（学校）",
                position or "",
                code,
                text,
                instances,
                each,
                points,
                on,
                EVIDENCE_KINDS.get(kind, kind),
                recorder,
                recorded_at,
                status,
                shown or "",
            ]

    return Sheet("扣分明细", DEDUCTION_COLUMNS, lines(), title=title)


def school_scores_sheet(rows: Iterable[SchoolScore], title: str) -> Sheet:
    figures = (
        [
            r.county,
            r.name,
            r.code,
            r.staff,
            r.teachers_deducted,
            r.teacher_points,
            r.average,
            r.school_points,
            r.base,
            r.score,
            r.rank,
            r.mark,
        ]
        for r in rows
    )
    return Sheet("学校得分", SCHOOL_COLUMNS, figures, title=title)


def teacher_scores_sheet(rows: Iterable[TeacherScore], title: str) -> Sheet:
    figures = ([r.rank, r.name, r.position, r.deductions, r.deducted, r.score] for r in rows)
    return Sheet("教师得分", TEACHER_COLUMNS, figures, title=title)
