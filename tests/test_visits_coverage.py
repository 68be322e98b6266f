"""Seed 000/003 coverage rules: every family once a term, 留守儿童 every month, counted by unit.

The world (tests/world_visits.py) already has, in a1x, a1y and b1, four active students each
(五(1): 3, 五(2): 1; the first is 留守) with visits in the autumn term only. These tests work in
the spring term 2027-02-20 .. 2027-07-10, standing on 2027-04-15: months so far Feb, Mar, Apr = 3.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from bureau import clock
from bureau.tenants.guard import scoped
from bureau.visits.assignments import assign
from bureau.visits.coverage import coverage_rows, total
from bureau.visits.missed import missed_students
from bureau.visits.models import SchoolClass, Staff, Student, Term
from bureau.visits.records import VisitInput, record_visit, resubmit, review
from bureau.visits.roster import import_roster
from tests.visits_support import family, roster_file, scope_of

TODAY = date(2027, 4, 15)
NOW = datetime(2027, 4, 15, 2, 0, tzinfo=UTC)


@pytest.fixture
def spring(session, world):
    """Roster a1x: 三(1) S1 (留守) S2 S3 (经济困难), 三(2) S4 S5 (留守、学习困难); a2: 一(1) T1 T2.

    a1x visits: S1 home 02-25, phone 03-10 (repeat), online 04-02 (repeat) → every month;
    S2 phone 03-01 returned, resubmitted as home (v2) → counts, in person;
    S3 phone 03-20 returned and not resubmitted → does not count; S5 at_school 03-05.
    Staff visit: 科任 interviews 班主任 (1 of a1x's 2 staff). a2: T1 home 03-15.
    """
    term = Term(name="2026-2027学年第二学期", start_date=date(2027, 2, 20), end_date=date(2027, 7, 10))
    session.add(term)
    a1x, a2 = world.schools["a1x"], world.schools["a2"]
    import_roster(
        session,
        a1x,
        roster_file(
            [
                ("三(1)", "S1", "学生一", "男", "家长一", "祖母", "13811110001", "", "前村", "留守"),
                ("三(1)", "S2", "学生二", "女", "家长二", "母亲", "13811110002", "", "前村", ""),
                ("三(1)", "S3", "学生三", "男", "家长三", "父亲", "13811110003", "", "后村", "经济困难"),
                ("三(2)", "S4", "学生四", "女", "家长四", "父亲", "13811110004", "", "后村", ""),
                ("三(2)", "S5", "学生五", "男", "家长五", "祖父", "13811110005", "", "后村", "留守/单亲、学习困难"),
            ]
        ),
    )
    import_roster(
        session,
        a2,
        roster_file(
            [
                ("一(1)", "T1", "学生甲", "男", "", "", "", "", "", ""),
                ("一(1)", "T2", "学生乙", "女", "", "", "", "", "", ""),
            ]
        ),
    )
    head, other = world.extra["staff_a1x"], world.extra["other_staff_a1x"]
    a2_staff = Staff(school=a2, name="二县老师", position="班主任")
    session.add(a2_staff)
    session.flush()
    s = {st.number: st for st in session.scalars(select(Student))}
    c31 = session.scalar(
        select(SchoolClass).where(SchoolClass.school_id == a1x.id, SchoolClass.grade == 3, SchoolClass.number == 1)
    )
    assign(session, head, "class", date(2027, 2, 20), school_class=c31)
    assign(session, other, "student", date(2027, 2, 20), student=s["S5"])
    admin = world.users["school_admin_a1x"]
    with clock.frozen_at(NOW):
        v1 = record_visit(session, head, family(s["S1"].id, date(2027, 2, 25)))
        review(session, v1, admin, True)
        v2 = record_visit(session, head, family(s["S1"].id, date(2027, 3, 10), "phone"))
        v3 = record_visit(session, head, family(s["S1"].id, date(2027, 4, 2), "online"))
        v4 = record_visit(session, head, family(s["S2"].id, date(2027, 3, 1), "phone"))
        review(session, v4, admin, False, "家庭情况未填写")
        resubmit(session, v4, family(s["S2"].id, date(2027, 3, 1), "home", household_size=4))
        v6 = record_visit(session, head, family(s["S3"].id, date(2027, 3, 20), "phone"))
        review(session, v6, admin, False, "请补充照片")
        record_visit(session, other, family(s["S5"].id, date(2027, 3, 5), "at_school"))
        record_visit(
            session,
            other,
            VisitInput(visited_on=date(2027, 3, 6), target="staff", target_staff_id=head.id, no_gifts=True),
        )
        record_visit(session, a2_staff, family(s["T1"].id, date(2027, 3, 15)))
    session.commit()
    return {"term": term, "v": (v1, v2, v3, v4, v6), "s": s}


def test_returned_record_resubmitted_keeps_every_version_and_repeat_is_marked(session, spring):
    v1, v2, v3, v4, v6 = spring["v"]
    assert (v1.is_repeat, v2.is_repeat, v3.is_repeat) == (False, True, True)
    assert v4.status == "pending" and v4.version == 2 and v4.mode == "home"
    assert [(v.number, v.data["mode"]) for v in sorted(_versions(session, v4), key=lambda v: v.number)] == [
        (1, "phone"),
        (2, "home"),
    ]
    assert v6.status == "returned" and v6.review_note == "请补充照片"


def _versions(session, visit):
    from bureau.visits.models import VisitVersion

    return list(session.scalars(select(VisitVersion).where(VisitVersion.visit_id == visit.id)))


def test_class_coverage_counts_only_visits_not_returned(session, world, spring):
    scope = scope_of(session, world.users["school_admin_a1x"])
    rows = {r.label: r for r in coverage_rows(session, scope, spring["term"], "class", TODAY)}
    name = world.schools["a1x"].name
    # 三(1): S1, S2 visited (S3's only visit was returned) → 2 of 3, both in person.
    c31 = rows[f"{name} 三(1)"]
    assert (c31.students, c31.visited, c31.in_person) == (3, 2, 2)
    assert c31.coverage == pytest.approx(2 / 3)
    # 三(2): S5 at school → 1 of 2; 五(1), 五(2): the world's students, none visited this term.
    assert (rows[f"{name} 三(2)"].students, rows[f"{name} 三(2)"].visited) == (2, 1)
    assert (rows[f"{name} 五(1)"].students, rows[f"{name} 五(1)"].visited) == (3, 0)
    assert (rows[f"{name} 五(2)"].students, rows[f"{name} 五(2)"].visited) == (1, 0)
    assert len(rows) == 4  # nothing of another school


def test_school_coverage_focus_types_and_left_behind_every_month(session, world, spring):
    scope = scope_of(session, world.users["school_admin_a1x"])
    [row] = coverage_rows(session, scope, spring["term"], "school", TODAY)
    # 9 active students (4 of the world + 5 imported); S1, S2, S5 visited → 3/9.
    assert (row.students, row.visited, row.missed) == (9, 3, 6)
    assert row.coverage == pytest.approx(1 / 3)
    # In person: S1 (home 02-25), S2 (home, v2), S5 (at school) → all 3 visited.
    assert row.in_person == 3 and row.in_person_share == 1.0
    # Records that count: S1 ×3, S2 ×1, S5 ×1 = 5 (the returned S3 record does not).
    assert row.visits == 5
    # 留守: world student 0, S1, S5 = 3; visited S1, S5 = 2; every month Feb-Apr: S1 only.
    assert row.focus["left_behind"] == (3, 2) and row.left_behind_monthly == 1
    assert row.focus["poor"] == (1, 0) and row.focus["struggling"] == (1, 1)
    assert row.focus["migrant"] == (0, 0) and row.focus_coverage("migrant") is None
    # Staff interviewed: 班主任 of a1x's 2 staff → 50 %.
    assert (row.staff, row.staff_interviewed, row.staff_share) == (2, 1, 0.5)


def test_county_and_city_coverage(session, world, spring):
    term = spring["term"]
    county = {
        r.label: r for r in coverage_rows(session, scope_of(session, world.users["admin_a1"]), term, "school", TODAY)
    }
    # County A1: a1x 3/9, a1y 0/4 (its world students). a2 (county A2) is not in A1.
    assert {k: (r.students, r.visited) for k, r in county.items()} == {
        world.schools["a1x"].name: (9, 3),
        world.schools["a1y"].name: (0 + 4, 0),
    }
    assert list(county) == [world.schools["a1x"].name, world.schools["a1y"].name]  # best first
    city = coverage_rows(session, scope_of(session, world.users["admin_a"]), term, "county", TODAY)
    # City A: A1 = 13 students, 3 visited; A2 = T1, T2 → 1 of 2 (50 % ranks above 23 %).
    assert [(r.label, r.students, r.visited) for r in city] == [
        (world.regions["a2"].name, 2, 1),
        (world.regions["a1"].name, 13, 3),
    ]
    assert (total(city).students, total(city).visited) == (15, 4)
    by_records = coverage_rows(
        session, scope_of(session, world.users["admin_a"]), term, "county", TODAY, order="visits"
    )
    assert [(r.label, r.visits) for r in by_records] == [(world.regions["a1"].name, 5), (world.regions["a2"].name, 1)]


def test_missed_list_names_the_responsible_staff_and_gaps(session, world, spring):
    scope = scope_of(session, world.users["school_admin_a1x"])
    rows = session.execute(missed_students(scope, spring["term"])).all()
    # 6 missed: S3 (三(1) → 班主任 by class), S4 (三(2): nobody → gap), and the 4 world students.
    by_number = {r.number: r.staff_name for r in rows}
    assert len(rows) == 6
    assert by_number["S3"] == "a1x班主任" and by_number["S4"] is None
    assert by_number["a1x-0"] == "a1x班主任" and by_number["a1x-3"] == "a1x科任"


def test_teacher_scope_reads_only_own_visits_but_coverage_counts_all(session, world, spring):
    head = world.extra["staff_a1x"]
    scope = scope_of(session, world.users["teacher_a1x"], head.id)
    from bureau.visits.models import Visit

    session.expunge_all()
    with scoped(session, scope):
        mine = session.scalars(select(Visit)).all()
    # 班主任: world visit (autumn) + S1 ×3, S2, S3 = 6; the 科任's visits are not shown.
    assert len(mine) == 6 and all(head.id in (v.staff_id, v.staff2_id) for v in mine)


def test_staff_figures_ignore_a_grade_or_class_filter_at_school_level(session, world, spring):
    """Staff belong to a school: narrowing a school row to a grade must not multiply its staff by
    the grade's classes (a1x has 2 staff, and grade 5 holds two classes in each of 3 schools)."""
    scope = scope_of(session, world.users["admin_a1"])
    school = world.schools["a1x"].id
    for within in (
        {"school": school, "grade": 5},
        {"school": school, "class": world.extra["students_a1x"][0].class_id},
    ):
        [row] = coverage_rows(session, scope, spring["term"], "school", TODAY, within)
        assert (row.staff, row.staff_interviewed) == (2, 1), within
