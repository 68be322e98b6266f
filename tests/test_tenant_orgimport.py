"""Loading the region tree and schools from an .xlsx sheet: all rows or none, every error named."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from bureau.audit import AuditLog
from bureau.sheets import SheetError
from bureau.tenants.models import Region, School
from bureau.tenants.orgimport import import_org
from bureau.tenants.scope import scope_for_user
from tests.factories import stored

HEADER = ["代码", "名称", "类型", "上级代码", "学段"]
GOOD = [
    ["360000", "江右省", "省", "", ""],
    ["360100", "洪都市", "设区市", "360000", ""],
    ["360102", "东湖区", "县区", "360100", ""],
    ["360181", "丰城市", "省直管县", "360000", ""],
    ["36010201", "东湖区第一小学", "学校", "360102", "小学"],
    ["36018101", "丰城市实验幼儿园", "学校", "360181", "幼儿园"],
]


def sheet(rows, header=HEADER) -> io.BytesIO:
    book = Workbook()
    ws = book.active
    ws.append(header)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return out


def counts(session) -> tuple[int, int, int]:
    return (
        session.scalar(select(func.count(Region.id))),
        session.scalar(select(func.count(School.id))),
        session.scalar(select(func.count(AuditLog.id))),
    )


def stored_counts() -> tuple[int, int, int]:
    """The same counts in a session of their own: what the database holds."""
    return (
        stored(select(func.count(Region.id))),
        stored(select(func.count(School.id))),
        stored(select(func.count(AuditLog.id))),
    )


def test_a_good_sheet_loads_every_level_with_its_ancestors(session):
    result = import_org(session, sheet(GOOD))
    session.commit()
    assert (result.created, result.updated, result.unchanged) == (6, 0, 0)
    school = session.scalar(select(School).where(School.code == "36010201"))
    city = session.scalar(select(Region).where(Region.code == "360100"))
    province = session.scalar(select(Region).where(Region.code == "360000"))
    assert (school.city_id, school.province_id, school.stage) == (city.id, province.id, "小学")
    direct = session.scalar(select(School).where(School.code == "36018101"))
    assert direct.city_id is None and direct.province_id == province.id


def test_reimporting_the_same_sheet_changes_nothing(session):
    import_org(session, sheet(GOOD))
    session.commit()
    before = counts(session)
    result = import_org(session, sheet(GOOD))
    session.commit()
    assert (result.created, result.updated, result.unchanged) == (0, 0, 6)
    assert counts(session) == before  # not even an audit row


def test_a_changed_name_updates_the_row(session):
    import_org(session, sheet(GOOD))
    session.commit()
    renamed = [r if r[0] != "36010201" else [r[0], "东湖区育才小学", *r[2:]] for r in GOOD]
    result = import_org(session, sheet(renamed))
    session.commit()
    assert (result.created, result.updated, result.unchanged) == (0, 1, 5)
    assert session.scalar(select(School.name).where(School.code == "36010201")) == "东湖区育才小学"


def test_parents_may_come_after_their_children_in_the_sheet(session):
    result = import_org(session, sheet(list(reversed(GOOD))))
    assert result.created == 6


def test_bad_rows_are_all_named_and_nothing_is_written(session, world):
    before = stored_counts()
    bad = GOOD + [
        ["360200", "景德镇市", "地级市", "360000", ""],  # row 8: unknown 类型
        ["360100", "洪都市", "设区市", "360000", ""],  # row 9: duplicate 代码 (row 3)
        ["36010202", "东湖区第二小学", "学校", "369999", ""],  # row 10: unknown 上级代码
        ["36010003", "市直小学", "学校", "360100", ""],  # row 11: school under a city
        ["36010299", "东湖区下属区", "县区", "360102", ""],  # row 12: county under a county
        ["36010204", "", "学校", "360102", ""],  # row 13: empty 名称
        ["36010205", "东湖区第五小学", "学校", "360102", "大学"],  # row 14: unknown 学段
    ]
    with pytest.raises(SheetError) as refused:
        import_org(session, sheet(bad))
    # The refusal leaves the session as it was: committing it now writes none of the 6 good rows.
    session.commit()
    found = [(e.row, e.column) for e in refused.value.errors]
    assert found == [
        (8, "类型"),
        (9, "代码"),
        (10, "上级代码"),
        (11, "上级代码"),
        (12, "上级代码"),
        (13, "名称"),
        (14, "学段"),
    ]
    messages = [str(e) for e in refused.value.errors]
    assert messages[0].startswith("第8行「类型」列：「地级市」不是有效类型")
    assert "与第3行重复" in messages[1]
    assert "学校的上级应为县区或省直管县，不能是设区市" in messages[3]
    assert "县区的上级应为设区市，不能是县区" in messages[4]
    assert stored_counts() == before


def test_a_missing_header_is_refused(session):
    with pytest.raises(SheetError) as refused:
        import_org(session, sheet(GOOD, header=["代码", "名称", "上级代码"]))
    assert "表头应为「代码 | 名称 | 类型 | 上级代码」" in str(refused.value.errors[0])


def test_a_file_that_is_not_xlsx_is_refused(session):
    with pytest.raises(SheetError, match="无法读取文件"):
        import_org(session, io.BytesIO(b"code,name\n1,2\n"))


def test_a_county_admin_cannot_import_schools_outside_its_county(session, world):
    scope = scope_for_user(world.users["admin_a1"])
    rows = [["A1Z", "甲一区新学校", "学校", "A1", "小学"], ["B1Z", "乙一县新学校", "学校", "B1", ""]]
    with pytest.raises(SheetError) as refused:
        import_org(session, sheet(rows), scope)
    assert [(e.row, str(e)) for e in refused.value.errors] == [(3, "第3行「上级代码」列：「B1」：不在您的管辖范围内")]
    session.commit()
    assert stored(select(func.count(School.id)).where(School.code.in_(["A1Z", "B1Z"]))) == 0


def test_upload_page_lists_every_error_and_writes_nothing(world, login_as, session):
    client = login_as("admin_p")
    before = stored_counts()
    bad = [["X1", "新区", "县区", "P", ""], ["X2", "", "学校", "A1", ""], ["X3", "新学校", "学校", "A1", ""]]
    page = client.post(
        "/admin/org_import/", data={"file": (sheet(bad), "org.xlsx")}, content_type="multipart/form-data"
    ).get_data(as_text=True)
    assert "表格有 2 处错误，未导入任何数据" in page
    assert "县区的上级应为设区市，不能是省" in page and "不能为空" in page
    assert stored_counts() == before  # not even the good row 4


def test_upload_page_imports_a_good_sheet(world, login_as, session):
    client = login_as("admin_a1")
    upload = sheet([["A1Z", "甲一区新学校", "学校", "A1", "小学"]])
    page = client.post(
        "/admin/org_import/",
        data={"file": (upload, "o.xlsx")},
        content_type="multipart/form-data",
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "导入成功：新增 1 条" in page
    assert stored(select(School.name).where(School.code == "A1Z")) == "甲一区新学校"


def test_cli_import_reports_errors_and_exits_nonzero(app, session, tmp_path):
    path = tmp_path / "org.xlsx"
    path.write_bytes(sheet([["P2", "某省", "省", "", ""], ["C2", "某市", "设区市", "", ""]]).read())
    result = app.test_cli_runner().invoke(args=["bureau", "import-org", str(path)])
    assert result.exit_code == 1
    assert "第3行「上级代码」列：不能为空" in result.output
    assert stored_counts() == (0, 0, 0)  # not even row 2's province
    path.write_bytes(sheet(GOOD).read())
    result = app.test_cli_runner().invoke(args=["bureau", "import-org", str(path)])
    assert result.exit_code == 0 and "新增 6 条" in result.output
