"""通报 in the console: an inspector composes a draft from the figures, edits and publishes it; a
published notice is frozen, and its export and printed page are what was published, never
recomputed; a school reads only the published notices that name it, and only its own line among
the schools named; only inspectors write.

The world (tests/world_scoring.py): at NOW, a1x's 班主任 has lost 1.5 points and a1y's and b1's
0.5 each, so a1x (99.25 with two staff) is city A's lowest school and a1y (99.75) the next;
notice_a (city A, lowest 1) names a1x only, notice_b (city B) names b1, both published at NOW.
"""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from bureau import clock
from bureau.inspection.notices import NoticeInput, create_notice, named_schools, publish_notice
from bureau.inspection.scoring_models import Notice, NoticeSchool
from bureau.tenants.guard import set_scope
from bureau.tenants.scope import scope_for_user
from tests.factories import stored
from tests.world_scoring import NOW, as_user, deduct, extend

LATER = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)  # 11:00 in Beijing, 2026-11-25
A1X_NAME, A1Y_NAME = "甲一区实验小学", "甲一区第二小学"


@pytest.fixture
def notices(session, world):
    extend(session, world)
    return world


def _draft(session, world, lowest: int = 5, publish: bool = False) -> Notice:
    """A notice of city A by inspector_a naming a1x and a1y (lowest 5), committed."""
    user = as_user(session, world, "inspector_a")
    data = NoticeInput(world.regions["a"], world.extra["term"], date(2026, 11, 1), date(2026, 11, 30), lowest=lowest)
    with clock.frozen_at(NOW):
        notice = create_notice(session, scope_for_user(user), data, user)
        if publish:
            publish_notice(session, notice, user, NOW)
    set_scope(session, None)
    session.commit()
    return notice


def _named_ids(session, notice: Notice) -> set[int]:
    set_scope(session, None)
    return {row.school_id for row, _ in named_schools(session, notice)}


def _count_notices() -> int:
    return stored(select(func.count()).select_from(Notice))


def _new_form(world, **fields) -> dict:
    return {
        "region": world.regions["a"].id,
        "term": world.extra["term"].id,
        "period_start": "2026-11-01",
        "period_end": "2026-11-30",
        "lowest": "5",
        "threshold": "80",
        "title": "",
    } | fields


def _sheet_values(response, name: str) -> list[tuple]:
    """A sheet's rows below its title line and headers."""
    book = load_workbook(io.BytesIO(response.data))
    return [tuple(r) for r in book[name].iter_rows(min_row=3, values_only=True)]


# Composing, editing, publishing


def test_an_inspector_composes_a_draft_from_the_figures_then_edits_and_publishes_it(notices, login_as):
    world = notices
    client = login_as("inspector_a")
    assert 'id="notice-new"' in client.get("/admin/notice/").get_data(as_text=True)
    with clock.frozen_at(NOW):
        response = client.post("/admin/notice/new", data=_new_form(world))
    assert response.status_code == 302
    notice_id = int(response.headers["Location"].rsplit("/", 1)[1])
    assert stored(select(Notice.state).where(Notice.id == notice_id)) == "draft"
    body = stored(select(Notice.body).where(Notice.id == notice_id))
    assert f"{A1X_NAME}（99.25分）" in body and f"{A1Y_NAME}（99.75分）" in body

    page = client.get(f"/admin/notice/item/{notice_id}").get_data(as_text=True)
    assert 'id="notice-draft"' in page and 'id="notice-publish"' in page and A1X_NAME in page
    listed = client.get("/admin/notice/").get_data(as_text=True)
    assert f'data-notice="{notice_id}"' in listed and "草稿" in listed

    edited = "甲市教育局关于大走访工作的通报"
    response = client.post(
        f"/admin/notice/item/{notice_id}",
        data={"action": "save", "title": edited, "body": "第一段。\r\n第二段：甲一区实验小学。"},
    )
    assert response.status_code == 302
    assert stored(select(Notice.title).where(Notice.id == notice_id)) == edited
    assert stored(select(Notice.body).where(Notice.id == notice_id)) == "第一段。\n第二段：甲一区实验小学。"

    with clock.frozen_at(LATER):
        response = client.post(f"/admin/notice/item/{notice_id}", data={"action": "publish"})
    assert response.status_code == 302
    assert stored(select(Notice.state).where(Notice.id == notice_id)) == "published"
    assert clock.as_utc(stored(select(Notice.published_at).where(Notice.id == notice_id))) == LATER
    page = client.get(f"/admin/notice/item/{notice_id}").get_data(as_text=True)
    assert "已发布" in page and "2026-11-25 11:00:00" in page
    assert 'id="notice-publish"' not in page and 'id="notice-edit-form"' not in page


def test_a_published_notice_cannot_be_edited_or_published_again(notices, login_as):
    notice = notices.extra["notice_a"]
    client = login_as("inspector_a")
    page = client.get(f"/admin/notice/item/{notice.id}").get_data(as_text=True)
    assert 'id="notice-edit-form"' not in page and 'id="notice-publish"' not in page

    response = client.post(
        f"/admin/notice/item/{notice.id}", data={"action": "save", "title": "改过的标题", "body": "改过的正文"}
    )
    assert response.status_code == 200
    assert "通报已发布，不能再修改。" in response.get_data(as_text=True)
    assert stored(select(Notice.title).where(Notice.id == notice.id)) == notice.title
    assert stored(select(Notice.body).where(Notice.id == notice.id)) == notice.body

    with clock.frozen_at(LATER):
        response = client.post(f"/admin/notice/item/{notice.id}", data={"action": "publish"})
    assert "通报已发布。" in response.get_data(as_text=True)
    assert clock.as_utc(stored(select(Notice.published_at).where(Notice.id == notice.id))) == NOW


def test_bad_input_on_new_shows_the_chinese_message_and_writes_nothing(notices, login_as):
    world = notices
    client = login_as("inspector_a")
    before = _count_notices()
    cases = [
        ({"period_start": "2026-11-30", "period_end": "2026-11-01"}, "通报期间的开始日期不能晚于结束日期。"),
        ({"term": ""}, "请选择学期。"),
        ({"period_end": ""}, "请填写通报期间的起止日期。"),
        ({"period_start": "11/01/2026"}, "通报期间的开始日期格式应为 2026-11-01。"),
        ({"lowest": "0"}, "排名靠后的学校数请填写 1 到 50。"),
        ({"threshold": "abc"}, "满意度标准请填写 1 到 100 之间的百分数。"),
        ({"region": world.regions["b"].id}, "请选择通报范围（本人管辖的区域）。"),
    ]
    for fields, message in cases:
        with clock.frozen_at(NOW):
            response = client.post("/admin/notice/new", data=_new_form(world, **fields))
        assert response.status_code == 200, fields
        page = response.get_data(as_text=True)
        assert 'id="notice-refusal"' in page and message in page, fields
    assert _count_notices() == before
    assert stored(select(func.count()).select_from(NoticeSchool)) == 2  # notice_a's and notice_b's


# The export and the printed page are the notice as stored


def test_the_export_matches_what_was_published_even_after_the_figures_change(notices, session, login_as):
    world = notices
    notice = world.extra["notice_a"]
    deduct(session, world, "a1y", n=9)  # a1y now scores lower than a1x: recomputing would differ
    set_scope(session, None)
    session.commit()

    response = login_as("inspector_a").get(f"/admin/notice/export/{notice.id}")
    assert response.status_code == 200
    assert "%E9%80%9A%E6%8A%A5_%E7%94%B2%E5%B8%82_2026-11-20.xlsx" in response.headers["Content-Disposition"]
    text = [row[0] for row in _sheet_values(response, "通报")]
    assert text[0] == stored(select(Notice.title).where(Notice.id == notice.id))
    assert "发布单位：甲市教育局" in text and "状态：已发布" in text
    body = stored(select(Notice.body).where(Notice.id == notice.id))
    paragraphs = text[text.index(None) + 1 :]
    assert paragraphs == body.split("\n")
    assert A1Y_NAME not in "".join(paragraphs)

    figures = stored(select(Notice.figures).where(Notice.id == notice.id))
    lowest = _sheet_values(response, "量化得分排名靠后的学校")
    assert lowest == [(r["name"], r["county"], r["score"], r["total"]) for r in figures["lowest"]]
    assert lowest == [(A1X_NAME, "甲市一区", "99.25", "1.50")]
    assert _sheet_values(response, "满意度低于标准的学校") == []
    assert _sheet_values(response, "点名学校") == [(A1X_NAME, "量化得分 99.25 分，排名靠后")]


def test_every_section_of_the_stored_figures_is_exported_and_shown_as_stored(notices, session, login_as):
    notice = _draft(session, notices)
    school = notices.schools["a1y"]
    notice.figures = notice.figures | {
        "satisfaction": [{"school_id": school.id, "name": A1Y_NAME, "rate": 72.5}],
        "contradicted": [{"school_id": school.id, "name": A1Y_NAME, "count": 2}],
    }
    session.commit()

    client = login_as("leader_a")
    response = client.get(f"/admin/notice/export/{notice.id}")
    assert "%EF%BC%88%E8%8D%89%E7%A8%BF%EF%BC%89" in response.headers["Content-Disposition"]  # （草稿）
    (satisfaction,) = _sheet_values(response, "满意度低于标准的学校")
    assert satisfaction[0] == A1Y_NAME and round(satisfaction[1] * 100, 1) == 72.5
    assert _sheet_values(response, "电话抽查发现家访不属实的学校") == [(A1Y_NAME, 2)]
    page = client.get(f"/admin/notice/item/{notice.id}").get_data(as_text=True)
    assert f"<tr><td>{A1Y_NAME}</td><td>72.5</td></tr>" in page
    assert f"<tr><td>{A1Y_NAME}</td><td>2</td></tr>" in page


def test_the_print_page_shows_the_body_the_issuer_and_the_date_and_marks_a_draft(notices, session, login_as):
    notice = notices.extra["notice_a"]
    client = login_as("school_admin_a1x")
    page = client.get(f"/admin/notice/print/{notice.id}").get_data(as_text=True)
    for paragraph in notice.body.split("\n"):
        assert f"<p>{paragraph}</p>" in page
    assert "甲市教育局<br>2026年11月20日" in page and "草稿（未发布）" not in page
    assert 'class="table-responsive"' in page and 'name="viewport"' in page

    draft = _draft(session, notices)
    page = login_as("inspector_a").get(f"/admin/notice/print/{draft.id}").get_data(as_text=True)
    assert 'id="notice-watermark">草稿（未发布）' in page


# Who reads what


def test_a_school_sees_a_published_notice_naming_it_and_not_one_that_does_not(notices, session, login_as):
    notice = notices.extra["notice_a"]
    assert _named_ids(session, notice) == {notices.schools["a1x"].id}  # a1x only: the lowest one
    for username in ("school_admin_a1x", "teacher_a1x"):
        client = login_as(username)
        assert f'data-notice="{notice.id}"' in client.get("/admin/notice/").get_data(as_text=True)
        for page in ("item", "print", "export"):
            assert client.get(f"/admin/notice/{page}/{notice.id}").status_code == 200, (username, page)

    client = login_as("school_admin_a1y")
    assert f'data-notice="{notice.id}"' not in client.get("/admin/notice/").get_data(as_text=True)
    for page in ("item", "print", "export"):
        assert client.get(f"/admin/notice/{page}/{notice.id}").status_code == 404, page


def test_a_school_never_sees_a_draft_even_one_naming_it(notices, session, login_as):
    draft = _draft(session, notices)
    assert notices.schools["a1x"].id in _named_ids(session, draft)
    client = login_as("school_admin_a1x")
    assert f'data-notice="{draft.id}"' not in client.get("/admin/notice/").get_data(as_text=True)
    for page in ("item", "print", "export"):
        assert client.get(f"/admin/notice/{page}/{draft.id}").status_code == 404, page


def test_a_school_sees_only_its_own_line_among_the_schools_named(notices, session, login_as):
    notice = _draft(session, notices, publish=True)
    ids = {key: notices.schools[key].id for key in ("a1x", "a1y")}
    assert _named_ids(session, notice) == set(ids.values())
    page = login_as("school_admin_a1y").get(f"/admin/notice/item/{notice.id}").get_data(as_text=True)
    named = page[page.index('id="notice-named"') :]
    assert f'data-school="{ids["a1y"]}"' in named and f'data-school="{ids["a1x"]}"' not in named
    export = login_as("teacher_a1x").get(f"/admin/notice/export/{notice.id}")
    assert _sheet_values(export, "点名学校") == [(A1X_NAME, "量化得分 99.25 分，排名靠后")]
    # the region's users read every line
    page = login_as("leader_a").get(f"/admin/notice/item/{notice.id}").get_data(as_text=True)
    assert all(f'data-school="{i}"' in page for i in ids.values())


def test_another_citys_notice_is_not_found(notices, login_as):
    notice_a, notice_b = notices.extra["notice_a"], notices.extra["notice_b"]
    client = login_as("inspector_b")
    assert f'data-notice="{notice_a.id}"' not in client.get("/admin/notice/").get_data(as_text=True)
    for page in ("item", "print", "export"):
        assert client.get(f"/admin/notice/{page}/{notice_a.id}").status_code == 404, page
    response = client.post(f"/admin/notice/item/{notice_a.id}", data={"action": "save", "title": "x", "body": "y"})
    assert response.status_code == 404
    assert login_as("leader_a").get(f"/admin/notice/item/{notice_b.id}").status_code == 404
    assert stored(select(Notice.title).where(Notice.id == notice_a.id)) == notice_a.title


# Who writes


@pytest.mark.parametrize("username", ["leader_a", "admin_a", "school_admin_a1x", "teacher_a1x"])
def test_only_an_inspector_composes_edits_or_publishes(notices, session, login_as, username):
    world = notices
    draft = _draft(session, world)
    client = login_as(username)
    assert 'id="notice-new"' not in client.get("/admin/notice/").get_data(as_text=True)
    before = _count_notices()
    assert client.get("/admin/notice/new").status_code == 403
    assert client.post("/admin/notice/new", data=_new_form(world)).status_code == 403
    assert _count_notices() == before
    target = draft if username not in ("school_admin_a1x", "teacher_a1x") else world.extra["notice_a"]
    page = client.get(f"/admin/notice/item/{target.id}").get_data(as_text=True)
    assert 'id="notice-edit-form"' not in page and 'id="notice-publish"' not in page
    for data in ({"action": "save", "title": "改过的标题", "body": "改过的正文"}, {"action": "publish"}):
        assert client.post(f"/admin/notice/item/{target.id}", data=data).status_code == 403, data
    assert stored(select(Notice.title).where(Notice.id == target.id)) == target.title
    assert stored(select(Notice.state).where(Notice.id == target.id)) == target.state


def test_the_list_pages_by_fifty_newest_first_with_a_more_link(notices, session, login_as):
    world = notices
    set_scope(session, None)
    for i in range(50):
        session.add(
            Notice(
                region=world.regions["a"],
                term_id=world.extra["term"].id,
                period_start=date(2026, 11, 1),
                period_end=date(2026, 11, 30),
                title=f"第{i}号通报",
                body="正文",
                figures={},
                created_at=datetime(2026, 11, 21, 2, i, tzinfo=UTC),
            )
        )
    session.commit()
    client = login_as("leader_a")
    first = client.get("/admin/notice/").get_data(as_text=True)
    assert first.count("data-notice=") == 50 and 'id="notice-more"' in first
    assert first.index("第49号通报") < first.index("第48号通报")
    assert f'data-notice="{world.extra["notice_a"].id}"' not in first
    second = client.get("/admin/notice/?page=1").get_data(as_text=True)
    assert second.count("data-notice=") == 1 and f'data-notice="{world.extra["notice_a"].id}"' in second
    assert 'id="notice-more"' not in second
