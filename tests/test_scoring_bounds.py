"""Issue 11, two rules of scoring held by their own tests: a deduction takes only an active rule of
the school's own regions, and schools are ranked within their county, not across the region.

The world (tests/factories.py): a1x and a1y in county A1, b1 in county B1 (province P), each with
two active staff. tests/world_scoring.py holds the helpers.
"""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from bureau.inspection.deductions import RuleInput, ScoringError, lodge_objection, save_rule
from bureau.inspection.notices import NoticeInput, create_notice
from bureau.inspection.scores import school_scores, teacher_scores
from bureau.inspection.scoring_models import DeductionRule, NoticeSchool, Objection
from bureau.tenants.guard import TenantViolation, set_scope
from bureau.tenants.scope import scope_for_user
from tests.factories import stored
from tests.world_scoring import NOW, as_user, deduct, extend, rule, seed_rules

D = Decimal


@pytest.fixture
def rules(world, session):
    seed_rules(session, world)
    session.commit()
    return world


def test_a_rule_no_longer_in_use_is_refused(rules, session):
    set_scope(session, None)
    bzr6 = rule(session, rules, "BZR-6")
    save_rule(session, rules.regions["p"], RuleInput("BZR-6", bzr6.description, "head_teacher", "0.5", False), bzr6)
    session.commit()
    with pytest.raises(ScoringError, match="适用于本校的扣分细则"):
        deduct(session, rules, "a1x", rule=bzr6)


def test_a_rule_of_another_city_is_refused_even_when_the_form_is_forged(rules, session):
    set_scope(session, None)
    city_a_rule = rule(session, rules, "XX-1")  # loaded past the guard, as a forged id would be
    with pytest.raises(ScoringError, match="适用于本校的扣分细则"):
        deduct(session, rules, "b1", rule=city_a_rule, staff=None, by="inspector_b")


def test_schools_are_ranked_within_their_county_not_across_the_province(rules, session):
    """a1x: 0.5 / 2 staff = 0.25 → 99.75; a1y: 1.5 / 2 = 0.75 → 99.25; b1: 2.5 / 2 = 1.25 → 98.75.
    Within counties: A1X 1, A1Y 2; B1S 1 (alone in B1), though the lowest of the three."""
    deduct(session, rules, "a1x", n=1)
    deduct(session, rules, "a1y", n=3)
    deduct(session, rules, "b1", n=5, by="inspector_b")
    session.commit()
    set_scope(session, None)
    rows = school_scores(session, None, rules.regions["p"], rules.extra["term"])
    ranked = [(r.code, r.score, r.rank) for r in rows if r.staff]
    assert ranked == [("A1X", D("99.75"), 1), ("A1Y", D("99.25"), 2), ("B1S", D("98.75"), 1)]


def test_a_school_no_longer_active_is_not_scored(rules, session):
    set_scope(session, None)
    rules.schools["a1y"].active = False
    session.commit()
    rows = school_scores(session, None, rules.regions["a1"], rules.extra["term"])
    assert [r.code for r in rows] == ["A1X"]


def test_a_staff_member_who_left_is_neither_listed_nor_counted(rules, session):
    """a1x's 科任 has left: its 班主任's 1.5 is averaged over one staff member → 98.50."""
    deduct(session, rules, "a1x", n=3)
    set_scope(session, None)
    rules.extra["other_staff_a1x"].active = False
    session.commit()
    teachers = teacher_scores(session, None, rules.schools["a1x"], rules.extra["term"])
    assert [(t.name, t.score) for t in teachers] == [("a1x班主任", D("98.50"))]
    (row,) = [r for r in school_scores(session, None, rules.regions["a1"], rules.extra["term"]) if r.code == "A1X"]
    assert (row.staff, row.average, row.score) == (1, D("1.50"), D("98.50"))


def test_a_teacher_reads_only_the_objections_to_their_own_deductions(world, session):
    """The world's objections: teacher_a1x's to a1x's deduction, teacher_a1y's to a1y's; here a
    colleague of teacher_a1x's in the same school (a1x's 科任, objecting in writing, entered
    without a scope) has one too."""
    extend(session, world)
    colleague = deduct(session, world, "a1x", "JS-1", staff=world.extra["other_staff_a1x"])
    set_scope(session, None)
    lodge_objection(session, colleague, "我已完成包保学生的家访。", world.users["school_admin_a1x"], NOW)
    session.commit()
    as_user(session, world, "teacher_a1x")
    assert [o.deduction_id for o in session.scalars(select(Objection))] == [world.extra["deduction_a1x"].id]
    as_user(session, world, "school_admin_a1x")
    assert len(session.scalars(select(Objection)).all()) == 2
    as_user(session, world, "inspector_a")
    assert len(session.scalars(select(Objection)).all()) == 3


def test_a_school_reads_its_naming_only_in_published_notices(world, session):
    """A draft of city A also names a1x: a1x's admin reads the published notice's line only."""
    extend(session, world)
    user = as_user(session, world, "inspector_a")
    data = NoticeInput(world.regions["a"], world.extra["term"], date(2026, 11, 1), date(2026, 11, 30))
    draft = create_notice(session, scope_for_user(user), data, user)
    session.commit()
    as_user(session, world, "school_admin_a1x")
    assert [n.notice_id for n in session.scalars(select(NoticeSchool))] == [world.extra["notice_a"].id]
    as_user(session, world, "inspector_a")
    assert draft.id in {n.notice_id for n in session.scalars(select(NoticeSchool))}


def test_no_school_is_added_to_a_published_notice(world, session):
    extend(session, world)
    as_user(session, world, "inspector_a")
    session.add(NoticeSchool(notice_id=world.extra["notice_a"].id, school_id=world.schools["a1y"].id, reasons="补充"))
    with pytest.raises(TenantViolation):
        session.flush()


def test_the_command_seeds_the_default_rules_once_and_refuses_an_unknown_region(app, world, session):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["bureau", "seed-deduction-rules", "--scope", "P"])
    assert first.exit_code == 0 and "新增扣分细则 8 条" in first.output
    again = runner.invoke(args=["bureau", "seed-deduction-rules", "--scope", "P"])
    assert again.exit_code == 0 and "新增扣分细则 0 条" in again.output
    assert stored(select(func.count()).select_from(DeductionRule)) == 8
    unknown = runner.invoke(args=["bureau", "seed-deduction-rules", "--scope", "NOPE"])
    assert unknown.exit_code != 0 and "找不到代码为「NOPE」的区域" in unknown.output


def test_the_deductions_export_holds_only_what_its_reader_may_read(world, session, login_as):
    """The world's three deductions: a1x's 班主任, a1y's 班主任, b1's 班主任."""
    extend(session, world)
    term = world.extra["term"].id

    def staff_of(username: str) -> list[str]:
        response = login_as(username).get(f"/admin/deduction/export.xlsx?term={term}")
        sheet = load_workbook(io.BytesIO(response.data)).active
        return [row[2].value for row in sheet.iter_rows(min_row=3)]

    assert staff_of("teacher_a1x") == ["a1x班主任"]
    assert staff_of("school_admin_a1y") == ["a1y班主任"]
    assert staff_of("inspector_a") == ["a1x班主任", "a1y班主任"]
