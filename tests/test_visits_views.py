"""Seed 003's platform: teachers record their own visits with photos on a phone, the school reviews
them, nobody of another school sees them, and the exports never carry a live formula."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime

from openpyxl import load_workbook
from PIL import Image
from sqlalchemy import select

from bureau import clock
from bureau.extensions import db
from bureau.visits.models import Student, Visit, VisitPhoto
from tests.factories import statements_of
from tests.visits_support import roster_file

NOW = datetime(2026, 11, 20, 4, 0, tzinfo=UTC)  # 2026-11-20 12:00 Beijing, in the world's term


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(out, "JPEG")
    return out.getvalue()


JPEG = _jpeg()


def _form(world, student, **extra):
    data = {
        "target": "family",
        "student_id": str(student.id),
        "visited_on": "2026-11-19",
        "mode": "home",
        "staff2_id": "",
        "q_punishment": "0",
        "q_homework": "1",
        "household_size": "4",
        "employment": "C",
        "feedback": "孩子在家很听话",
        "no_gifts": "y",
    }
    data.update(extra)
    return data


def test_teacher_records_a_visit_with_photo_and_school_admin_returns_then_approves(world, login_as):
    teacher = login_as("teacher_a1x")
    student = world.extra["students_a1x"][1]
    with clock.frozen_at(NOW):
        assert "记录一次家访" in teacher.get("/admin/my_visits/new").get_data(as_text=True)
        data = _form(world, student)
        data["photos"] = [(io.BytesIO(JPEG), "a.jpg")]
        response = teacher.post("/admin/my_visits/new", data=data, content_type="multipart/form-data")
        errors = re.findall(r"text-danger[^<]*", response.get_data(as_text=True))
        assert response.status_code == 302, errors
        visit = db.session.scalar(select(Visit).where(Visit.student_id == student.id))
        assert visit.status == "pending" and visit.q_homework is True and visit.q_punishment is False
        assert visit.employment == "C" and len(visit.photos) == 1
        admin = login_as("school_admin_a1x")
        page = admin.get(f"/admin/visit/review/?id={visit.id}").get_data(as_text=True)
        assert "孩子在家很听话" in page and "review-return" in page
        # 退回 needs a reason: nothing changes without one.
        admin.post(f"/admin/visit/review/?id={visit.id}", data={"decision": "return", "note": ""})
        db.session.expire_all()
        assert db.session.get(Visit, visit.id).status == "pending"
        admin.post(f"/admin/visit/review/?id={visit.id}", data={"decision": "return", "note": "请补充家庭情况"})
        assert "请补充家庭情况" in teacher.get("/admin/my_visits/").get_data(as_text=True)
        response = teacher.post(f"/admin/my_visits/{visit.id}/edit", data=_form(world, student, housing="B"))
        assert response.status_code == 302
        db.session.expire_all()
        visit = db.session.get(Visit, visit.id)
        assert (visit.status, visit.version, visit.housing) == ("pending", 2, "B")
        admin.post(f"/admin/visit/review/?id={visit.id}", data={"decision": "approve"})
        db.session.expire_all()
        assert db.session.get(Visit, visit.id).status == "approved"


def test_bad_photo_is_refused_and_nothing_is_written(world, login_as):
    teacher = login_as("teacher_a1x")
    student = world.extra["students_a1x"][2]
    with clock.frozen_at(NOW):
        data = _form(world, student)
        data["photos"] = [(io.BytesIO(b"GIF89a" + b"\x00" * 10), "a.gif")]
        page = teacher.post("/admin/my_visits/new", data=data, content_type="multipart/form-data")
    assert "只能上传 JPEG 或 PNG" in page.get_data(as_text=True)
    assert db.session.scalar(select(Visit).where(Visit.student_id == student.id)) is None


def test_teacher_sees_and_edits_only_own_visits(world, login_as):
    teacher = login_as("teacher_a1x")
    mine = world.extra["visits_a1x"][0]  # by the 班主任 linked to teacher_a1x
    colleague = world.extra["visits_a1x"][1]  # by the 科任教师
    page = teacher.get("/admin/my_visits/").get_data(as_text=True)
    assert f'data-visit-id="{mine.id}"' in page and f'data-visit-id="{colleague.id}"' not in page
    assert teacher.get(f"/admin/my_visits/{colleague.id}/edit").status_code == 404
    assert teacher.get(f"/admin/my_visits/{mine.id}/edit").status_code == 200
    with clock.frozen_at(NOW):
        teacher.post(
            f"/admin/my_visits/{colleague.id}/edit",
            data=_form(world, world.extra["students_a1x"][3], feedback="改别人的"),
        )
    db.session.expire_all()
    assert db.session.get(Visit, colleague.id).feedback is None
    photo = db.session.scalar(select(VisitPhoto).where(VisitPhoto.visit_id == mine.id))
    assert teacher.get(f"/admin/visit_photo/{photo.id}").status_code == 200


def test_photos_of_another_school_are_not_found(world, login_as):
    photos = {p.school_id: p.id for p in db.session.scalars(select(VisitPhoto))}
    own, other = photos[world.schools["a1x"].id], photos[world.schools["a1y"].id]
    admin = login_as("school_admin_a1x")
    assert admin.get(f"/admin/visit_photo/{own}").data.startswith(b"\x89PNG")
    assert admin.get(f"/admin/visit_photo/{other}").status_code == 404
    assert login_as("teacher_a1y").get(f"/admin/visit_photo/{own}").status_code == 404
    visit_y = world.extra["visits_a1y"][0]
    assert admin.get(f"/admin/visit/review/?id={visit_y.id}").status_code == 404


def test_teacher_without_staff_row_sees_no_visits(world, login_as, session):
    world.extra["staff_a1y"].user_id = None
    session.commit()
    page = login_as("teacher_a1y").get("/admin/my_visits/").get_data(as_text=True)
    assert "未关联教职工" in page and "data-visit-id" not in page


def test_missed_list_export_writes_formula_text_as_text_and_masks_phones(world, login_as, session):
    school = world.schools["a1x"]
    from bureau.visits.roster import import_roster

    import_roster(
        session, school, roster_file([("五(1)", "F1", "公式", "男", "张三", "父亲", "13812345678", "", "+1", "")])
    )
    # Typed in the console (a sheet cell starting with = would itself be a formula on import).
    session.scalar(select(Student).where(Student.number == "F1")).guardian_name = '=HYPERLINK("http://x","y")'
    session.commit()
    with clock.frozen_at(NOW):
        for user, phone in (("school_admin_a1x", "13812345678"), ("admin_a1", "138****5678")):
            response = login_as(user).get("/admin/coverage/missed.xlsx")
            assert response.status_code == 200
            book = load_workbook(io.BytesIO(response.data))
            sheet = book.worksheets[0]
            rows = [[c.value for c in r] for r in sheet.iter_rows()]
            row = next(r for r in rows if r[2] == "F1")
            assert row[4] == '=HYPERLINK("http://x","y")' and row[5] == phone and row[6] == "+1"
            assert all(c.data_type != "f" for r in sheet.iter_rows() for c in r)
            assert sheet.freeze_panes == "A3"  # the title line, then the headers


def test_student_list_masks_phones_for_region_users_not_for_own_admin(world, login_as):
    assert "13800000001" in login_as("school_admin_a1x").get("/admin/student/").get_data(as_text=True)
    page = login_as("admin_a1").get("/admin/student/").get_data(as_text=True)
    assert "138****0001" in page and "13800000001" not in page


def _grow(session, world):
    """Three more schools in county A1, each with 3 classes × 10 students and visits."""
    from bureau.visits.models import SchoolClass, Staff
    from tests.factories import make_school

    for n in range(3):
        school = make_school(session, f"A1N{n}", f"甲一区新校{n}", world.regions["a1"], stage="小学")
        staff = Staff(school=school, name=f"新校老师{n}", position="班主任")
        session.add(staff)
        for c in range(3):
            cls = SchoolClass(school=school, grade=1, number=c + 1)
            session.add(cls)
            for i in range(10):
                student = Student(
                    school=school,
                    school_class=cls,
                    number=f"N{n}{c}{i}",
                    name="学生",
                    active=True,
                    left_behind=i % 2 == 0,
                )
                session.add(student)
                session.flush()
                session.add(
                    Visit(
                        school=school,
                        student=student,
                        staff=staff,
                        term=world.extra["term"],
                        visited_on=date(2026, 10, 1 + i),
                        mode="home",
                        no_gifts=True,
                    )
                )
    session.commit()


def test_county_dashboard_issues_a_bounded_number_of_statements(world, login_as, session):
    client = login_as("admin_a1")
    with clock.frozen_at(NOW):
        before = statements_of(client, "/admin/coverage/?level=school")
        _grow(session, world)
        after = statements_of(client, "/admin/coverage/?level=school")
        page = client.get("/admin/coverage/?level=school").get_data(as_text=True)
    # 2 schools → 5 schools and 8 → 98 students: the same statements (user, scope, term, figures, staff).
    assert before == after <= 8, (before, after)
    assert "甲一区新校2" in page and 'id="coverage-chart"' in page


def test_dashboard_drills_down_from_county_to_class(world, login_as):
    client = login_as("admin_a1")
    with clock.frozen_at(NOW):
        page = client.get("/admin/coverage/").get_data(as_text=True)
        school = world.schools["a1x"]
        assert f"school={school.id}" in page
        page = client.get(f"/admin/coverage/?level=grade&school={school.id}").get_data(as_text=True)
        assert "五年级" in page
        page = client.get(f"/admin/coverage/?level=class&school={school.id}&grade=5").get_data(as_text=True)
        assert re.search(r"五\(1\)", page) and world.schools["a1y"].name not in page


def test_ranking_for_leaders_by_records(world, login_as):
    with clock.frozen_at(NOW):
        page = login_as("leader_p").get("/admin/ranking/?level=school").get_data(as_text=True)
    assert 'id="ranking"' in page and world.schools["b1"].name in page
    assert login_as("school_admin_a1x").get("/admin/ranking/").status_code == 403


def test_teachers_own_包保_students_come_first_on_the_visit_form(world, login_as):
    """Seed 004: each teacher answers for fixed families; the phone form offers those first."""
    page = login_as("teacher_a1x").get("/admin/my_visits/new").get_data(as_text=True)
    mine = page.split('label="我包保的学生"')[1].split("</optgroup>")[0]
    others = page.split('label="本校其他学生"')[1].split("</optgroup>")[0]
    # a1x's 班主任 answers for class 五(1): students 0, 1, 2; student 3 is in 五(2)
    assert all(f"a1x学生{i}" in mine for i in (0, 1, 2)) and "a1x学生3" not in mine
    assert "a1x学生3" in others and "a1y学生" not in page
