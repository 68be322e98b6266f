"""Issue 8, item 1: every school in scope is counted, with or without a roster.

The world (tests/world_visits.py) has four students in each of a1x, a1y (county A1) and b1
(county B1), and no roster in a2 (county A2) or d (direct county D). The term shown on
2026-11-20 is the 周调度 campaign's (tests/world_progress.py), which starts last: the world's
visits lie in another term. `county_a2` visits two students of a1x in it and makes A2 the county
of the issue: four schools, three without a roster (a2, a2c, a2d) and a2b with five students,
three of them visited — its "60 %" is over a2b's students, and the three others are listed,
marked. An inactive school of A2 with a roster is never counted.
"""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from urllib.parse import unquote

import pytest
from openpyxl import load_workbook

from bureau import clock
from bureau.visits.coverage import coverage_rows, current_term, total
from bureau.visits.models import Staff
from tests.coverage_support import add_roster, add_visit
from tests.factories import make_school, statements_of
from tests.visits_support import scope_of

TODAY = date(2026, 11, 20)
NOW = datetime(2026, 11, 20, 4, 0, tzinfo=UTC)  # 12:00 in Beijing


@pytest.fixture
def county_a2(session, world):
    """A2: a2 (no roster), a2b (5 students, 3 visited, 1 staff), a2c (no roster, 2 staff), a2d (no
    roster); a2x inactive with a roster. a1x: students 0 and 1 visited."""
    a2 = world.regions["a2"]
    schools = {"a2": world.schools["a2"]}
    schools["a2b"] = make_school(session, "A2B", "甲二县第二小学", a2, stage="小学")
    schools["a2c"] = make_school(session, "A2C", "甲二县第三小学", a2, stage="小学")
    schools["a2d"] = make_school(session, "A2D", "甲二县第四小学", a2, stage="小学")
    inactive = make_school(session, "A2X", "甲二县停办小学", a2, stage="小学")
    term = current_term(session, TODAY)
    assert term.name == "周调度测试活动学期"
    world.extra["shown_term"] = term
    for student in world.extra["students_a1x"][:2]:
        add_visit(session, student, world.extra["staff_a1x"], term, date(2026, 11, 2))
    add_roster(session, schools["a2b"], students=5, visited=3, term=term)
    session.add_all([Staff(school=schools["a2c"], name=f"三小老师{i}", position="科任教师") for i in range(2)])
    add_roster(session, inactive, students=2, visited=1, term=term)
    inactive.active = False
    session.commit()
    return schools


def _rows(session, world, user, level, within=None, order="coverage"):
    scope = scope_of(session, world.users[user])
    return coverage_rows(session, scope, world.extra["shown_term"], level, TODAY, within, order)


def test_a_county_lists_every_school_and_its_rate_is_over_the_students_it_has(session, world, county_a2):
    rows = _rows(session, world, "admin_a", "school", {"county": world.regions["a2"].id})
    # a2b first (3 of 5 = 60 %), then the three without a roster by id; the inactive school never.
    assert [(r.label, r.students, r.visited, r.roster_missing) for r in rows] == [
        ("甲二县第二小学", 5, 3, False),
        ("甲二县中学", 0, 0, True),
        ("甲二县第三小学", 0, 0, True),
        ("甲二县第四小学", 0, 0, True),
    ]
    assert rows[0].coverage == pytest.approx(0.6)
    assert [r.coverage for r in rows[1:]] == [None, None, None]  # no rate, not 0 %
    county = total(rows)
    assert (county.schools, county.no_roster, county.students, county.visited) == (4, 3, 5, 3)
    assert county.coverage == pytest.approx(0.6)


def test_a_city_lists_a_county_whose_schools_lack_a_roster_with_their_number(session, world, county_a2):
    rows = _rows(session, world, "admin_a", "county")
    # A2: 4 schools, 3 without a roster, 3 of 5 students visited = 60 %;
    # A1: a1x and a1y, 4 students each, 2 visited in a1x = 2 of 8 = 25 %.
    assert [(r.label, r.schools, r.no_roster, r.students, r.visited) for r in rows] == [
        ("甲市二县", 4, 3, 5, 3),
        ("甲市一区", 2, 0, 8, 2),
    ]
    assert not rows[0].roster_missing
    city = total(rows)
    assert (city.schools, city.no_roster, city.students, city.visited) == (6, 3, 13, 2 + 3)
    assert city.coverage == pytest.approx(5 / 13)


def test_a_province_lists_a_region_with_no_roster_at_all_last_and_unrated(session, world, county_a2):
    rows = _rows(session, world, "leader_p", "city")
    # 甲市 5/13 = 38.5 %, 乙市 (b1) 0/4 = 0 % (ranked: it has students), 丁县级市 (d, the direct
    # county): no roster, last.
    assert [(r.label, r.schools, r.no_roster, r.students, r.visited) for r in rows] == [
        ("甲市", 6, 3, 13, 5),
        ("乙市", 1, 0, 4, 0),
        ("丁县级市", 1, 1, 0, 0),
    ]
    assert rows[2].roster_missing and rows[2].coverage is None
    # At county level the province has A1, A2, B1 and D: every one, D last.
    counties = _rows(session, world, "leader_p", "county")
    assert [r.label for r in counties][-1] == "丁县级市" and len(counties) == 4


def test_ranking_puts_schools_without_a_roster_last_whatever_the_order(session, world, county_a2):
    rows = _rows(session, world, "leader_p", "school", order="visits")
    # Records: a2b 3, a1x 2, then a1y and b1 at 0 (ranked: they have students), by id; then, not
    # ranked, a2, d, a2c, a2d by id — though a2 and d come before b1 by id.
    assert [(r.label, r.visits, r.roster_missing) for r in rows] == [
        ("甲二县第二小学", 3, False),
        ("甲一区实验小学", 2, False),
        ("甲一区第二小学", 0, False),
        ("乙一县小学", 0, False),
        ("甲二县中学", 0, True),
        ("丁市幼儿园", 0, True),
        ("甲二县第三小学", 0, True),
        ("甲二县第四小学", 0, True),
    ]
    # By coverage: a2b 60 %, a1x 50 %, a1y 0 %, b1 0 %; the four without a roster have no rate
    # (PostgreSQL sorts a missing rate first when descending, so the rule must say "last").
    by_rate = _rows(session, world, "leader_p", "school")
    assert [r.label for r in by_rate] == [r.label for r in rows]


def test_staff_figures_start_from_the_schools_too(session, world, county_a2):
    rows = {r.label: r for r in _rows(session, world, "admin_a", "school", {"county": world.regions["a2"].id})}
    # a2c imported its 2 staff but no roster: its staff figures show; a2 and a2d have none (no rate).
    assert (rows["甲二县第三小学"].staff, rows["甲二县第三小学"].staff_share) == (2, 0.0)
    assert (rows["甲二县中学"].staff, rows["甲二县中学"].staff_share) == (0, None)
    [a2] = [r for r in _rows(session, world, "admin_a", "county") if r.label == "甲市二县"]
    assert (a2.staff, a2.staff_interviewed) == (1 + 2, 0)


def test_below_a_school_a_school_without_a_roster_is_one_marked_line(session, world, county_a2):
    rows = _rows(session, world, "admin_a", "grade", {"county": world.regions["a2"].id})
    # a2b has grade 一; the three others have no grade at all: one line each, no key to drill into.
    assert [(r.label, r.key, r.students) for r in rows] == [
        ("甲二县第二小学 一年级", 1, 5),
        ("甲二县中学", None, 0),
        ("甲二县第三小学", None, 0),
        ("甲二县第四小学", None, 0),
    ]
    assert [r.roster_missing for r in rows] == [False, True, True, True]


def test_the_coverage_page_says_how_many_schools_have_no_roster_and_which(world, county_a2, login_as):
    with clock.frozen_at(NOW):
        page = login_as("admin_a").get("/admin/coverage/?level=county").get_data(as_text=True)
    notice = page.split('id="no-roster"')[1].split("</div>")[0]
    assert "3 所学校未导入名册" in notice
    assert all(name in notice for name in ("甲二县中学", "甲二县第三小学", "甲二县第四小学"))
    assert "甲二县第二小学" not in notice and "停办" not in page
    with clock.frozen_at(NOW):
        page = login_as("admin_a").get(f"/admin/coverage/?level=school&county={world.regions['a2'].id}")
    table = page.get_data(as_text=True).split('id="coverage-table"')[1]
    assert table.count("no-roster") == 3


def _sheet(response):
    assert response.status_code == 200, response.status_code
    sheet = load_workbook(io.BytesIO(response.data)).worksheets[0]
    return [[c.value for c in row] for row in sheet.iter_rows()]


def test_the_coverage_export_carries_the_schools_without_a_roster(world, county_a2, login_as):
    client = login_as("admin_a")
    with clock.frozen_at(NOW):
        response = client.get(f"/admin/coverage/export.xlsx?level=school&county={world.regions['a2'].id}")
        assert "覆盖率_甲市二县_2026-11-20.xlsx" in unquote(response.headers["Content-Disposition"])
        rows = _sheet(response)
    headers, data = rows[1], rows[2:]
    assert (headers[0], headers[3], headers[-1]) == ("学校", "覆盖率", "备注")
    shown = [(r[0], r[1], r[2], r[3], r[-1]) for r in data]
    assert shown == [
        ("甲二县第二小学", 5, 3, 0.6, None),
        ("甲二县中学", 0, 0, None, "未导入名册"),
        ("甲二县第三小学", 0, 0, None, "未导入名册"),
        ("甲二县第四小学", 0, 0, None, "未导入名册"),
        ("合计", 5, 3, 0.6, "3 所学校未导入名册"),
    ]
    with clock.frozen_at(NOW):
        rows = _sheet(client.get("/admin/coverage/export.xlsx?level=county"))
    assert rows[1][:4] == ["县(市、区)", "学校数", "未导入名册学校数", "在籍学生"]
    a2 = next(r for r in rows if r[0] == "甲市二县")
    assert (a2[1], a2[2], a2[3], a2[-1]) == (4, 3, 5, "3 所学校未导入名册")


def test_the_missed_list_has_a_line_per_school_without_a_roster(world, county_a2, login_as):
    with clock.frozen_at(NOW):
        rows = _sheet(login_as("admin_a").get(f"/admin/coverage/missed.xlsx?county={world.regions['a2'].id}"))
    data = rows[2:]
    # Three lines 未导入名册 (not students), then a2b's two students not visited (3 and 4).
    assert [(r[0], r[1]) for r in data[:3]] == [
        ("甲二县中学", "未导入名册"),
        ("甲二县第三小学", "未导入名册"),
        ("甲二县第四小学", "未导入名册"),
    ]
    assert [r[2] for r in data[3:]] == ["A2B-3", "A2B-4"]


def test_the_ranking_page_marks_schools_without_a_roster_and_does_not_rank_them(world, county_a2, login_as):
    with clock.frozen_at(NOW):
        page = login_as("leader_a").get("/admin/ranking/?level=school").get_data(as_text=True)
    ranked = page.split('id="ranking"')[1].split("</ol>")[0]
    unranked = page.split('id="unranked"')[1].split("</ul>")[0]
    assert ranked.count("<li>") == 3 and "甲二县第二小学：记录 3 条，覆盖率 60.0%" in ranked
    assert "甲一区第二小学：记录 0 条，覆盖率 0.0%" in ranked and "甲二县中学" not in ranked
    assert unranked.count("未导入名册") == 3 and "甲二县第四小学" in unranked


def test_schools_without_a_roster_cost_no_statement_each(session, world, county_a2, login_as):
    client = login_as("admin_a")
    url = "/admin/coverage/?level=school"
    with clock.frozen_at(NOW):
        before = statements_of(client, url)
        for n in range(5):  # five more schools without a roster, one more with a roster
            make_school(session, f"A2N{n}", f"甲二县新校{n}", world.regions["a2"], stage="小学")
        school = make_school(session, "A2R", "甲二县有名册新校", world.regions["a2"])
        add_roster(session, school, 3, 1, world.extra["shown_term"])
        session.commit()
        after = statements_of(client, url)
        page = client.get(url).get_data(as_text=True)
    assert before == after, (before, after)
    assert "8 所学校未导入名册" in page and "甲二县新校4" in page
