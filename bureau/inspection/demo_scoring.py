"""Demo data of 量化考核 in 青川市: seed 001 篇四's rules in the province's catalogue and a rule of
the city's own; a deduction from the demo phone check found 不属实; a few more (one reversed as
misrecorded); a deduction against the demo teacher with their objection awaiting the inspector;
and a published notice (通报) of the city for the term.

Everything goes through the product's services. Deterministic and idempotent: nothing is added
when the city already has deductions.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bureau import clock
from bureau.inspection.deductions import (
    DeductionInput,
    RuleInput,
    lodge_objection,
    record_deduction,
    reverse,
    rules_for,
    save_rule,
    seed_default_rules,
)
from bureau.inspection.models import PhoneCheck
from bureau.inspection.notices import NoticeInput, create_notice, publish_notice
from bureau.inspection.scoring_models import Deduction, DeductionRule
from bureau.tenants.models import Region, School, User
from bureau.visits.models import Campaign, Staff, Visit

PROVINCE, CITY = "990000", "990100"
# (school code, staff position, rule code, instances, note)
MORE = [
    ("99010202", "班主任", "BZR-2", 2, "学生家长联系电话两个为空号，电话抽查无法联系。"),
    ("99012101", "科任教师", "JS-1", 1, "包保学生本学期未家访。"),
    ("99012102", "班主任", "BZR-1", 1, "家长信息与户籍不符。"),
]


def _user(session: Session, username: str) -> User | None:
    return session.scalar(select(User).where(User.username == username))


def load(session: Session, campaign: Campaign) -> None:
    inspector, teacher = _user(session, "inspector"), _user(session, "teacher")
    province = session.scalar(select(Region).where(Region.code == PROVINCE))
    city = session.scalar(select(Region).where(Region.code == CITY))
    if inspector is None or province is None or city is None:
        return
    seed_default_rules(session, province)
    if not any(r.code == "QC-1" for r in session.scalars(select_rules(city))):
        save_rule(session, city, RuleInput("QC-1", "家访记录弄虚作假，经电话抽查不属实", "school", "2"))
    in_city = select(Deduction.id).join(School, School.id == Deduction.school_id).where(School.city_id == city.id)
    if session.scalar(in_city.limit(1)) is not None:
        return
    today = clock.today()
    now = clock.now()
    term = campaign.term
    day = min(max(campaign.start_date, term.start_date, today - timedelta(days=1)), term.end_date)
    if day > today:  # the campaign has not begun: nothing to deduct yet
        return
    contradicted = session.scalar(
        select(PhoneCheck).where(PhoneCheck.outcome == "contradicted").order_by(PhoneCheck.id).limit(1)
    )
    if contradicted is not None:
        visit = session.get(Visit, contradicted.visit_id)
        school = session.get(School, contradicted.school_id)
        code = "BZR-6" if visit.staff.position == "班主任" else "JS-1"
        _deduct(session, school, visit.staff, code, 1, day, inspector, now, "phone_check", contradicted.id)
    entries = []
    for school_code, position, code, instances, note in MORE:
        school = session.scalar(select(School).where(School.code == school_code))
        staff = session.scalar(
            select(Staff).where(Staff.school_id == school.id, Staff.position == position).order_by(Staff.id).limit(1)
        )
        if staff is not None:
            entries.append(_deduct(session, school, staff, code, instances, day, inspector, now, "note", None, note))
    if entries:
        reverse(session, entries[-1], "核实为录入错误：家长信息已由学校更正并提供户籍证明。", inspector, now)
    own = session.scalar(select(Staff).where(Staff.user_id == teacher.id)) if teacher else None
    if own is not None:
        school = session.get(School, own.school_id)
        mine = _deduct(
            session, school, own, "BZR-3", 1, day, inspector, now, "note", None, "家长在满意度调查时不配合。"
        )
        lodge_objection(session, mine, "该家长当天外出务工，已约定周末补答问卷，并非不配合。", teacher, now)
    data = NoticeInput(city, term, campaign.start_date, max(today, campaign.start_date), lowest=3)
    notice = create_notice(session, None, data, inspector)
    publish_notice(session, notice, inspector, now)
    session.flush()


def select_rules(region: Region):
    return select(DeductionRule).where(DeductionRule.region_id == region.id)


def _deduct(session, school, staff, code, instances, day, by, now, kind, evidence_id, note="") -> Deduction:
    rule = next(r for r in rules_for(session, school) if r.code == code)
    data = DeductionInput(school, staff, rule, instances, day, kind, evidence_id, note)
    return record_deduction(session, data, by, now)
