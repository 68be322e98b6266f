"""Issue 8, item 2: the bureau opens a visit record. Leaders, inspectors and county staff read the
record (answers, family data, photos, review history, versions) of a school in their scope, and
another school's record does not exist for them; only the school's admins see the review buttons."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from bureau import clock
from bureau.admin.visit_record import field_labels
from bureau.extensions import db
from bureau.visits.models import Visit, VisitPhoto
from tests.factories import stored

# (user, a school in its scope, a school outside it), scopes from tests/factories.py:
# leader_a and inspector_a read city A (a1x, a1y, a2), admin_a1 county A1 (a1x, a1y), inspector_b city B (b1).
REGION_ROLES = [
    ("leader_a", "a1y", "b1"),
    ("inspector_a", "a1x", "b1"),
    ("inspector_b", "b1", "a1x"),
    ("admin_a1", "a1x", "b1"),
]


def _record(client, visit_id: int):
    return client.get(f"/admin/visit/review/?id={visit_id}")


def _answered(session, world, key: str) -> Visit:
    """The 班主任's visit of school `key`, with answers to read back: 满意 on homework (1 = True)."""
    visit = world.extra[f"visits_{key}"][0]
    visit.q_homework, visit.q_marking, visit.employment, visit.household_size = True, False, "C", 5
    session.commit()
    return visit


@pytest.mark.parametrize(("username", "inside", "outside"), REGION_ROLES)
def test_a_region_role_opens_a_record_in_its_scope_and_not_one_outside(
    world, login_as, session, username, inside, outside
):
    mine, foreign = _answered(session, world, inside), _answered(session, world, outside)
    client = login_as(username)
    response = _record(client, mine.id)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    detail = page.split('id="visit-detail"')[1].split('id="visit-photos"')[0]
    # the 附2 questions in Chinese with their answers, the family data, the visitor's note
    assert "对教师布置的家庭作业份量是否满意" in detail and "对教师作业批改是否满意" in detail
    assert re.search(r'data-question="q_homework">满意<', detail)
    assert re.search(r'data-question="q_marking">不满意<', detail)
    assert "农民" in detail and ">5<" in detail and f"{inside}家长很满意" in detail
    # read-only: no review form for a region role, and a decision posted anyway is refused
    assert 'id="review-form"' not in page and "review-approve" not in page
    before = stored(select(Visit.status).where(Visit.id == mine.id))
    assert client.post(f"/admin/visit/review/?id={mine.id}", data={"decision": "approve"}).status_code == 403
    assert stored(select(Visit.status).where(Visit.id == mine.id)) == before == "pending"
    # another school's record looks like one that does not exist, and says nothing of it
    response = _record(client, foreign.id)
    assert response.status_code == 404
    assert f"{outside}家长很满意" not in response.get_data(as_text=True)


def test_the_visit_list_leads_each_row_to_its_record(world, login_as):
    page = login_as("leader_a").get("/admin/visit/").get_data(as_text=True)
    linked = {int(i) for i in re.findall(r'class="visit-record" href="/admin/visit/review/\?id=(\d+)"', page)}
    # city A holds a1x and a1y with two visits each (a2 has none); b1's are not listed
    expected = {v.id for key in ("a1x", "a1y") for v in world.extra[f"visits_{key}"]}
    assert linked == expected


def test_the_problems_a_family_reported_are_flagged_in_red_beside_their_answers(world, login_as, session):
    visit = world.extra["visits_a1x"][0]
    # 有 to punishment and to fees are problems; 满意 with homework and 没有 to tutoring are not
    visit.q_punishment, visit.q_fees, visit.q_homework, visit.q_tutoring = True, True, True, False
    session.commit()
    page = _record(login_as("leader_a"), visit.id).get_data(as_text=True)
    assert "家长反映问题：</strong>体罚或辱骂学生、乱买资料或乱收费" in page
    answers = page.split('id="visit-answers"')[1].split("</dl>")[0]
    flagged = re.findall(r'data-question="(q_\w+)">[^<]*<span class="badge badge-danger problem-flag">', answers)
    assert flagged == ["q_punishment", "q_fees"]
    assert 'class="col-sm-4 problem-answer" data-question="q_punishment">有' in answers
    # the list marks the row too
    listed = login_as("school_admin_a1x").get("/admin/visit/").get_data(as_text=True)
    assert listed.count("problem-flag") == 2


def test_a_record_without_problems_has_no_red_mark(world, login_as):
    page = _record(login_as("admin_a1"), world.extra["visits_a1x"][1].id).get_data(as_text=True)
    assert "problem-flag" not in page and "家长反映问题" not in page


def test_a_teacher_opens_the_records_of_own_visits_only(world, login_as):
    teacher = login_as("teacher_a1x")
    own = world.extra["visits_a1x"][0]  # by the 班主任 linked to teacher_a1x
    colleague = world.extra["visits_a1x"][1]  # by the 科任教师 of the same school
    page = _record(teacher, own.id).get_data(as_text=True)
    assert "a1x家长很满意" in page and 'href="/admin/my_visits/"' in page and "review-form" not in page
    assert _record(teacher, colleague.id).status_code == 404
    assert _record(teacher, world.extra["visits_a1y"][0].id).status_code == 404
    assert teacher.get("/admin/visit/").status_code == 403  # the list stays the admins'


def test_photos_are_shown_to_region_roles_of_their_scope_only(world, login_as):
    photos = {p.school_id: p.id for p in db.session.scalars(select(VisitPhoto))}
    a1x, b1 = photos[world.schools["a1x"].id], photos[world.schools["b1"].id]
    leader = login_as("leader_a")
    page = _record(leader, world.extra["visits_a1x"][0].id).get_data(as_text=True)
    assert f'src="/admin/visit_photo/{a1x}"' in page
    assert leader.get(f"/admin/visit_photo/{a1x}").data.startswith(b"\x89PNG")
    assert leader.get(f"/admin/visit_photo/{b1}").status_code == 404
    inspector = login_as("inspector_b")
    assert inspector.get(f"/admin/visit_photo/{b1}").status_code == 200
    assert inspector.get(f"/admin/visit_photo/{a1x}").status_code == 404


def _form(student, **extra) -> dict:
    data = {
        "target": "family",
        "student_id": str(student.id),
        "visited_on": "2026-11-19",
        "mode": "home",
        "staff2_id": "",
        "q_homework": "1",
        "feedback": "第一次填写",
        "no_gifts": "y",
    }
    return data | extra


def test_the_record_shows_its_review_history_and_what_each_version_changed(app, world, login_as, session):
    world.users["school_admin_a1x"].display_name = "王校长"
    session.commit()
    student = world.extra["students_a1x"][1]
    teacher, admin = login_as("teacher_a1x"), login_as("school_admin_a1x")

    def at_beijing(hour: int):  # 2026-11-20 at `hour` o'clock in Beijing
        return clock.frozen_at(datetime(2026, 11, 20, hour - 8, 0, tzinfo=UTC))

    with at_beijing(9):
        assert teacher.post("/admin/my_visits/new", data=_form(student)).status_code == 302
    visit_id = stored(select(Visit.id).where(Visit.student_id == student.id))
    edit = f"/admin/my_visits/{visit_id}/edit"
    with at_beijing(10):
        admin.post(f"/admin/visit/review/?id={visit_id}", data={"decision": "return", "note": "请补充住房条件"})
    with at_beijing(11):
        assert teacher.post(edit, data=_form(student, housing="B", feedback="补充后")).status_code == 302
    with at_beijing(12):  # returned again with the same reason: the note itself does not change
        admin.post(f"/admin/visit/review/?id={visit_id}", data={"decision": "return", "note": "请补充住房条件"})
    with at_beijing(13):
        assert teacher.post(edit, data=_form(student, housing="B", feedback="第三次")).status_code == 302
    with at_beijing(14):
        admin.post(f"/admin/visit/review/?id={visit_id}", data={"decision": "approve"})
    page = _record(login_as("admin_a1"), visit_id).get_data(as_text=True)
    history = re.findall(r"<li><span class=\"text-muted\">([^<]+)</span> ([^<]+)</li>", page)
    assert [(at, " ".join(what.split())) for at, what in history] == [
        ("2026-11-20 09:00:00", "提交第1版 · a1x班主任"),
        ("2026-11-20 10:00:00", "退回 · 王校长：请补充住房条件"),
        ("2026-11-20 11:00:00", "提交第2版 · a1x班主任"),
        ("2026-11-20 12:00:00", "退回 · 王校长：请补充住房条件"),
        ("2026-11-20 13:00:00", "提交第3版 · a1x班主任"),
        ("2026-11-20 14:00:00", "通过 · 王校长"),
    ]
    versions = page.split('id="visit-versions"')[1]
    assert '第1版</strong> <span class="text-muted">提交于 2026-11-20 09:00:00' in versions
    second = versions.split('data-version="2"')[1].split("</li>\n")[0]
    third = versions.split('data-version="3"')[1].split("</li>\n")[0]
    with app.test_request_context():
        label = field_labels()  # a change reads as the teacher's form asks it
    assert f"{label['housing']}：— → 一般" in second and f"{label['feedback']}：第一次填写 → 补充后" in second
    # each version against the one before it; unchanged fields are not listed
    assert f"{label['feedback']}：补充后 → 第三次" in third and label["housing"] not in third
    assert label["employment"] not in second
