"""Sheet imports are bounded (issue 7, finding 8): a zip that expands too far is refused before
openpyxl opens it; rows (per kind), columns and cell length stop the reading at the first excess;
a refused sheet shows at most 100 errors and the total, never a whole bad cell; nothing is written.

The bombs are built here, small on disk and big once inflated, with the zip written by hand so
the test controls every member (a row at any row number, a shared string of any size).
"""

from __future__ import annotations

import io
import random
import string
import zipfile
from collections.abc import Iterable

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bureau.extensions import db
from bureau.sheets import MAX_CELL_CHARS, MAX_COLUMNS, MAX_MEMBER_BYTES, SheetError, read_sheet
from bureau.tenants.models import Region, School
from bureau.tenants.orgimport import HEADERS as ORG_HEADERS
from bureau.tenants.orgimport import MAX_ROWS as ORG_MAX_ROWS
from bureau.tenants.orgimport import import_org
from bureau.visits.models import Staff, Student
from bureau.visits.roster import HEADERS, ROSTER_MAX_ROWS, STAFF_HEADERS, STAFF_MAX_ROWS, import_roster, import_staff

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
OOXML = "application/vnd.openxmlformats-officedocument.spreadsheetml"
PARTS = {
    "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    f'<Override PartName="/xl/workbook.xml" ContentType="{OOXML}.sheet.main+xml"/>'
    f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{OOXML}.worksheet+xml"/>'
    f'<Override PartName="/xl/sharedStrings.xml" ContentType="{OOXML}.sharedStrings+xml"/></Types>',
    "_rels/.rels": f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG}">'
    f'<Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
    "xl/workbook.xml": f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" xmlns:r="{REL}">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>',
    "xl/_rels/workbook.xml.rels": f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG}">'
    f'<Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/></Relationships>',
}


def row(number: int, cells: Iterable[str]) -> str:
    return f'<row r="{number}">' + "".join(f'<c t="inlineStr"><is><t>{c}</t></is></c>' for c in cells) + "</row>"


def xlsx(rows: Iterable[str], strings: Iterable[Iterable[bytes]] = ()) -> io.BytesIO:
    """An .xlsx whose sheet holds `rows` (XML text) and whose shared strings are streamed in chunks."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, text in PARTS.items():
            archive.writestr(name, text)
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}"><sheetData>'.encode())
            for text in rows:
                sheet.write(text.encode())
            sheet.write(b"</sheetData></worksheet>")
        with archive.open("xl/sharedStrings.xml", "w") as table:
            table.write(f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}">'.encode())
            for chunks in strings:
                table.write(b"<si><t>")
                for chunk in chunks:
                    table.write(chunk)
                table.write(b"</t></si>")
            table.write(b"</sst>")
    out.seek(0)
    return out


def staff_rows(count: int, start: int = 2) -> list[str]:
    return [row(start + i, [f"教师{i}", "班主任", ""]) for i in range(count)]


def upload(client, endpoint: str, content: io.BytesIO):
    return client.post(f"/admin/{endpoint}/", data={"file": (content, "bomb.xlsx")}, content_type="multipart/form-data")


def fresh_count(model, **where) -> int:
    """Counted in a session of its own, after the request ended: what is in the database."""
    with Session(db.engine) as fresh:
        stmt = select(func.count()).select_from(model).filter_by(**where)
        return fresh.scalar(stmt)


def test_a_sheet_that_inflates_a_hundredfold_is_refused_before_it_is_read(world, login_as):
    """200,000 identical rows: some 30 MB of XML in a few hundred KB; refused by its size alone."""
    school_id = world.schools["a1x"].id
    before = fresh_count(Staff, school_id=school_id)
    bomb = xlsx([row(1, STAFF_HEADERS)] + ['<row><c t="s"><v>0</v></c></row>'] * 200_000, strings=[[b"x"]])
    assert len(bomb.getvalue()) < 1_000_000
    response = upload(login_as("school_admin_a1x"), "staff_import", bomb)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "文件解压后过大" in page and "未导入任何数据" in page
    assert len(page) < 30_000
    assert fresh_count(Staff, school_id=school_id) == before


def test_a_hundred_megabyte_cell_is_refused_before_openpyxl_reads_the_strings(world, login_as):
    """One 100 MB shared string (100 KB on disk): the shared-strings member is too big to open."""
    before = fresh_count(School)
    bomb = xlsx([row(1, ORG_HEADERS), '<row r="2"><c t="s"><v>0</v></c></row>'], strings=[[b"A" * 2**20] * 100])
    assert len(bomb.getvalue()) < 1_000_000
    page = upload(login_as("admin_p"), "org_import", bomb).get_data(as_text=True)
    assert "文件解压后过大" in page and "AAAAAAAAAAAAAAAAAAAAA" not in page and len(page) < 30_000
    assert fresh_count(School) == before


def test_a_shared_strings_table_over_16_mb_is_refused_even_if_it_compresses_only_tenfold():
    """700,000 distinct strings: 17.5 MB of XML in under 2 MB, a ratio no higher than a real sheet's."""
    items = b"</t></si><si><t>".join(f"s{i:07d}x".encode() for i in range(700_000))
    sheet = xlsx([row(1, STAFF_HEADERS)], strings=[[items]])
    with zipfile.ZipFile(sheet) as archive:
        table = archive.getinfo("xl/sharedStrings.xml")
    assert table.file_size > MAX_MEMBER_BYTES and table.file_size < 20 * table.compress_size
    with pytest.raises(SheetError, match="文件解压后过大（超过 16 MB）"):
        read_sheet(sheet, STAFF_HEADERS, max_rows=10)


@pytest.mark.parametrize(
    ("importer", "headers", "limit"),
    [
        (import_roster, HEADERS, ROSTER_MAX_ROWS),
        (import_staff, STAFF_HEADERS, STAFF_MAX_ROWS),
        (None, ORG_HEADERS, ORG_MAX_ROWS),
    ],
)
def test_each_kind_stops_at_its_own_row_limit(session, world, importer, headers, limit):
    """Rows of one filled cell: the first row past the kind's limit (sheet row limit + 2) stops it."""
    rows = [row(1, headers)] + [row(i, ["x"]) for i in range(2, limit + 3)]
    with pytest.raises(SheetError) as refused:
        if importer is None:
            import_org(session, xlsx(rows))
        else:
            importer(session, world.schools["a2"], xlsx(rows))
    assert [str(e) for e in refused.value.errors] == [f"第{limit + 2}行：表格数据超过 {limit} 行，请分成多个文件导入"]


def test_a_sheet_of_exactly_the_staff_limit_is_imported(session, world):
    school = world.schools["a2"]
    result = import_staff(session, school, xlsx([row(1, STAFF_HEADERS)] + staff_rows(STAFF_MAX_ROWS)))
    assert result.created == STAFF_MAX_ROWS
    assert session.scalar(select(func.count(Staff.id)).where(Staff.school_id == school.id)) == STAFF_MAX_ROWS


def test_the_staff_upload_page_refuses_one_row_too_many_and_writes_nothing(world, login_as):
    school_id = world.schools["a1x"].id
    before = fresh_count(Staff, school_id=school_id)
    sheet = xlsx([row(1, STAFF_HEADERS)] + staff_rows(STAFF_MAX_ROWS + 1))
    page = upload(login_as("school_admin_a1x"), "staff_import", sheet).get_data(as_text=True)
    assert f"表格数据超过 {STAFF_MAX_ROWS} 行" in page and len(page) < 30_000
    assert fresh_count(Staff, school_id=school_id) == before


def test_a_long_cell_is_refused_and_only_its_first_twenty_characters_are_shown(world, login_as):
    """A megabyte of random letters barely compresses, so it passes the zip check and meets the cell limit."""
    text = "".join(random.Random(7).choices(string.ascii_lowercase, k=2**20))
    sheet = xlsx([row(1, HEADERS), row(2, ["三(2)", "R1", "王一", "男", "王父", "父亲", "", text])])
    page = upload(login_as("school_admin_a1x"), "roster_import", sheet).get_data(as_text=True)
    assert f"内容过长（{2**20} 个字符，最多 {MAX_CELL_CHARS} 个）：「{text[:20]}…」" in page
    assert text[:21] not in page and len(page) < 30_000
    assert fresh_count(Student, number="R1") == 0


def test_a_bad_cell_is_quoted_by_its_first_twenty_characters(session, world):
    bad_class = "九" * 400
    rows = [row(1, HEADERS), row(2, [bad_class, "R1", "王一"])]
    with pytest.raises(SheetError) as refused:
        import_roster(session, world.schools["a2"], xlsx(rows))
    assert str(refused.value) == f"第2行「班级」列：「{'九' * 20}…」不是有效班级，应写作 三(2) 或 三年级2班"


def test_a_cell_of_exactly_500_characters_is_read():
    rows = read_sheet(
        xlsx([row(1, STAFF_HEADERS), row(2, ["长" * MAX_CELL_CHARS, "其他", ""])]), STAFF_HEADERS, max_rows=1
    )
    assert rows[0]["姓名"] == "长" * MAX_CELL_CHARS


def test_a_value_past_the_thirtieth_column_is_refused():
    sheet = xlsx([row(1, STAFF_HEADERS), row(2, ["王一", "其他", ""] + [""] * (MAX_COLUMNS - 3) + ["多"])])
    with pytest.raises(SheetError) as refused:
        read_sheet(sheet, STAFF_HEADERS, max_rows=10)
    assert str(refused.value) == f"第2行：表格最多 {MAX_COLUMNS} 列，请删除多余的列"


def test_a_row_numbered_past_excels_last_row_is_never_reached():
    """openpyxl pads a jump in row numbers with blank rows; the read stops at Excel's row 1,048,576."""
    sheet = xlsx([row(1, STAFF_HEADERS), row(2, ["王一", "其他", ""]), row(2_000_000_000, ["王二", "其他", ""])])
    assert [r["姓名"] for r in read_sheet(sheet, STAFF_HEADERS, max_rows=10)] == ["王一"]


def test_a_refused_sheet_shows_the_first_hundred_errors_and_the_total(world, login_as):
    """150 rows with a bad 岗位: 100 lines, then 共 150 处错误，仅显示前 100 处."""
    school_id = world.schools["a1x"].id
    before = fresh_count(Staff, school_id=school_id)
    sheet = xlsx([row(1, STAFF_HEADERS)] + [row(i, [f"教师{i}", "校长", ""]) for i in range(2, 152)])
    page = upload(login_as("school_admin_a1x"), "staff_import", sheet).get_data(as_text=True)
    assert "表格有 150 处错误，未导入任何数据" in page
    assert "共 150 处错误，仅显示前 100 处" in page
    table = page.split('id="import-errors"')[1].split("</table>")[0]
    assert table.count("<tr>") == 1 + 100 + 1  # header, the first 100 errors, the total
    assert "<td>101</td>" in table and "<td>102</td>" not in table  # rows 2..101 shown
    assert fresh_count(Staff, school_id=school_id) == before


def test_the_service_error_carries_the_total(session, world):
    sheet = xlsx([row(1, STAFF_HEADERS)] + [row(i, [f"教师{i}", "校长", ""]) for i in range(2, 152)])
    with pytest.raises(SheetError) as refused:
        import_staff(session, world.schools["a2"], sheet)
    assert refused.value.total == 150 and len(refused.value.errors) == 101
    assert str(refused.value.errors[-1]) == "共 150 处错误，仅显示前 100 处"


def test_the_cli_refuses_a_bomb_and_writes_nothing(app, session, tmp_path):
    path = tmp_path / "org.xlsx"
    path.write_bytes(xlsx([row(1, ORG_HEADERS)], strings=[[b"A" * 2**20] * 30]).getvalue())
    result = app.test_cli_runner().invoke(args=["bureau", "import-org", str(path)])
    assert result.exit_code == 1 and "文件解压后过大" in result.output
    assert fresh_count(Region) == 0
