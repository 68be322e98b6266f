"""The ledger's workflow: register a problem (by hand, or from the record it came from), then
待处理 → 整改中 → 已整改 → 已销号 (by another user, with a verification note and, for a family's
problem, a satisfied 回访), or 已上报 to the county (which resolves it or sends it back with an
answer), or 已解释. Every transition is a ProblemEvent. Services flush; the request commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from bureau import clock
from bureau.ledger.models import (
    DEFAULT_CATEGORIES,
    ENDED,
    FOLLOW_UP_MODES,
    PRIORITIES,
    SOURCES,
    STATES,
    FollowUp,
    Problem,
    ProblemCategory,
    ProblemEvent,
)
from bureau.tenants.models import School, User
from bureau.visits.models import Staff, Student

MAX_TEXT = 2000
COUNTY_ROLES = ("region_admin", "inspector")
# Which states each action starts from.
FROM = {
    "start": ("open",),
    "fix": ("open", "in_progress", "escalated"),
    "close": ("fixed",),
    "escalate": ("open", "in_progress"),
    "send_back": ("escalated",),
    "explain": ("open", "in_progress", "escalated"),
}
TO = {
    "start": "in_progress",
    "fix": "fixed",
    "close": "closed",
    "escalate": "escalated",
    "send_back": "in_progress",
    "explain": "explained",
}
ACTIONS = {
    "start": "开始整改",
    "fix": "整改完成",
    "close": "销号",
    "escalate": "上报县(市、区)",
    "send_back": "答复并退回学校",
    "explain": "已向家长解释",
}


class LedgerError(ValueError):
    """A refused ledger change: the message is for the user, nothing was changed."""


def require(condition: bool, message: str) -> None:
    if not condition:
        raise LedgerError(message)


CHANGED_MEANWHILE = "这条问题刚被别人修改过，请刷新后再操作。"
NUMBER_TAKEN = "本校刚刚登记了另一条问题，序号已被占用，请重新提交。"


def _flush(session: Session, message: str = CHANGED_MEANWHILE) -> None:
    """Flush; the same problem changed at the same moment by another request (its row version),
    or two problems numbered at once (the unique number), becomes the message."""
    try:
        session.flush()
    except (IntegrityError, StaleDataError):
        raise LedgerError(message) from None


def _text(value: str | None, what: str, required: bool = True, low: int = 2) -> str | None:
    value = (value or "").strip()
    if not value and not required:
        return None
    require(low <= len(value) <= MAX_TEXT, f"请填写{what}（{low} 到 {MAX_TEXT} 个字）。")
    return value


def _name(user: User) -> str:
    return user.display_name or user.username


def is_overdue(problem: Problem, today: date) -> bool:
    return problem.state not in ENDED and problem.deadline < today


def ensure_categories(session: Session) -> dict[str, ProblemCategory]:
    """The categories by name; the ten defaults added when the list is empty (the migration
    seeds them; a database emptied by hand, or the tests', gets them back)."""
    have = {c.name: c for c in session.scalars(select(ProblemCategory))}
    if not have:
        for position, name in enumerate(DEFAULT_CATEGORIES, start=1):
            have[name] = ProblemCategory(name=name, position=position, active=True)
            session.add(have[name])
        session.flush()
    return have


@dataclass
class ProblemInput:
    school: School
    category: ProblemCategory | None
    description: str
    deadline: date | None
    priority: str = "normal"
    source: str = "manual"
    source_id: int | None = None
    student: Student | None = None
    raised_by: str = ""
    raised_phone: str = ""
    owner: Staff | None = None
    owner_department: str = ""


def check_problem(data: ProblemInput, today: date) -> list[str]:
    """Every reason to refuse a new problem, in the form's order."""
    errors = []
    if data.category is None or not data.category.active:
        errors.append("请选择问题类别。")
    description = (data.description or "").strip()
    if not 2 <= len(description) <= MAX_TEXT:
        errors.append(f"请填写问题描述（2 到 {MAX_TEXT} 个字）。")
    if data.deadline is None:
        errors.append("请填写整改时限。")
    elif data.deadline < today:
        errors.append("整改时限不能早于今天。")
    if data.priority not in PRIORITIES:
        errors.append("请选择紧急程度。")
    if data.source not in SOURCES:
        errors.append("请选择问题来源。")
    if data.owner is not None and (data.owner.school_id != data.school.id or not data.owner.active):
        errors.append("责任人须为本校在职教职工。")
    if data.owner is None and not (data.owner_department or "").strip():
        errors.append("请指定责任人或责任部门。")
    if data.student is not None and data.student.school_id != data.school.id:
        errors.append("所选学生不属于本校。")
    if len(data.raised_by or "") > 100 or len(data.raised_phone or "") > 20:
        errors.append("反映人姓名不超过 100 字，电话不超过 20 位。")
    return errors


def register(session: Session, data: ProblemInput, by: User, now: datetime) -> Problem:
    """登记: a new problem of the school's ledger, numbered after the school's last (flush)."""
    errors = check_problem(data, clock.local(now).date())
    require(not errors, "；".join(errors))
    number = (session.scalar(select(func.max(Problem.number)).where(Problem.school_id == data.school.id)) or 0) + 1
    problem = Problem(
        school_id=data.school.id,
        number=number,
        source=data.source,
        source_id=data.source_id,
        student_id=data.student.id if data.student else None,
        category_id=data.category.id,
        description=data.description.strip(),
        raised_by=(data.raised_by or "").strip() or None,
        raised_phone=(data.raised_phone or "").strip() or None,
        owner_staff_id=data.owner.id if data.owner else None,
        owner_department=(data.owner_department or "").strip() or None,
        deadline=data.deadline,
        priority=data.priority,
        state="open",
        created_at=now,
        created_by_id=by.id,
    )
    session.add(problem)
    _flush(session, NUMBER_TAKEN)
    _event(session, problem, None, "open", "登记", by, now)
    return problem


def _event(session: Session, problem: Problem, before: str | None, after: str, note, by: User, now) -> None:
    session.add(
        ProblemEvent(
            school_id=problem.school_id,
            problem_id=problem.id,
            from_state=before,
            to_state=after,
            note=note,
            at=now,
            by_id=by.id,
            by_name=_name(by),
        )
    )
    _flush(session)


def act(session: Session, problem: Problem, action: str, note: str | None, by: User, now: datetime) -> Problem:
    """One transition of the workflow (the actions of FROM/TO), checked and recorded."""
    require(action in FROM, "未知的操作。")
    state = problem.state
    require(
        state in FROM[action],
        f"“{STATES.get(state, state)}”的问题不能{ACTIONS[action]}。",
    )
    county = by.role in COUNTY_ROLES and by.school_id is None
    if action in ("send_back",) or (state == "escalated" and action in ("fix", "explain")):
        require(county, "已上报的问题由县(市、区)教育局处理。")
    elif action != "close":
        require(by.role == "school_admin", "问题由学校管理员处理。")
    if action == "start":
        note = _text(note, "整改安排", required=False)
    elif action == "fix":
        note = _text(note, "整改措施")
        problem.measures, problem.fixed_at, problem.fixed_by_id = note, now, by.id
    elif action == "close":
        note = _check_close(session, problem, note, by)
        problem.closed_at, problem.closed_by_id, problem.closed_by_name = now, by.id, _name(by)
        problem.verification = note
    elif action == "escalate":
        note = _text(note, "上报的理由（学校无法解决的原因）")
    elif action == "send_back":
        note = _text(note, "县(市、区)的答复")
        problem.county_answer = note
    elif action == "explain":
        note = _text(note, "向家长所作的解释")
        problem.explanation = note
    problem.state = TO[action]
    _flush(session)
    _event(session, problem, state, problem.state, note, by, now)
    return problem


def _check_close(session: Session, problem: Problem, note: str | None, by: User) -> str:
    """销号: by another user than the one who marked it fixed, checked, and — for a family's
    problem — with a satisfied 回访 since it was fixed."""
    require(by.role in ("school_admin", *COUNTY_ROLES), "只有学校管理员、督学或教育局管理员可以销号。")
    require(problem.fixed_by_id != by.id, "整改完成和销号须由不同的人办理：请另一位人员核实后销号。")
    note = _text(note, "核实情况（整改是否到位）")
    if problem.student_id is not None:
        satisfied = session.scalar(
            select(FollowUp.id)
            .where(
                FollowUp.problem_id == problem.id,
                FollowUp.satisfied.is_(True),
                FollowUp.recorded_at >= problem.fixed_at,
                FollowUp.visited_on >= clock.local(problem.fixed_at).date(),  # a visit after the fix
            )
            .limit(1)
        )
        require(satisfied is not None, "家长反映的问题须先回访家长，家长满意后才能销号。")
    return note


@dataclass
class FollowUpInput:
    visited_on: date | None
    mode: str
    said: str
    satisfied: bool | None


def follow_up(session: Session, problem: Problem, data: FollowUpInput, by: User, now: datetime) -> FollowUp:
    """回访 of the family that raised the problem; an unsatisfied one reopens a fixed problem."""
    require(problem.student_id is not None, "这条问题不是家长反映的，无需回访。")
    require(problem.state not in ("closed", "merged"), "已销号或已合并的问题不再回访。")
    require(by.role in ("school_admin", *COUNTY_ROLES), "回访由学校管理员或督学记录。")
    on_time = data.visited_on is not None and data.visited_on <= clock.local(now).date()
    require(on_time, "回访日期须填写，且不能晚于今天。")
    require(data.mode in FOLLOW_UP_MODES, "请选择回访方式。")
    said = _text(data.said, "家长的意见")
    require(data.satisfied is not None, "请选择家长是否满意。")
    visit = FollowUp(
        school_id=problem.school_id,
        problem_id=problem.id,
        visited_on=data.visited_on,
        mode=data.mode,
        said=said,
        satisfied=data.satisfied,
        recorded_at=now,
        recorded_by_id=by.id,
        recorded_by_name=_name(by),
    )
    session.add(visit)
    _flush(session)
    if not data.satisfied and problem.state == "fixed":
        before = problem.state
        problem.state = "in_progress"
        _flush(session)
        _event(session, problem, before, "in_progress", f"回访家长不满意，重新整改：{said}", by, now)
    return visit


def merge(session: Session, duplicate: Problem, into: Problem, by: User, now: datetime) -> Problem:
    """查重: `duplicate` joins `into` (same school); both keep their history, linked."""
    require(by.role == "school_admin", "问题由学校管理员合并。")
    require(duplicate.id != into.id, "不能与自己合并。")
    require(duplicate.school_id == into.school_id, "只能合并本校的问题。")
    require(duplicate.state not in ENDED and into.state != "merged", "已结束或已合并的问题不能合并。")
    require(duplicate.state != "escalated", "已上报的问题由县(市、区)教育局处理，不能合并。")
    before = duplicate.state
    duplicate.state, duplicate.merged_into_id = "merged", into.id
    _flush(session)
    _event(session, duplicate, before, "merged", f"与第 {into.number} 号问题重复，已合并", by, now)
    _event(session, into, into.state, into.state, f"第 {duplicate.number} 号问题与本问题重复，已并入", by, now)
    return into
