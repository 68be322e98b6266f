"""Issue 9, phone checks (电话抽查) and must-show 4: the frame (the families with a family visit, not
returned, in the period, in the scope's active schools), strata per village or school, the
campaign's exclusions and allow_repeat, three tries, ended checks refusing calls, the phone in full
for the inspector only, the 不属实 flag on the visit record and the counts per school.

The world (tests/factories.py, tests/world_visits.py): schools a1x, a1y in county A1 and a2 in A2
(city A), b1 in B1 (city B), d in D; a1x, a1y and b1 have students f"{key}-{i}" (i = 0..3) with
guardian phones f"1380000{i:04d}" and two family visits each, student 0 on 2026-09-10 and student
3 on 2026-09-12. The `families` fixture below adds villages and visits; its docstring works out the
frame by hand.
"""

from __future__ import annotations

import hashlib
import io
import re
from datetime import UTC, date, datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from bureau import clock
from bureau.inspection.models import PhoneCall, PhoneCheck, PhoneCheckBatch, SampleDraw, SampleFrameUnit
from bureau.inspection.phone import BatchInput, PhoneCheckError, make_batch, record_call
from bureau.tenants.guard import set_scope
from bureau.tenants.scope import scope_for_user
from bureau.visits.models import Campaign, Student, Visit
from tests.factories import stored

START, END = date(2026, 9, 1), date(2026, 10, 31)
NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)  # 10:00 in Beijing


def ticket(seed: str, code: str) -> str:
    return hashlib.sha256(f"{seed}:{code}".encode()).hexdigest()


def smallest(seed: str, codes, n: int) -> list[str]:
    """The sample computed from the codes alone: the n smallest tickets."""
    return sorted(codes, key=lambda code: ticket(seed, code))[:n]


def _visit(session, world, key: str, i: int, on: date, **fields) -> Visit:
    visit = Visit(
        school=world.schools[key],
        target=fields.pop("target", "family"),
        student=world.extra[f"students_{key}"][i],
        staff=world.extra[f"staff_{key}"],
        term=world.extra["term"],
        visited_on=on,
        mode=fields.pop("mode", "home"),
        no_gifts=True,
        **fields,
    )
    session.add(visit)
    return visit


@pytest.fixture
def families(world, session):
    """Villages and visits, and the frame of city A for 2026-09-01..10-31 worked out by hand:

    a1x: 0 柳树村 (world visit 09-10, pending: counted), 1 柳树村 (only a returned visit: out),
         2 杨家村 (visits 09-15 and 10-05: the check is about 10-05), 3 no village (09-12)
    a1y: 0 柳树村 (09-10), 1 (only a visit on 12-20, after the period: out), 3 河口社区 (09-12)
    b1:  0 柳树村 — county B1, outside city A
    a1x 2 also has a visit to a colleague (target staff) on 10-20: not a family visit.

    Per village (county code / village): A1/柳树村 {A1X/a1x-0, A1Y/a1y-0}, A1/杨家村 {A1X/a1x-2},
    A1/未填写 {A1X/a1x-3}, A1/河口社区 {A1Y/a1y-3}: five families. Per school: A1X three, A1Y two.
    """
    students = {key: world.extra[f"students_{key}"] for key in ("a1x", "a1y", "b1")}
    for key, villages in {
        "a1x": ["柳树村", "柳树村", "杨家村", None],
        "a1y": ["柳树村", None, None, "河口社区"],
    }.items():
        for student, village in zip(students[key], villages, strict=True):
            student.village = village
    students["b1"][0].village = "柳树村"
    visits = {
        "returned": _visit(session, world, "a1x", 1, date(2026, 9, 20), status="returned"),
        "early": _visit(session, world, "a1x", 2, date(2026, 9, 15)),
        "latest": _visit(session, world, "a1x", 2, date(2026, 10, 5), mode="phone"),
        "after": _visit(session, world, "a1y", 1, date(2026, 12, 20)),
        "staff": _visit(
            session, world, "a1x", 2, date(2026, 10, 20), target="staff", target_staff=world.extra["other_staff_a1x"]
        ),
    }
    session.commit()
    return visits


def codes_by_stratum(draw: SampleDraw) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for unit in stored_units(draw):
        out.setdefault(unit[0], set()).add(unit[1])
    return out


def stored_units(draw: SampleDraw) -> list[tuple[str, str, str]]:
    from bureau.extensions import db

    return [
        tuple(row)
        for row in db.session.execute(
            select(SampleFrameUnit.stratum, SampleFrameUnit.code, SampleFrameUnit.status).where(
                SampleFrameUnit.draw_id == draw.id
            )
        )
    ]


def as_inspector(session, world, username: str = "inspector_a"):
    user = world.users[username]
    set_scope(session, scope_for_user(user))
    return user


def batch_of(session, world, *, per="village", n=None, seed="2026", campaign=None, region="a", **kw) -> PhoneCheckBatch:
    user = as_inspector(session, world)
    data = BatchInput(
        name=kw.pop("name", "十一月电话抽查"),
        region=world.regions[region],
        period_start=kw.pop("start", START),
        period_end=kw.pop("end", END),
        per=per,
        n=n,
        campaign=campaign,
        seed=seed,
        **kw,
    )
    batch = make_batch(session, data, user)
    session.commit()
    return batch


def checked_codes(session, batch: PhoneCheckBatch) -> set[str]:
    rows = session.execute(
        select(Student.number)
        .join(PhoneCheck, PhoneCheck.student_id == Student.id)
        .where(PhoneCheck.batch_id == batch.id)
    )
    prefix = {"a1x": "A1X", "a1y": "A1Y", "b1": "B1S"}
    return {f"{prefix[number.split('-')[0]]}/{number}" for (number,) in rows}


# ---------------------------------------------------------------- the frame and its strata


def test_the_frame_is_the_families_with_a_family_visit_in_the_period_in_scope_not_returned(world, session, families):
    batch = batch_of(session, world, per="village", n=5)
    assert codes_by_stratum(batch.draw) == {
        "A1/柳树村": {"A1X/a1x-0", "A1Y/a1y-0"},
        "A1/杨家村": {"A1X/a1x-2"},
        "A1/未填写": {"A1X/a1x-3"},
        "A1/河口社区": {"A1Y/a1y-3"},
    }
    assert batch.draw.frame_count == 5 and batch.draw.purpose == "phone_check"
    # n = 5 per village takes every family: five checks
    assert checked_codes(session, batch) == {"A1X/a1x-0", "A1Y/a1y-0", "A1X/a1x-2", "A1X/a1x-3", "A1Y/a1y-3"}


def test_a_family_is_checked_about_its_latest_counted_visit_of_the_period(world, session, families):
    batch = batch_of(session, world, per="school", n=5)
    student = world.extra["students_a1x"][2]
    visit_id = session.scalar(
        select(PhoneCheck.visit_id).where(PhoneCheck.batch_id == batch.id, PhoneCheck.student_id == student.id)
    )
    # 09-15 and 10-05 count, the staff visit of 10-20 is not a family visit: 10-05
    assert visit_id == families["latest"].id


def test_the_frame_has_only_the_active_schools(world, session, families):
    world.schools["a1y"].active = False
    session.commit()
    batch = batch_of(session, world, per="school", n=5)
    assert codes_by_stratum(batch.draw) == {"A1X": {"A1X/a1x-0", "A1X/a1x-2", "A1X/a1x-3"}}


def test_per_school_n_per_school_gives_the_smallest_tickets_of_each_school(world, session, families):
    batch = batch_of(session, world, per="school", n=2, seed="lottery-0815")
    a1x = smallest("lottery-0815", ["A1X/a1x-0", "A1X/a1x-2", "A1X/a1x-3"], 2)
    a1y = smallest("lottery-0815", ["A1Y/a1y-0", "A1Y/a1y-3"], 2)
    assert [code for code, _ in batch.draw.strata["A1X"]["sample"]] == a1x
    assert [code for code, _ in batch.draw.strata["A1Y"]["sample"]] == a1y
    assert checked_codes(session, batch) == set(a1x) | set(a1y)


def test_per_village_one_family_per_village_is_drawn_by_ticket(world, session, families):
    batch = batch_of(session, world, per="village", n=1, seed="7")
    assert len(batch.draw.strata) == 4
    assert [c for c, _ in batch.draw.strata["A1/柳树村"]["sample"]] == smallest("7", ["A1X/a1x-0", "A1Y/a1y-0"], 1)
    assert batch.draw.strata["A1/柳树村"]["label"] == "甲市一区 柳树村"
    assert len(checked_codes(session, batch)) == 4


def test_default_sizes_are_five_per_village_and_two_per_school(world, session, families):
    assert batch_of(session, world, per="village").size_n == 5
    assert batch_of(session, world, per="school").size_n == 2


# ---------------------------------------------------------------- the campaign's exclusions


def _campaign(session) -> Campaign:
    return session.scalar(select(Campaign).where(Campaign.name == "万师访万家"))


def test_families_of_an_earlier_batch_of_the_campaign_are_excluded(world, session, families):
    campaign = _campaign(session)
    first = batch_of(session, world, per="school", n=1, seed="a", campaign=campaign, start=START, end=END)
    drawn = checked_codes(session, first)
    assert len(drawn) == 2  # one per school
    second = batch_of(session, world, per="school", n=5, seed="b", campaign=campaign, start=START, end=END)
    excluded = {code for _, code, status in stored_units(second.draw) if status == "excluded"}
    assert excluded == drawn
    # five families, two excluded: the other three are drawn, never a family of the first batch
    assert (
        checked_codes(session, second)
        == {
            "A1X/a1x-0",
            "A1Y/a1y-0",
            "A1X/a1x-2",
            "A1X/a1x-3",
            "A1Y/a1y-3",
        }
        - drawn
    )


def test_allow_repeat_draws_families_of_earlier_batches_again(world, session, families):
    campaign = _campaign(session)
    batch_of(session, world, per="school", n=1, seed="a", campaign=campaign)
    again = batch_of(session, world, per="school", n=5, seed="b", campaign=campaign, allow_repeat=True)
    assert not [u for u in stored_units(again.draw) if u[2]]
    assert len(checked_codes(session, again)) == 5


def test_without_a_campaign_nothing_is_excluded(world, session, families):
    campaign = _campaign(session)
    batch_of(session, world, per="school", n=1, seed="a", campaign=campaign)
    other = batch_of(session, world, per="school", n=5, seed="b")
    assert len(checked_codes(session, other)) == 5


def test_the_campaigns_window_is_the_default_period(world, session, families):
    campaign = _campaign(session)  # 2026-09-01 .. 2027-01-31: the 12-20 visit of a1y-1 counts
    batch = batch_of(session, world, per="school", n=5, campaign=campaign, start=None, end=None)
    assert (batch.period_start, batch.period_end) == (date(2026, 9, 1), date(2027, 1, 31))
    assert "A1Y/a1y-1" in checked_codes(session, batch)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"name": " "}, "请填写抽查批次名称"),
        ({"n": 51}, "每层抽取户数须在 1 到 50 之间"),
        ({"n": 0}, "每层抽取户数须在 1 到 50 之间"),
        ({"per": "class"}, "分层方式须为每村(社区)或每校"),
        ({"start": date(2026, 11, 1)}, "开始日期不能晚于结束日期"),
        ({"start": date(2026, 9, 20), "end": date(2026, 9, 30)}, "没有可抽取的家庭"),
        ({"start": None}, "请填写走访期间的起止日期"),
    ],
)
def test_bad_batches_are_refused_in_chinese_and_nothing_is_written(world, session, families, change, message):
    with pytest.raises(PhoneCheckError, match=re.escape(message)):
        batch_of(session, world, **change)
    session.rollback()
    assert stored(select(func.count()).select_from(PhoneCheckBatch)) == 0
    assert stored(select(func.count()).select_from(SampleDraw)) == 0


def test_a_batch_wider_than_its_campaign_is_refused(world, session, families):
    campaign = _campaign(session)
    campaign.region = world.regions["a1"]  # a county's campaign; the batch asks for the whole city
    session.commit()
    with pytest.raises(PhoneCheckError, match="抽查范围须在活动"):
        batch_of(session, world, campaign=campaign)


# ---------------------------------------------------------------- calls


def _one_check(session, world, families) -> PhoneCheck:
    batch = batch_of(session, world, per="school", n=5)
    student = world.extra["students_a1x"][0]
    return session.scalar(
        select(PhoneCheck).where(PhoneCheck.batch_id == batch.id, PhoneCheck.student_id == student.id)
    )


def _call(session, world, check_id, outcome, satisfaction=None, remarks=None):
    user = as_inspector(session, world)
    record_call(
        session, check_id, outcome=outcome, satisfaction=satisfaction, remarks=remarks, caller=user, now=clock.now()
    )
    session.commit()


def test_unreachable_three_times_ends_the_check_as_unreachable(world, session, families):
    check_id = _one_check(session, world, families).id
    _call(session, world, check_id, "unreachable")
    _call(session, world, check_id, "unreachable")
    assert stored(select(PhoneCheck.outcome).where(PhoneCheck.id == check_id)) is None  # two tries: still open
    _call(session, world, check_id, "unreachable")
    assert stored(select(PhoneCheck.outcome).where(PhoneCheck.id == check_id)) == "unreachable"
    assert stored(select(func.count()).select_from(PhoneCall).where(PhoneCall.check_id == check_id)) == 3


@pytest.mark.parametrize("outcome", ["confirmed", "contradicted", "refused"])
def test_one_answer_ends_the_check_and_an_ended_check_takes_no_more_calls(world, session, families, outcome):
    check_id = _one_check(session, world, families).id
    _call(session, world, check_id, "unreachable")
    reached = outcome in ("confirmed", "contradicted")
    _call(session, world, check_id, outcome, "fair" if reached else None, "家长说老师没来过" if reached else None)
    assert stored(select(PhoneCheck.outcome).where(PhoneCheck.id == check_id)) == outcome
    with pytest.raises(PhoneCheckError, match="已结束，不能再记录通话"):
        _call(session, world, check_id, "confirmed", "satisfied")
    session.rollback()
    assert stored(select(func.count()).select_from(PhoneCall).where(PhoneCall.check_id == check_id)) == 2


@pytest.mark.parametrize(
    ("outcome", "satisfaction", "remarks", "message"),
    [
        ("maybe", None, None, "请选择通话结果"),
        ("confirmed", None, None, "请选择满意度"),
        ("unreachable", "satisfied", None, "不填写满意度"),
        ("contradicted", "unsatisfied", "  ", "请在备注中写明"),
        ("confirmed", "satisfied", "很" * 501, "备注最长 500 个字"),
    ],
)
def test_bad_calls_are_refused_and_nothing_is_written(
    world, session, families, outcome, satisfaction, remarks, message
):
    check_id = _one_check(session, world, families).id
    with pytest.raises(PhoneCheckError, match=message):
        _call(session, world, check_id, outcome, satisfaction, remarks)
    session.rollback()
    assert stored(select(func.count()).select_from(PhoneCall)) == 0


# ---------------------------------------------------------------- pages: must-show 4


def _batch_page(client, batch, **args):
    return client.get("/admin/phone_check/batch", query_string={"batch": batch.id, **args})


def test_the_call_list_shows_the_full_phone_to_the_inspector_and_masks_it_for_everyone_else(
    world, session, families, login_as
):
    batch = batch_of(session, world, per="school", n=5)
    check = session.scalar(
        select(PhoneCheck).where(PhoneCheck.student_id == world.extra["students_a1x"][0].id)
    )  # guardian phone 13800000000
    full, masked = "13800000000", "138****0000"
    inspector = login_as("inspector_a")
    for page in (_batch_page(inspector, batch), inspector.get(f"/admin/phone_check/check?check={check.id}")):
        assert page.status_code == 200 and full in page.get_data(as_text=True)
    for username in ("leader_a", "leader_p", "admin_a1", "admin_a"):
        client = login_as(username)
        for page in (_batch_page(client, batch), client.get(f"/admin/phone_check/check?check={check.id}")):
            body = page.get_data(as_text=True)
            assert page.status_code == 200 and masked in body and full not in body, username
    # the school's admin never opens the call list, and its own list carries no phone at all
    school_admin = login_as("school_admin_a1x")
    assert _batch_page(school_admin, batch).status_code == 403
    assert school_admin.get(f"/admin/phone_check/check?check={check.id}").status_code == 403
    _call(session, world, check.id, "confirmed", "satisfied")
    body = school_admin.get("/admin/phone_check/").get_data(as_text=True)
    assert "a1x学生0" in body and full not in body and "1380000" not in body


def test_the_call_sheet_carries_full_phones_only_when_an_inspector_exports_it(world, session, families, login_as):
    batch = batch_of(session, world, per="school", n=5)
    for username, shown in (("inspector_a", "13800000000"), ("leader_a", "138****0000")):
        response = login_as(username).get(f"/admin/phone_check/calls.xlsx?batch={batch.id}")
        cells = _cells(response)
        assert shown in cells, username
        assert username == "inspector_a" or "13800000000" not in cells


def _cells(response) -> str:
    book = load_workbook(io.BytesIO(response.data), read_only=True)
    return " ".join(
        str(c) for ws in book.worksheets for r in ws.iter_rows(values_only=True) for c in r if c is not None
    )


def test_the_audit_log_of_calls_and_checks_shows_no_phone(world, session, families, login_as):
    batch = batch_of(session, world, per="school", n=5)
    check = session.scalar(select(PhoneCheck).where(PhoneCheck.batch_id == batch.id).order_by(PhoneCheck.id))
    client = login_as("inspector_a")
    client.post(
        f"/admin/phone_check/check?check={check.id}",
        data={"outcome": "contradicted", "satisfaction": "unsatisfied", "remarks": "没有来过"},
    )
    for username in ("inspector_a", "leader_a"):
        body = login_as(username).get("/admin/audit/").get_data(as_text=True)
        assert "电话抽查" in body
        assert not re.search(r"138\d{8}", body), username


def test_an_inspector_records_calls_on_the_page_and_the_next_family_opens(world, session, families, login_as):
    batch = batch_of(session, world, per="school", n=5)
    first, second = session.scalars(
        select(PhoneCheck.id).where(PhoneCheck.batch_id == batch.id).order_by(PhoneCheck.id).limit(2)
    )
    client = login_as("inspector_a")
    response = client.post(f"/admin/phone_check/check?check={first}", data={"outcome": "unreachable"})
    assert response.headers["Location"].endswith(f"check={first}")  # tries left: the same family
    response = client.post(f"/admin/phone_check/check?check={first}", data={"outcome": "refused"})
    assert response.headers["Location"].endswith(f"check={second}")
    # an ended check refuses another call, in Chinese, and nothing is written
    page = client.post(
        f"/admin/phone_check/check?check={first}", data={"outcome": "confirmed", "satisfaction": "satisfied"}
    ).get_data(as_text=True)
    assert "已结束，不能再记录通话" in page
    assert stored(select(func.count()).select_from(PhoneCall).where(PhoneCall.check_id == first)) == 2
    # a leader reads the page but records nothing
    assert (
        login_as("leader_a").post(f"/admin/phone_check/check?check={second}", data={"outcome": "refused"}).status_code
        == 403
    )
    assert stored(select(func.count()).select_from(PhoneCall).where(PhoneCall.check_id == second)) == 0


def test_an_inspector_draws_a_batch_from_the_form(world, session, families, login_as):
    client = login_as("inspector_a")
    assert client.get("/admin/phone_check/new").status_code == 200
    form = {
        "name": "国庆后抽查",
        "region": str(world.regions["a"].id),
        "period_start": "2026-09-01",
        "period_end": "2026-10-31",
        "per": "village",
        "n": "1",
        "seed": "8814",
    }
    response = client.post("/admin/phone_check/new", data=form)
    assert response.status_code == 302
    assert stored(select(func.count()).select_from(PhoneCheck)) == 4  # one per village, four villages
    # a region outside the inspector's scope is refused in Chinese, nothing written
    page = client.post("/admin/phone_check/new", data={**form, "region": str(world.regions["b"].id)})
    assert "请选择抽查范围" in page.get_data(as_text=True)
    assert stored(select(func.count()).select_from(PhoneCheckBatch)) == 1
    assert login_as("leader_a").get("/admin/phone_check/new").status_code == 403


def test_another_citys_batch_and_checks_do_not_exist(world, session, families, login_as):
    batch = batch_of(session, world, per="school", n=5)
    check_id = session.scalar(select(PhoneCheck.id).where(PhoneCheck.batch_id == batch.id).limit(1))
    client = login_as("inspector_b")
    for url in (
        f"/admin/phone_check/batch?batch={batch.id}",
        f"/admin/phone_check/check?check={check_id}",
        f"/admin/phone_check/summary?batch={batch.id}",
        f"/admin/phone_check/calls.xlsx?batch={batch.id}",
        f"/admin/phone_check/summary?region={world.regions['a'].id}",
    ):
        assert client.get(url).status_code == 404, url
    response = client.post(f"/admin/phone_check/check?check={check_id}", data={"outcome": "refused"})
    assert response.status_code == 404
    assert stored(select(func.count()).select_from(PhoneCall)) == 0
    assert "十一月电话抽查" not in client.get("/admin/phone_check/").get_data(as_text=True)


# ---------------------------------------------------------------- the flag and the counts


def _contradict_a1x0(session, world, families):
    batch = batch_of(session, world, per="school", n=5)
    visit = world.extra["visits_a1x"][0]
    check = session.scalar(select(PhoneCheck).where(PhoneCheck.visit_id == visit.id))
    with clock.frozen_at(NOW):
        _call(session, world, check.id, "contradicted", "unsatisfied", "家长说当天没有老师来")
    return batch, visit


def test_a_contradicted_visit_is_flagged_on_its_record_for_the_school_admin_and_region_roles(
    world, session, families, login_as
):
    _, visit = _contradict_a1x0(session, world, families)
    for username in ("school_admin_a1x", "leader_a", "inspector_a"):
        body = login_as(username).get(f"/admin/visit/review/?id={visit.id}").get_data(as_text=True)
        assert "电话抽查：不属实" in body and "2026-11-20" in body and "家长说当天没有老师来" in body, username
    # the teacher who made the visit reads the record without the flag (the admin takes it up)
    body = login_as("teacher_a1x").get(f"/admin/visit/review/?id={visit.id}").get_data(as_text=True)
    assert "家访情况记录" in body and "电话抽查：不属实" not in body
    # another visit of the school carries no flag
    other = world.extra["visits_a1x"][1]
    page = login_as("school_admin_a1x").get(f"/admin/visit/review/?id={other.id}").get_data(as_text=True)
    assert "家访情况记录" in page and "电话抽查：不属实" not in page


def test_a_pending_check_is_not_shown_to_the_school(world, session, families, login_as):
    batch_of(session, world, per="school", n=5)
    body = login_as("school_admin_a1x").get("/admin/phone_check/").get_data(as_text=True)
    assert "尚无已结束的电话抽查" in body


def _counts(body: str) -> dict[str, list[str]]:
    rows = re.findall(r'<tr data-school="([^"]+)">(.*?)</tr>', body, re.S)
    return {code: re.findall(r"<t[dh][^>]*>([^<]*)</t[dh]>", cells) for code, cells in rows}


def test_the_counts_list_every_school_of_the_scope_with_its_outcomes(world, session, families, login_as):
    batch, _ = _contradict_a1x0(session, world, families)
    checks = dict(
        session.execute(select(Student.number, PhoneCheck.id).join(Student, Student.id == PhoneCheck.student_id)).all()
    )
    _call(session, world, checks["a1x-2"], "confirmed", "satisfied")
    _call(session, world, checks["a1x-3"], "refused")
    for _ in range(3):
        _call(session, world, checks["a1y-0"], "unreachable")
    _call(session, world, checks["a1y-3"], "confirmed", "fair")
    # A1X: 3 drawn, 1 属实, 1 不属实, 1 拒访 → 属实 among reached 1/2 = 50.0%
    # A1Y: 2 drawn, 1 属实, 1 未接通 → 1/1 = 100.0%; A2S: no checks, listed with zeros; B1S, DS not in city A
    page = login_as("leader_a").get(f"/admin/phone_check/summary?batch={batch.id}").get_data(as_text=True)
    counts = _counts(page)
    assert set(counts) == {"A1X", "A1Y", "A2S", "total"}
    assert counts["A1X"][2:] == ["3", "1", "1", "0", "1", "0", "50.0%"]
    assert counts["A1Y"][2:] == ["2", "1", "0", "1", "0", "0", "100.0%"]
    assert counts["A2S"][2:] == ["0", "0", "0", "0", "0", "0", "—"]
    assert counts["total"][1:] == ["5", "2", "1", "1", "1", "0", "66.7%"]  # 2 of 3 reached
    # the scope's page counts every batch: a county admin of A1 sees its two schools only
    counts = _counts(login_as("admin_a1").get("/admin/phone_check/summary").get_data(as_text=True))
    assert set(counts) == {"A1X", "A1Y", "total"}
    # the export: the same figures through the one writer, rates as fractions
    response = login_as("leader_a").get(f"/admin/phone_check/summary.xlsx?batch={batch.id}")
    book = load_workbook(io.BytesIO(response.data))
    sheet = book.worksheets[0]
    assert sheet.cell(1, 1).value.startswith("电话抽查汇总 十一月电话抽查")
    rows = {r[2]: r for r in sheet.iter_rows(min_row=3, values_only=True)}
    assert rows["A1X"][3:] == (3, 1, 1, 0, 1, 0, 0.5)
    assert rows["A2S"][3:9] == (0, 0, 0, 0, 0, 0) and rows["A2S"][9] is None
    assert "電話" not in response.headers["Content-Disposition"]
