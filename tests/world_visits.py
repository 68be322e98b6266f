"""The home-visit rows of the test world: rows in schools a1x, a1y (county A1) and b1 (county B1).

Per school: classes 五(1) and 五(2), a 班主任 (teachers a1x/a1y are linked to theirs) and a
科任教师, four students, 包保 of both classes, one visit (with a version and a photo) by the
班主任 and one by the 科任教师. The term is 2026-09-01 .. 2027-01-31.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from flask import current_app
from sqlalchemy.orm import Session

from bureau.visits.models import (
    Assignment,
    Campaign,
    SchoolClass,
    Staff,
    Student,
    Term,
    Visit,
    VisitPhoto,
    VisitVersion,
)

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
TERM_START, TERM_END = date(2026, 9, 1), date(2027, 1, 31)


def extend(session: Session, world) -> None:
    """Add visits-domain rows to `world` (world.extra holds them by name)."""
    term = Term(name="2026-2027学年第一学期", start_date=TERM_START, end_date=TERM_END)
    session.add(term)
    session.add(
        Campaign(
            name="万师访万家",
            region=world.regions["p"],
            term=term,
            start_date=TERM_START,
            end_date=TERM_END,
            coverage_deadline=date(2026, 11, 1),
        )
    )
    world.extra["term"] = term
    for key in ("a1x", "a1y", "b1"):
        _school_rows(session, world, key, term)
    session.flush()


def _school_rows(session: Session, world, key: str, term: Term) -> None:
    school = world.schools[key]
    classes = [SchoolClass(school=school, grade=5, number=n) for n in (1, 2)]
    head = Staff(
        school=school,
        name=f"{key}班主任",
        position="班主任",
        phone="13900000001",
        user=world.users.get(f"teacher_{key}"),
    )
    other = Staff(school=school, name=f"{key}科任", position="科任教师")
    students = [
        Student(
            school=school,
            number=f"{key}-{i}",
            name=f"{key}学生{i}",
            sex="男",
            school_class=classes[i // 3],
            guardian_name=f"{key}家长{i}",
            guardian_phone=f"1380000{i:04d}",
            left_behind=i == 0,
            active=True,
        )
        for i in range(4)
    ]
    session.add_all([*classes, head, other, *students])
    session.add_all(
        [
            Assignment(school=school, kind="class", staff=head, school_class=classes[0], start_date=TERM_START),
            Assignment(school=school, kind="class", staff=other, school_class=classes[1], start_date=TERM_START),
        ]
    )
    visits = [
        Visit(
            school=school,
            target="family",
            student=students[0],
            staff=head,
            term=term,
            visited_on=date(2026, 9, 10),
            mode="home",
            no_gifts=True,
            feedback=f"{key}家长很满意",
        ),
        Visit(
            school=school,
            target="family",
            student=students[3],
            staff=other,
            term=term,
            visited_on=date(2026, 9, 12),
            mode="phone",
            no_gifts=True,
        ),
    ]
    session.add_all(visits)
    session.flush()
    folder = Path(current_app.config["UPLOAD_DIR"]) / str(school.id)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"world-{key}.png").write_bytes(PNG)
    for visit in visits:
        session.add(
            VisitVersion(
                school=school,
                visit=visit,
                number=1,
                submitted_at=visit.submitted_at,
                data={"visited_on": visit.visited_on.isoformat()},
            )
        )
    session.add(
        VisitPhoto(
            school=school, visit=visits[0], path=f"{school.id}/world-{key}.png", content_type="image/png", size=len(PNG)
        )
    )
    world.extra[f"staff_{key}"] = head
    world.extra[f"other_staff_{key}"] = other
    world.extra[f"students_{key}"] = students
    world.extra[f"visits_{key}"] = visits
