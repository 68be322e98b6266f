"""The audit log speaks Chinese: tables, fields and states by their names, Beijing time, who by name,
the record's number with a link to its page, phones masked as the viewer's lists mask them, and the
page read in a fixed number of statements however many rows it shows."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

from sqlalchemy import inspect, select

from bureau import clock
from bureau.admin.audit import field_label, learn_console_labels
from bureau.audit import set_actor, table_label
from bureau.extensions import db
from bureau.visits.models import SchoolClass, Student
from tests.factories import statements_sent

# 2026-11-20 08:30 UTC is 16:30 in Beijing.
AT = datetime(2026, 11, 20, 8, 30, tzinfo=UTC)
CHANGES = re.compile(r'<div class="audit-changes"[^>]*>(.*?)</div></td>', re.S)
ROW = re.compile(r"<tr>\s*<td class=\"list-buttons-column\">.*?</tr>", re.S)
TABLE, ACTION, FROM_DAY, TO_DAY = 0, 1, 2, 3  # the filters' positions in AuditLogView.column_filters


def _audit(client, **filters) -> str:
    index = {"table": TABLE, "action": ACTION, "from_day": FROM_DAY, "to_day": TO_DAY}
    query = "&".join(f"flt{i}_{index[k]}={v}" for i, (k, v) in enumerate(filters.items()))
    response = client.get(f"/admin/audit/?{query}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _rows(body: str) -> list[str]:
    return [re.sub(r"\s+", " ", row) for row in ROW.findall(body)]


def test_a_reviewed_visit_reads_as_its_record_its_chinese_state_beijing_time_and_the_reviewers_name(
    world, login_as, session
):
    visit = world.extra["visits_a1x"][0]
    world.users["school_admin_a1x"].display_name = "王主任"
    session.commit()
    with clock.frozen_at(AT):
        login_as("school_admin_a1x").post(f"/admin/visit/review/?id={visit.id}", data={"decision": "approve"})

    (row,) = _rows(_audit(login_as("school_admin_a1x"), table="visit", action="update"))
    assert f'<a href="/admin/visit/review/?id={visit.id}">家访记录 #{visit.id}</a>' in row
    assert "状态：待审核 → 通过" in row
    assert "2026-11-20 16:30:00" in row and "审核时间：— → 2026-11-20 16:30:00" in row
    # The reviewer by name, the username beside it; the school admin may open the user's page.
    reviewer = world.users["school_admin_a1x"]
    assert (
        '<span title="用户名：school_admin_a1x">王主任</span><br><small class="text-muted">school_admin_a1x</small>'
        in row
    )
    assert f'审核人：— → <a href="/admin/user/details/?id={reviewer.id}">王主任（school_admin_a1x）</a>' in row
    for raw in ("pending", "approved", "reviewed_at", "null", "T08:30"):
        assert raw not in row

    # A leader reads the same line; the user page is not theirs to open, so the name is not a link.
    (row,) = _rows(_audit(login_as("leader_a"), table="visit", action="update"))
    assert f'<a href="/admin/visit/review/?id={visit.id}">家访记录 #{visit.id}</a>' in row
    assert "审核人：— → 王主任（school_admin_a1x）" in row


def _edit_phone(client, student: Student, phone: str):
    return client.post(
        f"/admin/student/edit/?id={student.id}",
        data={
            "school_class": student.class_id,
            "number": student.number,
            "name": student.name,
            "sex": "男",
            "guardian_name": student.guardian_name,
            "guardian_phone": phone,
            "active": "y",
        },
    )


def test_a_guardian_phone_change_is_masked_for_a_leader_and_shown_to_the_schools_admin(world, login_as):
    student = world.extra["students_a1x"][0]  # guardian phone 13800000000
    assert _edit_phone(login_as("school_admin_a1x"), student, "13912345678").status_code == 302

    leader = _audit(login_as("leader_a"), table="student", action="update")
    (row,) = _rows(leader)
    assert f"学生 #{student.id}" in row and "联系电话：138****0000 → 139****5678" in row
    assert "13912345678" not in leader and "13800000000" not in leader
    (row,) = _rows(_audit(login_as("school_admin_a1x"), table="student", action="update"))
    assert "联系电话：13800000000 → 13912345678" in row


def test_a_new_record_shows_its_number_and_a_link_to_it(world, login_as, session):
    response = login_as("school_admin_a1x").post("/admin/school_class/new/", data={"grade": "6", "number": "3"})
    assert response.status_code == 302
    made = session.scalar(select(SchoolClass.id).where(SchoolClass.grade == 6, SchoolClass.number == 3))
    rows = _rows(_audit(login_as("school_admin_a1x"), table="school_class", action="insert"))
    (row,) = [row for row in rows if f"班级 #{made}" in row]  # the world's classes were inserted too
    assert f'<a href="/admin/school_class/details/?id={made}">班级 #{made}</a>' in row
    school = world.schools["a1x"].id
    assert "年级：6" in row and "班号：3" in row and "新增" in row
    assert f'学校：<a href="/admin/school/details/?id={school}">甲一区实验小学</a>' in row


def test_the_date_filter_takes_beijing_dates(world, login_as, session):
    school = world.extra["students_a1x"][0].school
    set_actor(session, world.users["admin_a1"])
    # 15:59:59 UTC is 23:59:59 of 11-20 in Beijing; 16:00:00 UTC is already 11-21 there.
    for instant, name in (
        (datetime(2026, 11, 20, 15, 59, 59, tzinfo=UTC), "晚"),
        (datetime(2026, 11, 20, 16, tzinfo=UTC), "早"),
    ):
        with clock.frozen_at(instant):
            school.name = f"甲一区实验小学（{name}）"
            session.commit()
    county = login_as("admin_a1")
    (row,) = _rows(_audit(county, table="school", action="update", to_day="2026-11-20"))
    assert "2026-11-20 23:59:59" in row and "（晚）" in row
    (row,) = _rows(_audit(county, table="school", action="update", from_day="2026-11-21"))
    assert "2026-11-21 00:00:00" in row and "（早）" in row


def test_the_filters_name_tables_and_actions_in_chinese(world, login_as):
    body = login_as("admin_a1").get("/admin/audit/").get_data(as_text=True)
    groups = json.loads(re.search(r'<div id="filter-groups-data" class="d-none">(.*?)</div>', body).group(1))
    tables = dict(groups["数据类别"][0]["options"])
    assert tables["visit"] == "家访记录" and tables["weekly_report"] == "周调度报告" and tables["student"] == "学生"
    assert dict(groups["操作"][0]["options"]) == {"insert": "新增", "update": "修改", "delete": "删除"}
    assert [f["operation"] for f in groups["日期"]] == ["从（含）", "至（含）"]


def _has_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def test_every_audited_table_and_field_has_a_chinese_name(app):
    learn_console_labels(app.extensions["bureau_admin"]._views)
    missing = []
    for mapper in db.Model.registry.mappers:
        table = mapper.class_.__tablename__
        if table in ("audit_log", "login_attempt", "login_lock"):
            continue
        if not _has_chinese(table_label(table)):
            missing.append(table)
        missing += [
            f"{table}.{c.key}"
            for c in inspect(mapper.class_).column_attrs
            if not _has_chinese(field_label(table, c.key))
        ]
    assert missing == []


def _statements(client, url: str) -> tuple[int, str]:
    with statements_sent() as sent:
        body = client.get(url).get_data(as_text=True)
    return len(sent), body


def _move_students(session, world, actors: list[str], times: int) -> None:
    """`times` updates of students of a1x and a1y (class and phone), by turns of `actors`."""
    students = world.extra["students_a1x"] + world.extra["students_a1y"]
    for i in range(times):
        student = students[i % len(students)]
        set_actor(session, world.users[actors[i % len(actors)]])
        other = session.scalar(
            select(SchoolClass.id).where(SchoolClass.school_id == student.school_id, SchoolClass.id != student.class_id)
        )
        student.class_id, student.guardian_phone = other, f"1390000{i:04d}"
        session.commit()


def test_the_audit_page_reads_a_fixed_number_of_statements_however_many_rows_it_shows(world, login_as, session):
    leader = login_as("leader_a")
    url = f"/admin/audit/?flt0_{TABLE}=student&flt1_{ACTION}=update"
    _move_students(session, world, ["school_admin_a1x"], 1)
    one, body = _statements(leader, url)
    assert len(_rows(body)) == 1
    _move_students(session, world, ["school_admin_a1x", "school_admin_a1y", "admin_a1"], 11)
    many, body = _statements(leader, url)
    assert len(_rows(body)) == 12
    # The newest row is move i=10 of the second call: students[10 % 8] is a1x's student 2 (五(1), 13800000002),
    # moved to 五(2) with 13900000002 at i=2 and back to 五(1) with 13900000010 now. The classes by name
    # (loaded at once for the page), the phones masked for a leader.
    assert re.search(
        r"班级：<a [^>]+>五\(2\)</a> → <a [^>]+>五\(1\)</a></div><div>联系电话：139\*\*\*\*0002 → 139\*\*\*\*0010", body
    )
    assert many == one, (one, many)


def test_every_page_a_log_row_links_to_is_a_console_page(app):
    """A table's page (the record a log row links to) is an endpoint the console serves."""
    from flask import url_for

    from bureau.audit import LABELS

    pages = {table: labels.page for table, labels in LABELS.items() if labels.page is not None}
    assert {"visit", "weekly_report", "inspection", "inspection_round", "sample_draw"} <= set(pages)
    with app.test_request_context():
        for endpoint, argument in pages.values():
            assert url_for(endpoint, **{argument: 7}).startswith("/admin/")
