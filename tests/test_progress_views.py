"""The console pages: the school's form, the bureau's rates, review, export, reminders."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from bureau import clock
from bureau.progress.models import WeeklyReport
from bureau.progress.service import report_status
from tests.world_progress import FIELDS, beijing

FORM = "/admin/progress/form?week=2026-W37&campaign={}"


def _form(world) -> str:
    return FORM.format(world.extra["progress_campaign"].id)


def _report(session, school) -> WeeklyReport | None:
    session.expire_all()
    return session.scalar(select(WeeklyReport).where(WeeklyReport.school_id == school.id))


@pytest.mark.parametrize(
    "clock_time, status", [((16, 59, 59), "on_time"), ((17, 0, 0), "on_time"), ((17, 0, 1), "late")]
)
def test_a_school_submits_through_the_form_and_the_second_decides(world, session, login_as, clock_time, status):
    client = login_as("school_admin_a1y")
    with clock.frozen_at(beijing(2026, 9, 10, *clock_time)):
        page = client.get(_form(world))
        assert page.status_code == 200 and "本周工作进展" in page.get_data(as_text=True)
        client.post(_form(world), data={**FIELDS, "action": "draft"})
        assert _report(session, world.schools["a1y"]).state == "draft"
        done = client.post(_form(world), data={**FIELDS, "action": "submit"})
        assert done.status_code == 302
    report = _report(session, world.schools["a1y"])
    assert report_status(report) == status
    assert report.first_submitted_at == beijing(2026, 9, 10, *clock_time)


def test_a_double_submission_through_the_form_is_refused_with_a_message(world, session, login_as):
    client = login_as("school_admin_a1x")  # a1x submitted already in the world
    with clock.frozen_at(beijing(2026, 9, 10, 12, 0, 0)):
        page = client.post(_form(world), data={**FIELDS, "action": "submit"})
    assert page.status_code == 200
    assert "已提交" in page.get_data(as_text=True)
    count = session.scalar(select(func.count(WeeklyReport.id)).where(WeeklyReport.school_id == world.schools["a1x"].id))
    assert count == 1


def test_a_school_sees_its_history_and_what_is_due(world, login_as):
    with clock.frozen_at(beijing(2026, 9, 16, 9, 0, 0)):  # week 2 (W38) has begun
        url = f"/admin/progress/?campaign={world.extra['progress_campaign'].id}"
        page = login_as("school_admin_a1x").get(url).get_data(as_text=True)
    assert "2026年第38周" in page  # due now
    assert "按时" in page  # week 37's status
    assert "乙一县小学" not in page


def test_another_schools_report_is_not_found(world, login_as):
    b1_report = world.extra["weekly_report_b1"].id
    assert login_as("school_admin_a1x").get(f"/admin/progress/report/{b1_report}").status_code == 404
    county = login_as("admin_a1")
    assert county.get(f"/admin/progress/report/{b1_report}").status_code == 404
    refused = county.post(f"/admin/progress/report/{b1_report}/review", data={"action": "approve"})
    assert refused.status_code == 404


def test_the_city_page_shows_counties_missing_schools_and_the_trend(world, login_as):
    a, c = world.regions, world.extra["progress_campaign"].id
    client = login_as("admin_a")
    with clock.frozen_at(beijing(2026, 9, 11, 12, 0, 0)):  # Friday noon
        page = client.get(f"/admin/progress/?campaign={c}&week=2026-W37").get_data(as_text=True)
        assert "甲市一区" in page and "甲市二县" in page and "乙市" not in page
        # A1: 2 expected, 1 submitted, 1 on time -> 50.0 % and 50.0 %.
        assert "50.0%" in page
        # a1y is missing, 19 hours after Thursday 17:00 (Friday 12:00).
        assert "甲一区第二小学" in page and "19.0 小时" in page
        assert '<svg id="trend"' in page
        drill = client.get(f"/admin/progress/?campaign={c}&week=2026-W37&region={a['a1'].id}")
        assert "甲一区实验小学" in drill.get_data(as_text=True)
        assert client.get(f"/admin/progress/?campaign={c}&region={a['b1'].id}").status_code == 404
        bad_week = client.get(f"/admin/progress/?campaign={c}&week=2026-W99").get_data(as_text=True)
        assert "不是有效的周次" in bad_week


def test_a_reviewer_returns_and_approves_and_a_region_admin_unlocks(world, session, login_as):
    a1x = world.extra["weekly_report_a1x"].id
    inspector = login_as("inspector_a")
    url = f"/admin/progress/report/{a1x}/review"
    with clock.frozen_at(beijing(2026, 9, 11, 9, 0, 0)):
        page = inspector.post(url, data={"action": "return", "reason": ""}, follow_redirects=True)
        assert "请填写退回原因" in page.get_data(as_text=True)
        assert _report(session, world.schools["a1x"]).state == "submitted"
        inspector.post(url, data={"action": "approve"})
        assert _report(session, world.schools["a1x"]).state == "approved"
        county = login_as("admin_a1")
        county.post(url, data={"action": "unlock", "reason": "家访次数填报有误"})
    report = _report(session, world.schools["a1x"])
    assert (report.state, report_status(report)) == ("returned", "returned")
    assert login_as("school_admin_a1x").get(url.replace("/review", "")).status_code == 200


def test_the_leadership_export_has_a_summary_and_a_sheet_per_county(world, login_as):
    client = login_as("leader_p")
    with clock.frozen_at(beijing(2026, 9, 11, 12, 0, 0)):
        c = world.extra["progress_campaign"].id
        response = client.get(f"/admin/progress/export.xlsx?campaign={c}&week=2026-W37&region={world.regions['p'].id}")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["汇总", "丁县级市", "乙市一县", "甲市一区", "甲市二县"]
    summary = [[c.value for c in row] for row in book["汇总"].iter_rows(min_row=3)]
    # 甲市一区: 2 expected, 1 submitted on time, 1 missing -> 50 %, 50 %; the total 5/4/3.
    assert summary[2] == ["甲市一区", 2, 1, 1, 0, 1, 0.5, 0.5]
    assert summary[-1] == ["合计", 5, 4, 3, 1, 1, 0.8, 0.6]
    a1 = [[c.value for c in row] for row in book["甲市一区"].iter_rows(min_row=2)]
    assert a1[0][:2] == ["学校", "状态"] and "本周工作进展" in a1[0]
    assert [row[:2] for row in a1[1:]] == [["甲一区实验小学", "按时"], ["甲一区第二小学", "未提交"]]
    assert a1[1][a1[0].index("本周工作进展")] == FIELDS["progress"]


def test_the_due_reports_command_lists_schools_due_within_the_hours_by_county(world, app):
    with clock.frozen_at(beijing(2026, 9, 9, 18, 0, 0)):  # Wednesday 18:00: due in 23 hours
        result = app.test_cli_runner().invoke(args=["bureau", "due-reports", "--hours", "24"])
        soon = app.test_cli_runner().invoke(args=["bureau", "due-reports", "--hours", "12"])
    assert result.exit_code == 0, result.output
    ours = _groups(result.output, "周调度测试活动")
    assert ours == {"甲市一区": ["甲一区第二小学"]}  # a1x, a2, b1 and d have submitted
    assert "第37周" in result.output and "-W" not in result.output
    assert _groups(soon.output, "周调度测试活动") == {}


def _groups(output: str, campaign: str) -> dict[str, list[str]]:
    """The CLI's county groups of one campaign: {county: [school, ...]}."""
    groups: dict[str, list[str]] = {}
    current = None
    for line in output.splitlines():
        if not line.startswith(" "):
            current = line.split("（")[0] if campaign in line else None
            if current:
                groups[current] = []
        elif current:
            groups[current].append(line.split()[0])
    return groups


def test_the_review_queue_lists_the_reports_awaiting_review_in_scope_oldest_first(world, session, login_as):
    from tests import world_home

    world_home.build(session, world)
    with clock.frozen_at(world_home.NOW):
        page = login_as("admin_a1").get("/admin/progress_review/").get_data(as_text=True)
        province = login_as("leader_p").get("/admin/progress_review/").get_data(as_text=True)
    queue = page.split('id="review-queue"')[1]
    # A1: a1x's W37 (sent 09-10) then its W38 (09-17); b1's and a2's are outside the county.
    assert queue.index("2026年第37周") < queue.index("2026年第38周") and "甲一区实验小学" in queue
    assert "乙一县小学" not in page and "甲二县中学" not in page
    assert "共 2 份周报已提交、等待审核" in page and ">审核</a>" in page
    # the province: a1x W37, a2 W37, b1 W38, a1x W38, d W39; a leader opens them to read
    assert "共 5 份周报已提交、等待审核" in province and ">查看</a>" in province
