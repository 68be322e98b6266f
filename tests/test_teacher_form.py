"""The teacher's phone form guides (issue 8, item 7): the picker marks who was visited this term,
each error stands beside its field, a refusal at the top of the form, a photo to choose again;
and the small things of item 13: the site's icon, one heading a page."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime

from PIL import Image
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bureau import clock
from bureau.admin.visit_forms import visited_this_term
from bureau.extensions import db
from bureau.visits.models import Term, Visit
from tests.factories import statements_sent

NOW = datetime(2026, 11, 20, 4, 0, tzinfo=UTC)  # 2026-11-20 12:00 Beijing, in the world's term


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(out, "JPEG")
    return out.getvalue()


def _form(student, **extra) -> dict:
    data = {
        "target": "family",
        "student_id": str(student.id),
        "visited_on": "2026-11-19",
        "mode": "home",
        "staff2_id": "",
        "household_size": "4",
        "feedback": "孩子在家很听话",
        "no_gifts": "y",
    }
    data.update(extra)
    return data


def _visits() -> int:
    """Visit rows as stored, read through a fresh session after the request ended."""
    with Session(db.engine) as fresh:
        return fresh.scalar(select(func.count(Visit.id)))


def _group(page: str, field: str) -> str:
    """The HTML of one field's group: its label, its control and what is said under it."""
    return page.split(f'id="{field}-group"')[1].split('class="form-group')[0]


def _options(page: str) -> dict[str, str]:
    """The student picker's options: value → label."""
    picker = page.split('name="student_id"')[1].split("</select>")[0]
    return dict(re.findall(r'<option[^>]*value="(\d+)"[^>]*>([^<]*)</option>', picker))


def _add_visits(session, world) -> None:
    """a1x 学生1: visited this term but the record was returned (it does not count);
    a1x 学生2: visited last term only; a1y 学生1: another school's visit."""
    students, head = world.extra["students_a1x"], world.extra["staff_a1x"]
    last_term = Term(name="2025-2026学年第二学期", start_date=date(2026, 3, 1), end_date=date(2026, 7, 15))
    session.add_all(
        [
            Visit(
                school=world.schools["a1x"],
                target="family",
                student=students[1],
                staff=head,
                term=world.extra["term"],
                visited_on=date(2026, 10, 8),
                status="returned",
                no_gifts=True,
            ),
            Visit(
                school=world.schools["a1x"],
                target="family",
                student=students[2],
                staff=head,
                term=last_term,
                visited_on=date(2026, 5, 8),
                no_gifts=True,
            ),
            Visit(
                school=world.schools["a1y"],
                target="family",
                student=world.extra["students_a1y"][1],
                staff=world.extra["staff_a1y"],
                term=world.extra["term"],
                visited_on=date(2026, 10, 9),
                no_gifts=True,
            ),
        ]
    )
    session.commit()


def test_the_student_picker_marks_who_was_visited_this_term_by_anyone(world, login_as, session):
    """Of a1x's four students, 学生0 (the teacher's own visit) and 学生3 (a colleague's, which the
    teacher cannot open) count; 学生1's record was returned and 学生2 was visited last term: 2 marks."""
    _add_visits(session, world)
    teacher = login_as("teacher_a1x")
    with clock.frozen_at(NOW):
        page = teacher.get("/admin/my_visits/new").get_data(as_text=True)
    options = _options(page)
    students = world.extra["students_a1x"]
    assert options[str(students[0].id)] == "五(1) a1x学生0（a1x-0）（已访）"
    assert options[str(students[3].id)] == "五(2) a1x学生3（a1x-3）（已访）"
    assert options[str(students[1].id)] == "五(1) a1x学生1（a1x-1）"
    assert options[str(students[2].id)] == "五(1) a1x学生2（a1x-2）"
    assert len(options) == 4 and page.count("（已访）") == 2
    # The statement reads the teacher's school only: a1y 学生0 and 学生1 were visited this term too.
    with clock.frozen_at(NOW):
        assert visited_this_term(session, world.schools["a1x"].id) == {students[0].id, students[3].id}


def test_the_visited_marks_take_one_statement_whatever_the_number_of_students(world, login_as, session):
    teacher = login_as("teacher_a1x")
    with statements_sent() as sent, clock.frozen_at(NOW):
        teacher.get("/admin/my_visits/new")
        before = [s for s in sent if re.search(r"FROM visit\b", s)]
        _add_visits(session, world)
        teacher.get("/admin/my_visits/new")
    statements = [s for s in sent if re.search(r"FROM visit\b", s)]
    assert len(before) == 1 and len(statements) == 2, statements


def test_no_mark_outside_a_term(world, login_as):
    """On 2026-08-20 no term has started: nobody is marked."""
    with clock.frozen_at(datetime(2026, 8, 20, 4, 0, tzinfo=UTC)):
        page = login_as("teacher_a1x").get("/admin/my_visits/new").get_data(as_text=True)
    assert "（已访）" not in page and len(_options(page)) == 4


def test_each_form_error_stands_beside_its_field_and_nothing_is_written(world, login_as):
    teacher = login_as("teacher_a1x")
    student = world.extra["students_a1x"][1]
    before = _visits()
    with clock.frozen_at(NOW):
        response = teacher.post("/admin/my_visits/new", data=_form(student, household_size="31", visited_on=""))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    household = _group(page, "household_size")
    assert 'id="household_size-errors"' in household and "应在 0 到 30 之间" in household
    assert re.search(r'<input[^>]*aria-describedby="household_size-errors"[^>]*is-invalid', household)
    assert "请填写走访日期" in _group(page, "visited_on")
    # Each message is under its own field, not in a banner and not under another field.
    assert "应在 0 到 30 之间" not in _group(page, "school_children")
    assert page.count("应在 0 到 30 之间") == 1 and "未能提交" not in page
    assert _visits() == before


def test_a_refusal_of_the_service_stands_beside_its_field(world, login_as):
    """The 廉洁承诺 and the visit date are the service's rules (records._check): each refusal is
    shown under the field it is about, not in a banner; nothing is written."""
    teacher = login_as("teacher_a1x")
    before = _visits()
    with clock.frozen_at(NOW):
        data = _form(world.extra["students_a1x"][1], visited_on="2026-11-21")  # NOW is 2026-11-20
        del data["no_gifts"]
        page = teacher.post("/admin/my_visits/new", data=data).get_data(as_text=True)
    assert "请确认未收受家长礼品、未接受宴请" in _group(page, "no_gifts")
    assert "走访日期不能晚于今天" in _group(page, "visited_on")
    assert "未能提交" not in page and page.count("走访日期不能晚于今天") == 1
    assert _visits() == before


def test_a_refusal_about_no_field_is_shown_at_the_top_of_the_form(world, login_as):
    """A photo that is not a picture belongs to no field of the record: the top of the form says it."""
    teacher = login_as("teacher_a1x")
    before = _visits()
    with clock.frozen_at(NOW):
        data = _form(world.extra["students_a1x"][1], photos=[(io.BytesIO(b"not a picture"), "a.jpg")])
        page = teacher.post("/admin/my_visits/new", data=data, content_type="multipart/form-data")
    form = page.get_data(as_text=True).split('id="visit-form"')[1]
    assert form.split('id="target-group"')[0].count("未能提交：") == 1
    assert _visits() == before


def test_a_failed_submit_with_photos_asks_for_them_again(world, login_as):
    teacher = login_as("teacher_a1x")
    student = world.extra["students_a1x"][1]
    with clock.frozen_at(NOW):
        with_photo = _form(student, household_size="31", photos=[(io.BytesIO(_jpeg()), "a.jpg")])
        refused = teacher.post("/admin/my_visits/new", data=with_photo, content_type="multipart/form-data")
        without = teacher.post("/admin/my_visits/new", data=_form(student, household_size="31"))
    assert "照片未保存，请重新选择" in _group(refused.get_data(as_text=True), "photos")
    assert "照片未保存" not in without.get_data(as_text=True)
    assert _visits() == 6  # the world's two visits in each of three schools


def test_the_form_groups_its_fields_by_the_kind_of_visit(world, login_as):
    """Without script every part shows; the parts say which kind they belong to."""
    page = login_as("teacher_a1x").get("/admin/my_visits/new").get_data(as_text=True)
    parts = re.findall(r'data-target="(\w+)"', page)
    assert parts.count("family") == 4 and parts.count("staff") == 1 and parts.count("community") == 1
    family = "".join(page.split('data-target="family"')[1:])
    assert 'name="student_id"' in family and 'name="household_size"' in family and 'name="q_fees"' in family
    assert 'name="target_staff_id"' in page.split('data-target="staff"')[1].split("</div>")[0]
    assert "visit_form.js" in page


def test_the_site_icon_is_served_before_sign_in(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    icon = Image.open(io.BytesIO(response.data))
    assert icon.format == "ICO" and {(16, 16), (32, 32), (48, 48)} <= icon.info["sizes"]
    svg = client.get("/static/favicon.svg")
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"


def test_console_pages_link_the_site_icon(world, login_as):
    page = login_as("school_admin_a1x").get("/admin/").get_data(as_text=True)
    assert 'rel="icon" href="/static/favicon.svg"' in page and 'href="/favicon.ico"' in page


def _headings(page: str) -> list[str]:
    return [re.sub(r"<[^>]+>|\s+", "", h) for h in re.findall(r"<h[1-6][^>]*>(.*?)</h[1-6]>", page, re.S)]


def test_a_model_list_is_titled_by_its_name_and_a_page_of_ours_by_its_own_heading(world, login_as):
    admin = login_as("school_admin_a1x")
    assert _headings(admin.get("/admin/student/").get_data(as_text=True)) == ["学生"]
    assert _headings(admin.get("/admin/assignment_gaps/").get_data(as_text=True)) == ["包保缺口：尚无责任教师的学生"]
    teacher = login_as("teacher_a1x")
    assert _headings(teacher.get("/admin/my_visits/").get_data(as_text=True)) == ["我的家访记录"]
