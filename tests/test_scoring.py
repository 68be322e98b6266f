"""Issue 11, scoring: seed 001 篇四's rule "每人次扣教师量化成绩总分 0.5 分，可以累计", reversals that
keep the history, rules copied onto deductions, objections, who may record, and scores with
rankings computed in SQL for every school and teacher in scope.

The world (tests/factories.py, tests/world_visits.py): schools a1x, a1y in county A1 and a2 in A2
(city A), b1 in B1 (city B), d in D; a1x, a1y and b1 each have a 班主任 (teacher_a1x, teacher_a1y
are linked to theirs) and a 科任教师; a2 and d have no staff. tests/world_scoring.py adds the
rules and helpers; the base score is 100 unless a test sets it.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from bureau import clock
from bureau.inspection.deductions import (
    DeductionInput,
    RuleInput,
    ScoringError,
    decide_objection,
    lodge_objection,
    record_deduction,
    reverse,
    save_rule,
    save_setting,
)
from bureau.inspection.notices import NoticeInput, create_notice, edit_notice, publish_notice
from bureau.inspection.scores import school_scores, teacher_scores
from bureau.inspection.scoring_models import Deduction, Notice, Objection
from bureau.tenants.guard import TenantViolation, set_scope
from bureau.tenants.scope import scope_for_user
from tests.factories import statements_sent, stored
from tests.world_scoring import NOW, as_user, deduct, rule, seed_rules

D = Decimal


@pytest.fixture
def rules(world, session):
    seed_rules(session, world)
    session.commit()
    return world


def score_of(session, world, key: str, staff_key: str = "staff") -> Decimal:
    set_scope(session, None)
    staff = world.extra[f"{staff_key}_{key}"]
    rows = teacher_scores(session, None, world.schools[key], world.extra["term"])
    return next(r.score for r in rows if r.staff_id == staff.id)


def test_three_instances_of_a_half_point_rule_take_one_and_a_half_points(rules, session):
    deduction = deduct(session, rules, "a1x", n=3)
    session.commit()
    assert deduction.points == D("1.50")
    assert score_of(session, rules, "a1x") == D("98.50")


def test_deductions_add_up_across_rules_and_days(rules, session):
    deduct(session, rules, "a1x", "BZR-1", n=1)
    deduct(session, rules, "a1x", "BZR-2", n=2, on=date(2026, 11, 12))
    session.commit()
    assert score_of(session, rules, "a1x") == D("98.50")  # 0.5 + 2 × 0.5


def test_a_reversal_restores_the_score_and_both_entries_stay(rules, session):
    deduction = deduct(session, rules, "a1x", n=3)
    user = as_user(session, rules, "inspector_a")
    entry = reverse(session, deduction, "核实为误录", user, NOW)
    session.commit()
    assert score_of(session, rules, "a1x") == D("100.00")
    assert entry.points == D("-1.50") and entry.reverses_id == deduction.id and entry.reason == "核实为误录"
    assert entry.recorded_by_name == user.display_name or user.username
    assert stored(select(func.count()).select_from(Deduction)) == 2


def test_a_deduction_is_reversed_once_and_a_reversal_never(rules, session):
    deduction = deduct(session, rules, "a1x")
    user = as_user(session, rules, "inspector_a")
    entry = reverse(session, deduction, "核实为误录", user, NOW)
    with pytest.raises(ScoringError, match="已经撤销过了"):
        reverse(session, deduction, "再撤一次", user, NOW)
    with pytest.raises(ScoringError, match="撤销记录本身不能再撤销"):
        reverse(session, entry, "撤销撤销", user, NOW)
    with pytest.raises(ScoringError, match="撤销的理由"):
        reverse(session, deduct(session, rules, "a1y"), " ", user, NOW)


def test_changing_a_rules_points_afterwards_leaves_recorded_deductions_unchanged(rules, session):
    deduct(session, rules, "a1x", n=3)
    session.commit()
    set_scope(session, None)
    bzr6 = rule(session, rules, "BZR-6")
    save_rule(session, rules.regions["p"], RuleInput("BZR-6", "未完成家访任务（修订）", "head_teacher", "2"), bzr6)
    session.commit()
    assert stored(select(Deduction.points)) == D("1.50")
    assert stored(select(Deduction.rule_text)) == "不能完成家访任务"
    assert score_of(session, rules, "a1x") == D("98.50")
    assert deduct(session, rules, "a1y", n=3).points == D("6.00")  # a new one takes the new points


def test_a_recorded_deduction_is_never_changed_or_deleted(rules, session):
    deduction = deduct(session, rules, "a1x", n=3)
    session.commit()
    as_user(session, rules, "inspector_a")
    deduction.instances = 1
    with pytest.raises(TenantViolation):
        session.flush()
    session.rollback()
    as_user(session, rules, "inspector_a")
    session.delete(session.get(Deduction, deduction.id))
    with pytest.raises(TenantViolation):
        session.flush()
    session.rollback()
    assert stored(select(Deduction.instances)) == 3


def test_an_objection_upheld_leaves_the_deduction_standing(rules, session):
    deduction = deduct(session, rules, "a1x", n=3)
    teacher = as_user(session, rules, "teacher_a1x")
    objection = lodge_objection(session, deduction, "当天学生请假，已电话家访。", teacher, NOW)
    inspector = as_user(session, rules, "inspector_a")
    assert decide_objection(session, objection, "upheld", "记录显示未走访", inspector, NOW) is None
    session.commit()
    assert score_of(session, rules, "a1x") == D("98.50")
    assert stored(select(Objection.decision)) == "upheld"


def test_an_objection_reversed_restores_the_score_with_a_reversal_entry(rules, session):
    deduction = deduct(session, rules, "a1x", n=3)
    teacher = as_user(session, rules, "teacher_a1x")
    objection = lodge_objection(session, deduction, "当天学生请假，已电话家访。", teacher, NOW)
    inspector = as_user(session, rules, "inspector_a")
    entry = decide_objection(session, objection, "reversed", "核实已家访", inspector, NOW)
    session.commit()
    assert score_of(session, rules, "a1x") == D("100.00")
    assert entry.reason == "异议成立：核实已家访" and entry.points == D("-1.50")
    with pytest.raises(ScoringError, match="已经处理过了"):
        decide_objection(session, objection, "upheld", "改判", inspector, NOW)


def test_a_teacher_objects_once_and_only_to_their_own_standing_deduction(rules, session):
    own = deduct(session, rules, "a1x")
    colleague = deduct(session, rules, "a1x", "JS-1", staff=rules.extra["other_staff_a1x"])
    session.commit()
    teacher = as_user(session, rules, "teacher_a1x")
    lodge_objection(session, own, "已完成家访，见记录。", teacher, NOW)
    with pytest.raises(ScoringError, match="已经提出过异议"):
        lodge_objection(session, own, "再提一次异议。", teacher, NOW)
    session.commit()
    as_user(session, rules, "teacher_a1x")
    with pytest.raises(TenantViolation):
        lodge_objection(session, colleague, "替同事提出异议。", teacher, NOW)
    session.rollback()
    assert stored(select(func.count()).select_from(Objection)) == 1


def test_an_inspector_decides_an_objection_but_never_lodges_one(rules, session):
    deduction = deduct(session, rules, "a1x")
    inspector = as_user(session, rules, "inspector_a")
    with pytest.raises(TenantViolation):
        lodge_objection(session, deduction, "督学替教师提出异议。", inspector, NOW)


def test_a_head_teacher_rule_applies_to_a_head_teacher_only(rules, session):
    with pytest.raises(ScoringError, match="只适用于班主任"):
        deduct(session, rules, "a1x", "BZR-1", staff=rules.extra["other_staff_a1x"])
    assert deduct(session, rules, "a1x", "JS-1", staff=rules.extra["other_staff_a1x"]).points == D("0.50")


def test_a_school_rule_takes_no_teacher_and_counts_in_the_schools_own_points(rules, session):
    with pytest.raises(ScoringError, match="不选教师"):
        deduct(session, rules, "a1x", "XX-1")
    deduct(session, rules, "a1x", "XX-1", staff=None)
    session.commit()
    row = next(r for r in school_scores(session, None, rules.regions["a1"], rules.extra["term"]) if r.code == "A1X")
    assert (row.school_points, row.teacher_points, row.score) == (D("2.00"), D("0.00"), D("98.00"))


def test_a_rule_of_another_city_does_not_apply(rules, session):
    with pytest.raises(ScoringError, match="适用于本校的扣分细则"):
        deduct(session, rules, "b1", "XX-1", staff=None, by="inspector_b")


def test_a_deduction_needs_a_date_in_a_term_not_after_today_and_some_evidence(rules, session):
    with pytest.raises(ScoringError, match="不能晚于今天"):
        deduct(session, rules, "a1x", on=date(2026, 11, 21))
    with pytest.raises(ScoringError, match="不在任何学期内"):
        deduct(session, rules, "a1x", on=date(2026, 8, 1))
    with pytest.raises(ScoringError, match="请写明情况"):
        deduct(session, rules, "a1x", note=" ")
    with pytest.raises(ScoringError, match="次数请填写 1 到 50"):
        deduct(session, rules, "a1x", n=0)
    with pytest.raises(ScoringError, match="家访记录不存在或不属于本校"):
        deduct(session, rules, "a1x", evidence_kind="visit", evidence_id=rules.extra["visits_a1y"][0].id)


def test_a_deduction_can_rest_on_a_visit_of_its_school(rules, session):
    visit = rules.extra["visits_a1x"][0]
    deduction = deduct(session, rules, "a1x", evidence_kind="visit", evidence_id=visit.id, note="")
    assert (deduction.evidence_kind, deduction.evidence_id) == ("visit", visit.id)


def test_an_inspector_of_another_city_records_nothing_here(rules, session):
    with pytest.raises(TenantViolation):
        deduct(session, rules, "a1x", by="inspector_b")
    session.rollback()
    assert stored(select(func.count()).select_from(Deduction)) == 0


def test_a_school_admin_records_for_its_own_staff_only_when_the_bureau_allows_it(rules, session):
    with pytest.raises(TenantViolation):
        deduct(session, rules, "a1x", by="school_admin_a1x")
    session.rollback()
    as_user(session, rules, "inspector_a")
    save_setting(session, rules.regions["a"], "100", True, rules.users["inspector_a"])
    session.commit()
    assert deduct(session, rules, "a1x", by="school_admin_a1x").recorded_by_role == "school_admin"
    session.commit()
    with pytest.raises(TenantViolation):
        deduct(session, rules, "a1y", by="school_admin_a1x")  # another school's staff
    session.rollback()
    with pytest.raises(TenantViolation):  # city B's bureau does not allow it
        deduct(session, rules, "b1", by="school_admin_b1")
    session.rollback()
    assert stored(select(func.count()).select_from(Deduction)) == 1


def test_a_school_admin_never_reverses_an_inspectors_deduction(rules, session):
    as_user(session, rules, "inspector_a")
    save_setting(session, rules.regions["a"], "100", True, rules.users["inspector_a"])
    by_inspector = deduct(session, rules, "a1x")
    by_school = deduct(session, rules, "a1x", by="school_admin_a1x")
    session.commit()
    admin = as_user(session, rules, "school_admin_a1x")
    reverse(session, by_school, "本校误录", admin, NOW)
    session.commit()
    admin = as_user(session, rules, "school_admin_a1x")
    with pytest.raises(TenantViolation):
        reverse(session, by_inspector, "学校撤销督学扣分", admin, NOW)


def test_a_teacher_reads_only_their_own_deductions(rules, session):
    deduct(session, rules, "a1x", n=3)
    deduct(session, rules, "a1x", "JS-1", staff=rules.extra["other_staff_a1x"])
    deduct(session, rules, "a1y")
    session.commit()
    as_user(session, rules, "teacher_a1x")
    seen = session.scalars(select(Deduction.staff_id)).all()
    assert seen == [rules.extra["staff_a1x"].id]
    as_user(session, rules, "school_admin_a1x")
    assert len(session.scalars(select(Deduction)).all()) == 2
    as_user(session, rules, "inspector_b")
    assert session.scalars(select(Deduction)).all() == []


def test_the_base_score_is_the_nearest_bureaus(rules, session):
    deduct(session, rules, "a1x", n=3)
    deduct(session, rules, "a1y", n=3)
    as_user(session, rules, "inspector_a")
    save_setting(session, rules.regions["a"], "80", False, rules.users["inspector_a"])
    set_scope(session, None)
    save_setting(session, rules.regions["a1"], "90", False, None)
    session.commit()
    assert score_of(session, rules, "a1x") == D("88.50")  # county A1's 90, not city A's 80
    set_scope(session, None)
    rows = {r.code: r for r in school_scores(session, None, rules.regions["a"], rules.extra["term"])}
    assert rows["A1X"].base == D("90.00")


def test_teachers_are_ranked_within_their_school_and_every_one_is_listed(rules, session):
    deduct(session, rules, "a1x", n=3)
    session.commit()
    rows = teacher_scores(session, None, rules.schools["a1x"], rules.extra["term"])
    assert [(r.name, r.deductions, r.deducted, r.score, r.rank) for r in rows] == [
        ("a1x科任", 0, D("0.00"), D("100.00"), 1),
        ("a1x班主任", 1, D("1.50"), D("98.50"), 2),
    ]


def test_schools_are_ranked_within_their_county_and_every_school_is_listed(rules, session):
    """City A, worked out by hand: a1x's 班主任 −1.5 → teachers' average 1.5 / 2 = 0.75, score 99.25;
    a1y's 科任 −0.5 and school rule XX-1 −2 → 100 − 2 − 0.25 = 97.75; a2 has no staff: listed
    last in county A2, marked, unranked."""
    deduct(session, rules, "a1x", n=3)
    deduct(session, rules, "a1y", "JS-1", staff=rules.extra["other_staff_a1y"])
    deduct(session, rules, "a1y", "XX-1", staff=None)
    session.commit()
    set_scope(session, scope_for_user(rules.users["leader_a"]))
    rows = school_scores(session, scope_for_user(rules.users["leader_a"]), rules.regions["a"], rules.extra["term"])
    assert [(r.code, r.staff, r.teachers_deducted, r.total, r.average, r.score, r.rank, r.mark) for r in rows] == [
        ("A1X", 2, 1, D("1.50"), D("0.75"), D("99.25"), 1, ""),
        ("A1Y", 2, 1, D("2.50"), D("0.25"), D("97.75"), 2, ""),
        ("A2S", 0, 0, D("0.00"), None, None, None, "未导入教职工"),
    ]


def test_ties_share_a_rank(rules, session):
    deduct(session, rules, "a1x")
    deduct(session, rules, "a1y")
    session.commit()
    rows = school_scores(session, None, rules.regions["a1"], rules.extra["term"])
    assert [(r.code, r.score, r.rank) for r in rows] == [("A1X", D("99.75"), 1), ("A1Y", D("99.75"), 1)]


def test_a_reversed_deduction_leaves_no_teacher_counted_as_deducted(rules, session):
    deduction = deduct(session, rules, "a1x", n=3)
    reverse(session, deduction, "误录", as_user(session, rules, "inspector_a"), NOW)
    session.commit()
    (row,) = [r for r in school_scores(session, None, rules.regions["a1"], rules.extra["term"]) if r.code == "A1X"]
    assert (row.teachers_deducted, row.total, row.score) == (0, D("0.00"), D("100.00"))
    teachers = teacher_scores(session, None, rules.schools["a1x"], rules.extra["term"])
    assert [r.deductions for r in teachers] == [0, 0]


def test_a_citys_school_scores_take_one_statement_and_a_schools_teacher_scores_two(rules, session):
    for key in ("a1x", "a1y"):
        deduct(session, rules, key, n=2)
    session.commit()
    scope = scope_for_user(rules.users["leader_a"])
    set_scope(session, scope)
    assert rules.extra["term"].name and rules.schools["a1x"].name  # loaded before counting
    with statements_sent() as sent:
        school_scores(session, scope, rules.regions["a"], rules.extra["term"])
    assert len(sent) == 1
    with statements_sent() as sent:
        teacher_scores(session, scope, rules.schools["a1x"], rules.extra["term"])
    assert len(sent) == 2  # the settings, the scores


def test_the_clock_decides_today_for_a_deductions_date(rules, session):
    user = as_user(session, rules, "inspector_a")
    data = DeductionInput(rules.schools["a1x"], rules.extra["staff_a1x"], rule(session, rules, "BZR-6"), 1, NOW.date())
    data.note = "未完成"
    with clock.frozen_at(NOW.replace(day=19)), pytest.raises(ScoringError, match="不能晚于今天"):
        record_deduction(session, data, user, NOW)


def test_the_guard_refuses_a_deduction_whose_teacher_is_of_another_school(rules, session):
    """The service refuses it first; the guard holds it for any other writer of the row."""
    user = as_user(session, rules, "inspector_a")
    bzr6 = rule(session, rules, "BZR-6")
    session.add(
        Deduction(
            school_id=rules.schools["a1x"].id,
            staff_id=rules.extra["staff_a1y"].id,
            term_id=rules.extra["term"].id,
            rule_id=bzr6.id,
            rule_code="BZR-6",
            rule_text="不能完成家访任务",
            applies_to="head_teacher",
            points_each=D("0.5"),
            instances=1,
            points=D("0.5"),
            occurred_on=date(2026, 11, 10),
            recorded_by_id=user.id,
        )
    )
    with pytest.raises(TenantViolation):
        session.flush()


@pytest.mark.parametrize("username", ["leader_a", "admin_a1", "teacher_a1x"])
def test_only_an_inspector_or_an_allowed_school_admin_records_a_deduction(rules, session, username):
    as_user(session, rules, "inspector_a")
    save_setting(session, rules.regions["a"], "100", True, rules.users["inspector_a"])
    session.commit()
    with pytest.raises(TenantViolation):
        deduct(session, rules, "a1x", by=username)


@pytest.mark.parametrize("username", ["leader_a", "admin_a1"])
def test_only_inspectors_keep_the_rules_and_the_settings(rules, session, username):
    as_user(session, rules, username)
    with pytest.raises(TenantViolation):
        save_rule(session, rules.regions["a"], RuleInput("XX-9", "另一条细则", "teacher", "0.5"))
    session.rollback()
    as_user(session, rules, username)
    with pytest.raises(TenantViolation):
        save_setting(session, rules.regions["a"], "90", True, rules.users[username])


def test_an_inspector_keeps_only_their_own_regions_rules(rules, session):
    as_user(session, rules, "inspector_b")
    with pytest.raises(TenantViolation):
        save_rule(session, rules.regions["a"], RuleInput("XX-9", "另一条细则", "teacher", "0.5"))
    session.rollback()
    as_user(session, rules, "inspector_a")
    with pytest.raises(TenantViolation):  # the province's catalogue is not a city's inspector's
        save_rule(session, rules.regions["p"], RuleInput("BZR-9", "另一条细则", "teacher", "0.5"))


def test_a_published_notice_is_frozen_for_any_writer(rules, session):
    deduct(session, rules, "a1x", n=3)
    user = as_user(session, rules, "inspector_a")
    data = NoticeInput(rules.regions["a"], rules.extra["term"], date(2026, 11, 1), date(2026, 11, 30))
    notice = create_notice(session, scope_for_user(user), data, user)
    edit_notice(session, notice, "关于甲市的通报", "正文（修改稿）")  # a draft is edited
    publish_notice(session, notice, user, NOW)
    session.commit()
    as_user(session, rules, "inspector_a")
    notice.title = "发布后改标题"
    with pytest.raises(TenantViolation):
        session.flush()
    session.rollback()
    assert stored(select(Notice.title)) == "关于甲市的通报"
