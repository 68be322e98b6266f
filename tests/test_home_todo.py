"""The home page lists what each user has to do next (待办), scoped like everything else."""

from __future__ import annotations

import re
from datetime import datetime

from bureau import clock
from tests import world_home

SATURDAY_AFTER_W37 = datetime(2026, 9, 12, 10, 0, tzinfo=clock.LOCAL)  # W37 deadline has passed
MONDAY_W38 = datetime(2026, 9, 14, 9, 0, tzinfo=clock.LOCAL)  # W38 due Thursday 09-17 17:00
CAMPAIGN = "周调度测试活动"


def todo_of(client) -> str:
    page = client.get("/admin/").get_data(as_text=True)
    return page.split('id="todo"')[1].split("</ul>")[0]


def weekly_lines(todo: str) -> list[str]:
    """The 待办 lines of the world's weekly-report campaign, in order."""
    return [re.sub(r"<[^>]+>", "", line.split(">", 1)[1]).strip() for line in todo.split("<li")[1:] if CAMPAIGN in line]


def test_school_admin_sees_visits_to_review_and_this_weeks_report_due(world, login_as):
    with clock.frozen_at(MONDAY_W38):
        todo = todo_of(login_as("school_admin_a1x"))
    # the world has two pending visits in a1x; its W38 report is not written yet
    assert "2 条家访记录待审核" in todo
    assert "2026年第38周" in todo and "未提交，截止 2026-09-17 17:00:00" in todo


def test_a_school_admin_is_told_of_every_missing_week_not_only_this_one(world, session, login_as):
    world_home.build(session, world)
    with clock.frozen_at(world_home.NOW):
        lines = weekly_lines(todo_of(login_as("school_admin_a1y")))
    # a1y sent nothing: W39 is due Thursday, W38 and W37 are past their deadlines.
    assert lines == [
        f"{CAMPAIGN}：2026年第39周（9月21日—9月27日）周调度未提交，截止 2026-09-24 17:00:00",
        f"{CAMPAIGN}：2026年第38周（9月14日—9月20日）周调度逾期未提交（截止 2026-09-17 17:00:00），请尽快补报",
        f"{CAMPAIGN}：2026年第37周（9月7日—9月13日）周调度逾期未提交（截止 2026-09-10 17:00:00），请尽快补报",
    ]


def test_a_returned_week_stays_on_the_list_after_its_week(world, session, login_as):
    world_home.build(session, world)
    with clock.frozen_at(world_home.NOW):
        lines = weekly_lines(todo_of(login_as("school_admin_b1")))
    # b1: W39 not sent yet; W38 on time; W37 returned by the inspector.
    assert lines == [
        f"{CAMPAIGN}：2026年第39周（9月21日—9月27日）周调度未提交，截止 2026-09-24 17:00:00",
        f"{CAMPAIGN}：2026年第37周（9月7日—9月13日）周调度被退回，请修改后重新提交",
    ]


def test_county_admin_sees_the_schools_overdue(world, login_as):
    with clock.frozen_at(SATURDAY_AFTER_W37):
        todo = todo_of(login_as("admin_a1"))
    # county A1 expected a1x (on time) and a1y (missing) in W37: one school overdue
    assert f"{CAMPAIGN}：1 所学校周调度逾期未报，请催报" in todo
    assert "/admin/progress_due/" in todo


def test_reviewers_see_the_reports_awaiting_review_and_leaders_do_not(world, session, login_as):
    world_home.build(session, world)
    with clock.frozen_at(world_home.NOW):
        county, city = todo_of(login_as("admin_a1")), todo_of(login_as("inspector_a"))
        leader = todo_of(login_as("leader_p"))
    # submitted, not reviewed: a1x W37 and W38 in A1; and a2 W37 in city A.
    assert "2 份周报待审核" in county and "3 份周报待审核" in city
    assert "份周报待审核" not in leader
    # overdue: A1 a1y; city A a1y and a2; the province also d (W38).
    assert "1 所学校周调度逾期未报" in county and "2 所学校周调度逾期未报" in city
    assert "3 所学校周调度逾期未报" in leader


def test_a_teacher_is_told_of_a_returned_visit(world, login_as, session):
    world.extra["visits_a1x"][0].status = "returned"
    session.commit()
    todo = todo_of(login_as("teacher_a1x"))
    assert "1 条家访记录被退回" in todo
    assert "1 条家访记录被退回" not in todo_of(login_as("teacher_a1y"))
