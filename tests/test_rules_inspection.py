"""Rule tests of the inspection services (rounds, findings), each written for a mutant that
survived the existing tests (docs/mutants.md): the figures' text, the checklist's remarks and
their 200-character bound, the photos of an inspection (six at most, its own counted, where they
are stored).

World (tests/factories.py): county A1 of city A has schools A1X and A1Y, county A2 has A2S, city B
has B1S. inspector_a covers city A. `published` is a round of county A1 drawing both its schools
(n=2): A1X on 12-03 and A1Y on 12-04, both by inspector_a, published.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from bureau import clock
from bureau.inspection.findings import Findings, add_photos, figure_text, findings_row, live_figures, record_findings
from bureau.inspection.models import Inspection, InspectionPhoto, InspectionRound, SampleDraw
from bureau.inspection.rounds import (
    RoundError,
    RoundInput,
    create_round,
    day_text,
    draw_round,
    in_month,
    inspector_names,
    inspectors_for,
    month_days,
    publish,
    redraw_round,
    round_inspections,
    schedule,
    schedule_rows,
    size_label,
    state_label,
    state_of,
    upcoming,
)
from bureau.progress.service import open_week, submit
from bureau.tenants.guard import scoped
from bureau.tenants.scope import scope_for_user
from bureau.visits.models import Campaign, Term
from bureau.visits.records import PhotoUpload
from tests.factories import make_school, make_user, stored
from tests.world_progress import FIELDS

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=clock.LOCAL)
ON_THE_DAY = datetime(2026, 12, 3, 9, 0, tzinfo=clock.LOCAL)
ALL_YES = {key: (True, "") for key in ("ledger", "assigned", "rectification", "publicity")}


def as_inspector(session, world, username="inspector_a"):
    return scoped(session, scope_for_user(world.users[username]))


def a1_round(session, world, name="冬查", published=True, days=(3, 4)) -> dict[str, Inspection]:
    """A round of county A1 (n=2: A1X and A1Y), A1X on 12-03 and A1Y on 12-04 (`days`) by inspector_a."""
    u = world.users["inspector_a"]
    with clock.frozen_at(NOW), as_inspector(session, world):
        data = RoundInput(name, world.regions["a1"], date(2026, 12, 1), date(2026, 12, 18), size_n=2)
        round_ = create_round(session, data, u)
        draw_round(session, round_, "7", u)
        found = {i.school.code: i for i in session.scalars(select(Inspection).where(Inspection.round_id == round_.id))}
        schedule(session, found["A1X"], u, date(2026, 12, days[0]), None, u)
        schedule(session, found["A1Y"], u, date(2026, 12, days[1]), None, u)
        if published:
            publish(session, round_)
        session.commit()
    return found


@pytest.fixture
def published(session, world) -> dict[str, Inspection]:
    return a1_round(session, world)


def refused_as(session, world, message: str, call):
    with as_inspector(session, world), pytest.raises(RoundError) as caught:
        call()
    session.rollback()
    assert str(caught.value) == message


# --- findings: the figures, the checklist ------------------------------------------------------


def test_a_figure_reads_as_a_percentage_a_count_or_a_dash():
    assert figure_text("coverage", 0.5) == "50.0%"
    assert figure_text("on_time", 0.125) == "12.5%"
    assert figure_text("pending", 2) == "2"
    assert figure_text("unassigned", 0) == "0"
    assert figure_text("coverage", None) == "—"
    assert figure_text("pending", None) == "—"


def test_a_remark_is_stored_trimmed_and_an_unanswered_item_with_no_remark(session, world, published):
    a1x = published["A1X"]
    draft = Findings({"ledger": (False, "  缺少三月台账 "), "assigned": (True, None)})
    with as_inspector(session, world):
        record_findings(session, a1x, draft, world.users["inspector_a"], ON_THE_DAY)
        session.commit()
    checklist = stored(select(Inspection.checklist).where(Inspection.id == a1x.id))
    assert checklist == {
        "ledger": {"ok": False, "remark": "缺少三月台账"},
        "assigned": {"ok": True, "remark": ""},
        "rectification": {"ok": None, "remark": ""},
        "publicity": {"ok": None, "remark": ""},
    }


def test_a_remark_is_at_most_200_characters(session, world, published):
    a1x, u = published["A1X"], world.users["inspector_a"]
    too_long = Findings({**ALL_YES, "ledger": (True, "账" * 201)})
    refused_as(
        session,
        world,
        "「家访台账完整」的说明最长 200 个字。",
        lambda: record_findings(session, a1x, too_long, u, ON_THE_DAY),
    )
    with as_inspector(session, world):
        record_findings(session, a1x, Findings({**ALL_YES, "ledger": (True, "账" * 200)}), u, ON_THE_DAY)
        session.commit()
    assert stored(select(Inspection.checklist).where(Inspection.id == a1x.id))["ledger"]["remark"] == "账" * 200


def test_findings_are_refused_with_the_reason_before_publishing_before_the_day_and_once_completed(
    session, world, published
):
    u = world.users["inspector_a"]
    full = Findings(ALL_YES, "", "good")
    draft = a1_round(session, world, "草稿", published=False, days=(1, 2))["A1X"]
    refused_as(session, world, "检查轮次尚未发布。", lambda: record_findings(session, draft, full, u, ON_THE_DAY))
    a1y = published["A1Y"]  # 12-04, not yet on 12-03
    refused_as(
        session,
        world,
        "检查日期（12月4日）未到，还不能记录检查结果。",
        lambda: record_findings(session, a1y, full, u, ON_THE_DAY),
    )
    a1x = published["A1X"]
    with clock.frozen_at(ON_THE_DAY), as_inspector(session, world):
        record_findings(session, a1x, full, u, ON_THE_DAY, complete=True)
        session.commit()
    refused_as(
        session, world, "检查已完成，结果不能再修改。", lambda: record_findings(session, a1x, full, u, ON_THE_DAY)
    )


def test_notes_are_at_most_5000_characters_and_completing_needs_a_verdict(session, world, published):
    a1x, u = published["A1X"], world.users["inspector_a"]
    long_notes = Findings(ALL_YES, "记" * 5001)
    refused_as(
        session, world, "检查记录最长 5000 个字。", lambda: record_findings(session, a1x, long_notes, u, ON_THE_DAY)
    )
    no_verdict = Findings(ALL_YES, "", None)
    refused_as(
        session,
        world,
        "请选择检查结论。",
        lambda: record_findings(session, a1x, no_verdict, u, ON_THE_DAY, complete=True),
    )
    with as_inspector(session, world):
        record_findings(session, a1x, Findings(ALL_YES, "记" * 5000), u, ON_THE_DAY)
        session.commit()
    assert len(stored(select(Inspection.notes).where(Inspection.id == a1x.id))) == 5000


def test_completing_records_when_and_no_notes_are_stored_as_none(session, world, published):
    a1x, u = published["A1X"], world.users["inspector_a"]
    with as_inspector(session, world):
        record_findings(session, a1x, Findings(ALL_YES, None, "pass"), u, ON_THE_DAY, complete=True)
        session.commit()
    done = session.get(Inspection, a1x.id)
    session.refresh(done)
    assert (done.notes, done.verdict, done.completed_at) == (None, "pass", ON_THE_DAY)


def test_a_figure_with_no_data_behind_it_is_none(session, world, published):
    a1x = published["A1X"]
    # 2026-08-01: no term has begun (the world's terms begin 09-01 and 09-07): no coverage, no rate
    before_terms = datetime(2026, 8, 1, 9, 0, tzinfo=clock.LOCAL)
    with as_inspector(session, world):
        figures = live_figures(session, a1x, before_terms)
    assert (figures["coverage"], figures["on_time"]) == (None, None)
    # an inactive school is in no coverage row
    world.schools["a1x"].active = False
    session.commit()
    with as_inspector(session, world):
        assert live_figures(session, a1x, ON_THE_DAY)["coverage"] is None


def test_no_pending_record_is_a_figure_of_zero(session, world, published):
    for visit in world.extra["visits_a1x"]:  # A1X's two pending records
        visit.status = "approved"
    session.commit()
    with as_inspector(session, world):
        assert live_figures(session, published["A1X"], ON_THE_DAY)["pending"] == 0


def test_the_findings_export_row_of_a_completed_and_of_a_scheduled_inspection(session, world, published):
    # A1X on 12-03: its 4 students' two visits are in the visits' term, not the term in force (the
    # campaign's) → coverage 0/4; both visits pending → 2; W37 reported on time → 1/1; both classes
    # have 包保 → 0.
    a1x, u = published["A1X"], world.users["inspector_a"]
    items = {**ALL_YES, "ledger": (False, "缺少三月台账")}
    with as_inspector(session, world):
        record_findings(session, a1x, Findings(items, "台账基本齐全", "good"), u, ON_THE_DAY, complete=True)
        session.commit()
    done = session.get(Inspection, a1x.id)
    assert findings_row(done) == [
        "冬查",
        date(2026, 12, 3),
        "甲一区实验小学",
        "甲市一区",
        "inspector_a",
        "已完成",
        0.0,
        2,
        1.0,
        0,
        "否",
        "缺少三月台账",
        "是",
        "",
        "是",
        "",
        "是",
        "",
        "台账基本齐全",
        "良好",
        datetime(2026, 12, 3, 9, 0),
    ]
    a1y = session.get(Inspection, published["A1Y"].id)
    assert findings_row(a1y) == ["冬查", date(2026, 12, 4), "甲一区第二小学", "甲市一区", "inspector_a", "待检查"] + [
        None
    ] * 4 + [""] * 8 + ["", "", None]


# --- findings: the on-time figure reads the school's latest begun campaign of the term ----------


def campaign(session, world, region: str, start: date, term: Term, name: str) -> Campaign:
    row = Campaign(
        name=name,
        region=world.regions[region],
        term=term,
        start_date=start,
        end_date=date(2027, 1, 10),
        coverage_deadline=date(2027, 1, 10),
        report_weekday=3,
        report_time=world.extra["progress_campaign"].report_time,
    )
    session.add(row)
    session.flush()
    return row


def reported_week(session, world, row: Campaign, week: date, a1x_reports: bool) -> None:
    """Open `week` (a Monday) of `row`; A1X reports on its Tuesday (on time), or not at all."""
    open_week(session, row, week, datetime.combine(week, datetime.min.time(), clock.LOCAL))
    if a1x_reports:
        tuesday = datetime(week.year, week.month, week.day + 1, 9, 0, tzinfo=clock.LOCAL)
        submit(session, world.schools["a1x"].id, row, week, FIELDS, tuesday)


def on_time_on_the_day(session, world, inspection) -> float | None:
    with as_inspector(session, world):
        return live_figures(session, inspection, ON_THE_DAY)["on_time"]


def test_the_on_time_rate_is_the_latest_begun_campaigns_of_the_term(session, world, published):
    # The term in force on 12-03 is the world's 周调度 campaign's (begun 09-07, A1X on time in its
    # one opened week: 1/1). Two more campaigns of that term over city A: one begun 11-02 (entered
    # first; A1X missing its week: 0/1), one begun 10-05 (entered last; A1X on time: 1/1). The one
    # begun last is read, whatever the order of entry: 0/1.
    term = world.extra["progress_campaign"].term
    assert on_time_on_the_day(session, world, published["A1X"]) == 1.0
    later = campaign(session, world, "a", date(2026, 11, 2), term, "十一月调度")
    earlier = campaign(session, world, "a", date(2026, 10, 5), term, "十月调度")
    reported_week(session, world, later, date(2026, 11, 2), a1x_reports=False)
    reported_week(session, world, earlier, date(2026, 10, 5), a1x_reports=True)
    session.commit()
    assert on_time_on_the_day(session, world, published["A1X"]) == 0.0


def test_of_two_campaigns_begun_the_same_day_the_one_entered_last_is_read(session, world, published):
    term = world.extra["progress_campaign"].term
    first = campaign(session, world, "a", date(2026, 11, 2), term, "调度一")
    last = campaign(session, world, "a", date(2026, 11, 2), term, "调度二")
    reported_week(session, world, first, date(2026, 11, 2), a1x_reports=False)  # 0/1
    reported_week(session, world, last, date(2026, 11, 2), a1x_reports=True)  # 1/1
    session.commit()
    assert on_time_on_the_day(session, world, published["A1X"]) == 1.0


def test_a_campaign_of_another_term_or_not_yet_begun_is_not_read(session, world, published):
    # The visits' term (09-01..01-31) is not the one in force (the campaign's, begun later): its
    # campaign begun 11-16 is not read; nor a campaign of the term beginning 12-07, after the day.
    visits_term = session.scalar(select(Term).where(Term.name == "2026-2027学年第一学期"))
    other = campaign(session, world, "a", date(2026, 11, 16), visits_term, "另一学期的调度")
    reported_week(session, world, other, date(2026, 11, 16), a1x_reports=False)  # 0/1 if it were read
    future = campaign(session, world, "a", date(2026, 12, 7), world.extra["progress_campaign"].term, "下周调度")
    session.commit()
    assert future.start_date > ON_THE_DAY.date()
    assert on_time_on_the_day(session, world, published["A1X"]) == 1.0  # the world's campaign: 1/1


def test_a_campaign_begun_on_the_day_is_read_with_no_week_closed_yet(session, world, published):
    campaign(session, world, "a", ON_THE_DAY.date(), world.extra["progress_campaign"].term, "今日开始的调度")
    session.commit()
    assert on_time_on_the_day(session, world, published["A1X"]) is None


def test_a_term_with_no_campaign_over_the_school_has_no_rate(session, world, published):
    # a term of its own in force on 2027-03-01, with no campaign: no on-time rate (the coverage of
    # its 4 students is 0/4)
    session.add(Term(name="2026-2027学年第二学期", start_date=date(2027, 2, 20), end_date=date(2027, 7, 10)))
    session.commit()
    with as_inspector(session, world):
        figures = live_figures(session, published["A1X"], datetime(2027, 3, 1, 9, 0, tzinfo=clock.LOCAL))
    assert (figures["on_time"], figures["coverage"]) == (None, 0.0)


# --- findings: photos ---------------------------------------------------------------------------


def photos(n: int) -> list[PhotoUpload]:
    return [PhotoUpload(f"photo {i}".encode(), "image/jpeg", "jpg") for i in range(n)]


def stored_photos(session, inspection) -> list[InspectionPhoto]:
    return list(session.scalars(select(InspectionPhoto).where(InspectionPhoto.inspection_id == inspection.id)))


def test_an_inspections_photos_are_stored_under_its_school_as_inspection_photos_at_the_time_given(
    session, world, published, tmp_path
):
    a1x = published["A1X"]
    with as_inspector(session, world):
        rows = add_photos(session, a1x, photos(2), str(tmp_path), ON_THE_DAY)
        session.commit()
    assert len(rows) == 2
    for i, row in enumerate(sorted(stored_photos(session, a1x), key=lambda r: r.id)):
        assert re.fullmatch(rf"{a1x.school_id}/inspection-[0-9a-f]{{32}}\.jpg", row.path), row.path
        assert (tmp_path / Path(row.path)).read_bytes() == f"photo {i}".encode()
        assert (row.school_id, row.content_type, row.size) == (a1x.school_id, "image/jpeg", 7)
        assert row.uploaded_at == ON_THE_DAY  # the request's time, as given (an aware instant)


def test_an_inspection_takes_six_photos_counting_its_own_only(session, world, published, tmp_path):
    a1x, a1y = published["A1X"], published["A1Y"]
    on_a1y_day = datetime(2026, 12, 4, 9, 0, tzinfo=clock.LOCAL)
    with as_inspector(session, world):
        add_photos(session, a1y, photos(3), str(tmp_path), on_a1y_day)  # another inspection's: not counted
        add_photos(session, a1x, photos(5), str(tmp_path), on_a1y_day)
        session.commit()
    refused_as(
        session,
        world,
        "每次检查最多上传 6 张照片（已有 5 张）。",
        lambda: add_photos(session, a1x, photos(2), str(tmp_path), on_a1y_day),
    )
    with as_inspector(session, world):
        add_photos(session, a1x, photos(1), str(tmp_path), on_a1y_day)  # the sixth
        session.commit()
    assert len(stored_photos(session, a1x)) == 6


def test_six_photos_may_come_at_once_seven_never(session, world, published, tmp_path):
    a1x = published["A1X"]
    refused_as(
        session,
        world,
        "每次检查最多上传 6 张照片（已有 0 张）。",
        lambda: add_photos(session, a1x, photos(7), str(tmp_path), ON_THE_DAY),
    )
    with as_inspector(session, world):
        add_photos(session, a1x, photos(6), str(tmp_path), ON_THE_DAY)
        session.commit()
    assert len(stored_photos(session, a1x)) == 6


# --- rounds: labels, the calendar's month ---------------------------------------------------------


def test_a_rounds_size_and_state_read_in_words():
    assert size_label(InspectionRound(per="county", size_n=2, size_percent=None)) == "每县(市、区) 2 所"
    assert size_label(InspectionRound(per="city", size_n=None, size_percent=30)) == "每市 30%（向上取整）"
    assert size_label(InspectionRound(per="school", size_n=1, size_percent=None)) == "每学校 1 所"
    assert state_label(InspectionRound(state="draft")) == "未发布"
    assert state_label(InspectionRound(state="published")) == "已发布"


def test_a_month_is_its_weeks_monday_first_with_the_days_outside_it_blank():
    # December 2026 begins on a Tuesday and has 31 days: 5 weeks, one blank before, three after
    assert month_days(date(2026, 12, 17)) == [
        [None] + [date(2026, 12, d) for d in range(1, 7)],
        [date(2026, 12, d) for d in range(7, 14)],
        [date(2026, 12, d) for d in range(14, 21)],
        [date(2026, 12, d) for d in range(21, 28)],
        [date(2026, 12, d) for d in range(28, 32)] + [None] * 3,
    ]
    # November 2026 begins on a Sunday: six blanks before, 6 weeks; February 2027, a Monday: 4 full weeks
    november = month_days(date(2026, 11, 30))
    assert len(november) == 6 and november[0] == [None] * 6 + [date(2026, 11, 1)]
    assert november[-1] == [date(2026, 11, 30)] + [None] * 6
    assert month_days(date(2027, 2, 1)) == [[date(2027, 2, 7 * w + d) for d in range(1, 8)] for w in range(4)]


# --- rounds: redrawing ------------------------------------------------------------------------------


def test_a_redraw_is_refused_with_its_reason(session, world, published):
    u = world.users["inspector_a"]
    done = session.get(InspectionRound, published["A1X"].round_id)
    refused_as(session, world, "检查轮次已发布，不能重新抽取。", lambda: redraw_round(session, done, "1", "再抽", u))
    with clock.frozen_at(NOW), as_inspector(session, world):
        undrawn = create_round(
            session, RoundInput("未抽", world.regions["a1"], date(2026, 12, 1), date(2026, 12, 18), size_n=1), u
        )
        session.commit()
    refused_as(session, world, "本轮尚未抽取学校。", lambda: redraw_round(session, undrawn, "1", "再抽", u))
    draft = session.get(InspectionRound, a1_round(session, world, "草稿", published=False, days=(1, 2))["A1X"].round_id)
    refused_as(session, world, "重新抽取须说明理由。", lambda: redraw_round(session, draft, "1", None, u))
    refused_as(session, world, "重新抽取须说明理由。", lambda: redraw_round(session, draft, "1", " ", u))
    refused_as(session, world, "理由最长 500 个字。", lambda: redraw_round(session, draft, "1", "理" * 501, u))


def test_a_redraw_keeps_the_seed_typed_who_drew_and_a_500_character_reason(session, world):
    u = world.users["inspector_a"]
    draft = session.get(InspectionRound, a1_round(session, world, "草稿", published=False)["A1X"].round_id)
    with clock.frozen_at(NOW), as_inspector(session, world):
        draw = redraw_round(session, draft, "20261202", " " + "理" * 500 + " ", u)
        session.commit()
    row = session.get(SampleDraw, draw.id)
    assert (row.seed, row.seed_generated, row.drawn_by_id, row.reason) == ("20261202", False, u.id, "理" * 500)


# --- rounds: what each user sees -----------------------------------------------------------------


def three_rounds(session, world) -> None:
    """The published round (A1X 12-03, A1Y 12-04), a draft (A1X 12-01, A1Y 12-02) and a second
    published round (A1X 12-09, A1Y 12-08), entered in that order: six inspections, all inspector_a's."""
    a1_round(session, world, "草稿", published=False, days=(1, 2))
    a1_round(session, world, "复查", days=(9, 8))


def seen(inspections) -> list[tuple[str, str, date]]:
    return [(i.round.name, i.school.code, i.scheduled_on) for i in inspections]


def test_upcoming_lists_five_scheduled_inspections_from_today_soonest_first(session, world, published):
    three_rounds(session, world)
    with as_inspector(session, world):
        assert seen(upcoming(session, date(2026, 12, 1))) == [
            ("草稿", "A1X", date(2026, 12, 1)),
            ("草稿", "A1Y", date(2026, 12, 2)),
            ("冬查", "A1X", date(2026, 12, 3)),
            ("冬查", "A1Y", date(2026, 12, 4)),
            ("复查", "A1Y", date(2026, 12, 8)),
        ]  # the sixth, 12-09, is past the five
        record_findings(
            session, published["A1X"], Findings(ALL_YES, "", "good"), world.users["inspector_a"], ON_THE_DAY, True
        )
        session.commit()
        # from 12-03: not the draft's past days, not A1X's completed one
        assert seen(upcoming(session, date(2026, 12, 3))) == [
            ("冬查", "A1Y", date(2026, 12, 4)),
            ("复查", "A1Y", date(2026, 12, 8)),
            ("复查", "A1X", date(2026, 12, 9)),
        ]


def test_a_months_inspections_by_day_from_its_first_to_its_last(session, world, published):
    three_rounds(session, world)
    # move the published A1Y to 11-30 and the draft's A1Y to 2027-01-01: outside December
    published["A1Y"].scheduled_on = date(2026, 11, 30)
    draft_a1y = session.scalar(
        select(Inspection)
        .join(InspectionRound)
        .where(InspectionRound.name == "草稿", Inspection.scheduled_on == date(2026, 12, 2))
    )
    draft_a1y.scheduled_on = date(2027, 1, 1)
    session.commit()
    with as_inspector(session, world):
        december = in_month(session, date(2026, 12, 17))
    assert [(day, seen(rows)) for day, rows in december.items()] == [
        (date(2026, 12, 1), [("草稿", "A1X", date(2026, 12, 1))]),
        (date(2026, 12, 3), [("冬查", "A1X", date(2026, 12, 3))]),
        (date(2026, 12, 8), [("复查", "A1Y", date(2026, 12, 8))]),
        (date(2026, 12, 9), [("复查", "A1X", date(2026, 12, 9))]),
    ]


def test_an_inspector_without_a_display_name_is_named_by_username(session, world, published):
    world.users["inspector_a"].display_name = ""
    session.commit()
    with as_inspector(session, world):
        assert inspector_names(session, [published["A1X"]]) == {published["A1X"].id: "inspector_a"}


def test_the_schedule_export_row_names_the_inspector_and_companions(session, world, published):
    a1x = published["A1X"]
    with clock.frozen_at(NOW), as_inspector(session, world):
        schedule(session, a1x, world.users["inspector_a"], date(2026, 12, 3), " 陈干事 ", world.users["inspector_a"])
        session.commit()
    rows = list(schedule_rows([a1x, published["A1Y"]]))
    assert rows == [
        [date(2026, 12, 3), "甲一区实验小学", "甲市一区", "inspector_a", "陈干事", "待检查"],
        [date(2026, 12, 4), "甲一区第二小学", "甲市一区", "inspector_a", "", "待检查"],
    ]


def test_a_rounds_inspections_by_date_then_school_the_unscheduled_last(session, world, published):
    u = world.users["inspector_a"]
    with clock.frozen_at(NOW), as_inspector(session, world):
        data = RoundInput("全市", world.regions["a"], date(2026, 12, 1), date(2026, 12, 18), size_n=2)
        round_ = create_round(session, data, u)
        draw_round(session, round_, "1", u)  # all three schools of city A, entered A1Y, A1X, A2S
        found = {i.school.code: i for i in round_inspections(session, round_)}
        assert [i.school.code for i in round_inspections(session, round_)] == ["A1X", "A1Y", "A2S"]
        schedule(session, found["A2S"], u, date(2026, 12, 10), None, u)
        assert [i.school.code for i in round_inspections(session, round_)] == ["A2S", "A1X", "A1Y"]
        schedule(session, found["A1Y"], u, date(2026, 12, 11), None, u)
        assert [i.school.code for i in round_inspections(session, round_)] == ["A2S", "A1Y", "A1X"]
        session.rollback()


def test_publishing_twice_is_refused_and_a_drafts_inspection_reads_as_unpublished(session, world, published):
    done = session.get(InspectionRound, published["A1X"].round_id)
    refused_as(session, world, "检查轮次已发布。", lambda: publish(session, done))
    draft = a1_round(session, world, "草稿", published=False, days=(1, 2))["A1X"]
    assert (state_of(draft), state_of(session.get(Inspection, published["A1X"].id))) == ("未发布", "待检查")


def test_publishing_names_the_first_five_schools_without_an_inspector_or_a_date(session, world):
    # a sixth school (A1Z) and a province inspector: a round of the province, 100 % per county, draws
    # all six schools, listed by code: A1X, A1Y, A1Z, A2S, B1S, DS
    make_school(session, "A1Z", "甲一区第三小学", world.regions["a1"], stage="小学")
    u = make_user(session, "inspector_p", "inspector", world.regions["p"])
    session.commit()
    with clock.frozen_at(NOW), scoped(session, scope_for_user(u)):
        undrawn = create_round(
            session, RoundInput("省查", world.regions["p"], date(2026, 12, 1), date(2026, 12, 18), size_percent=100), u
        )
        with pytest.raises(RoundError) as caught:
            publish(session, undrawn)
        assert str(caught.value) == "本轮尚未抽取学校，不能发布。"
        draw_round(session, undrawn, "3", u)
        found = {i.school.code: i for i in round_inspections(session, undrawn)}
        names = "甲一区实验小学、甲一区第二小学、甲一区第三小学、甲二县中学、乙一县小学"
        with pytest.raises(RoundError) as caught:
            publish(session, undrawn)
        assert str(caught.value) == f"还有学校未安排督学或日期：{names} 等 6 所。"
        schedule(session, found["DS"], u, date(2026, 12, 1), None, u)
        with pytest.raises(RoundError) as caught:
            publish(session, undrawn)
        assert str(caught.value) == f"还有学校未安排督学或日期：{names}。"
        for day, code in enumerate(("A1X", "A1Y", "A2S", "B1S"), start=2):
            schedule(session, found[code], u, date(2026, 12, day), None, u)
        schedule(session, found["A1Z"], u, None, None, u)  # an inspector, no date yet: still missing
        with pytest.raises(RoundError) as caught:
            publish(session, undrawn)
        assert str(caught.value) == "还有学校未安排督学或日期：甲一区第三小学。"
        session.rollback()


def test_the_schedule_names_the_inspector_by_display_name_and_none_when_unassigned(session, world, published):
    world.users["inspector_a"].display_name = "李督学"
    session.commit()
    draft = a1_round(session, world, "草稿", published=False, days=(1, 2))
    with clock.frozen_at(NOW), as_inspector(session, world):
        schedule(session, draft["A1Y"], None, None, None, world.users["inspector_a"])
        session.commit()
    assert [row[3] for row in schedule_rows([published["A1X"], draft["A1Y"]])] == ["李督学", ""]


def test_the_inspectors_offered_for_a_school_are_the_active_ones_covering_it_by_name(session, world):
    # for A1X: inspector_a (city A) and two of county A1, 王 entered before 李 with the same name as
    # another 李; not inspector_b (city B), an inactive one, nor a leader of city A
    make_user(session, "inspector_wang", "inspector", world.regions["a1"], display_name="王督学")
    make_user(session, "inspector_li", "inspector", world.regions["a1"], display_name="李督学")
    make_user(session, "inspector_li2", "inspector", world.regions["a1"], display_name="李督学")
    make_user(session, "inspector_gone", "inspector", world.regions["a1"], display_name="丁督学").active = False
    session.commit()
    with as_inspector(session, world):
        offered = [u.username for u in inspectors_for(session, world.schools["a1x"])]
    assert offered == ["inspector_a", "inspector_li", "inspector_li2", "inspector_wang"]  # "inspector_a" < "李" < "王"


def test_a_day_reads_as_month_and_day_and_no_day_as_nothing():
    assert (day_text(date(2026, 12, 3)), day_text(None)) == ("12月3日", "")


def test_rescheduling_an_inspection_on_its_own_day_is_no_double_booking(session, world, published):
    a1x, u = published["A1X"], world.users["inspector_a"]
    with clock.frozen_at(NOW), as_inspector(session, world):
        schedule(session, a1x, u, date(2026, 12, 3), "陈干事", u)  # the same inspector and day, companions added
        session.commit()
    assert stored(select(Inspection.companions).where(Inspection.id == a1x.id)) == "陈干事"


def test_a_booking_in_a_school_the_actor_cannot_read_is_named_another_school(session, world, published):
    # a province inspector is booked at B1S (city B) on 12-03; inspector_a (city A) giving them A1X
    # that day is told of "another school", not of B1S
    p = make_user(session, "inspector_p", "inspector", world.regions["p"])
    session.commit()
    with clock.frozen_at(NOW), scoped(session, scope_for_user(p)):
        data = RoundInput("乙市抽查", world.regions["b"], date(2026, 12, 1), date(2026, 12, 18), size_n=1)
        round_ = create_round(session, data, p)
        draw_round(session, round_, "1", p)
        schedule(session, round_inspections(session, round_)[0], p, date(2026, 12, 3), None, p)
        session.commit()
    a1x, u = published["A1X"], world.users["inspector_a"]
    refused_as(
        session,
        world,
        "inspector_p 12月3日已安排检查另一所学校，同一督学一天只能检查一所学校。",
        lambda: schedule(session, a1x, p, date(2026, 12, 3), None, u),
    )


def test_a_published_inspection_keeps_an_inspector_and_a_date_and_a_completed_one_its_day(session, world, published):
    a1x, u = published["A1X"], world.users["inspector_a"]
    message = "已发布的检查须有督学和日期。"
    refused_as(session, world, message, lambda: schedule(session, a1x, u, None, None, u))
    refused_as(session, world, message, lambda: schedule(session, a1x, None, date(2026, 12, 5), None, u))
    with as_inspector(session, world):
        record_findings(session, a1x, Findings(ALL_YES, "", "good"), u, ON_THE_DAY, complete=True)
        session.commit()
    refused_as(
        session, world, "检查已完成，不能再改期。", lambda: schedule(session, a1x, u, date(2026, 12, 5), None, u)
    )


def test_scheduling_refuses_an_inactive_inspector_and_names_one_whose_scope_lacks_the_school(session, world, published):
    a1x, u = published["A1X"], world.users["inspector_a"]
    gone = make_user(session, "inspector_gone", "inspector", world.regions["a1"])
    gone.active = False
    session.commit()
    refused_as(
        session, world, "请选择一名在职的督学。", lambda: schedule(session, a1x, gone, date(2026, 12, 5), None, u)
    )
    b = world.users["inspector_b"]
    refused_as(
        session, world, "inspector_b的管辖范围不含该校。", lambda: schedule(session, a1x, b, date(2026, 12, 5), None, u)
    )


def test_companions_are_at_most_200_characters_none_when_blank_and_a_draft_takes_a_day_alone(session, world):
    u = world.users["inspector_a"]
    draft = a1_round(session, world, "草稿", published=False)
    a1x, a1y = draft["A1X"], draft["A1Y"]
    refused_as(
        session, world, "同行人员最长 200 个字。", lambda: schedule(session, a1x, u, date(2026, 12, 3), "人" * 201, u)
    )
    with clock.frozen_at(NOW), as_inspector(session, world):
        schedule(session, a1x, u, date(2026, 12, 3), "人" * 200, u)
        schedule(session, a1y, None, date(2026, 12, 5), None, u)  # a day, no inspector yet
        session.commit()
    rows = {i.id: (i.inspector_id, i.scheduled_on, i.companions) for i in session.scalars(select(Inspection))}
    assert rows[a1x.id] == (u.id, date(2026, 12, 3), "人" * 200)
    assert rows[a1y.id] == (None, date(2026, 12, 5), None)


def test_a_draw_records_who_drew_passes_on_a_seeds_refusal_and_names_an_empty_sample(session, world, published):
    u = world.users["inspector_a"]
    assert session.get(SampleDraw, published["A1X"].round.draw_id).drawn_by_id == u.id
    # the published round inspected both schools of A1: leaving out the last round leaves none
    with clock.frozen_at(NOW), as_inspector(session, world):
        data = RoundInput(
            "再查", world.regions["a1"], date(2026, 12, 1), date(2026, 12, 18), size_n=1, exclude_recent=1
        )
        again = create_round(session, data, u)
        session.commit()
    refused_as(session, world, "随机种子不能包含换行或制表符。", lambda: draw_round(session, again, "1\t2", u))
    refused_as(
        session,
        world,
        "没有抽到学校：范围内的学校都被排除了，请减少排除的轮数。",
        lambda: draw_round(session, again, "1", u),
    )
