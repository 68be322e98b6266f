"""Demo data of the home-visit campaign: a term, a campaign, rosters, 包保 and visits of two schools."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from bureau.tenants.models import School, User
from bureau.visits.models import Assignment, Campaign, SchoolClass, Staff, Student, Term, Visit

TERM = ("2026-2027学年第一学期", date(2026, 9, 1), date(2027, 1, 31))
CAMPAIGN = "万师访万家"
SURNAMES = "王李张刘陈杨赵黄周吴"
GIVEN = ("子涵", "欣怡", "浩然", "梓萱", "宇轩", "雨桐", "俊杰", "诗琪", "博文", "思源")
FOCUS = ("left_behind", None, "poor", None, "migrant", None, "struggling", None, None, "left_behind")
# school code → (staff name of the demo teacher or None, staff names)
SCHOOLS = {"99010201": ("陈老师", ("陈老师", "刘老师", "孙校长")), "99012102": (None, ("侯志胜", "马志山", "陈玉华"))}


def load(session: Session, nodes: dict) -> None:
    """Add visits demo data; `nodes` maps region/school codes to rows. Idempotent."""
    term = session.scalar(select(Term).where(Term.name == TERM[0]))
    if term is None:
        term = Term(name=TERM[0], start_date=TERM[1], end_date=TERM[2])
        session.add(term)
        session.add(
            Campaign(
                name=CAMPAIGN,
                region=nodes["990000"],
                term=term,
                start_date=TERM[1],
                end_date=TERM[2],
                coverage_deadline=date(2026, 11, 1),
            )
        )
    for code, (teacher_name, staff_names) in SCHOOLS.items():
        school = nodes[code]
        if session.scalar(select(Staff.id).where(Staff.school_id == school.id)) is None:
            _school(session, school, term, teacher_name, staff_names)
    session.flush()


def _school(
    session: Session, school: School, term: Term, teacher_name: str | None, staff_names: tuple[str, ...]
) -> None:
    teacher = session.scalar(select(User).where(User.username == "teacher")) if teacher_name else None
    staff = [
        Staff(
            school=school,
            name=name,
            position="班主任" if i < 2 else "校级领导",
            phone=f"1390000{i:04d}",
            user=teacher if name == teacher_name else None,
        )
        for i, name in enumerate(staff_names)
    ]
    classes = [SchoolClass(school=school, grade=3, number=n) for n in (1, 2)]
    session.add_all(staff + classes)
    students = []
    for i in range(20):
        focus = FOCUS[i % len(FOCUS)]
        student = Student(
            school=school,
            number=f"{school.code[-2:]}2023{i:03d}",
            name=SURNAMES[i % 10] + GIVEN[(i * 3) % 10],
            sex="男女"[i % 2],
            school_class=classes[i // 10],
            guardian_name=SURNAMES[i % 10] + "家长",
            guardian_relation="父亲",
            guardian_phone=f"1381234{i:04d}",
            village=f"{'前后'[i % 2]}村",
            active=True,
            **({focus: True} if focus else {}),
        )
        students.append(student)
    session.add_all(students)
    for cls, head in zip(classes, staff, strict=False):
        session.add(
            Assignment(
                school=school,
                kind="class",
                staff=head,
                school_class=cls,
                start_date=term.start_date,
                reason="新学年安排",
            )
        )
    for i, student in enumerate(students[:13]):
        session.add(
            Visit(
                school=school,
                target="family",
                student=student,
                staff=staff[i // 10],
                term=term,
                visited_on=date(2026, 9 + i % 3, 5 + i),
                mode=("home", "phone", "at_school")[i % 3],
                status=("approved", "pending")[i % 2],
                no_gifts=True,
                safety_notice=True,
                feedback="感谢老师上门，孩子在家学习情况良好",
            )
        )
