"""The draw page publishes what anyone needs to repeat a draw: the seed, the frame (to download)
and its SHA-256, each sampled unit's ticket; 复核 recomputes the draw from its record. Region roles
read the draws of their region and those around it; schools never see a draw."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import func, select, update

from bureau.extensions import db
from bureau.inspection.frames import draw_schools
from bureau.inspection.models import SampleDraw, SampleFrameUnit
from bureau.inspection.sampling import Size
from tests.factories import stored


@pytest.fixture
def city_draw(session, world) -> SampleDraw:
    """City A's schools (A1X, A1Y in A1; A2S in A2), one per county, seed 2026."""
    draw = draw_schools(
        session,
        region=world.regions["a"],
        per="county",
        size=Size(n=1),
        seed="2026",
        drawn_by=None,
        drawn_by_name="测试",
    )
    session.commit()
    return draw


def _first(codes: list[str]) -> str:
    return min(codes, key=lambda c: hashlib.sha256(f"2026:{c}".encode()).hexdigest())


def test_the_draw_page_shows_the_seed_the_frame_hash_and_every_tickets(login_as, city_draw):
    page = login_as("inspector_a").get(f"/admin/draw/{city_draw.id}").get_data(as_text=True)
    assert 'id="draw-seed">2026<' in page and city_draw.frame_sha256 in page
    a1 = _first(["A1X", "A1Y"])
    assert hashlib.sha256(f"2026:{a1}".encode()).hexdigest() in page  # the ticket shown beside it
    assert hashlib.sha256(b"2026:A2S").hexdigest() in page
    assert "甲市一区（A1）：抽取 1 / 可抽 2（抽样框 2）" in page
    assert f"printf '%s' '2026:{a1}' | sha256sum" in page


def test_the_downloaded_frame_hashes_to_the_published_sha256(login_as, city_draw):
    response = login_as("leader_p").get(f"/admin/draw/{city_draw.id}/frame.txt")
    assert response.status_code == 200
    body = response.get_data()
    assert body == b"A1\tA1X\nA1\tA1Y\nA2\tA2S\n"
    assert hashlib.sha256(body).hexdigest() == city_draw.frame_sha256


def test_verify_says_the_draw_reproduces_and_writes_nothing(login_as, city_draw):
    client = login_as("inspector_a")
    before = stored(select(func.count()).select_from(SampleDraw))
    page = client.get(f"/admin/draw/{city_draw.id}/verify").get_data(as_text=True)
    assert "复核一致" in page and "复核不一致" not in page
    assert stored(select(func.count()).select_from(SampleDraw)) == before


def test_verify_names_the_stratum_whose_frame_was_altered(login_as, city_draw):
    with db.engine.begin() as connection:
        connection.execute(
            update(SampleFrameUnit.__table__)
            .where(SampleFrameUnit.draw_id == city_draw.id, SampleFrameUnit.code == "A2S")
            .values(code="A2Q")
        )
    page = login_as("inspector_a").get(f"/admin/draw/{city_draw.id}/verify").get_data(as_text=True)
    assert "复核不一致" in page and "SHA-256 不符" in page and "（A2）的样本与重算结果不同" in page


@pytest.mark.parametrize(
    ("username", "status"), [("inspector_b", 404), ("school_admin_a1x", 403), ("teacher_a1x", 403)]
)
def test_a_draw_outside_the_scope_does_not_exist_and_schools_have_no_draw_pages(login_as, city_draw, username, status):
    client = login_as(username)
    for url in ["", "/verify", "/frame.txt"]:
        assert client.get(f"/admin/draw/{city_draw.id}{url}").status_code == status
    listing = client.get("/admin/draw/")
    assert listing.status_code == (200 if status == 404 else 403)
    if status == 404:
        assert f'href="/admin/draw/{city_draw.id}"' not in listing.get_data(as_text=True)


def test_the_list_shows_a_redraw_with_the_draw_it_replaces_and_why(session, world, login_as, city_draw):
    redraw = draw_schools(
        session,
        region=world.regions["a"],
        per="county",
        size=Size(n=1),
        seed="9",
        drawn_by=None,
        replaces=city_draw,
        reason="原抽中学校停办",
    )
    session.commit()
    client = login_as("inspector_a")
    listing = client.get("/admin/draw/").get_data(as_text=True)
    assert f'href="/admin/draw/{redraw.id}"' in listing and "原抽中学校停办" in listing
    old = client.get(f"/admin/draw/{city_draw.id}").get_data(as_text=True)
    assert f"第 {redraw.id} 号" in old and "原抽中学校停办" in old  # both stay visible
