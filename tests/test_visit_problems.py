"""Issue 8, item 3: a 附2 answer of 有 to questions 1, 4, 5 or 6 is a problem the family reported.

It is counted per unit on coverage (问题反映: visits, not answers), listed for the bureau and the
school (scoped by the tenant guard, paged without a count), and every visit is exported in the
layout of seed 000's 家访情况记录表.

Visits of the term shown on 2026-11-20 (the 周调度 campaign's, tests/world_progress.py):
a1x  student 0  11-02  有: 体罚 and 乱收费 (two problems, one visit)   counted
a1x  student 1  11-03  有: 有偿家教                                      counted
a1x  student 2  11-04  有: 随意调课, returned                           not counted
a1x  student 3  11-06  没有 everywhere                                   counted, no problem
a1y  student 0  11-05  有: 随意调课                                      counted
b1   student 0  11-05  有: 乱收费                                        counted
"""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from urllib.parse import unquote

import pytest
from openpyxl import load_workbook

from bureau import clock
from bureau.admin import problems as problem_view
from bureau.visits.coverage import coverage_rows, current_term, total
from tests.coverage_support import add_visit
from tests.factories import statements_sent
from tests.visits_support import scope_of

TODAY = date(2026, 11, 20)
NOW = datetime(2026, 11, 20, 4, 0, tzinfo=UTC)
NO = {"q_punishment": False, "q_tutoring": False, "q_lessons": False, "q_fees": False}


@pytest.fixture
def reported(session, world):
    term = current_term(session, TODAY)
    x, y, b = (world.extra[f"students_{k}"] for k in ("a1x", "a1y", "b1"))
    head, other = world.extra["staff_a1x"], world.extra["other_staff_a1x"]
    v = {
        "two": add_visit(
            session,
            x[0],
            head,
            term,
            date(2026, 11, 2),
            **{**NO, "q_punishment": True, "q_fees": True},
            q_homework=True,
            q_marking=False,
            q_safety=True,
            household_size=4,
            school_children=2,
            employment="C",
            caregiver="B",
            housing="A",
            opinions="希望多开展文体活动",
        ),
        "one": add_visit(session, x[1], head, term, date(2026, 11, 3), **{**NO, "q_tutoring": True}, opinions="=1+1"),
        "returned": add_visit(session, x[2], head, term, date(2026, 11, 4), **{**NO, "q_lessons": True}),
        "clean": add_visit(session, x[3], other, term, date(2026, 11, 6), **NO),
        "a1y": add_visit(session, y[0], world.extra["staff_a1y"], term, date(2026, 11, 5), **{**NO, "q_lessons": True}),
        "b1": add_visit(session, b[0], world.extra["staff_b1"], term, date(2026, 11, 5), **{**NO, "q_fees": True}),
    }
    v["one"].staff2 = other
    v["returned"].status = "returned"
    session.commit()
    return {"term": term, "v": v}


def test_a_visit_with_two_problems_counts_once_in_the_column(session, world, reported):
    term = reported["term"]
    schools = coverage_rows(session, scope_of(session, world.users["admin_a1"]), term, "school", TODAY)
    # a1x: the two-problem visit once + the 有偿家教 visit = 2 (the returned one does not count);
    # a1y: 1. County A1: 3.
    assert {r.label: r.problems for r in schools} == {"甲一区实验小学": 2, "甲一区第二小学": 1}
    assert total(schools).problems == 3
    cities = coverage_rows(session, scope_of(session, world.users["leader_p"]), term, "city", TODAY)
    # 甲市 3, 乙市 (b1) 1, 丁县级市 0 (no roster).
    assert [(r.label, r.problems) for r in cities] == [("甲市", 3), ("乙市", 1), ("丁县级市", 0)]


def _ids(page: str) -> list[int]:
    body = page.split('id="problem-table"')[1].split("</table>")[0]
    return [int(part.split('"')[0]) for part in body.split('data-visit-id="')[1:]]


def test_the_list_shows_both_problems_of_a_visit_and_leads_to_its_record(world, reported, login_as):
    v = reported["v"]
    with clock.frozen_at(NOW):
        page = login_as("school_admin_a1x").get("/admin/problems/").get_data(as_text=True)
    # Newest first; the returned visit, the one without a problem and a1y's are absent.
    assert _ids(page) == [v["one"].id, v["two"].id]
    row = page.split(f'data-visit-id="{v["two"].id}"')[1].split("</tr>")[0]
    assert "体罚或辱骂学生" in row and "乱买资料或乱收费" in row and "有偿家教" not in row
    assert f"/admin/visit/review/?id={v['two'].id}" in row and "五(1)" in row and "a1x学生0" in row


def test_a_school_admin_sees_only_its_own_schools_problems(world, reported, login_as):
    v = reported["v"]
    with clock.frozen_at(NOW):
        mine = login_as("school_admin_a1y").get("/admin/problems/").get_data(as_text=True)
        # Drilling into another school by the query string shows nothing of it.
        other = login_as("school_admin_a1y").get(f"/admin/problems/?school={world.schools['a1x'].id}")
    assert _ids(mine) == [v["a1y"].id]
    assert _ids(other.get_data(as_text=True)) == []


def test_the_list_filters_by_problem_kind_within_the_scope(world, reported, login_as):
    v = reported["v"]
    with clock.frozen_at(NOW):
        city = login_as("admin_a").get("/admin/problems/?kind=q_fees").get_data(as_text=True)
        province = login_as("leader_p").get("/admin/problems/?kind=q_fees").get_data(as_text=True)
        lessons = login_as("leader_p").get("/admin/problems/?kind=q_lessons").get_data(as_text=True)
        school = login_as("admin_a1").get(f"/admin/problems/?school={world.schools['a1y'].id}")
    assert _ids(city) == [v["two"].id]  # b1's 乱收费 is in 乙市
    assert _ids(province) == [v["b1"].id, v["two"].id]
    assert _ids(lessons) == [v["a1y"].id]  # the returned 随意调课 visit is not counted
    assert _ids(school.get_data(as_text=True)) == [v["a1y"].id]


def test_an_unknown_kind_or_term_is_not_found_a_bad_number_refused_and_a_teacher_has_no_list(world, reported, login_as):
    assert login_as("admin_a1").get("/admin/problems/?kind=q_homework").status_code == 404
    assert login_as("admin_a1").get("/admin/problems/?term=99999").status_code == 404
    assert login_as("admin_a1").get("/admin/problems/?page=0").status_code == 400
    assert login_as("admin_a1").get("/admin/problems/?school=99999999999999999999").status_code == 400
    assert login_as("admin_a1").get("/admin/coverage/records.xlsx?county=1e3").status_code == 400
    assert login_as("teacher_a1x").get("/admin/problems/").status_code == 403


def test_the_list_pages_without_counting(world, reported, login_as, monkeypatch):
    monkeypatch.setattr(problem_view, "PAGE_SIZE", 2)
    v, client = reported["v"], login_as("admin_a1")
    with statements_sent() as sent, clock.frozen_at(NOW):
        first = client.get("/admin/problems/").get_data(as_text=True)
        second = client.get("/admin/problems/?page=2").get_data(as_text=True)
    seen = [s.lower() for s in sent]
    # County A1's three problem visits, newest first: a1y 11-05, a1x 11-03, a1x 11-02.
    assert _ids(first) == [v["a1y"].id, v["one"].id] and 'id="page-next"' in first
    assert _ids(second) == [v["two"].id] and 'id="page-next"' not in second and 'id="page-prev"' in second
    assert not [s for s in seen if "count(" in s]


def _book(response):
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.data)).worksheets[0]


HEADERS = [
    "走访单位",
    "走访时间",
    "走访方式",
    "被走访学生",
    "学号",
    "年级班级",
    "家长姓名",
    "联系电话",
    "家庭住址",
    "家庭总人口",
    "学生数",
    "家长就业情况",
    "在家照顾学生人员",
    "住房条件",
    "1. 体罚或辱骂学生",
    "2. 家庭作业份量",
    "3. 作业批改",
    "4. 有偿家教或违规补课",
    "5. 不按时上课或随意调课",
    "6. 乱买资料或乱收费",
    "7. 学校安全工作",
    "8. 意见建议",
    "问题反映",
    "走访人员",
    "审核状态",
]


def test_the_records_export_has_the_layout_of_the_record_form(world, reported, login_as):
    with clock.frozen_at(NOW):
        response = login_as("school_admin_a1x").get("/admin/coverage/records.xlsx")
    assert "家访情况记录表_甲一区实验小学_2026-11-20.xlsx" in unquote(response.headers["Content-Disposition"])
    sheet = _book(response)
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert "家访情况记录表" in rows[0][0] and rows[1] == HEADERS
    # a1x's counted visits, by date: 11-02, 11-03, 11-06 (the returned one is not there).
    data = rows[2:]
    assert [r[3] for r in data] == ["a1x学生0", "a1x学生1", "a1x学生3"]
    assert data[0] == [
        "甲一区实验小学",
        datetime(2026, 11, 2),
        "上门",
        "a1x学生0",
        "a1x-0",
        "五(1)",
        "a1x家长0",
        "13800000000",  # the school's own admin sees the number
        None,
        4,
        2,
        "农民",
        "祖父母",
        "比较好",
        "有",
        "满意",
        "不满意",
        "没有",
        "没有",
        "有",
        "满意",
        "希望多开展文体活动",
        "体罚或辱骂学生、乱买资料或乱收费",
        "a1x班主任",
        "待审核",
    ]
    assert data[1][21:24] == ["=1+1", "有偿家教或违规补课", "a1x班主任、a1x科任"]
    assert data[2][14:23] == ["没有", None, None, "没有", "没有", "没有", None, None, None]
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)


def test_the_records_export_of_a_county_has_as_many_rows_as_its_records_and_masks_phones(
    session, world, reported, login_as
):
    with clock.frozen_at(NOW):
        sheet = _book(login_as("admin_a1").get("/admin/coverage/records.xlsx"))
    data = [[c.value for c in row] for row in sheet.iter_rows()][2:]
    figures = total(
        coverage_rows(session, scope_of(session, world.users["admin_a1"]), reported["term"], "school", TODAY)
    )
    # a1x 3 + a1y 1 = 4 records, the 走访记录 of the coverage page.
    assert len(data) == figures.visits == 4
    assert {r[0] for r in data} == {"甲一区实验小学", "甲一区第二小学"}
    assert {r[7] for r in data} == {"138****0000", "138****0001", "138****0003"}


def test_the_coverage_drill_down_leads_to_every_counted_record_of_the_unit(world, reported, login_as):
    """From a school's coverage (drilled by a county admin) to its records, each to its record page:
    a1x's three counted visits, newest first; the returned one and other schools' are absent."""
    v, school = reported["v"], world.schools["a1x"].id
    with clock.frozen_at(NOW):
        client = login_as("admin_a1")
        coverage = client.get(f"/admin/coverage/?level=grade&school={school}").get_data(as_text=True)
        assert f"/admin/problems/?kind=all&amp;school={school}" in coverage
        page = client.get(f"/admin/problems/?kind=all&school={school}").get_data(as_text=True)
        outside = login_as("school_admin_a1y").get(f"/admin/problems/?kind=all&school={school}")
    assert _ids(page) == [v["clean"].id, v["one"].id, v["two"].id]
    assert "家访记录" in page and f"/admin/visit/review/?id={v['clean'].id}" in page
    assert _ids(outside.get_data(as_text=True)) == []
