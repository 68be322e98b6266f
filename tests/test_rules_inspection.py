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
from bureau.inspection.findings import Findings, add_photos, figure_text, live_figures, record_findings
from bureau.inspection.models import Inspection, InspectionPhoto
from bureau.inspection.rounds import RoundError, RoundInput, create_round, draw_round, publish, schedule
from bureau.progress.service import open_week, submit
from bureau.tenants.guard import scoped
from bureau.tenants.scope import scope_for_user
from bureau.visits.models import Campaign, Term
from bureau.visits.records import PhotoUpload
from tests.factories import stored
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
