"""Issue 9, inspection rounds: a round is defined, its schools drawn (reproducibly), inspectors and
dates assigned (no inspector twice on a day), published, and each inspection's findings recorded
with figures filled from the data. Samples are computed here with hashlib alone.

World (tests/factories.py): city A has counties A1 (schools A1X, A1Y) and A2 (A2S); city B has B1
(B1S). inspector_a covers city A, inspector_b city B; this file adds inspector_a2 (city A) and
inspector_a1 (county A1 only).
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from bureau import clock
from bureau.inspection.findings import Findings, live_figures, record_findings
from bureau.inspection.models import Inspection, InspectionRound, SampleDraw
from bureau.inspection.rounds import RoundError, RoundInput, create_round, draw_round, publish, redraw_round, schedule
from bureau.progress.service import open_week
from bureau.tenants.guard import scoped
from bureau.tenants.scope import scope_for_user
from bureau.visits.models import Assignment, Visit
from tests.factories import make_user, stored

SEED = "20261120"
NOW = datetime(2026, 11, 20, 10, 0, tzinfo=clock.LOCAL)
START, END = date(2026, 12, 1), date(2026, 12, 18)
ALL_YES = {key: (True, "") for key in ("ledger", "assigned", "rectification", "publicity")}


def smallest(seed: str, codes: list[str], n: int) -> list[str]:
    return sorted(codes, key=lambda c: hashlib.sha256(f"{seed}:{c}".encode()).hexdigest())[:n]


@pytest.fixture
def people(session, world):
    world.users["inspector_a2"] = make_user(
        session, "inspector_a2", "inspector", world.regions["a"], display_name="王督学"
    )
    world.users["inspector_a1"] = make_user(
        session, "inspector_a1", "inspector", world.regions["a1"], display_name="赵督学"
    )
    world.users["inspector_a"].display_name = "李督学"
    session.commit()
    return world


def as_user(session, world, username="inspector_a"):
    return scoped(session, scope_for_user(world.users[username]))


def new_round(session, world, username="inspector_a", **changes) -> InspectionRound:
    fields = dict(name="2026年冬季督学检查", region=world.regions["a"], start_date=START, end_date=END, size_n=1)
    fields.update(changes)
    with clock.frozen_at(NOW), as_user(session, world, username):
        round_ = create_round(session, RoundInput(**fields), world.users[username])
        session.commit()
    return round_


def drawn_round(session, world, **changes) -> InspectionRound:
    round_ = new_round(session, world, **changes)
    with clock.frozen_at(NOW), as_user(session, world):
        draw_round(session, round_, SEED, world.users["inspector_a"])
        session.commit()
    return round_


def inspections(session, round_) -> dict[str, Inspection]:
    rows = session.scalars(select(Inspection).where(Inspection.round_id == round_.id))
    return {i.school.code: i for i in rows}


def refused(session, world, call, message: str, username="inspector_a"):
    with clock.frozen_at(NOW), as_user(session, world, username), pytest.raises(RoundError, match=message):
        call()
    session.rollback()


# --- defining a round -------------------------------------------------------------------------


def test_a_round_is_defined_within_the_inspectors_scope_with_one_size_rule(session, people):
    before = stored(select(func.count(InspectionRound.id)))
    u = people.users["inspector_a"]
    good = dict(name="冬查", region=people.regions["a"], start_date=START, end_date=END, size_n=1)
    cases = [
        ({"region": people.regions["b"]}, "管辖范围"),  # city B is not inspector_a's
        ({"region": people.regions["p"]}, "管辖范围"),  # nor the province above it
        ({"end_date": date(2026, 11, 30)}, "不能早于开始日期"),
        ({"end_date": date(2027, 12, 2)}, "最长一年"),  # 367 days, end day included
        ({"size_n": None}, "二者选一"),
        ({"size_percent": 30}, "二者选一"),  # both n and a percentage
        ({"name": "  "}, "名称"),
        ({"per": "village"}, "分层方式"),
        ({"exclude_recent": -1}, "轮数"),
    ]
    for change, message in cases:
        data = RoundInput(**{**good, **change})
        refused(session, people, lambda d=data: create_round(session, d, u), message)
    assert stored(select(func.count(InspectionRound.id))) == before == 0
    round_ = new_round(session, people, size_n=None, size_percent=50, unannounced=True)
    assert (round_.state, round_.size_percent, round_.unannounced) == ("draft", 50, True)


# --- drawing ----------------------------------------------------------------------------------


def test_drawing_a_round_makes_one_inspection_per_school_of_the_sample_computed_by_hand(session, people):
    round_ = drawn_round(session, people)
    # per county, n=1: county A1 draws one of A1X/A1Y, county A2 its only school A2S.
    expected = {smallest(SEED, ["A1X", "A1Y"], 1)[0], "A2S"}
    assert set(inspections(session, round_)) == expected
    draw = session.get(SampleDraw, round_.draw_id)
    assert (draw.seed, draw.params["round_id"], draw.sample_size) == (SEED, round_.id, 2)
    assert all(i.inspector_id is None and i.scheduled_on is None for i in inspections(session, round_).values())
    refused(session, people, lambda: draw_round(session, round_, "1", people.users["inspector_a"]), "重新抽取")


def test_a_percentage_is_rounded_up_per_county(session, people):
    # 30 % of A1's 2 schools is 0.6, rounded up to 1; of A2's one school 0.3 → 1.
    round_ = drawn_round(session, people, size_n=None, size_percent=30)
    assert len(inspections(session, round_)) == 2


def test_a_generated_seed_is_recorded_and_shown(session, people):
    round_ = new_round(session, people)
    with clock.frozen_at(NOW), as_user(session, people):
        draw = draw_round(session, round_, None, people.users["inspector_a"])
    assert draw.seed_generated and len(draw.seed) == 12


def test_schools_inspected_in_the_last_k_rounds_are_excluded(session, people):
    first = drawn_round(session, people, name="秋查")  # inspects A2S and one school of A1
    second = drawn_round(session, people, name="冬查", exclude_recent=1, size_n=2)
    # K=1: the schools of "秋查" are out; left: the other school of A1, none of A2.
    taken = set(inspections(session, first))
    assert set(inspections(session, second)) == {"A1X", "A1Y"} - taken


def test_a_redraw_needs_a_reason_replaces_the_inspections_and_keeps_the_old_draw(session, people):
    round_ = drawn_round(session, people, size_n=2)
    old = round_.draw_id
    u = people.users["inspector_a"]
    refused(session, people, lambda: redraw_round(session, round_, "777", " ", u), "理由")
    with clock.frozen_at(NOW), as_user(session, people):
        new = redraw_round(session, round_, "777", "原种子录入有误", u)
        session.commit()
    assert (new.replaces_id, new.reason, round_.draw_id) == (old, "原种子录入有误", new.id)
    assert session.get(SampleDraw, old) is not None  # both stay visible
    assert stored(select(func.count(Inspection.id)).where(Inspection.round_id == round_.id)) == 3  # all of A1, A2


def test_a_published_round_is_never_redrawn(session, people):
    round_ = scheduled_round(session, people)
    with clock.frozen_at(NOW), as_user(session, people):
        publish(session, round_)
        session.commit()
    u = people.users["inspector_a"]
    refused(session, people, lambda: redraw_round(session, round_, "9", "再抽", u), "已发布")


# --- scheduling -------------------------------------------------------------------------------


def scheduled_round(session, world, **changes) -> InspectionRound:
    """Drawn with seed SEED, n=1 per county; the A1 school and A2S on 12-03 and 12-04 by inspector_a."""
    round_ = drawn_round(session, world, **changes)
    u = world.users["inspector_a"]
    with clock.frozen_at(NOW), as_user(session, world):
        for day, inspection in zip(
            (date(2026, 12, 3), date(2026, 12, 4)), sorted_inspections(session, round_), strict=True
        ):
            schedule(session, inspection, u, day, "陈干事", u)
        session.commit()
    return round_


def sorted_inspections(session, round_) -> list[Inspection]:
    return [i for _, i in sorted(inspections(session, round_).items())]  # A1?, A2S


def test_a_date_lies_within_the_window_and_the_inspector_covers_the_school(session, people):
    round_ = drawn_round(session, people)
    a1_school, a2s = sorted_inspections(session, round_)
    u = people.users["inspector_a"]
    refused(session, people, lambda: schedule(session, a2s, u, date(2026, 11, 30), None, u), "时段内")
    refused(session, people, lambda: schedule(session, a2s, u, date(2026, 12, 19), None, u), "时段内")
    # inspector_a1 covers county A1 only: not A2S
    a1 = people.users["inspector_a1"]
    refused(session, people, lambda: schedule(session, a2s, a1, START, None, u), "管辖范围不含该校")
    refused(session, people, lambda: schedule(session, a2s, people.users["leader_a"], START, None, u), "督学")
    with clock.frozen_at(NOW), as_user(session, people):
        schedule(session, a1_school, a1, START, None, u)  # A1's school is in his county
        schedule(session, a2s, u, END, None, u)  # the window's last day is in it
        session.commit()
    assert stored(select(Inspection.scheduled_on).where(Inspection.id == a2s.id)) == END


def test_no_inspector_is_booked_twice_on_a_day_the_message_names_the_other_school(session, people):
    round_ = scheduled_round(session, people)
    a1_school, a2s = sorted_inspections(session, round_)
    u = people.users["inspector_a"]
    # inspector_a is at the A1 school on 12-03: A2S on 12-03 too is refused, naming it
    refused(session, people, lambda: schedule(session, a2s, u, date(2026, 12, 3), None, u), a1_school.school.name)
    # the same day in another round counts as well
    other = drawn_round(session, people, name="专项检查", size_n=2)
    twin = inspections(session, other)[a1_school.school.code]
    refused(session, people, lambda: schedule(session, twin, u, date(2026, 12, 3), None, u), "一天只能检查一所学校")
    # another inspector that day is fine
    with clock.frozen_at(NOW), as_user(session, people):
        schedule(session, twin, people.users["inspector_a2"], date(2026, 12, 3), None, u)
        session.commit()


def test_the_database_refuses_a_double_booking_too(session, people):
    round_ = scheduled_round(session, people)
    _, a2s = sorted_inspections(session, round_)
    a2s.scheduled_on = date(2026, 12, 3)  # past the service: the unique index answers
    with pytest.raises(IntegrityError):
        session.flush()
    session.rollback()


def test_publishing_needs_every_inspector_and_date_then_dates_may_still_move(session, people):
    round_ = drawn_round(session, people)
    first, second = sorted_inspections(session, round_)
    u = people.users["inspector_a"]
    with clock.frozen_at(NOW), as_user(session, people):
        schedule(session, first, u, date(2026, 12, 3), None, u)
        session.commit()
    refused(session, people, lambda: publish(session, round_), f"未安排督学或日期：{second.school.name}")
    assert stored(select(InspectionRound.state).where(InspectionRound.id == round_.id)) == "draft"
    with clock.frozen_at(NOW), as_user(session, people):
        schedule(session, second, people.users["inspector_a2"], date(2026, 12, 3), None, u)
        publish(session, round_)
        session.commit()
    assert round_.state == "published" and round_.published_at is not None
    refused(session, people, lambda: publish(session, round_), "已发布")
    refused(session, people, lambda: schedule(session, second, None, None, None, u), "须有督学和日期")
    refused(session, people, lambda: schedule(session, second, u, date(2026, 12, 3), None, u), "一天只能")
    with clock.frozen_at(NOW), as_user(session, people):
        schedule(session, second, u, date(2026, 12, 10), None, u)
        session.commit()
    assert stored(select(Inspection.scheduled_on).where(Inspection.id == second.id)) == date(2026, 12, 10)


# --- findings ---------------------------------------------------------------------------------


@pytest.fixture
def a1x_round(session, people):
    """A published round of all three schools of city A (n=2 per county): A1X and A1Y on 12-03 and
    12-04 by inspector_a, A2S on 12-03 by inspector_a2. Returns A1X's inspection."""
    round_ = drawn_round(session, people, size_n=2)  # all three schools of city A
    by_code = inspections(session, round_)
    u = people.users["inspector_a"]
    with clock.frozen_at(NOW), as_user(session, people):
        for day, code, who in ((3, "A1X", "inspector_a"), (4, "A1Y", "inspector_a"), (3, "A2S", "inspector_a2")):
            schedule(session, by_code[code], people.users[who], date(2026, 12, day), None, u)
        publish(session, round_)
        session.commit()
    return by_code["A1X"]


ON_THE_DAY = datetime(2026, 12, 3, 9, 0, tzinfo=clock.LOCAL)


def test_the_figures_come_from_the_data(session, people, a1x_round):
    # The term in force on 12-03 is the 周调度 campaign's (begun 09-07, after the visits' term):
    # move A1X's two visits into it. A1X: 4 active students, students 0 and 3 visited → 2/4 = 50 %;
    # both visits pending → 2; week 2026-W37 is the campaign's one opened week, A1X on time → 1/1;
    # both classes have 包保 → 0 without. Ending class 五(2)'s 包保 leaves its one student (3).
    # Week 2026-W49 (11-30..12-06) is opened too, its deadline (Thursday 12-03 17:00) still ahead at
    # 09:00: an open week counts for nobody yet, so the rate stays 1/1, not 1/2.
    campaign = people.extra["progress_campaign"]
    open_week(session, campaign, date(2026, 11, 30), datetime(2026, 11, 30, 0, 1, tzinfo=clock.LOCAL))
    for visit in people.extra["visits_a1x"]:
        visit.term_id = campaign.term_id
    session.commit()
    with as_user(session, people):
        assert live_figures(session, a1x_round, ON_THE_DAY) == {
            "coverage": 0.5,
            "pending": 2,
            "on_time": 1.0,
            "unassigned": 0,
        }
    class_2 = people.extra["students_a1x"][3].class_id
    session.scalar(select(Assignment).where(Assignment.class_id == class_2)).end_date = date(2026, 11, 1)
    people.extra["visits_a1x"][0].status = "approved"
    session.commit()
    with as_user(session, people):
        figures = live_figures(session, a1x_round, ON_THE_DAY)
    assert (figures["pending"], figures["unassigned"]) == (1, 1)


def test_a1y_missed_its_weekly_report_so_its_on_time_rate_is_zero(session, people, a1x_round):
    a1y = inspections(session, a1x_round.round)["A1Y"]
    with as_user(session, people):
        figures = live_figures(session, a1y, ON_THE_DAY)
    # W37: A1Y expected and missing → 0/1; no visits in the campaign's term → 0/4
    assert (figures["on_time"], figures["coverage"]) == (0.0, 0.0)


def test_findings_wait_for_the_day_and_completing_needs_every_item_and_a_verdict(session, people, a1x_round):
    u = people.users["inspector_a"]
    before_day = datetime(2026, 12, 2, 23, 59, tzinfo=clock.LOCAL)
    full = Findings(ALL_YES, "台账齐全", "good")
    with clock.frozen_at(before_day), as_user(session, people), pytest.raises(RoundError, match="未到"):
        record_findings(session, a1x_round, full, u, before_day, complete=True)
    session.rollback()
    half = Findings({"ledger": (True, "")}, "", "good")
    with as_user(session, people), pytest.raises(RoundError, match="包保落实到人"):
        record_findings(session, a1x_round, half, u, ON_THE_DAY, complete=True)
    session.rollback()
    with as_user(session, people), pytest.raises(RoundError, match="结论"):
        record_findings(session, a1x_round, Findings(ALL_YES, "", None), u, ON_THE_DAY, complete=True)
    session.rollback()
    with as_user(session, people):  # a draft of the findings may be saved half done
        record_findings(session, a1x_round, half, u, ON_THE_DAY)
        session.commit()
    assert stored(select(Inspection.state).where(Inspection.id == a1x_round.id)) == "scheduled"
    # any inspector in scope may complete it, not only the assigned one
    with as_user(session, people, "inspector_a2"):
        record_findings(session, a1x_round, full, people.users["inspector_a2"], ON_THE_DAY, complete=True)
        session.commit()
    done = session.get(Inspection, a1x_round.id)
    assert (done.state, done.verdict, done.completed_by_id) == ("completed", "good", people.users["inspector_a2"].id)
    assert set(done.figures) == {"coverage", "pending", "on_time", "unassigned"}
    assert done.checklist["ledger"] == {"ok": True, "remark": ""}
    # completed is final
    with as_user(session, people), pytest.raises(RoundError, match="已完成"):
        record_findings(session, done, Findings(ALL_YES, "改", "fail"), u, ON_THE_DAY, complete=True)
    session.rollback()
    with as_user(session, people), pytest.raises(RoundError, match="已完成"):
        schedule(session, done, u, date(2026, 12, 9), None, u)
    session.rollback()
    assert stored(select(Inspection.verdict).where(Inspection.id == a1x_round.id)) == "good"


def test_an_inspector_of_another_city_cannot_touch_the_round(session, people, a1x_round):
    from bureau.tenants.guard import TenantViolation

    with as_user(session, people, "inspector_b"), pytest.raises(TenantViolation):
        record_findings(
            session, a1x_round, Findings(ALL_YES, "", "good"), people.users["inspector_b"], ON_THE_DAY, True
        )
    session.rollback()
    assert stored(select(Visit.id).limit(1)) is not None
    assert stored(select(Inspection.state).where(Inspection.id == a1x_round.id)) == "scheduled"
