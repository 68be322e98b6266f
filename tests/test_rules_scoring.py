"""The scoring rules one by one (written for the survivors of mutation testing, docs/mutants.md):
each refusal's exact message and its bounds, what a deduction, a reversal, an objection's decision
and a setting record, and the scores' figures worked out by hand.

The world (tests/factories.py, tests/world_visits.py, tests/world_scoring.py): schools a1x, a1y in
county A1 and a2 in A2 (city A), b1 in B1 (city B), d in D; a1x, a1y and b1 each have a 班主任 and
a 科任教师; BZR-6 is 0.5 points of the province's catalogue, XX-1 a school rule of city A (2 points).
The term is 2026-09-01 .. 2027-01-31; NOW is 2026-11-20 10:00 in Beijing.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from bureau import clock
from bureau.inspection.deductions import (
    ScoringError,
    decide_objection,
    lodge_objection,
    reverse,
    save_setting,
)
from bureau.inspection.models import (
    SURVEY_QUESTIONS,
    PhoneCheck,
    PhoneCheckBatch,
    Survey,
    SurveyResponse,
    SurveyTarget,
)
from bureau.inspection.notices import (
    NoticeError,
    NoticeInput,
    compose,
    contradicted_counts,
    create_notice,
    edit_notice,
    named_schools,
    publish_notice,
)
from bureau.inspection.scores import school_scores, teacher_scores
from bureau.inspection.scoring_models import Deduction, ScoringSetting
from bureau.tenants.guard import set_scope
from bureau.tenants.scope import scope_for_user
from bureau.visits.models import Staff, Term
from tests.factories import statements_sent, stored
from tests.world_scoring import NOW, as_user, deduct, seed_rules

D = Decimal
LATER = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)


@pytest.fixture
def rules(world, session):
    seed_rules(session, world)
    session.commit()
    return world


def refused(message: str):
    """The refusal with exactly `message`."""
    return pytest.raises(ScoringError, match=f"^{re.escape(message)}$")


def objection_to(session, world, key: str = "a1x"):
    deduction = deduct(session, world, key, n=3)
    teacher = as_user(session, world, f"teacher_{key}")
    objection = lodge_objection(session, deduction, "当天学生请假，已电话家访。", teacher, NOW)
    return deduction, objection, as_user(session, world, "inspector_a")


# ---------------------------------------------------------------- settings


def test_a_base_score_is_at_most_a_thousand_points(rules, session):
    set_scope(session, None)
    assert save_setting(session, rules.regions["a"], "1000", False, None).base_score == D("1000.00")
    with refused("基础分请填写大于 0、不超过 1000 的数，最多两位小数（如 0.5）。"):
        save_setting(session, rules.regions["a"], "1000.01", False, None)
    with refused("基础分请填写大于 0、不超过 1000 的数，最多两位小数（如 0.5）。"):
        save_setting(session, rules.regions["a"], "0", False, None)


def test_saving_a_regions_settings_again_changes_its_own_row_only(rules, session):
    set_scope(session, None)
    save_setting(session, rules.regions["b"], "90", False, None)
    save_setting(session, rules.regions["a"], "80", False, None)
    session.commit()
    set_scope(session, None)
    save_setting(session, rules.regions["a"], "85", True, None)
    session.commit()
    rows = stored(select(func.count()).select_from(ScoringSetting))
    assert rows == 2
    by_region = dict(session.execute(select(ScoringSetting.region_id, ScoringSetting.base_score)).tuples().all())
    assert by_region == {rules.regions["a"].id: D("85.00"), rules.regions["b"].id: D("90.00")}


def test_a_setting_records_who_changed_it_and_when(rules, session):
    user = as_user(session, rules, "inspector_a")
    with clock.frozen_at(LATER):
        setting = save_setting(session, rules.regions["a"], "90", True, user)
    session.commit()
    assert setting.updated_by_id == user.id
    assert clock.as_utc(stored(select(ScoringSetting.updated_at))) == LATER
    assert stored(select(ScoringSetting.updated_by_id)) == user.id


# ---------------------------------------------------------------- objections decided


def test_a_decision_needs_a_note_of_two_to_five_hundred_characters(rules, session):
    message = "请写明处理意见（2 到 500 个字），教师会看到它。"
    _, objection, inspector = objection_to(session, rules)
    for note in (None, "", " 不 ", "字" * 501):
        with refused(message):
            decide_objection(session, objection, "upheld", note, inspector, NOW)
    assert decide_objection(session, objection, "upheld", " 维持 ", inspector, NOW) is None
    assert objection.decision_note == "维持"
    _, objection, inspector = objection_to(session, rules, "a1y")
    decide_objection(session, objection, "upheld", "字" * 500, inspector, NOW)
    assert objection.decision_note == "字" * 500


def test_a_decision_is_upheld_or_reversed_and_made_once(rules, session):
    _, objection, inspector = objection_to(session, rules)
    with refused("请选择处理结果：维持扣分或撤销扣分。"):
        decide_objection(session, objection, "dismissed", "不予处理", inspector, NOW)
    decide_objection(session, objection, "upheld", "记录显示未走访", inspector, NOW)
    with refused("这条异议已经处理过了。"):
        decide_objection(session, objection, "reversed", "改判撤销", inspector, NOW)


def test_a_decision_names_the_inspector_by_display_name_else_username(rules, session):
    _, objection, inspector = objection_to(session, rules)
    inspector.display_name = "王督学"
    decide_objection(session, objection, "upheld", "记录显示未走访", inspector, NOW)
    assert objection.decided_by_name == "王督学"
    _, objection, inspector = objection_to(session, rules, "a1y")
    inspector.display_name = ""
    decide_objection(session, objection, "upheld", "记录显示未走访", inspector, NOW)
    assert objection.decided_by_name == "inspector_a"


def test_a_reversing_decision_is_recorded_at_the_time_given(rules, session):
    deduction, objection, inspector = objection_to(session, rules)
    with clock.frozen_at(NOW):
        entry = decide_objection(session, objection, "reversed", "核实已家访", inspector, LATER)
    assert (entry.reverses_id, entry.recorded_at) == (deduction.id, LATER)
    assert (objection.decided_at, objection.decided_by_id) == (LATER, inspector.id)


# ---------------------------------------------------------------- reversals


def test_a_reversal_copies_the_deduction_and_records_who_reversed_it_and_when(rules, session):
    visit = rules.extra["visits_a1x"][0]
    deduction = deduct(session, rules, "a1x", n=3, evidence_kind="visit", evidence_id=visit.id, note="")
    user = as_user(session, rules, "inspector_a")
    user.display_name = "王督学"
    with clock.frozen_at(NOW):
        entry = reverse(session, deduction, "核实为误录", user, LATER)
    session.commit()
    row = stored(select(Deduction).where(Deduction.id == entry.id))
    assert (row.staff_id, row.instances, row.points_each, row.points) == (
        rules.extra["staff_a1x"].id,
        3,
        D("0.50"),
        D("-1.50"),
    )
    assert (row.evidence_kind, row.evidence_id) == ("visit", visit.id)
    assert clock.as_utc(row.recorded_at) == LATER
    assert (row.recorded_by_id, row.recorded_by_name, row.recorded_by_role) == (user.id, "王督学", "inspector")


def test_a_reversal_names_the_user_by_username_without_a_display_name(rules, session):
    deduction = deduct(session, rules, "a1x")
    user = as_user(session, rules, "inspector_a")
    user.display_name = ""
    assert reverse(session, deduction, "核实为误录", user, NOW).recorded_by_name == "inspector_a"


def test_a_reversal_needs_a_reason_of_two_to_five_hundred_characters_and_is_made_once(rules, session):
    user = as_user(session, rules, "inspector_a")
    deduction = deduct(session, rules, "a1x")
    for reason in (None, " 误 ", "字" * 501):
        with refused("请写明撤销的理由（2 到 500 个字）。"):
            reverse(session, deduction, reason, user, NOW)
    entry = reverse(session, deduction, "字" * 500, user, NOW)
    assert entry.reason == "字" * 500
    with refused("这条扣分已经撤销过了。"):
        reverse(session, deduction, "再撤一次", user, NOW)
    with refused("撤销记录本身不能再撤销。"):
        reverse(session, entry, "撤销撤销", user, NOW)
    assert reverse(session, deduct(session, rules, "a1y"), "误录", user, NOW).reason == "误录"


# ---------------------------------------------------------------- notices edited


def draft_notice(session, world):
    user = as_user(session, world, "inspector_a")
    data = NoticeInput(world.regions["a"], world.extra["term"], date(2026, 11, 1), date(2026, 11, 30))
    with clock.frozen_at(NOW):
        return create_notice(session, scope_for_user(user), data, user), user


def notice_refused(message: str):
    return pytest.raises(NoticeError, match=f"^{re.escape(message)}$")


def test_a_drafts_title_is_one_to_two_hundred_characters(rules, session):
    notice, _ = draft_notice(session, rules)
    for title in (None, "", "  ", "题" * 201):
        with notice_refused("标题请填写 1 到 200 个字。"):
            edit_notice(session, notice, title, "正文")
    assert edit_notice(session, notice, " 题 ", "正文").title == "题"
    assert edit_notice(session, notice, "题" * 200, "正文").title == "题" * 200


def test_a_drafts_body_is_one_to_twenty_thousand_characters(rules, session):
    notice, _ = draft_notice(session, rules)
    for body in (None, "", "  ", "文" * 20_001):
        with notice_refused("正文不能为空，且不超过 20000 字。"):
            edit_notice(session, notice, "标题", body)
    assert edit_notice(session, notice, "标题", " 文 ").body == "文"
    assert edit_notice(session, notice, "标题", "文" * 20_000).body == "文" * 20_000


def test_a_published_notice_is_refused_by_the_service_with_its_message(rules, session):
    notice, user = draft_notice(session, rules)
    publish_notice(session, notice, user, NOW)
    with notice_refused("通报已发布，不能再修改。"):
        edit_notice(session, notice, "标题", "正文")
    with notice_refused("通报已发布。"):
        publish_notice(session, notice, user, NOW)


# ---------------------------------------------------------------- teachers' scores


def last_term(session) -> Term:
    """The term before the world's: 2026-03-01 .. 2026-07-15."""
    term = Term(name="2025-2026学年第二学期", start_date=date(2026, 3, 1), end_date=date(2026, 7, 15))
    session.add(term)
    session.flush()
    return term


def teachers(session, world, key: str = "a1x", term=None):
    set_scope(session, None)
    rows = teacher_scores(session, None, world.schools[key], term or world.extra["term"])
    return [(r.name, r.position, r.deductions, r.deducted, r.score, r.rank) for r in rows]


def test_each_teacher_of_a_school_has_their_own_sum(rules, session):
    """a1x's 班主任: BZR-6 × 3 = 1.5 in one entry; its 科任教师: JS-1 × 1 + JS-2 × 4 = 0.5 + 2.0 = 2.5
    in two entries."""
    deduct(session, rules, "a1x", n=3)
    deduct(session, rules, "a1x", "JS-1", staff=rules.extra["other_staff_a1x"])
    deduct(session, rules, "a1x", "JS-2", n=4, staff=rules.extra["other_staff_a1x"])
    session.commit()
    assert teachers(session, rules) == [
        ("a1x班主任", "班主任", 1, D("1.50"), D("98.50"), 1),
        ("a1x科任", "科任教师", 2, D("2.50"), D("97.50"), 2),
    ]


def test_a_term_counts_only_its_own_deductions(rules, session):
    set_scope(session, None)
    spring = last_term(session)
    session.commit()
    deduct(session, rules, "a1x", n=3, on=date(2026, 5, 12))  # last term
    deduct(session, rules, "a1x", n=1)  # this term
    session.commit()
    assert teachers(session, rules)[1] == ("a1x班主任", "班主任", 1, D("0.50"), D("99.50"), 2)
    assert teachers(session, rules, term=spring)[1] == ("a1x班主任", "班主任", 1, D("1.50"), D("98.50"), 2)


def test_a_teachers_deductions_stay_with_the_school_that_recorded_them(rules, session):
    """a1x's 班主任 loses 1.5 there, then moves to a1y: a1y lists them at 100, a1x no longer."""
    deduct(session, rules, "a1x", n=3)
    session.commit()
    set_scope(session, None)
    moved = session.get(Staff, rules.extra["staff_a1x"].id)
    moved.school_id = rules.schools["a1y"].id
    session.commit()
    rows = {r[0]: r for r in teachers(session, rules, "a1y")}
    assert rows["a1x班主任"][2:5] == (0, D("0.00"), D("100.00"))
    assert [r[0] for r in teachers(session, rules, "a1x")] == ["a1x科任"]


def test_teachers_tied_in_score_list_the_head_teacher_first(rules, session):
    """The 科任教师 (the higher id) is made 班主任 and the 班主任 科任教师: both 100, the 班主任 first."""
    set_scope(session, None)
    head, other = rules.extra["staff_a1x"], rules.extra["other_staff_a1x"]
    head.position, other.position = "科任教师", "班主任"
    session.commit()
    assert other.id > head.id
    assert teachers(session, rules) == [
        ("a1x科任", "班主任", 0, D("0.00"), D("100.00"), 1),
        ("a1x班主任", "科任教师", 0, D("0.00"), D("100.00"), 1),
    ]


def test_an_inactive_teacher_is_not_listed(rules, session):
    set_scope(session, None)
    rules.extra["other_staff_a1x"].active = False
    session.commit()
    assert [r[0] for r in teachers(session, rules)] == ["a1x班主任"]


def _sql(session, scope, call) -> list[str]:
    """The statements `call` sends with `scope` as the session's scope (None: no guard at all)."""
    set_scope(session, scope)
    with statements_sent() as sent:
        call()
    return sent


def test_scores_scoped_by_hand_are_not_filtered_again_by_the_guard(rules, session):
    """The statements sent in the leader's scope are those sent with the guard off."""
    scope = scope_for_user(rules.users["leader_a"])
    set_scope(session, None)
    assert rules.extra["term"].name and rules.schools["a1x"].name and rules.regions["a"].name
    for call in (
        lambda: teacher_scores(session, scope, rules.schools["a1x"], rules.extra["term"]),
        lambda: school_scores(session, scope, rules.regions["a"], rules.extra["term"]),
    ):
        assert _sql(session, scope, call)[-1] == _sql(session, None, call)[-1]


# ---------------------------------------------------------------- notices composed


def answered(session, world, key: str, answers: list[int]) -> None:
    """One survey response per entry of `answers` in school `key`, that many of its four questions
    answered 满意 (the rest 不满意)."""
    set_scope(session, None)
    survey = world.extra.get("survey") or Survey(name="满意度调查", region=world.regions["p"], term=world.extra["term"])
    world.extra["survey"] = survey
    session.add(survey)
    session.flush()
    for student, positive in zip(world.extra[f"students_{key}"], answers, strict=False):
        target = SurveyTarget(
            survey_id=survey.id, student_id=student.id, class_id=student.class_id, school_id=student.school_id
        )
        session.add(target)
        session.flush()
        values = ["satisfied"] * positive + ["unsatisfied"] * (len(SURVEY_QUESTIONS) - positive)
        session.add(
            SurveyResponse(
                survey_id=survey.id,
                target_id=target.id,
                student_id=student.id,
                term_id=world.extra["term"].id,
                school_id=student.school_id,
                **dict(zip(SURVEY_QUESTIONS, values, strict=True)),
            )
        )
    session.flush()


@pytest.fixture
def surveyed(rules, session):
    """a1x: 4 of 4 answers 满意 (100 %); a1y: 3 + 3 + 2 of 12 (66.7 %); b1: 1 of 4 (25 %)."""
    answered(session, rules, "a1x", [4])
    answered(session, rules, "a1y", [3, 3, 2])
    answered(session, rules, "b1", [1])
    session.commit()
    return rules


def figures(session, world, region: str = "a", **fields):
    set_scope(session, None)
    data = NoticeInput(world.regions[region], world.extra["term"], date(2026, 11, 1), date(2026, 11, 30))
    for name, value in fields.items():
        setattr(data, name, value)
    return compose(session, None, data)


def test_a_notice_lists_the_schools_below_the_threshold_under_its_city_or_province(surveyed, session):
    a1y, b1 = surveyed.schools["a1y"], surveyed.schools["b1"]
    assert figures(session, surveyed, "a")["satisfaction"] == [{"school_id": a1y.id, "name": a1y.name, "rate": 66.7}]
    assert figures(session, surveyed, "p")["satisfaction"] == [
        {"school_id": a1y.id, "name": a1y.name, "rate": 66.7},
        {"school_id": b1.id, "name": b1.name, "rate": 25.0},
    ]
    assert figures(session, surveyed, "b")["satisfaction"] == [{"school_id": b1.id, "name": b1.name, "rate": 25.0}]
    assert figures(session, surveyed, "a1")["satisfaction"] == [{"school_id": a1y.id, "name": a1y.name, "rate": 66.7}]


def test_the_satisfaction_threshold_is_the_notices_own(surveyed, session):
    assert [r["rate"] for r in figures(session, surveyed, "p", threshold=25)["satisfaction"]] == []
    assert [r["rate"] for r in figures(session, surveyed, "p", threshold=26)["satisfaction"]] == [25.0]
    assert [r["rate"] for r in figures(session, surveyed, "p", threshold=100)["satisfaction"]] == [66.7, 25.0]
    assert figures(session, surveyed, "p", threshold=26)["threshold"] == 26


def test_a_countys_notice_composed_in_a_citys_scope_names_the_countys_schools_only(surveyed, session):
    """a1y (66.7 %) moves to county A2: the city's inspector's notice for county A1 names none."""
    set_scope(session, None)
    surveyed.schools["a1y"].county_id = surveyed.regions["a2"].id
    session.commit()
    data = NoticeInput(surveyed.regions["a1"], surveyed.extra["term"], date(2026, 11, 1), date(2026, 11, 30))
    scope = scope_for_user(surveyed.users["inspector_a"])
    set_scope(session, scope)
    assert compose(session, scope, data)["satisfaction"] == []
    data.region = surveyed.regions["a2"]
    assert [r["name"] for r in compose(session, scope, data)["satisfaction"]] == [surveyed.schools["a1y"].name]


def test_a_citys_notice_composed_in_the_provinces_scope_names_the_citys_schools_only(surveyed, session):
    data = NoticeInput(surveyed.regions["b"], surveyed.extra["term"], date(2026, 11, 1), date(2026, 11, 30))
    scope = scope_for_user(surveyed.users["leader_p"])
    set_scope(session, scope)
    assert [r["name"] for r in compose(session, scope, data)["satisfaction"]] == [surveyed.schools["b1"].name]


def test_the_schools_a_notice_names_are_listed_in_code_order(rules, session):
    """a1y (BZR-6 × 3: 100 − 1.5 / 2 = 99.25) is named first, a1x (× 1: 99.75) second; listed A1X, A1Y."""
    deduct(session, rules, "a1y", n=3)
    deduct(session, rules, "a1x", n=1)
    notice, _ = draft_notice(session, rules)
    assert [r["name"] for r in notice.figures["lowest"]] == ["甲一区第二小学", "甲一区实验小学"]
    set_scope(session, None)
    assert [(row.school_id, name) for row, name in named_schools(session, notice)] == [
        (rules.schools["a1x"].id, "甲一区实验小学"),
        (rules.schools["a1y"].id, "甲一区第二小学"),
    ]


def checked(session, world, key: str, *closed: tuple[datetime, str]) -> None:
    """Phone checks of school `key`'s visits, each closed at a UTC time with an outcome."""
    set_scope(session, None)
    batch = world.extra.get("batch") or PhoneCheckBatch(
        name="电话抽查", region=world.regions["p"], period_start=date(2026, 11, 1), period_end=date(2026, 11, 30)
    )
    world.extra["batch"] = batch
    session.add(batch)
    session.flush()
    visit = world.extra[f"visits_{key}"][0]
    for (at, outcome), student in zip(closed, world.extra[f"students_{key}"], strict=False):
        session.add(
            PhoneCheck(
                batch_id=batch.id,
                student_id=student.id,
                visit_id=visit.id,
                school_id=visit.school_id,
                outcome=outcome,
                closed_at=at,
            )
        )
    session.flush()


def utc(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


def test_contradicted_checks_are_counted_within_the_beijing_dates_most_first(rules, session):
    """Period 11-01 .. 11-30 in Beijing = 10-31 16:00 .. 11-30 16:00 UTC. a1x: one at 10-31 16:00
    UTC (in), one at 10-31 15:59 (out); a1y: one at 11-30 15:59 (in), one at 11-30 16:00 (out), one
    at 11-15 (in) and one 属实 (not counted); b1: one, in city B."""
    checked(session, rules, "a1x", (utc(31, 16, month=10), "contradicted"), (utc(31, 15, 59, month=10), "contradicted"))
    checked(
        session,
        rules,
        "a1y",
        (utc(30, 15, 59), "contradicted"),
        (utc(30, 16), "contradicted"),
        (utc(15, 2), "contradicted"),
        (utc(15, 3), "confirmed"),
    )
    checked(session, rules, "b1", (utc(15, 2), "contradicted"))
    session.commit()
    set_scope(session, None)
    rows = contradicted_counts(session, None, rules.regions["a"], date(2026, 11, 1), date(2026, 11, 30))
    a1x, a1y = rules.schools["a1x"], rules.schools["a1y"]
    assert [tuple(r) for r in rows] == [(a1y.id, "A1Y", a1y.name, 2), (a1x.id, "A1X", a1x.name, 1)]
    assert figures(session, rules, "a")["contradicted"] == [
        {"school_id": a1y.id, "name": a1y.name, "count": 2},
        {"school_id": a1x.id, "name": a1x.name, "count": 1},
    ]


def test_schools_with_as_many_contradicted_checks_are_listed_by_code(rules, session):
    """a1x is recoded A1Z, so its id comes first but its code last: one check each, A1Y first."""
    set_scope(session, None)
    rules.schools["a1x"].code = "A1Z"
    checked(session, rules, "a1x", (utc(15, 2), "contradicted"))
    checked(session, rules, "a1y", (utc(15, 2), "contradicted"))
    session.commit()
    set_scope(session, None)
    rows = contradicted_counts(session, None, rules.regions["a"], date(2026, 11, 1), date(2026, 11, 30))
    assert [(code, n) for _, code, _, n in rows] == [("A1Y", 1), ("A1Z", 1)]
