"""Demo data of the 问题整改台账 in 青川市: problems registered from the demo's visits whose families
answered 有 to a 附2 question, walked to every state — some still open, one past its deadline,
one in progress, one fixed awaiting a second person's check, one closed after a satisfied
回访, one escalated to the county, one explained — and one entered by hand.

Everything goes through the product's services (register, act, follow_up), as the school's admin
and the county admin. Deterministic and idempotent: nothing is added when the city's schools
already have problems.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bureau import clock
from bureau.ledger.models import Problem
from bureau.ledger.service import FollowUpInput, ProblemInput, act, ensure_categories, follow_up, register
from bureau.ledger.sources import prefill
from bureau.tenants.models import School, User
from bureau.visits.models import Campaign, Staff, Visit
from bureau.visits.problems import raised_clause

CITY_SCHOOLS = ("99010201", "99010202", "99010203")  # 东城区: the demo county admin answers for them
# What happens to the problems of each school, in visit order (the rest stay 待处理).
PATHS = (
    ("start",),
    ("start", "fix"),
    ("fix", "follow_up", "close"),
    ("escalate",),
    ("explain",),
)


def _at(day, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=clock.LOCAL)


def load(session: Session, campaign: Campaign) -> None:
    county = session.scalar(select(User).where(User.username == "county_admin"))
    schools = session.scalars(select(School).where(School.code.in_(CITY_SCHOOLS)).order_by(School.code)).all()
    if county is None or not schools:
        return
    if session.scalar(select(Problem.id).where(Problem.school_id.in_([s.id for s in schools])).limit(1)):
        return
    categories = ensure_categories(session)
    today = clock.today()
    for school in schools:
        admin = session.scalar(select(User).where(User.school_id == school.id, User.role == "school_admin").limit(1))
        if admin is None:
            continue
        visits = session.scalars(
            select(Visit)
            .where(Visit.school_id == school.id, raised_clause(), Visit.visited_on <= today - timedelta(days=6))
            .order_by(Visit.visited_on, Visit.id)
            .limit(len(PATHS) + 2)
        ).all()
        for number, visit in enumerate(visits):
            filled = prefill(session, "visit", visit.id)
            on = min(max(visit.visited_on, today - timedelta(days=20)), today - timedelta(days=5))
            owner = session.get(Staff, visit.staff_id)
            data = ProblemInput(
                school=school,
                category=categories[filled.category],
                description=filled.description,
                deadline=on + timedelta(days=14 if number else 7),  # the first is overdue by now
                source="visit",
                source_id=visit.id,
                student=filled.student,
                raised_by=filled.raised_by,
                raised_phone=filled.raised_phone,
                owner=owner if owner is not None and owner.active else None,
                owner_department="" if owner is not None and owner.active else "政教处",
            )
            with clock.frozen_at(_at(on, 9)):
                problem = register(session, data, admin, _at(on, 9))
            steps = PATHS[number - 1] if 1 <= number <= len(PATHS) else ()
            _walk(session, problem, steps, admin, county, on)
        if school.code == CITY_SCHOOLS[0]:
            with clock.frozen_at(_at(today, 8)):
                register(
                    session,
                    ProblemInput(
                        school=school,
                        category=categories["校园安全"],
                        description="学校东门外早晚接送车辆拥堵，学生过马路不安全",
                        deadline=today + timedelta(days=10),
                        owner_department="安全办",
                        priority="high",
                    ),
                    admin,
                    _at(today, 8),
                )
    session.flush()


def _walk(session: Session, problem: Problem, steps, admin: User, county: User, on) -> None:
    day = on + timedelta(days=1)
    for step in steps:
        now = _at(day, 10)
        if step == "follow_up":
            data = FollowUpInput(day, "phone", "家长说问题已经解决，表示满意。", True)
            with clock.frozen_at(now):
                follow_up(session, problem, data, admin, now)
        elif step == "close":
            act(session, problem, "close", "电话回访家长并查看整改材料，整改到位。", county, now)
        else:
            note = {
                "start": "已约谈当事教师，制定整改方案。",
                "fix": "当事教师已停止相关行为并作书面检查，学校已在教师会上通报。",
                "escalate": "涉及校车线路调整，学校无法解决，请县教育局协调。",
                "explain": "已向家长说明相关政策，家长表示理解。",
            }[step]
            act(session, problem, step, note, admin, now)
        day += timedelta(days=1)
