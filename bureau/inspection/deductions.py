"""扣分: the rules' catalogue, the bureau's settings, deductions with their reversals, and
teachers' objections. Services flush; the request commits.

Seed 001 篇四: "班主任违反下列一条每人次扣教师量化成绩总分 0.5 分，可以累计" — points per instance,
cumulative. A deduction copies its rule (code, text, points), so changing a rule later never
rewrites a recorded deduction; a deduction is never deleted: a mistaken one is cancelled by a
reversal entry (撤销) with its reason and who reversed it, and both stay in the history.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from bureau import clock
from bureau.inspection.models import Inspection, PhoneCheck, SurveyResponse
from bureau.inspection.scoring_models import (
    APPLIES_TO,
    EVIDENCE_KINDS,
    HEAD_TEACHER,
    OBJECTION_DECISIONS,
    Deduction,
    DeductionRule,
    Objection,
    ScoringSetting,
)
from bureau.tenants.models import Region, School, User
from bureau.visits.models import Staff, Visit
from bureau.visits.records import term_of

MAX_INSTANCES = 50
MAX_POINTS = Decimal("100")
MAX_BASE = Decimal("1000")
# Seed 001 篇四, as listed there (its item 5 repeats item 1 and is listed once).
DEFAULT_RULES = [
    ("BZR-1", "统计学生家长信息错误", "head_teacher"),
    ("BZR-2", "统计学生家长信息时出现空号、错号", "head_teacher"),
    ("BZR-3", "家长在满意度调查时不配合", "head_teacher"),
    ("BZR-4", "由于班主任培训家长回答程序错误", "head_teacher"),
    ("BZR-5", "向家长解释不清问题并未及时上报学校", "head_teacher"),
    ("BZR-6", "不能完成家访任务", "head_teacher"),
    ("JS-1", "不能完成家访任务", "teacher"),
    ("JS-2", "在宣传学校工作中，有不利于学校与家长和谐共处的言行", "teacher"),
]
DEFAULT_POINTS = Decimal("0.5")
ALREADY_REVERSED = "这条扣分已经撤销过了。"
ALREADY_OBJECTED = "这条扣分已经提出过异议。"
ALREADY_DECIDED = "这条异议已经处理过了。"
EVIDENCE_MODELS = {
    "phone_check": PhoneCheck,
    "visit": Visit,
    "inspection": Inspection,
    "survey_response": SurveyResponse,
}


class ScoringError(ValueError):
    """A refused scoring change: the message is for the user, nothing was changed."""


def require(condition: bool, message: str) -> None:
    if not condition:
        raise ScoringError(message)


def _flush(session: Session, message: str) -> None:
    """Flush; the same change made at the same moment by another request becomes `message` (the
    unique reversal and objection of a deduction, an objection's row version)."""
    try:
        session.flush()
    except (IntegrityError, StaleDataError):
        raise ScoringError(message) from None


def parse_points(text: str, what: str = "分值", high: Decimal = MAX_POINTS) -> Decimal:
    """A positive number of points with at most two decimals (0.5, 1, 0.25), at most `high`."""
    try:
        value = Decimal((text or "").strip())
    except InvalidOperation:
        value = None
    ok = value is not None and value.is_finite() and 0 < value <= high and value == value.quantize(Decimal("0.01"))
    require(ok, f"{what}请填写大于 0、不超过 {high} 的数，最多两位小数（如 0.5）。")
    return value.quantize(Decimal("0.01"))


# ---------------------------------------------------------------- the catalogue and settings


@dataclass
class RuleInput:
    code: str
    description: str
    applies_to: str
    points: str
    active: bool = True


def save_rule(session: Session, region: Region, data: RuleInput, rule: DeductionRule | None = None) -> DeductionRule:
    """Add a rule to `region`'s catalogue, or change one (recorded deductions keep their copy)."""
    code, description = data.code.strip(), data.description.strip()
    require(0 < len(code) <= 20, "细则编号请填写 1 到 20 个字符。")
    require(0 < len(description) <= 200, "细则内容请填写 1 到 200 个字。")
    require(data.applies_to in APPLIES_TO, "请选择适用对象（班主任、教师或学校）。")
    points = parse_points(data.points)
    region_id = rule.region_id if rule is not None else region.id
    taken = session.scalar(
        select(DeductionRule.id).where(DeductionRule.region_id == region_id, DeductionRule.code == code)
    )
    require(taken is None or (rule is not None and taken == rule.id), f"细则编号 {code} 已被本单位的另一条细则使用。")
    if rule is None:
        rule = DeductionRule(region=region)
        session.add(rule)
    rule.code, rule.description, rule.applies_to, rule.points, rule.active = (
        code,
        description,
        data.applies_to,
        points,
        data.active,
    )
    session.flush()
    return rule


def seed_default_rules(session: Session, region: Region) -> int:
    """Add seed 001 篇四's rules to `region`'s catalogue (those whose code is not there yet)."""
    have = set(session.scalars(select(DeductionRule.code).where(DeductionRule.region_id == region.id)))
    added = [
        DeductionRule(region=region, code=code, description=text, applies_to=who, points=DEFAULT_POINTS)
        for code, text, who in DEFAULT_RULES
        if code not in have
    ]
    session.add_all(added)
    session.flush()
    return len(added)


def save_setting(session: Session, region: Region, base: str, may_deduct: bool, by: User | None) -> ScoringSetting:
    """Set `region`'s base score and whether its schools' admins record deductions."""
    value = parse_points(base, "基础分", MAX_BASE)
    setting = session.scalar(select(ScoringSetting).where(ScoringSetting.region_id == region.id))
    if setting is None:
        setting = ScoringSetting(region=region)
        session.add(setting)
    setting.base_score, setting.school_admin_may_deduct = value, may_deduct
    setting.updated_at, setting.updated_by_id = clock.now(), by.id if by else None
    session.flush()
    return setting


def rules_for(session: Session, school: School) -> list[DeductionRule]:
    """The active rules that apply to `school`: its county's, city's and province's catalogues."""
    chain = [i for i in (school.county_id, school.city_id, school.province_id) if i is not None]
    return list(
        session.scalars(
            select(DeductionRule)
            .where(DeductionRule.region_id.in_(chain), DeductionRule.active.is_(True))
            .order_by(DeductionRule.code, DeductionRule.id)
        )
    )


# ---------------------------------------------------------------- deductions


@dataclass
class DeductionInput:
    school: School
    staff: Staff | None
    rule: DeductionRule | None
    instances: int | None
    occurred_on: date | None
    evidence_kind: str = "note"
    evidence_id: int | None = None
    note: str = ""
    photo_path: str | None = None
    photo_type: str | None = None


def check_deduction(session: Session, data: DeductionInput) -> list[str]:
    """Every reason to refuse `data`, in the form's order."""
    errors = []
    rule = data.rule
    if rule is None or not rule.active or rule not in rules_for(session, data.school):
        errors.append("请选择适用于本校的扣分细则。")
    elif rule.applies_to == "school":
        if data.staff is not None:
            errors.append(f"细则 {rule.code} 扣的是学校的分，不选教师。")
    elif data.staff is None or data.staff.school_id != data.school.id or not data.staff.active:
        errors.append("请选择本校在职的教职工。")
    elif rule.applies_to == "head_teacher" and data.staff.position != HEAD_TEACHER:
        errors.append(f"细则 {rule.code} 只适用于班主任，{data.staff.name}是{data.staff.position}。")
    if data.instances is None or not 1 <= data.instances <= MAX_INSTANCES:
        errors.append(f"次数请填写 1 到 {MAX_INSTANCES} 之间的整数。")
    if data.occurred_on is None:
        errors.append("请填写发生日期。")
    elif data.occurred_on > clock.today():
        errors.append("发生日期不能晚于今天。")
    elif term_of(session, data.occurred_on) is None:
        errors.append("发生日期不在任何学期内。")
    errors.extend(_evidence_errors(session, data))
    return errors


def _evidence_errors(session: Session, data: DeductionInput) -> list[str]:
    if data.evidence_kind not in EVIDENCE_KINDS:
        return ["请选择扣分依据。"]
    if data.evidence_kind == "note":
        return [] if data.note.strip() else ["以情况说明为依据时，请写明情况。"]
    label = EVIDENCE_KINDS[data.evidence_kind]
    row = session.get(EVIDENCE_MODELS[data.evidence_kind], data.evidence_id) if data.evidence_id else None
    if row is None or row.school_id != data.school.id:
        return [f"所选{label}不存在或不属于本校。"]
    if isinstance(row, PhoneCheck) and row.outcome is None:
        return ["所选电话抽查尚未结束。"]
    return []


def record_deduction(session: Session, data: DeductionInput, by: User, now: datetime) -> Deduction:
    """Record a deduction: points = instances × the rule's points, the rule copied onto it."""
    errors = check_deduction(session, data)
    require(not errors, "；".join(errors))
    rule = data.rule
    deduction = Deduction(
        school_id=data.school.id,
        staff=data.staff,
        staff_id=data.staff.id if data.staff else None,
        term_id=term_of(session, data.occurred_on).id,
        rule_id=rule.id,
        rule_code=rule.code,
        rule_text=rule.description,
        applies_to=rule.applies_to,
        points_each=rule.points,
        instances=data.instances,
        points=rule.points * data.instances,
        occurred_on=data.occurred_on,
        evidence_kind=data.evidence_kind,
        evidence_id=data.evidence_id if data.evidence_kind != "note" else None,
        note=data.note.strip() or None,
        photo_path=data.photo_path,
        photo_type=data.photo_type,
        recorded_at=now,
        recorded_by_id=by.id,
        recorded_by_name=by.display_name or by.username,
        recorded_by_role=by.role,
    )
    session.add(deduction)
    session.flush()
    return deduction


def reversal_of(session: Session, deduction: Deduction) -> Deduction | None:
    return session.scalar(select(Deduction).where(Deduction.reverses_id == deduction.id))


def reverse(session: Session, deduction: Deduction, reason: str, by: User, now: datetime) -> Deduction:
    """撤销: a new entry with the opposite points and the reason; the deduction itself stays."""
    reason = (reason or "").strip()
    require(not deduction.is_reversal, "撤销记录本身不能再撤销。")
    require(reversal_of(session, deduction) is None, ALREADY_REVERSED)
    require(2 <= len(reason) <= 500, "请写明撤销的理由（2 到 500 个字）。")
    entry = Deduction(
        school_id=deduction.school_id,
        staff_id=deduction.staff_id,
        staff=deduction.staff,
        term_id=deduction.term_id,
        rule_id=deduction.rule_id,
        rule_code=deduction.rule_code,
        rule_text=deduction.rule_text,
        applies_to=deduction.applies_to,
        points_each=deduction.points_each,
        instances=deduction.instances,
        points=-deduction.points,
        occurred_on=deduction.occurred_on,
        evidence_kind=deduction.evidence_kind,
        evidence_id=deduction.evidence_id,
        recorded_at=now,
        recorded_by_id=by.id,
        recorded_by_name=by.display_name or by.username,
        recorded_by_role=by.role,
        reverses_id=deduction.id,
        reason=reason,
    )
    session.add(entry)
    _flush(session, ALREADY_REVERSED)
    return entry


# ---------------------------------------------------------------- objections


def objection_of(session: Session, deduction: Deduction) -> Objection | None:
    return session.scalar(select(Objection).where(Objection.deduction_id == deduction.id))


def lodge_objection(session: Session, deduction: Deduction, text: str, by: User, now: datetime) -> Objection:
    """A teacher objects to a deduction of theirs that stands, once."""
    text = (text or "").strip()
    require(not deduction.is_reversal and reversal_of(session, deduction) is None, "这条扣分已经撤销，无需提出异议。")
    require(objection_of(session, deduction) is None, ALREADY_OBJECTED)
    require(5 <= len(text) <= 1000, "请写明异议的理由（5 到 1000 个字）。")
    objection = Objection(
        school_id=deduction.school_id, deduction_id=deduction.id, text=text, lodged_at=now, lodged_by_id=by.id
    )
    session.add(objection)
    _flush(session, ALREADY_OBJECTED)
    return objection


def decide_objection(
    session: Session, objection: Objection, decision: str, note: str, by: User, now: datetime
) -> Deduction | None:
    """An inspector upholds the deduction or reverses it (the reversal entry is returned)."""
    note = (note or "").strip()
    require(objection.decision is None, ALREADY_DECIDED)
    require(decision in OBJECTION_DECISIONS, "请选择处理结果：维持扣分或撤销扣分。")
    require(2 <= len(note) <= 500, "请写明处理意见（2 到 500 个字），教师会看到它。")
    objection.decision, objection.decision_note = decision, note
    objection.decided_at, objection.decided_by_id = now, by.id
    objection.decided_by_name = by.display_name or by.username
    _flush(session, ALREADY_DECIDED)
    if decision == "reversed":
        return reverse(session, objection.deduction, f"异议成立：{note}", by, now)
    return None
