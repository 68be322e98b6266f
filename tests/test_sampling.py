"""The one sampling service: a draw anyone can repeat from the seed and the unit codes.

Every expected sample here is computed in the test with hashlib alone (`expected`), never with
the product's own ticket function: ticket = sha256("{seed}:{code}"), the n smallest per stratum.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import date

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bureau.extensions import db
from bureau.inspection.frames import draw_schools
from bureau.inspection.models import Inspection, InspectionRound, SampleDraw, SampleFrameUnit
from bureau.inspection.sampling import DrawError, Size, select_samples, verify_draw
from bureau.tenants.guard import TenantViolation, scoped
from bureau.tenants.scope import scope_for_user
from tests.factories import make_school

# County A1 gets twelve schools more (A1S01 … A1S12) beside A1X and A1Y: 14 in A1.
EXTRA = [f"A1S{i:02d}" for i in range(1, 13)]
A1 = sorted(["A1X", "A1Y", *EXTRA])


def expected(seed: str, codes: list[str], n: int) -> list[str]:
    """The sample by hand: the n codes with the smallest sha256("{seed}:{code}") hex digests."""
    return sorted(codes, key=lambda code: hashlib.sha256(f"{seed}:{code}".encode()).hexdigest())[:n]


@pytest.fixture
def province(session, world):
    for code in EXTRA:
        make_school(session, code, f"甲一区第{code[-2:]}学校", world.regions["a1"])
    session.commit()
    return world


def _draw(session, world, per="county", seed="20261201", **size) -> SampleDraw:
    draw = draw_schools(
        session, region=world.regions["p"], per=per, size=Size(**size), seed=seed, drawn_by=None, drawn_by_name="测试"
    )
    session.commit()
    return draw


def _sample(draw: SampleDraw, stratum: str) -> list[str]:
    return [code for code, _ in draw.strata[stratum]["sample"]]


def test_the_sample_is_the_n_smallest_tickets_of_each_county_computed_from_the_codes_alone(session, province):
    draw = _draw(session, province, n=3)
    # Strata are the county-level regions: A1 (14 schools), A2, B1, D (one school each).
    assert set(draw.strata) == {"A1", "A2", "B1", "D"}
    assert _sample(draw, "A1") == expected("20261201", A1, 3)
    assert _sample(draw, "A2") == ["A2S"] and _sample(draw, "B1") == ["B1S"] and _sample(draw, "D") == ["DS"]
    for code, tick in draw.strata["A1"]["sample"]:  # each ticket shown is the hash of seed:code
        assert tick == hashlib.sha256(f"20261201:{code}".encode()).hexdigest()
    assert draw.frame_count == 17 and draw.strata["A1"]["frame"] == 14


def test_the_same_seed_and_frame_give_the_same_sample_and_another_seed_another(session, province):
    first, again = _draw(session, province, n=4), _draw(session, province, n=4)
    other = _draw(session, province, n=4, seed="7")
    assert first.strata == again.strata and first.frame_sha256 == again.frame_sha256
    assert _sample(other, "A1") == expected("7", A1, 4) != _sample(first, "A1")


def test_a_larger_n_extends_the_sample_and_keeps_the_first_n(session, province):
    three, seven = _draw(session, province, n=3), _draw(session, province, n=7)
    assert _sample(seven, "A1")[:3] == _sample(three, "A1")
    assert _sample(seven, "A1") == expected("20261201", A1, 7)


def test_a_percentage_is_rounded_up_per_stratum(session, province):
    draw = _draw(session, province, percent=20)
    # A1: 20 % of 14 = 2.8 → 3; a county of one school: 20 % of 1 = 0.2 → 1.
    assert draw.strata["A1"]["n"] == 3 and draw.strata["A2"]["n"] == 1
    assert _sample(draw, "A1") == expected("20261201", A1, 3)


def test_strata_per_city_put_a_direct_countys_schools_in_its_own_stratum(session, province):
    draw = _draw(session, province, per="city", n=2)
    # City A: A1's 14 + A2S = 15 schools; B: B1S; the direct county D stands for its own city.
    assert {k: v["frame"] for k, v in draw.strata.items()} == {"A": 15, "B": 1, "D": 1}
    assert _sample(draw, "A") == expected("20261201", [*A1, "A2S"], 2)


def test_the_frame_hash_is_the_sha256_of_its_lines_in_code_order(session, province):
    draw = _draw(session, province, per="school", n=1)
    lines = "".join(f"{code}\t{code}\n" for code in sorted([*A1, "A2S", "B1S", "DS"]))
    assert draw.frame_sha256 == hashlib.sha256(lines.encode()).hexdigest()


def test_inactive_schools_and_schools_outside_the_scope_are_not_in_the_frame(session, province):
    province.schools["a1y"].active = False
    session.commit()
    draw = draw_schools(session, region=province.regions["a"], per="county", size=Size(n=20), seed="s", drawn_by=None)
    assert set(draw.strata) == {"A1", "A2"}  # city A only: no B1, no D
    assert _sample(draw, "A1") == expected("s", [c for c in A1 if c != "A1Y"], 20)


def test_schools_inspected_in_the_last_k_rounds_are_excluded_and_stay_in_the_frame(session, province):
    world = province
    rounds = []
    for i, school in enumerate(["a1x", "a2", "b1"]):  # three rounds of the province, oldest first
        round_ = InspectionRound(
            name=f"第{i + 1}轮",
            region=world.regions["p"],
            start_date=date(2026, 3 + i, 1),
            end_date=date(2026, 3 + i, 20),
        )
        session.add(round_)
        session.flush()
        session.add(Inspection(round_id=round_.id, school_id=world.schools[school].id))
        rounds.append(round_)
    session.commit()
    draw = draw_schools(
        session, region=world.regions["p"], per="county", size=Size(n=20), seed="s", drawn_by=None, exclude_recent=2
    )
    # The last two rounds inspected A2S and B1S: excluded; A1X (three rounds ago) may be drawn.
    assert draw.strata["A2"]["eligible"] == 0 and draw.strata["A2"]["sample"] == []
    assert draw.strata["B1"]["eligible"] == 0
    assert "A1X" in _sample(draw, "A1") and draw.strata["A2"]["frame"] == 1
    statuses = dict(
        session.execute(
            select(SampleFrameUnit.code, SampleFrameUnit.status).where(SampleFrameUnit.draw_id == draw.id)
        ).all()
    )
    assert statuses["A2S"] == statuses["B1S"] == "excluded" and statuses["A1X"] == ""


def test_deferred_units_are_drawn_after_every_other_unit_of_their_stratum():
    units = [("c", code, "deferred" if code in ("u1", "u2") else "") for code in ["u1", "u2", "u3", "u4", "u5"]]
    fresh = expected("s", ["u3", "u4", "u5"], 3)
    _, strata = select_samples(iter(units), "s", {"c": 4})
    assert [code for code, _ in strata["c"].sample] == fresh + expected("s", ["u1", "u2"], 1)
    assert (strata["c"].frame, strata["c"].eligible, strata["c"].fresh) == (5, 5, 3)


def test_with_all_fresh_every_fresh_unit_is_drawn_even_beyond_the_percentage():
    # 10 eligible, 7 fresh: 50 % would be 5, but every fresh unit is drawn: 7.
    assert Size(percent=50, all_fresh=True).of(10, 7) == 7
    assert Size(percent=50, all_fresh=True).of(10, 3) == 5
    assert Size(percent=50).of(10, 7) == 5
    assert Size(n=8).of(5, 5) == 5  # never more than the stratum has


@pytest.mark.parametrize(
    ("size", "message"),
    [
        ({}, "个数或比例"),
        ({"n": 2, "percent": 50}, "个数或比例"),
        ({"n": 0}, "1 到 10000"),
        ({"percent": 101}, "1% 到 100%"),
    ],
)
def test_a_size_rule_must_be_one_number_or_one_percentage(size, message):
    with pytest.raises(DrawError, match=message):
        Size(**size)


def test_a_seed_is_typed_in_or_generated_and_recorded_as_generated(session, province):
    typed = _draw(session, province, n=1, seed="  双色球2026138  ")
    assert typed.seed == "双色球2026138" and not typed.seed_generated
    generated = _draw(session, province, n=1, seed=None)
    assert re.fullmatch(r"\d{12}", generated.seed) and generated.seed_generated
    with pytest.raises(DrawError, match="随机种子"):
        _draw(session, province, n=1, seed="   ")


def test_a_redraw_names_the_draw_it_replaces_and_needs_a_reason(session, province):
    first = _draw(session, province, n=1)
    with pytest.raises(DrawError, match="理由"):
        draw_schools(
            session, region=province.regions["p"], per="county", size=Size(n=1), seed="2", drawn_by=None, replaces=first
        )
    session.rollback()
    second = draw_schools(
        session,
        region=province.regions["p"],
        per="county",
        size=Size(n=1),
        seed="2",
        drawn_by=None,
        replaces=first,
        reason="抽中学校已撤并",
    )
    session.commit()
    assert second.replaces_id == first.id and second.reason == "抽中学校已撤并"
    assert session.get(SampleDraw, first.id) is not None  # both stay


def _cli(app, *args):
    """A command as from a shell. It runs in the test's app context, hence its session: forget
    what that session holds, so the command reads the database as a fresh process would."""
    db.session.expire_all()
    return app.test_cli_runner().invoke(args=["bureau", *args])


def test_the_draw_command_prints_each_stratum_in_ticket_order(app, session, province):
    result = _cli(
        app, "draw", "--purpose", "inspection", "--scope", "P", "--per", "county", "--n", "2", "--seed", "42", "--json"
    )
    assert result.exit_code == 0, result.output
    printed = json.loads(result.output)
    assert printed["strata"]["A1"] == expected("42", A1, 2)
    assert printed["strata"]["D"] == ["DS"]
    assert db.session.get(SampleDraw, printed["draw_id"]).seed == "42"


def test_the_draw_command_refuses_an_unknown_scope_and_writes_nothing(app, session, province):
    result = _cli(app, "draw", "--scope", "NOPE", "--n", "2", "--seed", "42")
    assert result.exit_code == 1 and "找不到代码为「NOPE」的区域" in result.output
    with Session(db.engine) as fresh:
        assert fresh.scalar(select(SampleDraw.id)) is None


def test_verify_draw_exits_0_when_the_record_reproduces(app, session, province):
    draw = _draw(session, province, n=3)
    result = _cli(app, "verify-draw", str(draw.id))
    assert result.exit_code == 0 and "复核一致" in result.output


def test_verify_draw_exits_1_when_a_frame_unit_was_altered_in_the_database(app, session, province):
    draw = _draw(session, province, n=3)
    with db.engine.begin() as connection:  # someone edits the stored frame behind the product's back
        connection.execute(
            update(SampleFrameUnit.__table__)
            .where(SampleFrameUnit.draw_id == draw.id, SampleFrameUnit.code == "A2S")
            .values(code="A2Z")
        )
    result = _cli(app, "verify-draw", str(draw.id))
    assert result.exit_code == 1 and "SHA-256 不符" in result.output


def test_verify_draw_exits_1_and_names_the_stratum_when_the_sample_was_altered(app, session, province):
    draw = _draw(session, province, n=3)
    strata = json.loads(json.dumps(draw.strata))
    left_out = [c for c in A1 if c not in _sample(draw, "A1")][0]
    strata["A1"]["sample"][0][0] = left_out  # a favoured school put in place of a drawn one
    with db.engine.begin() as connection:
        connection.execute(update(SampleDraw.__table__).where(SampleDraw.id == draw.id).values(strata=strata))
    result = _cli(app, "verify-draw", str(draw.id))
    assert result.exit_code == 1 and "（A1）的样本与重算结果不同" in result.output
    assert "A2" not in result.output.replace("A1", "")


def test_verify_draw_exits_1_for_a_draw_that_does_not_exist(app, session, province):
    result = _cli(app, "verify-draw", "999")
    assert result.exit_code == 1 and "找不到第 999 号抽取" in result.output


def test_verify_notices_an_excluded_school_made_eligible(session, province):
    draw = _draw(session, province, n=2)
    with db.engine.begin() as connection:
        connection.execute(
            update(SampleFrameUnit.__table__)
            .where(SampleFrameUnit.draw_id == draw.id, SampleFrameUnit.code == A1[0])
            .values(status="excluded")
        )
    session.expire_all()
    problems = verify_draw(session, session.get(SampleDraw, draw.id))
    excluded_was_drawn = A1[0] in _sample(draw, "A1")
    assert bool(problems) == excluded_was_drawn  # the sample changes only if it was drawn
    assert all("A1" in p for p in problems)


def test_a_published_draw_is_never_changed_by_anyone_signed_in(session, province):
    draw = _draw(session, province, n=2)
    inspector = province.users["inspector_a"]
    with scoped(session, scope_for_user(inspector)):
        mine = draw_schools(
            session, region=province.regions["a"], per="county", size=Size(n=1), seed="x", drawn_by=inspector
        )
        session.flush()
        mine.seed = "y"
        with pytest.raises(TenantViolation):
            session.flush()
    session.rollback()
    assert draw.seed == "20261201"


def test_an_inspector_draws_only_within_their_region(session, province):
    inspector = province.users["inspector_a"]  # city A
    with scoped(session, scope_for_user(inspector)), pytest.raises(TenantViolation):
        draw_schools(session, region=province.regions["b"], per="county", size=Size(n=1), seed="x", drawn_by=inspector)
    session.rollback()


@pytest.mark.parametrize("username", ["leader_a", "admin_a", "school_admin_a1x"])
def test_only_inspectors_make_draws(session, province, username):
    user = province.users[username]
    region = province.regions["a"]
    with scoped(session, scope_for_user(user)), pytest.raises(TenantViolation):
        draw_schools(session, region=region, per="county", size=Size(n=1), seed="x", drawn_by=user)
    session.rollback()


def test_draws_are_read_by_their_region_and_those_around_it_never_by_schools(session, province):
    a_draw = draw_schools(session, region=province.regions["a"], per="county", size=Size(n=1), seed="x", drawn_by=None)
    session.commit()
    seen = {}
    for username in ["inspector_a", "leader_p", "admin_a1", "inspector_b", "school_admin_a1x"]:
        with scoped(session, scope_for_user(province.users[username])):
            seen[username] = session.scalars(select(SampleDraw.id)).all() == [a_draw.id]
            frames = session.scalars(select(SampleFrameUnit.code).where(SampleFrameUnit.draw_id == a_draw.id)).all()
            seen[username] = (seen[username], len(frames))
    assert seen == {
        "inspector_a": (True, 15),  # its own city: 14 + A2S
        "leader_p": (True, 15),  # the province above it
        "admin_a1": (True, 15),  # a county below it
        "inspector_b": (False, 0),  # another city
        "school_admin_a1x": (False, 0),  # schools never see draws
    }
