"""The home page lists what each user has to do next (待办), scoped like everything else."""

from __future__ import annotations

from datetime import datetime

from bureau import clock

SATURDAY_AFTER_W37 = datetime(2026, 9, 12, 10, 0, tzinfo=clock.LOCAL)  # W37 deadline has passed
MONDAY_W38 = datetime(2026, 9, 14, 9, 0, tzinfo=clock.LOCAL)  # W38 due Thursday 09-17 17:00


def todo_of(client) -> str:
    page = client.get("/admin/").get_data(as_text=True)
    return page.split('id="todo"')[1].split("</ul>")[0]


def test_school_admin_sees_visits_to_review_and_this_weeks_report_due(world, login_as):
    with clock.frozen_at(MONDAY_W38):
        todo = todo_of(login_as("school_admin_a1x"))
    # the world has two pending visits in a1x; its W38 report is not written yet
    assert "2 条家访记录待审核" in todo
    assert "2026年第38周" in todo and "未提交，截止 2026-09-17 17:00:00" in todo


def test_county_admin_sees_the_schools_missing_last_week(world, login_as):
    with clock.frozen_at(SATURDAY_AFTER_W37):
        todo = todo_of(login_as("admin_a1"))
    # county A1 expected a1x (on time) and a1y (missing) in W37: one school missing
    assert "有 1 所学校未提交周调度" in todo


def test_a_teacher_is_told_of_a_returned_visit(world, login_as, session):
    world.extra["visits_a1x"][0].status = "returned"
    session.commit()
    todo = todo_of(login_as("teacher_a1x"))
    assert "1 条家访记录被退回" in todo
    assert "1 条家访记录被退回" not in todo_of(login_as("teacher_a1y"))
