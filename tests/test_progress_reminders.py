"""催报提醒: this week until its deadline, then the week just closed; the schools overdue from
earlier weeks first; a text for each county's work group; the export. Weeks of tests/world_home.py."""

from __future__ import annotations

import html
import io
import re
from urllib.parse import unquote

from openpyxl import load_workbook

from bureau import clock
from bureau.progress.overdue import OverdueSchool, overdue_schools
from bureau.progress.reminders import reminder
from bureau.tenants.scope import scope_for_user
from tests import world_home
from tests.world_progress import WEEK, beijing

FRIDAY_W39 = beijing(2026, 9, 25, 9, 0, 0)  # W39's deadline (Thu 09-24 17:00) has passed
MONDAY_W40 = beijing(2026, 9, 28, 9, 0, 0)  # W40 has begun; the Monday job has not run


def _texts(page: str) -> dict[str, str]:
    """The work-group text of each county section, by the county's heading."""
    sections = page.split('<section class="due-county')[1:]
    found = {}
    for section in sections:
        county = re.search(r'<h3 class="h6 mt-3">([^（]+)（', section).group(1)
        found[county] = html.unescape(re.search(r"<textarea[^>]*>([^<]*)</textarea>", section).group(1))
    return found


def test_before_the_deadline_the_week_is_due_and_earlier_weeks_overdue_come_first(world, session, login_as):
    world_home.build(session, world)
    with clock.frozen_at(world_home.NOW):
        page = login_as("admin_a").get("/admin/progress_due/").get_data(as_text=True)
    assert "2026年第39周（9月21日—9月27日）：截止 9月24日 17:00" in page and "已截止" not in page
    texts = _texts(page)
    assert list(texts) == ["甲市一区", "甲市二县"]  # city A only: no 乙市, no 丁县级市
    # A1: a1y owes W37 and W38 (listed first), a1x and a1y owe W39.
    assert texts["甲市一区"] == (
        "【周调度催报】截至9月23日 10:00，以下学校往周周调度逾期未报：甲一区第二小学（第37周、第38周），请尽快补报；"
        "以下学校尚未提交第39周周调度：甲一区第二小学、甲一区实验小学，请于9月24日 17:00前提交。"
    )
    assert texts["甲市二县"] == (
        "【周调度催报】截至9月23日 10:00，以下学校往周周调度逾期未报：甲二县中学（第38周），请尽快补报；"
        "以下学校尚未提交第39周周调度：甲二县中学，请于9月24日 17:00前提交。"
    )
    a1 = page.split('id="county-')[1]
    assert a1.index("甲一区第二小学") < a1.index("甲一区实验小学")


def test_after_the_deadline_the_week_just_closed_is_chased(world, session, login_as):
    world_home.build(session, world)
    with clock.frozen_at(FRIDAY_W39):
        page = login_as("admin_a1").get("/admin/progress_due/").get_data(as_text=True)
    assert "已截止" in page
    assert _texts(page) == {
        "甲市一区": "【周调度催报】截至9月25日 09:00，以下学校往周周调度逾期未报：甲一区第二小学（第37周、第38周），"
        "请尽快补报；以下学校尚未提交第39周周调度（9月24日 17:00已截止）：甲一区第二小学、甲一区实验小学，请尽快补报。"
    }


def test_on_monday_before_the_week_is_opened_the_overdue_are_still_listed(world, session, login_as):
    world_home.build(session, world)
    with clock.frozen_at(MONDAY_W40):
        page = login_as("admin_a1").get("/admin/progress_due/").get_data(as_text=True)
    assert "本周的应报学校尚未记录" in page and "2026年第40周" in page
    # W37–W39 are closed: a1y owes all three, a1x owes W39.
    assert _texts(page) == {
        "甲市一区": "【周调度催报】截至9月28日 09:00，以下学校往周周调度逾期未报：甲一区实验小学（第39周）、"
        "甲一区第二小学（第37周—第39周），请尽快补报。"
    }


def test_an_earlier_week_can_be_chosen_and_a_bad_one_is_a_message(world, session, login_as):
    world_home.build(session, world)
    client = login_as("admin_a1")
    c = world.extra["progress_campaign"].id
    with clock.frozen_at(world_home.NOW):
        w38 = client.get(f"/admin/progress_due/?campaign={c}&week=2026-W38").get_data(as_text=True)
        bad = client.get(f"/admin/progress_due/?campaign={c}&week=2026-W60").get_data(as_text=True)
    # W38 closed: a1y owes it, and W37 before it; a1x sent W38.
    assert _texts(w38) == {
        "甲市一区": "【周调度催报】截至9月23日 10:00，以下学校往周周调度逾期未报：甲一区第二小学（第37周），"
        "请尽快补报；以下学校尚未提交第38周周调度（9月17日 17:00已截止）：甲一区第二小学，请尽快补报。"
    }
    assert "不是有效的周次" in bad and "2026年第39周（9月21日—9月27日）：截止" in bad


def test_the_reminder_export_lists_the_overdue_first_with_integer_counts(world, session, login_as):
    world_home.build(session, world)
    with clock.frozen_at(world_home.NOW):
        response = login_as("admin_a").get("/admin/progress_due/export.xlsx")
    assert response.status_code == 200
    filename = unquote(response.headers["Content-Disposition"].split("filename*=UTF-8''")[1])
    assert filename == "周调度催报名单2026年第39周_甲市_2026-09-23.xlsx"
    sheet = load_workbook(io.BytesIO(response.data))["催报名单"]
    assert (
        "催报名单" in sheet["A1"].value and "甲市" in sheet["A1"].value and "截至 2026-09-23 10:00" in sheet["A1"].value
    )
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    assert rows[0] == ["县(市、区)", "学校", "联系人及电话", "第39周状态", "往周逾期未报（周）", "逾期周次"]
    assert [row[:2] + row[3:] for row in rows[1:]] == [
        ["甲市一区", "甲一区第二小学", "未提交", 2, "第37周、第38周"],
        ["甲市一区", "甲一区实验小学", "未提交", 0, None],
        ["甲市二县", "甲二县中学", "未提交", 1, "第38周"],
    ]
    assert {sheet.cell(row=r, column=5).number_format for r in (3, 4, 5)} == {"0"}


def test_the_reminder_page_of_a_county_shows_no_other_county(world, session, login_as):
    world_home.build(session, world)
    with clock.frozen_at(world_home.NOW):
        page = login_as("admin_a1").get("/admin/progress_due/").get_data(as_text=True)
        refused = login_as("admin_a1").get("/admin/progress_due/?campaign=99999")
    assert "甲二县中学" not in page and "乙一县小学" not in page
    assert refused.status_code == 404


def test_overdue_weeks_are_counted_and_named_in_sql(world, session):
    world_home.build(session, world)
    campaign = world.extra["progress_campaign"]
    rows = overdue_schools(session, campaign, MONDAY_W40, None, world.regions["p"])
    # closed W37–W39: a1y all three; a2 W38 and W39; d W38 only (sent W39); a1x and b1 W39.
    assert [(r.school, r.weeks, r.weeks_text) for r in rows] == [
        ("丁市幼儿园", 1, "第38周"),
        ("乙一县小学", 1, "第39周"),
        ("甲一区实验小学", 1, "第39周"),
        ("甲一区第二小学", 3, "第37周—第39周"),
        ("甲二县中学", 2, "第38周、第39周"),
    ]
    gap = OverdueSchool(1, "某校", 1, "某县", "", 3, WEEK, WEEK.replace(day=28))  # W37, W40 and one between
    assert gap.weeks_text == "第37周至第40周间 3 周"


def test_a_draft_is_still_owed_and_a_submitted_report_is_not(world, session):
    world_home.build(session, world)
    from bureau.progress.service import save_draft

    campaign = world.extra["progress_campaign"]
    save_draft(session, world.schools["a2"].id, campaign, world_home.W39, {"progress": "草稿"}, world_home.NOW)
    found = reminder(
        session, campaign, world_home.W39, world_home.NOW, scope_for_user(world.users["admin_a"]), world.regions["a"]
    )
    a2 = next(c for c in found.counties if c.county == "甲市二县").schools[0]
    assert (a2.school, a2.this_week_text) == ("甲二县中学", "有草稿未提交")
