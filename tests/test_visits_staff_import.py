"""Staff come in from a sheet too: 姓名 | 岗位 | 联系电话, all rows or none, updated by name."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from bureau.sheets import SheetError
from bureau.visits.models import Staff
from bureau.visits.roster import STAFF_HEADERS, import_staff
from tests.factories import stored


def sheet(rows) -> io.BytesIO:
    book = Workbook()
    book.active.append(STAFF_HEADERS)
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return out


def staff_of(session, school) -> dict[str, tuple[str, str | None]]:
    rows = session.scalars(select(Staff).where(Staff.school_id == school.id))
    return {s.name: (s.position, s.phone) for s in rows}


def test_staff_are_created_then_updated_by_name_and_never_removed(session, world):
    school = world.schools["a1y"]
    before = staff_of(session, school)  # the world's a1y班主任 and a1y科任
    result = import_staff(session, school, sheet([["周敏", "班主任", "13800000011"], ["吴刚", "中层", ""]]))
    assert (result.created, result.updated, result.unchanged) == (2, 0, 0)
    again = import_staff(session, school, sheet([["周敏", "班主任", "13800000012"]]))
    assert (again.created, again.updated, again.unchanged) == (0, 1, 0)
    assert staff_of(session, school) == {**before, "周敏": ("班主任", "13800000012"), "吴刚": ("中层", None)}


def test_bad_staff_rows_are_named_and_nothing_is_written(session, world):
    school = world.schools["a1y"]
    before = stored(select(func.count(Staff.id)))
    bad = [
        ["", "班主任", ""],  # row 2: empty 姓名
        ["周敏", "校长", ""],  # row 3: 岗位 not one of the five
        ["周敏", "班主任", "1380000"],  # row 4: duplicate 姓名, phone of 7 digits
        ["吴刚", "中层", "13800000011"],
    ]  # row 5: good, but the sheet is refused
    with pytest.raises(SheetError) as refused:
        import_staff(session, school, sheet(bad))
    assert [(e.row, e.column) for e in refused.value.errors] == [(2, "姓名"), (3, "岗位"), (4, "姓名"), (4, "联系电话")]
    # The refusal leaves the session as it was: committing it now writes nothing of row 5.
    session.commit()
    assert stored(select(func.count(Staff.id))) == before
    assert stored(select(func.count(Staff.id)).where(Staff.name == "吴刚")) == 0


def test_the_upload_page_refuses_a_sheet_with_one_bad_row_and_writes_none(world, login_as):
    before = stored(select(func.count(Staff.id)))
    page = (
        login_as("school_admin_a1x")
        .post(
            "/admin/staff_import/",
            data={"file": (sheet([["郑洁", "科任教师", ""], ["冯涛", "校长", ""]]), "s.xlsx")},
            content_type="multipart/form-data",
        )
        .get_data(as_text=True)
    )
    assert "表格有 1 处错误，未导入任何数据" in page and "「校长」不是有效岗位" in page
    assert stored(select(func.count(Staff.id))) == before
    assert stored(select(func.count(Staff.id)).where(Staff.name == "郑洁")) == 0


def test_two_staff_of_one_name_cannot_be_updated_by_sheet(session, world):
    school = world.schools["a1y"]
    session.add_all(
        [
            Staff(school=school, name="李华", position="班主任", active=True),
            Staff(school=school, name="李华", position="科任教师", active=True),
        ]
    )
    session.flush()
    with pytest.raises(SheetError, match="本校有多名「李华」"):
        import_staff(session, school, sheet([["周敏", "中层", ""], ["李华", "中层", ""]]))
    session.commit()
    assert stored(select(func.count(Staff.id)).where(Staff.name == "周敏")) == 0
    assert stored(select(func.count(Staff.id)).where(Staff.name == "李华", Staff.position == "中层")) == 0


def test_school_admin_uploads_staff_into_their_own_school_only(world, login_as, session):
    page = (
        login_as("school_admin_a1x")
        .post(
            "/admin/staff_import/",
            data={"file": (sheet([["郑洁", "科任教师", ""]]), "staff.xlsx")},
            content_type="multipart/form-data",
            follow_redirects=True,
        )
        .get_data(as_text=True)
    )
    assert "导入成功：新增 1 条" in page
    assert stored(select(Staff.school_id).where(Staff.name == "郑洁")) == world.schools["a1x"].id


def test_cli_imports_staff_for_a_school(app, world, session, tmp_path):
    path = tmp_path / "staff.xlsx"
    path.write_bytes(sheet([["冯涛", "其他", ""]]).read())
    result = app.test_cli_runner().invoke(args=["bureau", "import-staff", "--school", "B1S", str(path)])
    assert result.exit_code == 0 and "新增 1 条" in result.output
    assert session.scalar(select(Staff.school_id).where(Staff.name == "冯涛")) == world.schools["b1"].id
