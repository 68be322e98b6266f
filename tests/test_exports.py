"""Every export says what it is, for whom and as of when: in its file name, its title line and its
workbook properties; counts are integers and rates are fractions shown as percentages."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from urllib.parse import quote

from openpyxl import load_workbook

from bureau import clock
from bureau.exports.xlsx import Column, Export, Sheet, write_workbook
from bureau.tenants.models import Region, School, place_name

# 2026-11-19 16:30 UTC is 2026-11-20 00:30 in Beijing: the file is dated by the Beijing day.
LATE_NIGHT = datetime(2026, 11, 19, 16, 30, tzinfo=UTC)


def _book(export: Export | None, sheets: list[Sheet]):
    out = io.BytesIO()
    write_workbook(out, sheets, export)
    return load_workbook(io.BytesIO(out.getvalue()))


def _sheet(title: str | None = None) -> Sheet:
    columns = [Column("单位"), Column("学生数", "int"), Column("覆盖率", "percent"), Column("超时小时", "number")]
    return Sheet("覆盖率", columns, [["甲一区实验小学", 13, 0.625, 2.5]], title=title)


def test_the_file_name_carries_what_the_place_and_the_beijing_date():
    export = Export("覆盖率", "青川市东城区", as_of=LATE_NIGHT)
    assert export.filename == "覆盖率_青川市东城区_2026-11-20.xlsx"
    with clock.frozen_at(LATE_NIGHT):
        assert Export("漏访名单", "甲市一区").filename == "漏访名单_甲市一区_2026-11-20.xlsx"


def test_a_file_name_never_carries_a_path_separator():
    assert Export("周调度", "甲/乙:丙", as_of=LATE_NIGHT).filename == "周调度_甲_乙_丙_2026-11-20.xlsx"


def test_the_title_line_is_row_one_and_the_headers_row_two():
    book = _book(Export("覆盖率", "青川市东城区", as_of=LATE_NIGHT), [_sheet("2026秋季学期 覆盖率")])
    ws = book.worksheets[0]
    assert ws["A1"].value == "2026秋季学期 覆盖率（青川市东城区）  截至 2026-11-20 00:30（北京时间）"
    assert "A1:D1" in {str(r) for r in ws.merged_cells.ranges}
    assert [c.value for c in ws[2]] == ["单位", "学生数", "覆盖率", "超时小时"]
    assert [c.value for c in ws[3]] == ["甲一区实验小学", 13, 0.625, 2.5]
    assert ws.freeze_panes == "A3" and ws.auto_filter.ref == "A2:D3"


def test_the_title_line_names_the_export_when_the_sheet_has_no_title():
    ws = _book(Export("漏访名单", "甲市一区", as_of=LATE_NIGHT), [_sheet()]).worksheets[0]
    assert ws["A1"].value == "漏访名单（甲市一区）  截至 2026-11-20 00:30（北京时间）"


def test_the_workbook_properties_say_what_for_whom_and_when():
    props = _book(Export("覆盖率", "青川市东城区", as_of=LATE_NIGHT), [_sheet()]).properties
    assert props.title == "覆盖率（青川市东城区）" and props.subject == "覆盖率"
    assert props.creator == "大走访工作平台"
    assert props.description == "截至 2026-11-20 00:30（北京时间）"


def test_counts_are_integers_rates_are_percentages():
    ws = _book(Export("覆盖率", "甲市", as_of=LATE_NIGHT), [_sheet()]).worksheets[0]
    count, rate, hours = ws["B3"], ws["C3"], ws["D3"]
    assert count.number_format == "0" and isinstance(count.value, int)
    assert rate.number_format == "0.0%" and rate.value == 0.625
    assert hours.number_format == "0.0"  # never "0.##", which shows 13 as "13."


def test_an_import_template_keeps_its_headers_on_row_one():
    export = Export("学生名册导入模板", title_line=False)
    assert export.filename == "学生名册导入模板.xlsx"
    ws = _book(export, [Sheet("学生名册", [Column("班级"), Column("学号")], [])]).worksheets[0]
    assert [c.value for c in ws[1]] == ["班级", "学号"] and ws.freeze_panes == "A2"


def test_a_place_is_named_from_below_the_province_without_repeating_the_city():
    province = Region(name="某省", kind="province")
    city = Region(name="青川市", kind="city", parent=province)
    assert place_name(Region(name="东城区", kind="county", parent=city)) == "青川市东城区"
    assert place_name(Region(name="青川市东城区", kind="county", parent=city)) == "青川市东城区"
    assert place_name(city) == "青川市" and place_name(province) == "某省"
    assert place_name(School(name="东城区实验小学")) == "东城区实验小学"


def _download_name(response) -> str:
    return response.headers["Content-Disposition"]


def test_the_coverage_export_is_named_for_the_county_and_the_day(world, login_as):
    with clock.frozen_at(LATE_NIGHT):
        response = login_as("admin_a1").get("/admin/coverage/export.xlsx")
    assert response.status_code == 200
    assert quote("覆盖率_甲市一区_2026-11-20.xlsx") in _download_name(response)
    book = load_workbook(io.BytesIO(response.data))
    assert book.properties.title == "覆盖率（甲市一区）"
    assert book.worksheets[0]["A1"].value.endswith("截至 2026-11-20 00:30（北京时间）")


def test_a_drilled_export_is_named_for_the_unit_shown(world, login_as):
    school = world.schools["a1y"]
    with clock.frozen_at(LATE_NIGHT):
        response = login_as("leader_p").get(f"/admin/coverage/missed.xlsx?school={school.id}")
    assert response.status_code == 200
    assert quote("漏访名单_甲一区第二小学_2026-11-20.xlsx") in _download_name(response)


def test_the_roster_template_is_a_blank_form_without_a_date(world, login_as):
    response = login_as("school_admin_a1x").get("/admin/roster_import/template.xlsx")
    assert response.status_code == 200
    assert quote("学生名册导入模板.xlsx") in _download_name(response)
    ws = load_workbook(io.BytesIO(response.data)).worksheets[0]
    assert ws["A1"].value == "班级"
