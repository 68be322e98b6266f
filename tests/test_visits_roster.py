"""Roster import rules (issue 3): bad rows refused row by row with nothing written; re-import by 学号
updates and never duplicates; a student missing from a re-import stays."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bureau.sheets import SheetError
from bureau.visits.models import SchoolClass, Student
from bureau.visits.roster import HEADERS, import_roster, parse_class
from tests.factories import stored
from tests.visits_support import roster_file

GOOD = [
    ("三(2)", "R1", "王一", "男", "王父", "父亲", "13812345678", "前村1号", "前村", "留守、经济困难"),
    ("三年级2班", "R2", "王二", "女", "王母", "母亲", "", "", "", ""),
    ("4(1)", "R3", "王三", "", "", "", "139 8765 4321", "", "", "随迁,学习困难"),
]


def _count(session, model, school):
    return session.scalar(select(func.count()).select_from(model).where(model.school_id == school.id))


def _stored_count(model, school):
    """Counted in a session of its own: what the database holds."""
    return stored(select(func.count()).select_from(model).where(model.school_id == school.id))


def test_class_formats():
    assert parse_class("三(2)") == (3, 2) and parse_class("三年级2班") == (3, 2)
    assert parse_class("十二(10)") == (12, 10) and parse_class("4（1）") == (4, 1)
    assert parse_class("三班") is None and parse_class("13(1)") is None


def test_bad_rows_are_named_and_nothing_is_written(session, world):
    school = world.schools["a2"]
    bad = GOOD + [
        ("高三", "R4", "坏班级", "", "", "", "", "", "", ""),
        ("三(2)", "R1", "重复学号", "", "", "", "", "", "", ""),
        ("三(2)", "R5", "短号", "", "", "", "1381234", "", "", ""),
        ("三(2)", "R6", "类型", "", "", "", "", "", "", "留守、贫困"),
    ]
    with pytest.raises(SheetError) as refused:
        import_roster(session, school, roster_file(bad))
    messages = [str(e) for e in refused.value.errors]
    assert [(e.row, e.column) for e in refused.value.errors] == [
        (5, "班级"),
        (6, "学号"),
        (7, "联系电话"),
        (8, "重点类型"),
    ]
    assert "第6行「学号」列：「R1」与第2行重复" in messages
    assert "「贫困」不是重点类型" in messages[3]
    # The refusal leaves the session as it was: committing it now writes nothing of the 3 good rows.
    session.commit()
    assert _stored_count(Student, school) == 0 and _stored_count(SchoolClass, school) == 0


def test_the_upload_page_refuses_a_sheet_with_one_bad_row_and_writes_none(world, login_as):
    school = world.schools["a1x"]
    students, classes = _stored_count(Student, school), _stored_count(SchoolClass, school)
    bad = GOOD + [("高三", "R4", "坏班级", "", "", "", "", "", "", "")]
    page = (
        login_as("school_admin_a1x")
        .post(
            "/admin/roster_import/",
            data={"file": (roster_file(bad), "roster.xlsx")},
            content_type="multipart/form-data",
        )
        .get_data(as_text=True)
    )
    assert "表格有 1 处错误，未导入任何数据" in page and "「高三」不是有效班级" in page
    assert (_stored_count(Student, school), _stored_count(SchoolClass, school)) == (students, classes)


def test_wrong_header_is_refused(session, world):
    with pytest.raises(SheetError) as refused:
        import_roster(session, world.schools["a2"], roster_file([GOOD[0]], headers=["姓名"] + HEADERS[1:]))
    assert "表头应为" in str(refused.value)


def test_reimport_updates_by_number_never_duplicates_and_keeps_missing(session, world):
    school = world.schools["a2"]
    first = import_roster(session, school, roster_file(GOOD))
    assert (first.created, first.classes_created) == (3, 2)  # 三(2) twice in two spellings, 4(1)
    again = import_roster(session, school, roster_file(GOOD))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert _count(session, Student, school) == 3 and _count(session, SchoolClass, school) == 2
    changed = import_roster(session, school, roster_file([GOOD[0][:2] + ("王一改",) + GOOD[0][3:]]))
    assert (changed.created, changed.updated) == (0, 1)
    students = {s.number: s for s in session.scalars(select(Student).where(Student.school_id == school.id))}
    assert set(students) == {"R1", "R2", "R3"} and students["R1"].name == "王一改"
    assert students["R1"].left_behind and students["R1"].poor and not students["R1"].migrant
    assert students["R3"].guardian_phone == "13987654321" and students["R3"].struggling


def test_cli_import_roster(app, session, world, tmp_path):
    path = tmp_path / "roster.xlsx"
    path.write_bytes(roster_file(GOOD).getvalue())
    runner = app.test_cli_runner()
    result = runner.invoke(args=["bureau", "import-roster", "--school", "A2S", str(path)])
    assert result.exit_code == 0 and "新增学生 3 名" in result.output
    assert _stored_count(Student, world.schools["a2"]) == 3
    path.write_bytes(roster_file(GOOD + [("高三", "R4", "坏班级", "", "", "", "", "", "", "")]).getvalue())
    result = runner.invoke(args=["bureau", "import-roster", "--school", "B1S", str(path)])
    assert result.exit_code != 0 and "第5行「班级」列" in result.output
    assert _stored_count(Student, world.schools["b1"]) == 4  # the world's four, none of the sheet's
    result = runner.invoke(args=["bureau", "import-roster", "--school", "NOPE", str(path)])
    assert result.exit_code != 0 and "找不到" in result.output
