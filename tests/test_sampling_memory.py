"""A draw streams its frame and holds only each stratum's sample: memory follows the sample, never
the frame. Measured with tracemalloc on generated frames of two sizes that give samples of the
same size; the larger frame must not need noticeably more memory."""

from __future__ import annotations

import tracemalloc

import pytest
from sqlalchemy import func, insert, select

from bureau.extensions import db
from bureau.inspection.frames import draw_schools
from bureau.inspection.models import SampleFrameUnit
from bureau.inspection.sampling import Size, select_samples
from bureau.tenants.models import Region, School

SLACK = 512 * 1024  # bytes: allocator noise, interned strings, SQLAlchemy's statement caches


def _peak(run) -> int:
    tracemalloc.start()
    try:
        run()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def _families(villages: int, per_village: int):
    """(stratum, code, status) of a family frame: `villages` villages in code order."""
    for v in range(villages):
        for f in range(per_village):
            yield f"C{v:05d}", f"S{v:05d}/{f:07d}", ""


@pytest.mark.parametrize("villages", [1000, 1])
def test_ten_families_per_village_need_the_same_memory_from_a_frame_ten_times_larger(villages):
    # 1,000 villages of 20 or of 200 families (10,000 drawn either way); or one stratum of
    # 20,000 or 200,000 families (10 drawn): the larger frame needs no more memory.
    per_village = 20_000 // villages
    sizes = {f"C{v:05d}": 10 for v in range(villages)}
    small = _peak(lambda: select_samples(_families(villages, per_village), "seed", sizes))
    large = _peak(lambda: select_samples(_families(villages, per_village * 10), "seed", sizes))
    assert large < small + SLACK, (small, large)


def _generate_schools(session, counties: int, per_county: int) -> Region:
    province = Region(code="GP", name="生成省", kind="province")
    session.add(province)
    session.flush()
    rows = [
        {"code": f"GC{c:03d}", "name": f"县{c}", "kind": "county", "parent_id": province.id, "province_id": province.id}
        for c in range(counties)
    ]
    session.execute(insert(Region), rows)
    ids = dict(session.execute(select(Region.code, Region.id).where(Region.kind == "county")).all())
    schools = [
        {
            "code": f"GS{c:03d}{s:05d}",
            "name": f"学校{c}-{s}",
            "county_id": ids[f"GC{c:03d}"],
            "province_id": province.id,
            "active": True,
        }
        for c in range(counties)
        for s in range(per_county)
    ]
    session.execute(insert(School), schools)
    session.commit()
    return province


def test_drawing_500_schools_from_10_000_streams_the_frame_from_the_database(session):
    # 100 counties; 5 schools drawn in each: 500 from a frame of 10,000, then of 40,000.
    province = _generate_schools(session, 100, 100)

    def draw():
        draw_schools(session, region=province, per="county", size=Size(n=5), seed="s", drawn_by=None)

    draw()  # once first, so caches (statements, mappers) are warm for both measurements
    session.rollback()
    small = _peak(draw)
    session.rollback()
    counties = dict(session.execute(select(Region.id, Region.code).where(Region.kind == "county")).all())
    session.execute(
        insert(School),
        [
            {"code": f"GX{code}{s:05d}", "name": "新学校", "county_id": rid, "province_id": province.id, "active": True}
            for rid, code in counties.items()
            for s in range(300)
        ],
    )
    session.commit()
    large = _peak(draw)
    drawn = session.scalar(
        select(func.count()).select_from(SampleFrameUnit).where(SampleFrameUnit.draw_id.is_not(None))
    )
    assert drawn == 40_000  # the frame sits in the database …
    assert large < small + SLACK, (small, large)  # … not in memory
    session.rollback()
    db.session.remove()
