"""The problem ledger in the console: registering (by hand, from a visit, past a likely duplicate
only with the tick; bad input writes nothing), every action through a problem's page (closed by
another user), the county's queue, the exports (the 公示 list names nobody), who sees the reporter,
the 403s and 404s, the counts page's statements, and the home page's 待办.

The world (tests/factories.py): a1x, a1y in county A1 (admin_a1), a2 in A2, b1 in B1 (city B);
a problem of tests/world_ledger.py is a1x's first student's family's, registered 2026-11-20 by
王家长 (13800001234), due 2026-11-30.
"""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from bureau import clock
from bureau.admin import ledger_pages
from bureau.exports.ledger import ledger_statement
from bureau.ledger.models import FollowUp, Problem, ProblemCategory, ProblemEvent
from bureau.tenants.guard import set_scope
from tests.factories import statements_of, stored
from tests.world_ledger import NOW, categories, problem

LATER = NOW + timedelta(hours=1)
REPORTER, PHONE = "王家长", "13800001234"


@pytest.fixture
def ledger(world, session):
    categories(session)
    session.commit()
    return world


def text(response) -> str:
    return response.get_data(as_text=True)


def count(model=Problem) -> int:
    return stored(select(func.count()).select_from(model))


def made(session, world, key="a1x", by=None, **fields):
    """A problem of the world's school `key`, committed (the session's scope cleared)."""
    item = problem(session, world, key, by=by or f"school_admin_{key}", **fields)
    item_id = item.id
    set_scope(session, None)
    session.commit()
    return item_id


def new_form(world, key="a1x", **fields) -> dict:
    cat = stored(select(ProblemCategory.id).where(ProblemCategory.name == fields.pop("category", "校园安全")))
    return {
        "category": str(cat),
        "description": "学校东门外上下学时段车辆拥堵，存在安全隐患",
        "student": "",
        "raised_by": "李家长",
        "raised_phone": "13912340000",
        "owner": str(world.extra[f"staff_{key}"].id),
        "owner_department": "",
        "deadline": "2026-11-27",
        "priority": "normal",
    } | fields


def workbook_cells(response) -> list[str]:
    assert response.status_code == 200, text(response)[:500]
    book = load_workbook(io.BytesIO(response.data), read_only=True)
    return [str(c) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for c in row if c is not None]


def test_a_school_admin_registers_a_problem_through_the_page(ledger, login_as):
    client = login_as("school_admin_a1x")
    with clock.frozen_at(NOW):
        page = client.get("/admin/problem/new")
        assert page.status_code == 200 and 'name="description"' in text(page)
        response = client.post("/admin/problem/new", data=new_form(ledger, student="a1x-1"))
    assert response.status_code == 302, text(response)[:800]
    new_id = stored(select(Problem.id))
    assert response.headers["Location"].endswith(f"/admin/problem/item/{new_id}")
    student = ledger.extra["students_a1x"][1]
    assert stored(select(Problem.student_id)) == student.id
    assert stored(select(Problem.number)) == 1 and stored(select(Problem.source)) == "manual"
    assert count(ProblemEvent) == 1
    with clock.frozen_at(NOW):
        listing = text(client.get("/admin/problem/"))
    assert "学校东门外上下学时段车辆拥堵" in listing and "登记问题" in listing and "待处理" in listing


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"category": "其他", "description": ""}, "请填写问题描述"),
        ({"deadline": "2026-11-19"}, "整改时限不能早于今天"),
        ({"deadline": "11/27"}, "整改时限格式应为"),
        ({"student": "no-such-number"}, "没有学号为“no-such-number”的学生"),
        ({"owner": "", "owner_department": ""}, "请指定责任人或责任部门"),
        ({"owner": "99999999"}, "责任人须为本校在职教职工"),
        ({"priority": "urgent"}, "请选择紧急程度"),
    ],
)
def test_bad_input_is_refused_in_chinese_and_writes_nothing(ledger, login_as, fields, message):
    client = login_as("school_admin_a1x")
    with clock.frozen_at(NOW):
        response = client.post("/admin/problem/new", data=new_form(ledger, **fields))
    assert response.status_code == 200 and message in text(response)
    assert count() == 0 and count(ProblemEvent) == 0


def test_another_schools_staff_cannot_be_made_the_owner(ledger, login_as):
    client = login_as("school_admin_a1x")
    with clock.frozen_at(NOW):
        response = client.post("/admin/problem/new", data=new_form(ledger, owner=str(ledger.extra["staff_a1y"].id)))
    assert "责任人须为本校在职教职工" in text(response) and count() == 0


def test_a_problem_is_filled_in_from_its_visit_and_keeps_its_source(ledger, login_as):
    visit = ledger.extra["visits_a1x"][0]
    client = login_as("school_admin_a1x")
    url = f"/admin/problem/new?source=visit&source_id={visit.id}"
    with clock.frozen_at(NOW):
        page = text(client.get(url))
        assert "已根据家访第" in page and "a1x-0" in page  # the family's 学号 filled in
        response = client.post(url, data=new_form(ledger, student="a1x-0", description="家访中家长反映作业负担重"))
    assert response.status_code == 302, text(response)[:800]
    assert stored(select(Problem.source)) == "visit" and stored(select(Problem.source_id)) == visit.id
    # a visit of another school, an unknown one, an unknown kind of source: 404
    foreign = ledger.extra["visits_b1"][0]
    for bad in (f"source=visit&source_id={foreign.id}", "source=visit&source_id=999999", "source=nothing&source_id=1"):
        assert client.get(f"/admin/problem/new?{bad}").status_code == 404
    with clock.frozen_at(LATER):
        item = text(client.get(f"/admin/problem/item/{stored(select(Problem.id))}"))
    assert f'href="/admin/visit/review/?id={visit.id}"' in item


def test_an_inspector_registers_for_a_school_of_the_scope_only(ledger, login_as):
    client = login_as("inspector_a")
    school = ledger.schools["a1y"]
    with clock.frozen_at(NOW):
        assert "选择学校" in text(client.get("/admin/problem/new"))
        response = client.post(f"/admin/problem/new?school={school.id}", data=new_form(ledger, "a1y"))
        assert response.status_code == 302, text(response)[:800]
        assert client.get(f"/admin/problem/new?school={ledger.schools['b1'].id}").status_code == 404
    assert stored(select(Problem.school_id)) == school.id
    for username in ("leader_a", "admin_a1"):
        assert login_as(username).get(f"/admin/problem/new?school={school.id}").status_code == 403


def test_a_likely_duplicate_is_offered_and_registering_anyway_needs_the_tick(ledger, login_as, session):
    first = made(session, ledger)
    client = login_as("school_admin_a1x")
    same = {"category": "有偿补课", "student": "a1x-0", "description": "家长反映数学老师周末组织有偿补课"}
    with clock.frozen_at(LATER):
        response = client.post("/admin/problem/new", data=new_form(ledger, **same))
        assert response.status_code == 200
        page = text(response)
        assert "可能重复的问题" in page and f'href="/admin/problem/item/{first}"' in page
        assert "确认不是重复问题" in page and count() == 1
        response = client.post("/admin/problem/new", data=new_form(ledger, not_duplicate="1", **same))
    assert response.status_code == 302 and count() == 2


def act(client, problem_id: int, action: str, **fields):
    with clock.frozen_at(LATER):
        return client.post(f"/admin/problem/item/{problem_id}", data={"action": action, **fields})


def state(problem_id: int) -> str:
    return stored(select(Problem.state).where(Problem.id == problem_id))


def test_every_action_through_the_page_and_another_user_closes(ledger, login_as, session):
    item = made(session, ledger)
    school = login_as("school_admin_a1x")
    with clock.frozen_at(LATER):
        page = text(school.get(f"/admin/problem/item/{item}"))
    assert 'id="do-start"' in page and 'id="do-escalate"' in page and 'id="do-close"' not in page
    assert act(school, item, "start", note="班主任约谈当事教师").status_code == 302 and state(item) == "in_progress"
    assert act(school, item, "fix", note="当事教师停止补课并写出检查").status_code == 302 and state(item) == "fixed"
    # the one who fixed it is not offered 销号, and is refused when trying
    with clock.frozen_at(LATER):
        page = text(school.get(f"/admin/problem/item/{item}"))
    assert 'id="do-close"' not in page and "须由不同的人办理" in page
    refused = act(school, item, "close", note="自己核实")
    assert refused.status_code == 200 and "未处理：" in text(refused) and state(item) == "fixed"
    # a family's problem: the follow-up first
    county = login_as("admin_a1")
    refused = act(county, item, "close", note="电话核实")
    assert "须先回访家长" in text(refused) and state(item) == "fixed"
    visit = {"visited_on": "2026-11-20", "mode": "phone", "said": "已停止补课，家长满意", "satisfied": "1"}
    done = act(school, item, "follow_up", **visit)
    assert done.status_code == 302 and count(FollowUp) == 1
    assert act(county, item, "close", note="电话核实，已停止补课").status_code == 302 and state(item) == "closed"
    assert stored(select(Problem.closed_by_name)) == "admin_a1"
    with clock.frozen_at(LATER):
        page = text(school.get(f"/admin/problem/item/{item}"))
    for shown in ("已销号", "电话核实，已停止补课", "已停止补课，家长满意", "待处理 → 整改中", "已整改 → 已销号"):
        assert shown in page
    assert 'id="form-follow_up"' not in page and 'id="form-merge"' not in page


def test_escalated_answered_by_the_county_explained_and_merged(ledger, login_as, session):
    first = made(session, ledger, student=None, description="学校门口道路缺少减速带")
    second = made(session, ledger, student=None, description="校车线路太少，偏远村组学生上学难")
    school, county = login_as("school_admin_a1x"), login_as("admin_a1")
    assert act(school, second, "escalate", note="需县里协调校车").status_code == 302 and state(second) == "escalated"
    # escalated: the school no longer handles it; the county answers it
    assert "已上报的问题由县(市、区)教育局处理" in text(act(school, second, "fix", note="学校自行解决"))
    with clock.frozen_at(LATER):
        page = text(county.get(f"/admin/problem/item/{second}"))
    assert 'id="do-send_back"' in page and 'id="do-fix"' in page and 'id="do-start"' not in page
    assert act(county, second, "send_back", note="已协调交通局增开线路").status_code == 302
    assert state(second) == "in_progress"
    assert act(school, second, "explain", note="已向家长说明新增线路").status_code == 302
    assert state(second) == "explained"
    # merged: by the school admin, by the number of the problem it repeats
    assert "本校没有第 99 号问题" in text(act(school, first, "merge", into="99"))
    third = made(session, ledger, student=None, description="东门口缺少减速带，车速快")
    assert act(school, third, "merge", into="1").status_code == 302 and state(third) == "merged"
    with clock.frozen_at(LATER):
        assert f'href="/admin/problem/item/{third}"' in text(school.get(f"/admin/problem/item/{first}"))
    # a leader may read but takes no action
    assert "问题由学校管理员处理" in text(act(login_as("leader_a"), first, "start", note=""))
    assert state(first) == "open"


def test_the_county_queue_lists_only_the_escalated_problems_of_its_schools(ledger, login_as, session):
    mine = made(session, ledger, student=None, description="校车线路太少")
    open_one = made(session, ledger, "a1y", student=None, description="操场跑道破损")
    far = made(session, ledger, "b1", student=None, description="乙县学校食堂卫生差")
    for key, item in (("a1x", mine), ("b1", far)):
        assert act(login_as(f"school_admin_{key}"), item, "escalate", note="需县里协调").status_code == 302
    page = text(login_as("admin_a1").get("/admin/problem_queue/"))
    assert f'/admin/problem/item/{mine}"' in page and "校车线路太少" in page
    assert f'/admin/problem/item/{far}"' not in page and f'/admin/problem/item/{open_one}"' not in page
    assert "乙县学校食堂卫生差" in text(login_as("inspector_b").get("/admin/problem_queue/"))
    assert login_as("school_admin_a1x").get("/admin/problem_queue/").status_code == 403


def test_the_public_list_names_nobody_and_the_ledger_has_the_layouts_headers(ledger, login_as, session):
    made(session, ledger, description="a1x学生0的家长反映，电话13800001234，数学老师有偿补课")
    client = login_as("school_admin_a1x")
    with clock.frozen_at(LATER):
        public = workbook_cells(client.get("/admin/problem/public.xlsx"))
        ledger_cells = workbook_cells(client.get("/admin/problem/export.xlsx"))
        county = workbook_cells(login_as("admin_a1").get("/admin/problem/export.xlsx"))
    student = ledger.extra["students_a1x"][0]
    assert any("有偿补课" in cell for cell in public)
    for private in (REPORTER, PHONE, student.name, student.guardian_name):
        assert not [cell for cell in public if private in cell], private
    # who raised it is never even read for the 公示 list
    sql = str(ledger_statement([], public=True))
    assert "raised_by" not in sql and "raised_phone" not in sql and "guardian" not in sql
    headers = ["序号", "来源", "类别", "问题描述", "责任人", "整改措施", "时限", "状态", "销号人", "销号时间"]
    assert all(h in ledger_cells for h in headers)
    assert county.index("学校") < county.index("序号") and "甲一区实验小学" in county


def test_the_reporter_is_shown_to_the_school_and_inspectors_only(ledger, login_as, session):
    item = made(session, ledger)
    readers = (("school_admin_a1x", True), ("inspector_a", True), ("leader_a", False), ("admin_a1", False))
    for username, shown in readers:
        with clock.frozen_at(LATER):
            page = text(login_as(username).get(f"/admin/problem/item/{item}"))
        assert "有偿补课" in page
        assert (REPORTER in page) is shown and (PHONE in page) is shown, username


def test_a_teacher_reads_no_ledger_page(ledger, login_as, session):
    item = made(session, ledger)
    client = login_as("teacher_a1x")
    for url in ("/admin/problem/", "/admin/problem/new", f"/admin/problem/item/{item}", "/admin/problem/export.xlsx"):
        assert client.get(url).status_code == 403, url
    for url in ("/admin/problem_queue/", "/admin/problem_counts/", "/admin/problem/public.xlsx"):
        assert client.get(url).status_code == 403, url
    assert act(client, item, "start", note="").status_code == 403 and state(item) == "open"


def test_another_schools_problem_is_not_found_and_nothing_changes(ledger, login_as, session):
    far = made(session, ledger, "b1", student=None, description="乙县学校食堂卫生差")
    for username in ("school_admin_a1x", "admin_a1", "leader_a"):
        client = login_as(username)
        assert client.get(f"/admin/problem/item/{far}").status_code == 404
        for action, fields in (("start", {}), ("escalate", {"note": "篡改"}), ("merge", {"into": "1"})):
            assert act(client, far, action, **fields).status_code == 404
    assert state(far) == "open" and count(ProblemEvent) == 1
    assert login_as("school_admin_a1x").get(f"/admin/problem/?school={ledger.schools['b1'].id}").status_code == 200
    assert login_as("admin_a1").get(f"/admin/problem/?school={ledger.schools['b1'].id}").status_code == 404


def test_the_counts_list_every_school_in_statements_that_do_not_grow_with_the_schools(ledger, login_as, session):
    made(session, ledger)
    made(session, ledger, "a1y", student=None, deadline=NOW.date() + timedelta(days=1))
    client = login_as("leader_a")
    a1, a2 = ledger.regions["a1"].id, ledger.regions["a2"].id
    with clock.frozen_at(NOW + timedelta(days=5)):
        page = text(client.get(f"/admin/problem_counts/?region={a1}"))
        client.get(f"/admin/problem_counts/?region={a2}")  # warm
        two, one = (statements_of(client, f"/admin/problem_counts/?region={r}") for r in (a1, a2))
        overdue = text(client.get("/admin/problem_counts/overdue"))
        sheets = workbook_cells(client.get(f"/admin/problem_counts/export.xlsx?region={a1}"))
        own = text(login_as("school_admin_a1x").get("/admin/problem_counts/"))
    assert two == one
    assert 'data-school="A1X"' in page and 'data-school="A1Y"' in page and "有偿补课" in page
    assert "甲一区第二小学" in overdue and "甲一区实验小学" not in overdue  # a1y's is past its deadline
    assert "各校问题整改情况" in " ".join(sheets) and "甲一区第二小学" in sheets
    assert 'data-school="A1X"' in own and 'data-school="A1Y"' not in own
    assert login_as("admin_a1").get(f"/admin/problem_counts/?region={ledger.regions['b1'].id}").status_code == 404


def test_the_overdue_list_says_when_it_shows_only_the_longest_overdue(ledger, login_as, session, monkeypatch):
    for days in (1, 2):
        made(session, ledger, student=None, description=f"逾期问题{days}", deadline=NOW.date() + timedelta(days=days))
    monkeypatch.setattr(ledger_pages, "OVERDUE_SHOWN", 1)
    with clock.frozen_at(NOW + timedelta(days=5)):
        page = text(login_as("school_admin_a1x").get("/admin/problem_counts/overdue"))
    assert "逾期问题1" in page and "逾期问题2" not in page and "只列出逾期最久的 1 条" in page


def todo_of(client) -> str:
    page = client.get("/admin/").get_data(as_text=True)
    return page.split('id="todo"')[1].split("</ul>")[0]


def test_the_home_page_tells_of_overdue_new_and_escalated_problems(ledger, login_as, session):
    made(session, ledger)
    made(session, ledger, student=None, description="教室照明不足", deadline=NOW.date() + timedelta(days=1))
    escalated = made(session, ledger, student=None, description="校车线路太少")
    act(login_as("school_admin_a1x"), escalated, "escalate", note="需县里协调")
    with clock.frozen_at(NOW + timedelta(days=3)):
        school = todo_of(login_as("school_admin_a1x"))
        county = todo_of(login_as("admin_a1"))
        other = todo_of(login_as("school_admin_a1y"))
        far = todo_of(login_as("inspector_b"))
    assert "1 条问题已逾期" in school and "2 条问题待处理" in school
    assert "1 条上报问题待处理" in county
    assert "条问题" not in other and "上报问题" not in far
