"""The home pages: each role's figures, worked out by hand on tests/world_home.py, each a link to
the page behind it; the charts' geometry; the same statements however many schools; no writes."""

from __future__ import annotations

import html
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bureau import clock
from bureau.admin.charts import coverage_bars, rate_lines
from bureau.extensions import db
from bureau.progress.rates import Rates
from bureau.visits.coverage import CoverageRow
from bureau.visits.models import SchoolClass, Staff, Student, Visit
from tests import world_home
from tests.factories import make_school, statements_of
from tests.world_progress import beijing

TILE = re.compile(
    r'id="fig-(?P<key>[\w-]+)" href="(?P<url>[^"]*)">\s*<span[^>]*>(?P<label>[^<]*)</span>\s*'
    r'<strong[^>]*>(?P<value>[^<]*)</strong>\s*(?:<span class="small text-muted figure-note">(?P<note>[^<]*)</span>)?'
)


def tiles(client) -> dict[str, dict[str, str]]:
    page = client.get("/admin/")
    assert page.status_code == 200
    found = {m["key"]: m.groupdict() for m in TILE.finditer(page.get_data(as_text=True))}
    return {key: {k: html.unescape(v or "") for k, v in tile.items()} for key, tile in found.items()}


@pytest.fixture
def weeks(world, session):
    world_home.build(session, world)
    return world


def test_the_leaders_figures_are_the_provinces(weeks, login_as):
    with clock.frozen_at(world_home.NOW):
        figures = tiles(login_as("leader_p"))
    # Coverage: a1x 3/4 (students 0, 1 and 3), a1y 1/4 (its second visit returned), b1 2/4 → 6/12.
    # Seven days ago (09-16) a1x had 2: 5/12 = 41.67 % → +8.3 points. a2 and d have no roster.
    assert figures["coverage"]["value"] == "50.0%"
    assert figures["coverage"]["note"] == "已走访 6/12 名学生，较7天前 +8.3 个百分点，2 所学校未导入名册"
    assert figures["coverage"]["url"] == "/admin/coverage/"
    # W39: 5 expected, d submitted on time → 20 % and 20 %.
    assert (figures["reporting"]["value"], figures["on-time"]["value"]) == ("20.0%", "20.0%")
    assert figures["reporting"]["note"] == "第39周，截止 9月24日 17:00，已报 1/5"
    assert "week=2026-W39" in figures["reporting"]["url"]
    # Overdue from the closed weeks W37 and W38: a1y (both), a2 and d (W38) → 3 schools.
    assert figures["overdue"]["value"] == "3 所"
    # Visits: a1x 2 + 1 new, a1y 1, b1 2 pending; a1y's second returned.
    assert (figures["pending"]["value"], figures["returned"]["value"]) == ("6 条", "1 条")
    assert "review" not in figures  # a leader reviews no weekly report


def test_the_county_admins_figures_are_its_two_schools(weeks, login_as):
    with clock.frozen_at(world_home.NOW):
        figures = tiles(login_as("admin_a1"))
    # A1: a1x 3/4 and a1y 1/4 = 4/8; seven days ago 3/8 = 37.5 % → +12.5 points.
    assert figures["coverage"]["value"] == "50.0%"
    assert figures["coverage"]["note"] == "已走访 4/8 名学生，较7天前 +12.5 个百分点"
    assert (figures["reporting"]["value"], figures["reporting"]["note"][-6:]) == ("0.0%", "已报 0/2")
    assert figures["overdue"]["value"] == "1 所"  # a1y; a1x sent W37 and W38
    assert figures["pending"]["value"] == "4 条"
    # Submitted and not reviewed in A1: a1x's W37 and W38 (b1's are another city's).
    assert figures["review"]["value"] == "2 份"
    assert figures["review"]["url"] == "/admin/progress_review/"


def test_the_school_admins_figures_are_its_school(weeks, login_as):
    with clock.frozen_at(world_home.NOW):
        a1x = tiles(login_as("school_admin_a1x"))
        a1y = tiles(login_as("school_admin_a1y"))
    assert a1x["coverage"]["value"] == "75.0%"  # 3 of 4; seven days ago 2 of 4
    assert a1x["coverage"]["note"] == "已走访 3/4 名学生，较7天前 +25.0 个百分点"
    assert (a1x["pending"]["value"], a1x["returned"]["value"]) == ("3 条", "0 条")
    assert a1x["weekly"]["value"] == "未提交"
    assert a1x["weekly"]["note"] == "2026年第39周（9月21日—9月27日），截止 9月24日 17:00"
    assert a1x["overdue"]["value"] == "0 周"
    assert (a1y["coverage"]["value"], a1y["returned"]["value"]) == ("25.0%", "1 条")
    assert (a1y["overdue"]["value"], a1y["overdue"]["note"]) == ("2 周", "第38周、第37周")


def test_the_teachers_figures_are_its_own(weeks, login_as):
    with clock.frozen_at(world_home.NOW):
        figures = tiles(login_as("teacher_a1x"))
    # The 班主任 of 五(1) recorded the world's visit of a1x-0 and the new one of a1x-1, both pending;
    # 五(1) holds a1x-0, a1x-1 and a1x-2, of whom a1x-2 is not visited yet.
    assert (figures["visits"]["value"], figures["visits"]["note"]) == ("2 条", "其中待审核 2 条")
    assert figures["returned"]["value"] == "0 条"
    assert (figures["unvisited"]["value"], figures["unvisited"]["note"]) == ("1 名", "共负责 3 名学生")


def test_the_leaders_home_coverage_is_the_coverage_pages_total(weeks, login_as):
    client = login_as("leader_p")
    with clock.frozen_at(world_home.NOW):
        home = tiles(client)["coverage"]["value"]
        page = client.get("/admin/coverage/").get_data(as_text=True)
    table = page.split('id="coverage-table"')[1].split("</table>")[0]
    last_row = table.split("<tr")[-1]
    assert home == "50.0%" and home in last_row and "合计" in last_row


def test_the_home_page_draws_coverage_bars_and_the_weekly_lines(weeks, login_as):
    with clock.frozen_at(world_home.NOW):
        page = login_as("leader_p").get("/admin/").get_data(as_text=True)
    bars = page.split('id="coverage-bars"')[1].split("</svg>")[0]
    # 甲市 4/8 and 乙市 2/4, both 50 %: bars half of the 200-unit span; 丁县级市 has no roster.
    assert bars.count('class="bar"') == 2 and 'width="100.0"' in bars
    assert "甲市 50.0%（4/8）" in bars and "丁县级市" not in bars
    assert "未导入名册、不参与排名：丁县级市" in page
    lines = page.split('id="rate-lines"')[1].split("</svg>")[0]
    # W37 80 % / 60 %, W38 40 % / 40 % (W39 is still open): y = 142 − 130 × rate.
    assert 'points="52.0,38.0 380.0,90.0"' in lines and 'points="52.0,64.0 380.0,90.0"' in lines
    assert "第37周" in lines and "第38周" in lines and "第39周" not in lines


def _row(label: str, students: int, visited: int, key: int = 1) -> CoverageRow:
    return CoverageRow(key, label, None, students, visited, 0, visited, 0)


def test_more_than_fifteen_units_draw_the_best_and_the_worst_five():
    rows = [_row(f"学校{i:02d}", 10, 10 - i // 2, key=i) for i in range(20)] + [_row("新校", 0, 0, key=99)]
    chart = coverage_bars(rows, lambda row: f"/u/{row.key}")
    assert [bar.label for bar in chart.bars] == [f"学校{i:02d}" for i in (0, 1, 2, 3, 4, 15, 16, 17, 18, 19)]
    assert chart.hidden == 10 and chart.unranked == ["新校"]
    # five rows of 22 from y=4, then the gap row: the sixth bar starts at 4 + 6 × 22 = 136.
    assert chart.gap_y == 4 + 5 * 22 + 11 and chart.bars[5].y == 136
    assert chart.bars[-1].width == 20.0  # 学校19: 1 of 10 visited → a tenth of 200
    few = coverage_bars(rows[:15], lambda row: "")
    assert len(few.bars) == 15 and few.gap_y is None and few.hidden == 0


def test_weekly_lines_label_at_most_eight_weeks_the_latest_always():
    weeks = [Rates(date(2026, 9, 14) + timedelta(weeks=i), "", 4, 2, 1) for i in range(12)]  # W38..W49
    chart = rate_lines(weeks)
    labelled = [p.label for p in chart.points if p.label]
    # 12 weeks: every second one labelled, counted back from the latest.
    assert labelled == ["第39周", "第41周", "第43周", "第45周", "第47周", "第49周"]
    assert {p.ys for p in chart.points} == {(77.0, 109.5)}  # 50 % and 25 %


def _grow(session, world) -> None:
    """Three more schools in county A1, each with 2 classes × 5 students, all visited."""
    for n in range(3):
        school = make_school(session, f"A1H{n}", f"甲一区新增校{n}", world.regions["a1"], stage="小学")
        staff = Staff(school=school, name=f"新增校老师{n}", position="班主任")
        session.add(staff)
        for c in (1, 2):
            cls = SchoolClass(school=school, grade=3, number=c)
            for i in range(5):
                student = Student(school=school, school_class=cls, number=f"H{n}{c}{i}", name="学生", active=True)
                session.add(student)
                session.add(
                    Visit(
                        school=school,
                        student=student,
                        staff=staff,
                        term=world.extra["term"],
                        target="family",
                        visited_on=date(2026, 9, 15),
                        mode="home",
                        no_gifts=True,
                    )
                )
    session.commit()


@pytest.mark.parametrize("user", ["leader_p", "admin_a1", "school_admin_a1x", "teacher_a1x"])
def test_a_home_page_runs_the_same_statements_with_more_schools(weeks, login_as, session, user):
    client = login_as(user)
    with clock.frozen_at(world_home.NOW):
        before = statements_of(client, "/admin/")
        _grow(session, weeks)
        after = statements_of(client, "/admin/")
    assert before == after, (before, after)


def _rows() -> dict[str, int]:
    with Session(db.engine) as fresh:
        return {t.name: fresh.scalar(select(func.count()).select_from(t)) for t in db.metadata.sorted_tables}


def test_reading_every_roles_home_page_writes_nothing(weeks, login_as):
    clients = [login_as(u) for u in ("leader_p", "inspector_a", "admin_a1", "school_admin_a1y", "teacher_a1x")]
    before = _rows()
    with clock.frozen_at(beijing(2026, 9, 28, 9, 0, 0)):  # Monday of W40, not opened yet
        for client in clients:
            assert client.get("/admin/").status_code == 200
    assert _rows() == before
