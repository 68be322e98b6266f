"""The 周调度 workbook says what, for whom and as of when; counts are integers, rates fractions
shown as percentages (issue 8, item 11). Week 38 of tests/world_home.py."""

from __future__ import annotations

import io
from urllib.parse import unquote

from openpyxl import load_workbook

from bureau import clock
from tests import world_home


def _export(client, world, week: str = "2026-W38"):
    c, p = world.extra["progress_campaign"].id, world.regions["p"].id
    with clock.frozen_at(world_home.NOW):
        response = client.get(f"/admin/progress/export.xlsx?campaign={c}&week={week}&region={p}")
    assert response.status_code == 200
    return response


def test_the_file_name_and_title_line_carry_the_place_the_week_and_the_date(world, session, login_as):
    world_home.build(session, world)
    response = _export(login_as("leader_p"), world)
    filename = unquote(response.headers["Content-Disposition"].split("filename*=UTF-8''")[1])
    assert filename == "周调度2026年第38周_测试省_2026-09-23.xlsx"
    book = load_workbook(io.BytesIO(response.data))
    for sheet in book.worksheets:  # row 1 is the title, row 2 the headers
        title = sheet["A1"].value
        assert "2026年第38周" in title and "测试省" in title and "截至 2026-09-23 10:00" in title, title
    assert book["汇总"]["A2"].value == "县(市、区)" and book["甲市一区"]["A2"].value == "学校"


def test_summary_counts_are_integers_and_rates_fractions_in_percent(world, session, login_as):
    world_home.build(session, world)
    sheet = load_workbook(io.BytesIO(_export(login_as("leader_p"), world).data))["汇总"]
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=3)]
    # W38: 丁 0/1; 乙市一县 b1 on time; 甲市一区 a1x on time of 2; 甲市二县 a2 missing → 5 / 2 / 2.
    assert rows == [
        ["丁县级市", 1, 0, 0, 0, 1, 0, 0],
        ["乙市一县", 1, 1, 1, 0, 0, 1, 1],
        ["甲市一区", 2, 1, 1, 0, 1, 0.5, 0.5],
        ["甲市二县", 1, 0, 0, 0, 1, 0, 0],
        ["合计", 5, 2, 2, 0, 3, 0.4, 0.4],
    ]
    for row in sheet.iter_rows(min_row=3):
        assert [c.number_format for c in row[1:6]] == ["0"] * 5
        assert all(isinstance(c.value, int) for c in row[1:6])
        assert [c.number_format for c in row[6:8]] == ["0.0%", "0.0%"]


def test_a_county_sheets_figures_are_counts_and_its_coverage_a_percentage(world, session, login_as):
    world_home.build(session, world)
    sheet = load_workbook(io.BytesIO(_export(login_as("leader_p"), world).data))["甲市一区"]
    headers = [c.value for c in sheet[2]]
    a1x = {h: c for h, c in zip(headers, sheet[3], strict=True)}
    assert a1x["学校"].value == "甲一区实验小学" and a1x["状态"].value == "按时"
    # Submitted Thu 09-17: this term's visits up to Sunday 09-20 were the world's two (09-10, 09-12),
    # none in W38 (the 09-20 visit came after); 2 of its 4 students visited = 50 %.
    assert (a1x["本周家访（次）"].value, a1x["本学期累计家访（次）"].value) == (0, 2)
    assert a1x["本学期累计家访（次）"].number_format == "0"
    assert (a1x["本学期家访覆盖率"].value, a1x["本学期家访覆盖率"].number_format) == (0.5, "0.0%")
    assert "本学期家访覆盖率（%）" not in headers


def test_pages_and_messages_name_weeks_in_chinese_and_keep_codes_for_links(world, session, login_as):
    world_home.build(session, world)
    client = login_as("admin_a")
    c = world.extra["progress_campaign"].id
    with clock.frozen_at(world_home.NOW):
        page = client.get(f"/admin/progress/?campaign={c}").get_data(as_text=True)
        wrong = client.get(f"/admin/progress/?campaign={c}&week=2026-W45").get_data(as_text=True)
    text = page.replace("week=2026-W", "").replace('value="2026-W', "")
    assert "W3" not in text and "第37周" in text and "2026年第38周（9月14日—9月20日）" in text
    assert "week=2026-W38" in page  # the code names the week in links and forms
    assert "2026年第45周（11月2日—11月8日）不在本活动已开始的周次中" in wrong
