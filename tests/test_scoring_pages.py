"""Issue 11 in the console: recording a deduction (and bad input that writes nothing), a teacher's
own deductions and objection, the inspector's decision, scores pages that list every school and
teacher in scope, the exports opened back, and the rules' catalogue.

tests/world_scoring.py builds the rows: BZR-6 × 3 against a1x's 班主任 (−1.5), × 1 against a1y's
and b1's (−0.5), each with an objection by the teacher where one is linked (a1x, a1y).
"""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from bureau import clock
from bureau.inspection.scoring_models import Deduction, DeductionRule, Objection, ScoringSetting
from tests.factories import statements_of, stored
from tests.world_scoring import NOW, extend


@pytest.fixture
def scored(world, session):
    extend(session, world)
    return world


def term(world) -> str:
    """The world's term (another one, the weekly-report tests', overlaps it)."""
    return f"term={world.extra['term'].id}"


def text(response) -> str:
    return response.get_data(as_text=True)


def count(model) -> int:
    return stored(select(func.count()).select_from(model))


def new_form(world, key="a1x", **fields) -> dict:
    rule = stored(select(DeductionRule.id).where(DeductionRule.code == fields.pop("code", "BZR-6")))
    return {
        "rule": str(rule),
        "staff": str(world.extra[f"staff_{key}"].id),
        "instances": "2",
        "occurred_on": "2026-11-18",
        "evidence_kind": "note",
        "evidence_id": "",
        "note": "抽查发现未完成家访任务",
    } | fields


def test_an_inspector_records_a_deduction_and_its_page_shows_the_points(scored, login_as):
    client = login_as("inspector_a")
    school = scored.schools["a1x"]
    with clock.frozen_at(NOW):
        response = client.post(f"/admin/deduction/new?school={school.id}", data=new_form(scored))
    assert response.status_code == 302, text(response)[:800]
    new_id = stored(select(func.max(Deduction.id)))
    assert stored(select(Deduction.points).where(Deduction.id == new_id)) == Decimal("1.00")
    page = text(client.get(f"/admin/deduction/item/{new_id}"))
    assert "2 次 × 0.50 分" in page and "-1.00" in page and "有效" in page


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"instances": "0"}, "次数请填写 1 到 50"),
        ({"instances": "99999999999999999999"}, "次数请填写 1 到 50"),
        ({"occurred_on": "2026-11-21"}, "不能晚于今天"),
        ({"occurred_on": "11/18"}, "请填写发生日期"),
        ({"rule": "999999"}, "适用于本校的扣分细则"),
        ({"note": ""}, "请写明情况"),
        ({"evidence_kind": "visit", "evidence_id": "99999999999"}, "家访记录不存在或不属于本校"),
        ({"code": "BZR-1", "staff": "0"}, "本校在职的教职工"),
    ],
)
def test_bad_input_gets_a_chinese_message_and_writes_nothing(scored, login_as, fields, message):
    client = login_as("inspector_a")
    before = count(Deduction)
    with clock.frozen_at(NOW):
        response = client.post(
            f"/admin/deduction/new?school={scored.schools['a1x'].id}", data=new_form(scored, **fields)
        )
    assert response.status_code == 200 and message in text(response)
    assert count(Deduction) == before


def test_an_inspector_finds_the_school_first_within_the_scope(scored, login_as):
    page = text(login_as("inspector_a").get("/admin/deduction/new?q=小学"))
    assert "甲一区实验小学" in page and "乙一县小学" not in page
    assert login_as("inspector_a").get(f"/admin/deduction/new?school={scored.schools['b1'].id}").status_code == 404


def test_a_school_admin_records_only_when_the_bureau_allows_it(scored, login_as, session):
    client = login_as("school_admin_a1x")
    assert client.get("/admin/deduction/new").status_code == 403
    with clock.frozen_at(NOW):
        assert client.post("/admin/deduction/new", data=new_form(scored)).status_code == 403
    inspector = login_as("inspector_a")
    inspector.post("/admin/deduction_rule/settings", data={"base_score": "100", "school_admin_may_deduct": "y"})
    assert stored(select(ScoringSetting.school_admin_may_deduct)) is True
    with clock.frozen_at(NOW):
        assert client.post("/admin/deduction/new", data=new_form(scored)).status_code == 302
    assert stored(select(Deduction.recorded_by_role).order_by(Deduction.id.desc()).limit(1)) == "school_admin"


def test_a_teacher_sees_their_own_deductions_only(scored, login_as, session):
    client = login_as("teacher_a1x")
    page = text(client.get(f"/admin/deduction/?{term(scored)}"))
    own = scored.extra["deduction_a1x"].id
    assert f'data-deduction="{own}"' in page and page.count("data-deduction=") == 1
    assert client.get(f"/admin/deduction/item/{scored.extra['deduction_a1y'].id}").status_code == 404
    assert "98.50 分" in text(client.get(f"/admin/score/?{term(scored)}"))


def test_a_teacher_objects_and_the_inspector_reverses_and_the_score_is_restored(scored, login_as, session):
    """The world's objection to a1x's deduction is decided: reversed, 100 again on both pages."""
    deduction = scored.extra["deduction_a1x"].id
    inspector = login_as("inspector_a")
    response = inspector.post(
        f"/admin/deduction/item/{deduction}", data={"action": "decide", "decision": "reversed", "note": "核实已家访"}
    )
    assert response.status_code == 302
    assert stored(select(Objection.decision).where(Objection.deduction_id == deduction)) == "reversed"
    assert stored(select(Deduction.reason).where(Deduction.reverses_id == deduction)) == "异议成立：核实已家访"
    assert "100.00 分" in text(login_as("teacher_a1x").get(f"/admin/score/?{term(scored)}"))
    school_page = text(login_as("school_admin_a1x").get(f"/admin/score/?{term(scored)}"))
    assert '学校得分：<strong class="score">100.00</strong>' in school_page


def test_a_teacher_cannot_decide_nor_reverse_and_an_inspector_cannot_object(scored, login_as):
    deduction = scored.extra["deduction_a1x"].id
    teacher = login_as("teacher_a1x")
    for data in (
        {"action": "decide", "decision": "reversed", "note": "自己撤销"},
        {"action": "reverse", "reason": "x"},
    ):
        assert teacher.post(f"/admin/deduction/item/{deduction}", data=data).status_code == 403
    inspector = login_as("inspector_a")
    assert (
        inspector.post(
            f"/admin/deduction/item/{deduction}", data={"action": "object", "text": "替教师提出异议"}
        ).status_code
        == 403
    )
    assert count(Deduction) == 3 and stored(select(func.count()).where(Objection.decision.is_not(None))) == 0


def test_a_second_objection_is_refused_with_a_message(scored, login_as):
    deduction = scored.extra["deduction_a1x"].id
    response = login_as("teacher_a1x").post(
        f"/admin/deduction/item/{deduction}", data={"action": "object", "text": "再提一次异议理由"}
    )
    assert response.status_code == 200 and "已经提出过异议" in text(response)
    assert count(Objection) == 2


def test_an_inspector_reverses_with_a_reason_and_both_entries_are_listed(scored, login_as):
    deduction = scored.extra["deduction_a1y"].id
    client = login_as("inspector_a")
    refused = client.post(f"/admin/deduction/item/{deduction}", data={"action": "reverse", "reason": ""})
    assert "撤销的理由" in text(refused) and count(Deduction) == 3
    assert (
        client.post(f"/admin/deduction/item/{deduction}", data={"action": "reverse", "reason": "录错学校"}).status_code
        == 302
    )
    listing = text(client.get(f"/admin/deduction/?{term(scored)}"))
    assert "已撤销" in listing and "撤销记录" in listing and count(Deduction) == 4


def test_the_scores_page_lists_every_school_in_scope_those_without_staff_marked(scored, login_as):
    page = text(login_as("leader_a").get(f"/admin/score/?{term(scored)}"))
    for code in ("A1X", "A1Y", "A2S"):
        assert f'data-school="{code}"' in page
    assert "B1S" not in page and "未导入教职工" in page


def test_the_scores_pages_statements_do_not_grow_with_the_schools(scored, login_as):
    client = login_as("leader_a")
    two_schools = statements_of(client, f"/admin/score/?region={scored.regions['a1'].id}&{term(scored)}")
    one_school = statements_of(client, f"/admin/score/?region={scored.regions['a2'].id}&{term(scored)}")
    assert two_schools == one_school


def test_the_deductions_export_shows_reversals_and_matches_the_entries(scored, login_as):
    client = login_as("inspector_a")
    client.post(
        f"/admin/deduction/item/{scored.extra['deduction_a1y'].id}", data={"action": "reverse", "reason": "录错学校"}
    )
    response = client.get(f"/admin/deduction/export.xlsx?{term(scored)}")
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=3)]
    assert [(r[1], r[2], r[6], r[8], r[13], r[14]) for r in rows] == [
        ("甲一区实验小学", "a1x班主任", 3, 1.5, "有效", "家访任务未完成"),
        ("甲一区第二小学", "a1y班主任", 1, 0.5, "已撤销", "录错学校"),
        ("甲一区第二小学", "a1y班主任", 1, -0.5, "撤销记录", "录错学校"),
    ]


def test_the_school_scores_export_lists_every_school_with_its_rank(scored, login_as):
    response = login_as("leader_a").get(f"/admin/score/export.xlsx?{term(scored)}")
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=3)]
    # a1x: 1.5 / 2 staff = 0.75 → 99.25; a1y: 0.5 / 2 = 0.25 → 99.75; a2 no staff
    assert [(r[2], r[9], r[10], r[11]) for r in rows] == [
        ("A1Y", 99.75, 1, None),
        ("A1X", 99.25, 2, None),
        ("A2S", None, None, "未导入教职工"),
    ]


def test_changing_a_rule_on_its_page_leaves_recorded_deductions_unchanged(scored, login_as):
    rule = stored(select(DeductionRule.id).where(DeductionRule.code == "BZR-6"))
    form = {
        "code": "BZR-6",
        "description": "不能完成家访任务",
        "applies_to": "head_teacher",
        "points": "1",
        "active": "y",
    }
    assert login_as("inspector_b").post(f"/admin/deduction_rule/rule/{rule}", data=dict(form)).status_code == 403
    assert (
        login_as("inspector_a").post(f"/admin/deduction_rule/rule/{rule}", data=dict(form)).status_code == 403
    )  # the province's
    login_as("inspector_a")
    city_rule = stored(select(DeductionRule.id).where(DeductionRule.code == "XX-1"))
    form = {"code": "XX-1", "description": "家访记录弄虚作假", "applies_to": "school", "points": "3", "active": "y"}
    assert login_as("inspector_a").post(f"/admin/deduction_rule/rule/{city_rule}", data=dict(form)).status_code == 302
    assert stored(select(DeductionRule.points).where(DeductionRule.id == city_rule)) == Decimal("3.00")
    assert stored(select(func.sum(Deduction.points))) == Decimal("2.50")


def test_an_inspector_seeds_the_default_rules_once(scored, login_as):
    client = login_as("inspector_b")
    client.post("/admin/deduction_rule/seed")
    region_b = scored.regions["b"].id
    assert stored(select(func.count()).where(DeductionRule.region_id == region_b)) == 1 + 8
    client.post("/admin/deduction_rule/seed")
    assert stored(select(func.count()).where(DeductionRule.region_id == region_b)) == 1 + 8
    assert login_as("leader_a").post("/admin/deduction_rule/seed").status_code == 403


def test_a_contradicted_phone_check_offers_the_inspector_a_deduction(scored, login_as):
    page = text(
        login_as("inspector_a").get(
            "/admin/deduction/new?school=" + str(scored.schools["a1x"].id) + "&evidence_kind=phone_check&evidence_id=5"
        )
    )
    assert 'value="phone_check" selected' in page and 'value="5"' in page
