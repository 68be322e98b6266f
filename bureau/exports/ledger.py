"""The problem ledger's sheets: the ledger in the layout schools submit (序号 … 销号时间), the 公示
list (the same without anyone's name or phone: who raised a problem is never selected for it, and
the family's student's name and phone numbers are masked in its text), and the counts by school
and by category."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import date

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, aliased

from bureau.exports.xlsx import Column, Sheet
from bureau.ledger.models import ENDED, SOURCES, STATES, Problem, ProblemCategory
from bureau.ledger.queries import SchoolCounts
from bureau.tenants.models import Region, School
from bureau.visits.models import Staff, Student

OVERDUE = "overdue"  # the list's state filter for 逾期 (past its deadline, still owed)
MASK = "×××"
PHONE = re.compile(r"(?<!\d)1\d{10}(?!\d)|(?<!\d)0\d{2,3}-?\d{7,8}(?!\d)")
LEDGER_COLUMNS = [
    Column("序号", "int"),
    Column("来源"),
    Column("类别"),
    Column("问题描述", width=40),
    Column("责任人"),
    Column("整改措施", width=36),
    Column("时限", "date"),
    Column("状态"),
    Column("销号人"),
    Column("销号时间", "datetime"),
]
SCHOOL_COLUMN = Column("学校", width=22)
COUNT_COLUMNS = [
    Column("县(市、区)", width=14),
    Column("学校", width=22),
    Column("学校代码"),
    *[Column(label, "int") for label in STATES.values()],
    Column("逾期", "int"),
    Column("合计", "int"),
]
CATEGORY_COLUMNS = [Column("类别"), *[Column(label, "int") for label in STATES.values()], Column("合计", "int")]


def ledger_clauses(state: str | None, category_id: int | None, school_id: int | None, today: date) -> list:
    """The list's filters (and the export's): a state or 逾期, a category, a school."""
    clauses = []
    if state == OVERDUE:
        clauses += [Problem.state.not_in(ENDED), Problem.deadline < today]
    elif state:
        clauses.append(Problem.state == state)
    if category_id is not None:
        clauses.append(Problem.category_id == category_id)
    if school_id is not None:
        clauses.append(Problem.school_id == school_id)
    return clauses


def ledger_statement(clauses: list, public: bool = False) -> Select:
    """The ledger's columns (never who raised a problem), oldest school and number first,
    streamed; the 公示 list adds the student's name only to mask it in the text."""
    county = aliased(Region)
    columns = [
        School.name,
        Problem.number,
        Problem.source,
        ProblemCategory.name,
        Problem.description,
        Staff.name,
        Problem.owner_department,
        Problem.measures,
        Problem.deadline,
        Problem.state,
        Problem.closed_by_name,
        Problem.closed_at,
    ]
    statement = (
        select(*columns, *([Student.name] if public else []))
        .select_from(Problem)
        .join(School, School.id == Problem.school_id)
        .join(county, county.id == School.county_id)
        .join(ProblemCategory, ProblemCategory.id == Problem.category_id)
        .outerjoin(Staff, Staff.id == Problem.owner_staff_id)
        .where(*clauses)
        .order_by(county.code, School.code, Problem.number)
        .execution_options(yield_per=500)
    )
    if public:
        statement = statement.outerjoin(Student, Student.id == Problem.student_id)
    return statement


def ledger_rows(session: Session, clauses: list, public: bool = False) -> Iterator[tuple]:
    yield from session.execute(ledger_statement(clauses, public)).tuples()


def state_text(state: str, deadline: date, today: date) -> str:
    label = STATES.get(state, state)
    return f"{label}（逾期）" if state not in ENDED and deadline < today else label


def _masked(text: str | None, name: str | None) -> str:
    text = PHONE.sub(MASK, text or "")
    return text.replace(name, MASK) if name and len(name) > 1 else text


def ledger_sheet(rows: Iterable[tuple], today: date, with_school: bool, title: str, public: bool = False) -> Sheet:
    """The ledger (or, `public`, the 公示 list: the student's name and phone numbers masked)."""

    def lines():
        for row in rows:
            school, number, source, category, text, owner, department, measures, deadline, state = row[:10]
            closed_by, closed_at = row[10], row[11]
            if public:
                text, measures = _masked(text, row[12]), _masked(measures, row[12])
            line = [
                number,
                SOURCES.get(source, source),
                category,
                text,
                owner or department or "",
                measures or "",
                deadline,
                state_text(state, deadline, today),
                closed_by or "",
                closed_at,
            ]
            yield [school, *line] if with_school else line

    columns = [SCHOOL_COLUMN, *LEDGER_COLUMNS] if with_school else LEDGER_COLUMNS
    return Sheet("公示清单" if public else "问题整改台账", columns, lines(), title=title)


def school_counts_sheet(rows: Iterable[SchoolCounts], title: str) -> Sheet:
    lines = ([r.county, r.name, r.code, *[r.states[s] for s in STATES], r.overdue, r.total] for r in rows)
    return Sheet("各校问题", COUNT_COLUMNS, lines, title=title)


def category_counts_sheet(rows: Iterable[tuple[str, dict[str, int]]], title: str) -> Sheet:
    lines = ([name, *[states[s] for s in STATES], sum(states.values())] for name, states in rows)
    return Sheet("分类统计", CATEGORY_COLUMNS, lines, title=title)
