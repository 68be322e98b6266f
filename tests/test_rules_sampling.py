"""The sampling service's rules, one test each, written for the mutants that survived the first
mutation run over `inspection/sampling.py` and `inspection/frames.py` (docs/mutants.md).

Expected samples and hashes are computed here with hashlib alone, never with the product's code.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import false, literal, select, union_all, update

from bureau import clock
from bureau.extensions import db
from bureau.inspection.frames import draw_schools
from bureau.inspection.models import Inspection, InspectionRound, SampleDraw
from bureau.inspection.sampling import (
    DrawError,
    Frame,
    Size,
    check_seed,
    make_draw,
    new_seed,
    select_samples,
    verify_draw,
)
from tests.factories import make_user, statements_sent


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def by_ticket(seed: str, codes: list[str]) -> list[str]:
    return sorted(codes, key=lambda code: sha(f"{seed}:{code}"))


def literal_frame(rows: list[tuple[str, str, str]]) -> Frame:
    """A frame whose SELECT gives `rows` in exactly this order (not the published order)."""
    selects = [
        select(literal(s).label("stratum"), literal(c).label("code"), literal(st).label("status")) for s, c, st in rows
    ]
    return Frame(union_all(*selects), {})


def _make(session, world, rows, size: Size, seed: str = "s") -> SampleDraw:
    draw = make_draw(
        session,
        purpose="inspection",
        region=world.regions["p"],
        per="school",
        size=size,
        seed=seed,
        frame=literal_frame(rows),
        drawn_by=None,
        drawn_by_name="测试",
    )
    session.commit()
    return draw


# --- the frame's order ---------------------------------------------------------------------------


def test_the_frame_is_read_in_code_point_order_whatever_order_the_database_gives_it(app, session, world):
    # given strata B before A, and codes out of order; code-point order puts "10" before "2"
    rows = [("B", "2", ""), ("B", "10", ""), ("A", "2", ""), ("B", "1", ""), ("A", "1", "")]
    with statements_sent() as sent:
        draw = _make(session, world, rows, Size(n=1))
    lines = "A\t1\nA\t2\nB\t1\nB\t10\nB\t2\n"
    assert draw.frame_sha256 == sha(lines)
    assert [code for code, _ in draw.strata["B"]["sample"]] == by_ticket("s", ["1", "10", "2"])[:1]
    assert verify_draw(session, draw) == []
    if app.config["BACKEND"] == "postgresql":  # by code point, not by the database's collation
        read_back = [s for s in sent if "ORDER BY" in s and "sample_frame" in s]
        assert read_back and all('COLLATE "C"' in s for s in read_back)


def test_a_stratum_whose_units_are_all_excluded_is_still_in_the_frames_hash():
    units = [("A", "a1", "excluded"), ("A", "a2", "excluded"), ("B", "b1", "")]
    digest, strata = select_samples(iter(units), "s", {"A": 0, "B": 1})
    assert digest == sha("A\ta1\nA\ta2\nB\tb1\n")
    assert (strata["A"].frame, strata["A"].eligible, strata["A"].sample) == (2, 0, [])


def test_a_stratum_without_a_size_gives_no_sample():
    _, strata = select_samples(iter([("A", "a1", ""), ("B", "b1", "")]), "s", {"A": 1})
    assert [c for c, _ in strata["A"].sample] == ["a1"] and strata["B"].sample == []


def test_a_frame_not_grouped_by_stratum_is_refused():
    with pytest.raises(ValueError, match="'A' appears twice"):
        select_samples(iter([("A", "a1", ""), ("B", "b1", ""), ("A", "a2", "")]), "s", {})


# --- sizes and seeds -------------------------------------------------------------------------------


def test_a_percentage_is_of_a_hundred_rounded_up():
    # 1 % of 101 units is 1.01: rounded up, 2
    assert Size(percent=1).of(101, 101) == 2


def test_a_second_term_draw_takes_every_fresh_unit_and_its_record_verifies(session, world):
    # one class of six families, two answered in the first term (deferred): 50 % is 3, but all
    # four not yet surveyed are drawn, the deferred after them
    rows = [("C", f"f{i}", "deferred" if i in (1, 2) else "") for i in range(1, 7)]
    draw = _make(session, world, rows, Size(percent=50, all_fresh=True))
    info = draw.strata["C"]
    assert (info["frame"], info["eligible"], info["fresh"], info["n"]) == (6, 6, 4, 4)
    assert [code for code, _ in info["sample"]] == by_ticket("s", ["f3", "f4", "f5", "f6"])
    assert draw.all_fresh is True and verify_draw(session, draw) == []


@pytest.mark.parametrize(
    ("seed", "message"),
    [
        ("", "请填写随机种子（如公开摇号结果），或选择由系统生成。"),
        ("   ", "请填写随机种子（如公开摇号结果），或选择由系统生成。"),
        ("7" * 101, "随机种子最长 100 个字符，现有 101 个。"),
        ("20\t26", "随机种子不能包含换行或制表符。"),
        ("20\n26", "随机种子不能包含换行或制表符。"),
    ],
)
def test_a_seed_is_refused_blank_too_long_or_with_line_breaks(seed, message):
    with pytest.raises(DrawError) as refused:
        check_seed(seed)
    assert str(refused.value) == message


def test_a_seed_of_100_characters_of_any_kind_is_kept_trimmed():
    assert check_seed("X" * 100) == "X" * 100
    assert check_seed(" DX-2026 双色球 ") == "DX-2026 双色球"


def test_a_generated_seed_is_twelve_digits_drawn_from_a_trillion():
    seeds = [new_seed() for _ in range(20)]
    assert all(len(s) == 12 and s.isdigit() for s in seeds)
    # the chance that twenty draws from 0 … 10¹² - 1 all stay under 10⁹ is 10⁻⁶⁰
    assert max(int(s) for s in seeds) >= 10**9


# --- verification names what differs --------------------------------------------------------------


def _tamper(draw: SampleDraw, **values) -> None:
    with db.engine.begin() as connection:
        connection.execute(update(SampleDraw.__table__).where(SampleDraw.id == draw.id).values(**values))


def _school_draw(session, world) -> SampleDraw:
    draw = draw_schools(session, region=world.regions["p"], per="county", size=Size(n=1), seed="s", drawn_by=None)
    session.commit()
    return draw


def _problems(session, draw: SampleDraw) -> list[str]:
    session.expire_all()
    return verify_draw(session, session.get(SampleDraw, draw.id))


def test_verify_names_a_changed_algorithm(session, world):
    draw = _school_draw(session, world)
    _tamper(draw, algorithm="md5-largest/9")
    assert _problems(session, draw) == ["算法版本 md5-largest/9 与本系统的 sha256-smallest-n/1 不同，无法复核。"]


def test_verify_names_every_stratum_missing_from_the_record_and_every_one_the_frame_lacks(session, world):
    draw = _school_draw(session, world)
    strata = json.loads(json.dumps(draw.strata))
    del strata["A2"], strata["B1"]
    for code in ("A0", "C0"):  # strata the frame never had, one before and one after the others
        strata[code] = {"label": f"虚构县{code}", "frame": 1, "eligible": 1, "fresh": 1, "n": 1, "sample": [["X", "0"]]}
    _tamper(draw, strata=strata)
    assert _problems(session, draw) == [
        "分层「虚构县A0」（A0）在抽样框中已不存在。",
        "分层「A2」（A2）不在抽取记录中。",
        "分层「B1」（B1）不在抽取记录中。",
        "分层「虚构县C0」（C0）在抽样框中已不存在。",
    ]


def test_verify_names_a_stratum_whose_frame_count_was_changed(session, world):
    draw = _school_draw(session, world)
    strata = json.loads(json.dumps(draw.strata))
    strata["A2"]["frame"] = 2
    _tamper(draw, strata=strata)
    label = draw.strata["A2"]["label"]
    assert _problems(session, draw) == [f"分层「{label}」（A2）的抽样框单位数与记录不同。"]


# --- school frames (frames.py) ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("region", "schools"), [("a1", {"A1X", "A1Y"}), ("a2", {"A2S"}), ("d", {"DS"}), ("a", {"A1X", "A1Y", "A2S"})]
)
def test_a_draw_scoped_to_a_county_or_a_city_takes_the_schools_under_it(session, world, region, schools):
    draw = draw_schools(session, region=world.regions[region], per="school", size=Size(n=1), seed="s", drawn_by=None)
    assert set(draw.strata) == schools


def test_every_school_of_a_plain_draw_is_fresh(session, world):
    draw = _school_draw(session, world)
    assert {code: (i["frame"], i["eligible"], i["fresh"]) for code, i in draw.strata.items()} == {
        "A1": (2, 2, 2),
        "A2": (1, 1, 1),
        "B1": (1, 1, 1),
        "D": (1, 1, 1),
    }


@pytest.mark.parametrize(
    ("per", "exclude", "message"),
    [
        ("village", 0, "抽取学校时，分层方式须为每县(市、区)、每市或每校。"),
        ("county", -1, "排除近几轮已检查学校的轮数不能为负数。"),
    ],
)
def test_a_school_draw_is_refused_with_a_village_stratum_or_a_negative_k(session, world, per, exclude, message):
    with pytest.raises(DrawError) as refused:
        draw_schools(
            session, region=world.regions["p"], per=per, size=Size(n=1), seed="s", drawn_by=None, exclude_recent=exclude
        )
    assert str(refused.value) == message


# --- the last K rounds (frames.py) -------------------------------------------------------------------


def _round(session, world, name: str, start: date, school: str) -> InspectionRound:
    round_ = InspectionRound(name=name, region=world.regions["p"], start_date=start, end_date=start)
    session.add(round_)
    session.flush()
    session.add(Inspection(round_id=round_.id, school_id=world.schools[school].id))
    return round_


def _excluded(session, world, k: int) -> set[str]:
    draw = draw_schools(
        session, region=world.regions["p"], per="school", size=Size(n=1), seed="s", drawn_by=None, exclude_recent=k
    )
    session.commit()
    return {code for code, info in draw.strata.items() if info["eligible"] == 0}


def test_the_last_round_is_the_latest_to_start_not_the_latest_entered(session, world):
    _round(session, world, "五月轮", date(2026, 5, 1), "a1x")
    _round(session, world, "三月轮（后补录）", date(2026, 3, 1), "a2")  # entered later, started earlier
    session.commit()
    assert _excluded(session, world, 1) == {"A1X"}


def test_of_two_rounds_starting_the_same_day_the_later_entered_is_the_last(session, world):
    _round(session, world, "甲", date(2026, 5, 1), "a1x")
    _round(session, world, "乙", date(2026, 5, 1), "a2")
    session.commit()
    assert _excluded(session, world, 1) == {"A2S"}


# --- what a draw records (frames.draw_schools, sampling.make_draw) --------------------------------------


@pytest.mark.parametrize(
    ("region", "per", "labels"),
    [
        ("p", "county", {"A1": "甲市一区", "A2": "甲市二县", "B1": "乙市一县", "D": "丁县级市"}),
        ("p", "city", {"A": "甲市", "B": "乙市", "D": "丁县级市"}),
        ("a", "county", {"A1": "甲市一区", "A2": "甲市二县"}),
        ("a", "city", {"A": "甲市"}),
        ("a1", "school", {"A1X": "甲一区实验小学", "A1Y": "甲一区第二小学"}),
    ],
)
def test_each_stratum_is_recorded_with_the_name_people_read(session, world, region, per, labels):
    draw = draw_schools(session, region=world.regions[region], per=per, size=Size(n=1), seed="s", drawn_by=None)
    assert {code: info["label"] for code, info in draw.strata.items()} == labels


def test_a_draw_records_its_purpose_its_rule_and_who_drew_it(session, world):
    by_hand = draw_schools(
        session, region=world.regions["p"], per="county", size=Size(n=1), seed="s", drawn_by=None, exclude_recent=2
    )
    assert (by_hand.purpose, by_hand.params, by_hand.drawn_by_id, by_hand.drawn_by_name) == (
        "inspection",
        {"exclude_recent": 2},
        None,
        "",
    )
    command = draw_schools(
        session,
        region=world.regions["p"],
        per="county",
        size=Size(n=1),
        seed="s",
        drawn_by=None,
        drawn_by_name="命令行",
    )
    assert command.drawn_by_name == "命令行"
    inspector = make_user(session, "zhao", "inspector", world.regions["a"], display_name="赵督学")
    signed_in = draw_schools(
        session, region=world.regions["a"], per="county", size=Size(n=1), seed="s", drawn_by=inspector
    )
    assert (signed_in.drawn_by_id, signed_in.drawn_by_name) == (inspector.id, inspector.display_name)


def test_a_plain_draw_excludes_no_school_however_recently_inspected(session, world):
    _round(session, world, "上一轮", date(2026, 5, 1), "a1x")
    session.commit()
    assert _excluded(session, world, 0) == set()
    draw = draw_schools(session, region=world.regions["p"], per="school", size=Size(n=1), seed="s", drawn_by=None)
    assert all(info["eligible"] == 1 for info in draw.strata.values())


def test_a_draw_with_an_unknown_stratification_is_refused(session, world):
    with pytest.raises(DrawError) as refused:
        make_draw(
            session,
            purpose="inspection",
            region=world.regions["p"],
            per="town",
            size=Size(n=1),
            seed="s",
            frame=literal_frame([("A", "1", "")]),
            drawn_by=None,
        )
    assert str(refused.value) == "分层方式无效。"


def test_a_draw_records_when_it_was_made_and_a_first_draw_has_no_reason(session, world):
    with clock.frozen_at(datetime(2026, 12, 1, 2, 30, tzinfo=UTC)):
        draw = _school_draw(session, world)
    assert draw.drawn_at.replace(tzinfo=UTC) == datetime(2026, 12, 1, 2, 30, tzinfo=UTC)
    assert draw.reason is None and draw.replaces_id is None


def test_a_redraw_without_a_reason_is_refused_with_the_rule(session, world):
    first = _school_draw(session, world)
    with pytest.raises(DrawError) as refused:
        draw_schools(
            session, region=world.regions["p"], per="county", size=Size(n=1), seed="t", drawn_by=None, replaces=first
        )
    assert str(refused.value) == "重新抽取须说明理由。"


def test_a_frame_with_no_unit_is_refused(session, world):
    empty = select(literal("A").label("stratum"), literal("1").label("code"), literal("").label("status")).where(
        false()
    )
    with pytest.raises(DrawError) as refused:
        make_draw(
            session,
            purpose="inspection",
            region=world.regions["p"],
            per="school",
            size=Size(n=1),
            seed="s",
            frame=Frame(empty, {}),
            drawn_by=None,
        )
    assert str(refused.value) == "抽样范围内没有可抽取的对象。"


def test_a_stratum_without_a_name_is_labelled_with_its_code(session, world):
    draw = _make(session, world, [("C1", "x", "")], Size(n=1))
    assert draw.strata["C1"]["label"] == "C1"


@pytest.mark.parametrize(
    ("size", "message"),
    [
        ({}, "请给出每层抽取的个数或比例（二者选一）。"),
        ({"n": 0}, "每层抽取个数须在 1 到 10000 之间。"),
        ({"n": 10_001}, "每层抽取个数须在 1 到 10000 之间。"),
        ({"percent": 0}, "抽取比例须在 1% 到 100% 之间。"),
        ({"percent": 101}, "抽取比例须在 1% 到 100% 之间。"),
    ],
)
def test_a_size_out_of_bounds_is_refused_with_its_bounds(size, message):
    with pytest.raises(DrawError) as refused:
        Size(**size)
    assert str(refused.value) == message


def test_the_bounds_of_a_size_are_allowed():
    assert Size(n=10_000).of(20_000, 20_000) == 10_000
    assert Size(n=1).of(5, 5) == 1
    assert Size(percent=100).of(7, 7) == 7


def test_a_draw_made_by_a_signed_in_inspector_records_their_name(session, world):
    # as a phone-check batch draws: the inspector is given, no name beside them
    inspector = make_user(session, "qian", "inspector", world.regions["p"], display_name="钱督学")
    draw = make_draw(
        session,
        purpose="phone_check",
        region=world.regions["p"],
        per="village",
        size=Size(n=1),
        seed="s",
        frame=literal_frame([("V", "x", "")]),
        drawn_by=inspector,
    )
    assert (draw.drawn_by_id, draw.drawn_by_name) == (inspector.id, "钱督学")
