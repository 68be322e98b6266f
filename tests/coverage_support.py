"""Helpers of the coverage tests: a roster of one class with some students visited, a visit."""

from __future__ import annotations

from datetime import date

from bureau.visits.models import SchoolClass, Staff, Student, Visit


def add_roster(session, school, students: int, visited: int, term, staff_count: int = 1) -> list[Student]:
    """A class 一(1) of `students`, the first `visited` of them visited at home in `term`."""
    cls = SchoolClass(school=school, grade=1, number=1)
    staff = [Staff(school=school, name=f"{school.code}老师{i}", position="班主任") for i in range(staff_count)]
    rows = [
        Student(school=school, school_class=cls, number=f"{school.code}-{i}", name=f"{school.code}学生{i}", active=True)
        for i in range(students)
    ]
    session.add_all([cls, *staff, *rows])
    session.flush()
    for i in range(visited):
        add_visit(session, rows[i], staff[0], term, date(2026, 10, 1 + i))
    return rows


def add_visit(session, student, staff, term, on: date, **answers) -> Visit:
    visit = Visit(
        school=student.school,
        student=student,
        staff=staff,
        term=term,
        visited_on=on,
        mode="home",
        no_gifts=True,
        **answers,
    )
    session.add(visit)
    session.flush()
    return visit
