"""Frames of school draws: the active schools under a region, one stratum per county, city or
school, with the schools inspected in the region's last K rounds excluded.

Family frames (phone checks, surveys) are built beside their modules; all of them are SELECTs of
(stratum, code, status) rows handed to sampling.make_draw.
"""

from __future__ import annotations

from sqlalchemy import case, func, literal, or_, select
from sqlalchemy.orm import Session, aliased

from bureau.inspection.models import Inspection, InspectionRound, SampleDraw
from bureau.inspection.sampling import EXCLUDED, DrawError, Frame, Size, make_draw
from bureau.tenants.models import Region, School, User, place_name

SCHOOL_STRATA = ("county", "city", "school")

# Plain tables: a frame is bulk SQL bounded by the region it is given, never by a session's scope.
_school, _region, _inspection, _round = (
    School.__table__,
    Region.__table__,
    Inspection.__table__,
    InspectionRound.__table__,
)


def schools_under(region: Region):
    """The clause "this school lies under `region`" on the plain school table."""
    key = {"province": "province_id", "city": "city_id"}.get(region.kind, "county_id")
    return _school.c[key] == region.id


def recently_inspected(region: Region, rounds: int, before: InspectionRound | None = None):
    """SELECT of the school ids inspected in `region`'s last `rounds` rounds (by start date),
    leaving out the round `before` itself."""
    last = select(_round.c.id).where(_round.c.region_id == region.id)
    if before is not None and before.id is not None:
        last = last.where(_round.c.id != before.id)
    last = last.order_by(_round.c.start_date.desc(), _round.c.id.desc()).limit(rounds)
    return select(_inspection.c.school_id).where(_inspection.c.round_id.in_(last))


def school_frame(
    session: Session, region: Region, per: str, exclude_recent: int, before: InspectionRound | None = None
) -> Frame:
    """The active schools under `region`, stratified `per` county, city or school."""
    if per not in SCHOOL_STRATA:
        raise DrawError("抽取学校时，分层方式须为每县(市、区)、每市或每校。")
    if exclude_recent < 0:
        raise DrawError("排除近几轮已检查学校的轮数不能为负数。")
    county, city = aliased(_region), aliased(_region)
    stratum = {
        "county": county.c.code,
        # A direct county's schools have no city: the direct county is their city-level stratum.
        "city": func.coalesce(city.c.code, county.c.code),
        "school": _school.c.code,
    }[per]
    status = literal("")
    if exclude_recent:
        recent = recently_inspected(region, exclude_recent, before)
        status = case((_school.c.id.in_(recent), literal(EXCLUDED)), else_=literal(""))
    units = (
        select(stratum.label("stratum"), _school.c.code.label("code"), status.label("status"))
        .select_from(_school)
        .join(county, county.c.id == _school.c.county_id)
        .outerjoin(city, city.c.id == _school.c.city_id)
        .where(schools_under(region), _school.c.active.is_(True))
    )
    return Frame(units, _labels(session, region, per))


def _labels(session: Session, region: Region, per: str) -> dict[str, str]:
    """Stratum code → a name people read (青川市东城区, 东城区实验小学)."""
    if per == "school":
        rows = session.execute(select(_school.c.code, _school.c.name).where(schools_under(region)))
        return dict(rows.all())
    under = or_(_region.c.id == region.id, _region.c.province_id == region.id, _region.c.city_id == region.id)
    ids = session.scalars(select(_region.c.id).where(under)).all()
    regions = session.scalars(select(Region).where(Region.id.in_(ids))).all()
    return {r.code: place_name(r) for r in regions}


def draw_schools(
    session: Session,
    *,
    region: Region,
    per: str,
    size: Size,
    seed: str | None,
    drawn_by: User | None,
    drawn_by_name: str = "",
    exclude_recent: int = 0,
    before: InspectionRound | None = None,
    replaces: SampleDraw | None = None,
    reason: str | None = None,
) -> SampleDraw:
    """A draw of the active schools under `region` (flush): the CLI's and the rounds' one way."""
    frame = school_frame(session, region, per, exclude_recent, before)
    params = {"exclude_recent": exclude_recent}
    if before is not None and before.id is not None:
        params["round_id"] = before.id
    return make_draw(
        session,
        purpose="inspection",
        region=region,
        per=per,
        size=size,
        seed=seed,
        frame=frame,
        drawn_by=drawn_by,
        drawn_by_name=drawn_by_name,
        params=params,
        replaces=replaces,
        reason=reason,
    )
