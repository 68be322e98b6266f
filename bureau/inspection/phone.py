"""电话抽查: batches of families drawn from the family visits of a period, the calls made to them,
and the counts per school.

A batch's frame is the families (students) with at least one family visit, not returned, dated
in the period, in the active schools under the batch's region — one (stratum, code, status) row
per family, built in SQL and handed to the one sampling service. A family already drawn by an
earlier batch of the same campaign is in the frame but excluded, unless the batch allows repeats.
Each drawn family becomes a PhoneCheck about its latest such visit. Every try is a PhoneCall;
属实, 不属实 and 拒访 end the check, 未接通 ends it on the third try.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, case, func, literal, select, tuple_
from sqlalchemy.orm import Session, aliased

from bureau.inspection.frames import schools_under
from bureau.inspection.models import CALL_OUTCOMES, SATISFACTION, PhoneCall, PhoneCheck, PhoneCheckBatch
from bureau.inspection.sampling import EXCLUDED, Frame, Size, make_draw, sampled_codes
from bureau.tenants.guard import explicitly_scoped
from bureau.tenants.models import Region, School, User, place_name
from bureau.tenants.scope import Scope
from bureau.visits.models import Campaign, Student, Visit

PER = {"village": 5, "school": 2}  # stratification → default families per stratum
MAX_N = 50
MAX_TRIES = 3  # 未接通 three times ends the check
MAX_PERIOD_DAYS = 366
NO_VILLAGE = "未填写"
ENDING = ("confirmed", "contradicted", "refused")  # one call ends the check
REACHED = ("confirmed", "contradicted")  # the family answered: satisfaction asked
MAX_REMARKS = 500
LOOKUP_CHUNK = 500

_student, _visit, _school, _region = Student.__table__, Visit.__table__, School.__table__, Region.__table__
_check, _batch = PhoneCheck.__table__, PhoneCheckBatch.__table__


class PhoneCheckError(ValueError):
    """A batch or call refused as asked; the message is for the user and nothing is written."""


@dataclass(frozen=True)
class BatchInput:
    name: str
    region: Region
    period_start: date | None
    period_end: date | None
    per: str = "village"
    n: int | None = None
    campaign: Campaign | None = None
    allow_repeat: bool = False
    seed: str | None = None  # None: generated


def counted_family_visit(start: date, end: date):
    """The clause "this visit row counts for a phone check of the period" on the plain visit table:
    a family visit, not returned, dated within [start, end]."""
    return and_(
        _visit.c.target == "family",
        _visit.c.status != "returned",
        _visit.c.visited_on >= start,
        _visit.c.visited_on <= end,
    )


def village_stratum(county_code, village):
    """f"{county code}/{village or 未填写}", in SQL."""
    name = func.coalesce(func.nullif(func.trim(village), ""), literal(NO_VILLAGE))
    return county_code + literal("/") + name


def unit_code(school_code, number):
    """A family's public code, f"{school code}/{学号}", in SQL."""
    return school_code + literal("/") + number


def family_frame(
    session: Session,
    region: Region,
    per: str,
    start: date,
    end: date,
    campaign_id: int | None = None,
    allow_repeat: bool = False,
) -> Frame:
    """The families with a counted visit in the period in the active schools under `region`."""
    county = aliased(_region)
    # A correlated EXISTS (one lookup on ix_visit_student_id per student): with `student.id IN
    # (SELECT …)` SQLite walks the whole list once per school, 100,000 × 10,000 at province size.
    visited = select(literal(1)).where(_visit.c.student_id == _student.c.id, counted_family_visit(start, end)).exists()
    stratum = village_stratum(county.c.code, _student.c.village) if per == "village" else _school.c.code
    status = literal("")
    if campaign_id is not None and not allow_repeat:
        earlier = (
            select(_check.c.student_id)
            .join(_batch, _batch.c.id == _check.c.batch_id)
            .where(_batch.c.campaign_id == campaign_id)
        )
        status = case((_student.c.id.in_(earlier), literal(EXCLUDED)), else_=literal(""))
    units = (
        select(
            stratum.label("stratum"),
            unit_code(_school.c.code, _student.c.number).label("code"),
            status.label("status"),
        )
        .select_from(_student)
        .join(_school, _school.c.id == _student.c.school_id)
        .join(county, county.c.id == _school.c.county_id)
        .where(schools_under(region), _school.c.active.is_(True), visited)
    )
    return Frame(units, _labels(session, region, per))


def _labels(session: Session, region: Region, per: str) -> dict[str, str]:
    """Stratum code → a name people read: the school's name, or the 县区 and the village (one row
    per village, never per family)."""
    if per == "school":
        return dict(session.execute(select(_school.c.code, _school.c.name).where(schools_under(region))).all())
    counties = session.scalars(
        select(Region).where(Region.id.in_(select(_school.c.county_id).where(schools_under(region))))
    ).all()
    names = {c.code: place_name(c) for c in counties}
    county = aliased(_region)
    villages = session.execute(
        select(county.c.code, village_stratum(county.c.code, _student.c.village))
        .select_from(_student)
        .join(_school, _school.c.id == _student.c.school_id)
        .join(county, county.c.id == _school.c.county_id)
        .where(schools_under(region))
        .distinct()
    )
    return {stratum: f"{names.get(code, code)} {stratum.partition('/')[2]}" for code, stratum in villages}


def _check_input(data: BatchInput) -> tuple[str, date, date, int]:
    name = (data.name or "").strip()
    if not name:
        raise PhoneCheckError("请填写抽查批次名称。")
    if len(name) > 100:
        raise PhoneCheckError(f"批次名称最长 100 个字，现有 {len(name)} 个。")
    if data.per not in PER:
        raise PhoneCheckError("分层方式须为每村(社区)或每校。")
    n = PER[data.per] if data.n is None else data.n
    if not 1 <= n <= MAX_N:
        raise PhoneCheckError(f"每层抽取户数须在 1 到 {MAX_N} 之间。")
    start = data.period_start or (data.campaign.start_date if data.campaign else None)
    end = data.period_end or (data.campaign.end_date if data.campaign else None)
    if start is None or end is None:
        raise PhoneCheckError("请填写走访期间的起止日期，或选择活动（默认为活动期间）。")
    if start > end:
        raise PhoneCheckError("走访期间的开始日期不能晚于结束日期。")
    if (end - start).days >= MAX_PERIOD_DAYS:
        raise PhoneCheckError("走访期间最长一年。")
    campaign = data.campaign
    if campaign is not None and not _covers(campaign.region, data.region):
        raise PhoneCheckError(f"抽查范围须在活动「{campaign.name}」的范围（{place_name(campaign.region)}）之内。")
    return name, start, end, n


def _covers(outer: Region, inner: Region) -> bool:
    """Is `inner` at or below `outer`?"""
    return outer.id in (inner.id, inner.city_id, inner.province_id)


def make_batch(session: Session, data: BatchInput, drawn_by: User | None) -> PhoneCheckBatch:
    """Draw a batch (flush): the draw, then one PhoneCheck per drawn family."""
    name, start, end, n = _check_input(data)
    campaign_id = data.campaign.id if data.campaign is not None else None
    batch = PhoneCheckBatch(
        name=name,
        region=data.region,
        campaign_id=campaign_id,
        period_start=start,
        period_end=end,
        per=data.per,
        size_n=n,
        allow_repeat=data.allow_repeat,
        created_by_id=drawn_by.id if drawn_by is not None else None,
    )
    frame = family_frame(session, data.region, data.per, start, end, campaign_id, data.allow_repeat)
    params = {
        "period": [start.isoformat(), end.isoformat()],
        "campaign_id": campaign_id,
        "allow_repeat": data.allow_repeat,
    }
    if not session.scalar(select(frame.units.exists())):
        raise PhoneCheckError("抽查范围内，该期间没有可抽取的家庭（须有未退回的家访记录）。")
    draw = make_draw(
        session,
        purpose="phone_check",
        region=data.region,
        per=data.per,
        size=Size(n=n),
        seed=data.seed,
        frame=frame,
        drawn_by=drawn_by,
        params=params,
    )
    batch.draw = draw
    session.add(batch)
    session.flush()
    codes = [code for _, code, _ in sampled_codes(draw)]
    for school_id, student_id, visit_id in _families(session, codes, start, end):
        session.add(PhoneCheck(school_id=school_id, batch_id=batch.id, student_id=student_id, visit_id=visit_id))
    session.flush()
    return batch


def _families(session: Session, codes: list[str], start: date, end: date):
    """(school id, student id, latest counted visit id) of the sampled family codes, in chunks."""
    latest = (
        select(_visit.c.id)
        .where(_visit.c.student_id == _student.c.id, counted_family_visit(start, end))
        .order_by(_visit.c.visited_on.desc(), _visit.c.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    pairs = [tuple(code.split("/", 1)) for code in codes]
    for i in range(0, len(pairs), LOOKUP_CHUNK):
        chunk = pairs[i : i + LOOKUP_CHUNK]
        yield from session.execute(
            select(_student.c.school_id, _student.c.id, latest)
            .join(_school, _school.c.id == _student.c.school_id)
            .where(tuple_(_school.c.code, _student.c.number).in_(chunk))
            .order_by(_school.c.code, _student.c.number)
        ).all()


def record_call(
    session: Session,
    check_id: int,
    *,
    outcome: str,
    satisfaction: str | None,
    remarks: str | None,
    caller: User | None,
    now: datetime,
) -> PhoneCheck | None:
    """Log one try of a check (flush) and end the check when the try ends it. The check is read
    under a row lock, so two callers cannot both take its last try. None: no such check."""
    check = session.scalars(
        select(PhoneCheck)
        .where(PhoneCheck.id == check_id)
        .with_for_update(of=PhoneCheck)
        .execution_options(populate_existing=True)
    ).first()
    if check is None:
        return None
    if check.outcome is not None:
        raise PhoneCheckError("该家庭的电话抽查已结束，不能再记录通话。")
    satisfaction = (satisfaction or "").strip() or None
    remarks = (remarks or "").strip() or None
    _check_call(outcome, satisfaction, remarks)
    session.add(
        PhoneCall(
            school_id=check.school_id,
            check_id=check.id,
            called_at=now,
            outcome=outcome,
            note=remarks,
            called_by_id=caller.id if caller is not None else None,
        )
    )
    session.flush()
    tries = tries_of(session, check.id)
    if outcome in ENDING or tries >= MAX_TRIES:
        check.outcome = outcome
        check.satisfaction = satisfaction
        check.remarks = remarks
        check.closed_at = now
        check.checked_by_id = caller.id if caller is not None else None
        session.flush()
    return check


def _check_call(outcome: str, satisfaction: str | None, remarks: str | None) -> None:
    if outcome not in CALL_OUTCOMES:
        raise PhoneCheckError("请选择通话结果：属实、不属实、未接通或拒访。")
    if outcome in REACHED and satisfaction not in SATISFACTION:
        raise PhoneCheckError("家长接听时请选择满意度：满意、基本满意或不满意。")
    if outcome not in REACHED and satisfaction is not None:
        raise PhoneCheckError("未接通或拒访时不填写满意度。")
    if outcome == "contradicted" and not remarks:
        raise PhoneCheckError("结果为不属实时，请在备注中写明家长所说的情况（未走访，或与记录不符之处）。")
    if remarks is not None and len(remarks) > MAX_REMARKS:
        raise PhoneCheckError(f"备注最长 {MAX_REMARKS} 个字，现有 {len(remarks)} 个。")


def tries_of(session: Session, check_id: int) -> int:
    return session.scalar(select(func.count()).select_from(PhoneCall).where(PhoneCall.check_id == check_id)) or 0


def contradictions(session: Session, visit: Visit) -> list[PhoneCheck]:
    """The ended checks that found `visit` 不属实, as the session's scope may read them."""
    return list(
        session.scalars(
            select(PhoneCheck)
            .where(PhoneCheck.visit_id == visit.id, PhoneCheck.outcome == "contradicted")
            .order_by(PhoneCheck.closed_at, PhoneCheck.id)
        )
    )


@dataclass
class SchoolCount:
    """One school's checks: drawn, each outcome, still open, and 属实 among the families reached."""

    school_id: int
    code: str
    name: str
    county: str
    drawn: int = 0
    confirmed: int = 0
    contradicted: int = 0
    unreachable: int = 0
    refused: int = 0

    @property
    def pending(self) -> int:
        return self.drawn - self.confirmed - self.contradicted - self.unreachable - self.refused

    @property
    def rate(self) -> float | None:
        reached = self.confirmed + self.contradicted
        return self.confirmed / reached if reached else None


def school_counts(
    session: Session, scope: Scope | None, region: Region, batch: PhoneCheckBatch | None = None
) -> list[SchoolCount]:
    """Every active school under `region` (and in `scope`), with its checks — of `batch`, or of
    every batch — counted in SQL: a school with no checks is listed with zeros."""
    check = PhoneCheck
    county = aliased(Region)
    counted = select(
        check.school_id,
        func.count().label("drawn"),
        *[func.count().filter(check.outcome == key).label(key) for key in (*REACHED, "unreachable", "refused")],
    ).group_by(check.school_id)
    if batch is not None:
        counted = counted.where(check.batch_id == batch.id)
    if scope is not None:
        counted = counted.where(scope.school_clause(check.school_id))
    counted = counted.subquery()
    statement = (
        select(
            School.id,
            School.code,
            School.name,
            county.name,
            *[func.coalesce(counted.c[k], 0) for k in ("drawn", *REACHED, "unreachable", "refused")],
        )
        .join(county, county.id == School.county_id)
        .outerjoin(counted, counted.c.school_id == School.id)
        .where(School.active.is_(True), schools_under(region))
        .order_by(county.code, School.code)
    )
    if scope is not None:
        statement = statement.where(scope.school_clause(School.id))
    return [SchoolCount(*row) for row in session.execute(explicitly_scoped(statement, scope))]


def total(rows: list[SchoolCount], name: str) -> SchoolCount:
    out = SchoolCount(0, "", name, "")
    for row in rows:
        for key in ("drawn", *REACHED, "unreachable", "refused"):
            setattr(out, key, getattr(out, key) + getattr(row, key))
    return out
