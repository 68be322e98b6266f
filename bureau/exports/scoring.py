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


def status_of(entry: Deduction, reversal: Deduction | None) -> str:
    if entry.is_reversal:
        return "撤销记录"
    return "已撤销" if reversal is not None else "有效"


def deduction_rows(session: Session, term: Term, school: School | None = None) -> Iterator[tuple]:
    """(entry, its reversal, county name, school name, staff): every entry of the term the session
    may read (a reversal right after the entry it reverses), streamed."""
    reversal, county = aliased(Deduction), aliased(Region)
    statement = (
        select(Deduction, reversal, county.name, School.name, Staff)
        .join(School, School.id == Deduction.school_id)
        .join(county, county.id == School.county_id)
        .outerjoin(Staff, Staff.id == Deduction.staff_id)
        .outerjoin(reversal, reversal.reverses_id == Deduction.id)
        .where(Deduction.term_id == term.id)
        .order_by(county.code, School.code, Deduction.staff_id, Deduction.occurred_on, Deduction.id)
        .execution_options(yield_per=500)
    )
    if school is not None:
        statement = statement.where(Deduction.school_id == school.id)
    yield from session.execute(statement).tuples()


def deductions_sheet(rows: Iterable[tuple], title: str) -> Sheet:
    def lines():
        for entry, reversal, county, school, staff in rows:
            note = entry.reason if entry.is_reversal else (reversal.reason if reversal is not None else entry.note)
            yield [
                county,
                school,
                staff.name if staff else "（学校）",
                staff.position if staff else "",
                entry.rule_code,
                entry.rule_text,
                entry.instances,
                entry.points_each,
                entry.points,
                entry.occurred_on,
                EVIDENCE_KINDS.get(entry.evidence_kind, entry.evidence_kind),
                entry.recorded_by_name,
                entry.recorded_at,
                status_of(entry, reversal),
                note or "",
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
