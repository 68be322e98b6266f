"""Inspection rounds (督学检查轮次) and their inspections: define a round, draw its schools, assign
inspectors and dates, publish the schedule (the findings on the day: `inspection.findings`).

Every function takes a session and flushes; the request (or command) commits. A refusal is a
RoundError with a Chinese message and nothing written. Who may read an inspection (明察暗访: the
school only from its date) is the tenant guard's read rule (`inspection.rules`), never checked here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bureau import clock
from bureau.inspection.frames import SCHOOL_STRATA, draw_schools
from bureau.inspection.models import (
    INSPECTION_STATES,
    ROUND_STATES,
    STRATA,
    Inspection,
    InspectionRound,
    SampleDraw,
)
from bureau.inspection.sampling import DrawError, Size, sampled_codes
from bureau.tenants.guard import current_scope, explicitly_scoped
from bureau.tenants.models import Region, School, User
from bureau.tenants.scope import Scope, scope_for_user

MAX_NAME = 100
MAX_WINDOW_DAYS = 366
MAX_EXCLUDE_RECENT = 50
MAX_COMPANIONS = 200


class RoundError(ValueError):
    """A round or inspection change refused; the message is for the user, nothing was written."""


def require(condition: bool, message: str) -> None:
    """Refuse with `message` (a RoundError: nothing written) unless `condition` holds."""
    if not condition:
        raise RoundError(message)


def name_of(user: User | None) -> str:
    return (user.display_name or user.username) if user is not None else ""


def inspector_names(session: Session, inspections: Iterable[Inspection]) -> dict[int, str]:
    """Inspection id → its inspector's name, for inspections the session has read. The guard
    hides region users from a school's users, but the name of the inspector who comes to their
    school is theirs to know: this one statement, over the ids of inspections they may see, is
    marked as scoped (`explicitly_scoped`) and returns names only."""
    by_inspector = {i.id: i.inspector_id for i in inspections if i.inspector_id is not None}
    if not by_inspector:
        return {}
    statement = select(User.id, User.display_name, User.username).where(User.id.in_(set(by_inspector.values())))
    names = {
        id_: display or username
        for id_, display, username in session.execute(explicitly_scoped(statement, current_scope(session)))
    }
    return {inspection_id: names.get(user_id, "") for inspection_id, user_id in by_inspector.items()}


def day_text(day: date | None) -> str:
    """12月3日, as a schedule reads."""
    return f"{day.month}月{day.day}日" if day else ""


# --- rounds ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class RoundInput:
    """What defines a round: name, window, scope, size rule (n per stratum or a percentage)."""

    name: str
    region: Region | None
    start_date: date | None
    end_date: date | None
    per: str = "county"
    size_n: int | None = None
    size_percent: int | None = None
    exclude_recent: int = 0
    unannounced: bool = False


def _check_round(data: RoundInput, by: User) -> None:
    name = (data.name or "").strip()
    require(bool(name), "请填写检查轮次名称。")
    require(len(name) <= MAX_NAME, f"检查轮次名称最长 {MAX_NAME} 个字。")
    require(data.region is not None, "请选择检查范围。")
    require(scope_for_user(by).covers_region(data.region), "检查范围须在您的管辖范围之内。")
    require(data.start_date is not None and data.end_date is not None, "请填写检查时段的起止日期。")
    require(data.start_date <= data.end_date, "检查时段的结束日期不能早于开始日期。")
    require((data.end_date - data.start_date).days < MAX_WINDOW_DAYS, "检查时段最长一年。")
    require(data.per in SCHOOL_STRATA, "分层方式须为每县(市、区)、每市或每校。")
    require(
        0 <= data.exclude_recent <= MAX_EXCLUDE_RECENT,
        f"排除近几轮已检查学校的轮数须在 0 到 {MAX_EXCLUDE_RECENT} 之间。",
    )
    try:
        Size(n=data.size_n, percent=data.size_percent)
    except DrawError as error:
        raise RoundError(str(error)) from error


def create_round(session: Session, data: RoundInput, by: User) -> InspectionRound:
    """A new round, not drawn yet (flush)."""
    _check_round(data, by)
    round_ = InspectionRound(
        name=data.name.strip(),
        region_id=data.region.id,
        start_date=data.start_date,
        end_date=data.end_date,
        per=data.per,
        size_n=data.size_n,
        size_percent=data.size_percent,
        exclude_recent=data.exclude_recent,
        unannounced=data.unannounced,
        state="draft",
        created_by_id=by.id,
        created_at=clock.now(),
    )
    session.add(round_)
    session.flush()
    return round_


def size_label(round_: InspectionRound) -> str:
    each = f"{round_.size_n} 所" if round_.size_n is not None else f"{round_.size_percent}%（向上取整）"
    return f"每{STRATA.get(round_.per, round_.per)} {each}"


def state_label(round_: InspectionRound) -> str:
    return ROUND_STATES.get(round_.state, round_.state)


def _draw(session: Session, round_: InspectionRound, seed: str | None, by: User, replaces=None, reason=None):
    try:
        draw = draw_schools(
            session,
            region=round_.region,
            per=round_.per,
            size=Size(n=round_.size_n, percent=round_.size_percent),
            seed=seed,
            drawn_by=by,
            exclude_recent=round_.exclude_recent,
            before=round_,
            replaces=replaces,
            reason=reason,
        )
    except DrawError as error:
        raise RoundError(str(error)) from error
    codes = [code for _, code, _ in sampled_codes(draw)]
    require(bool(codes), "没有抽到学校：范围内的学校都被排除了，请减少排除的轮数。")
    schools = dict(session.execute(select(School.code, School.id).where(School.code.in_(codes))).all())
    session.add_all(Inspection(round_id=round_.id, school_id=schools[code], state="scheduled") for code in codes)
    round_.draw_id = draw.id
    session.flush()
    return draw


def draw_round(session: Session, round_: InspectionRound, seed: str | None, by: User) -> SampleDraw:
    """Draw the round's schools (seed typed in, or None: generated): one inspection per school."""
    require(round_.state == "draft", "检查轮次已发布，不能再抽取。")
    require(round_.draw_id is None, "本轮已抽取学校；如需重新抽取，请说明理由。")
    return _draw(session, round_, seed, by)


def redraw_round(session: Session, round_: InspectionRound, seed: str | None, reason: str, by: User) -> SampleDraw:
    """A new draw replacing the round's schools, before publishing; the old draw stays visible."""
    require(round_.state == "draft", "检查轮次已发布，不能重新抽取。")
    require(round_.draw_id is not None, "本轮尚未抽取学校。")
    require(bool((reason or "").strip()), "重新抽取须说明理由。")
    require(len(reason.strip()) <= 500, "理由最长 500 个字。")
    old = session.get(SampleDraw, round_.draw_id)
    for inspection in session.scalars(select(Inspection).where(Inspection.round_id == round_.id)):
        session.delete(inspection)
    session.flush()
    return _draw(session, round_, seed, by, replaces=old, reason=reason.strip())


def round_inspections(session: Session, round_: InspectionRound) -> list[Inspection]:
    """The round's inspections the session may read, by date (unscheduled last), then school."""
    return list(
        session.scalars(
            select(Inspection)
            .join(School, School.id == Inspection.school_id)
            .where(Inspection.round_id == round_.id)
            .order_by(Inspection.scheduled_on.is_(None), Inspection.scheduled_on, School.code)
        )
    )


def publish(session: Session, round_: InspectionRound) -> None:
    """Publish the schedule: every inspection has its inspector and date (flush)."""
    require(round_.state == "draft", "检查轮次已发布。")
    inspections = round_inspections(session, round_)
    require(bool(inspections), "本轮尚未抽取学校，不能发布。")
    missing = [i.school.name for i in inspections if i.inspector_id is None or i.scheduled_on is None]
    if missing:
        shown = "、".join(missing[:5]) + (f" 等 {len(missing)} 所" if len(missing) > 5 else "")
        raise RoundError(f"还有学校未安排督学或日期：{shown}。")
    round_.state = "published"
    round_.published_at = clock.now()
    session.flush()


# --- schedule -------------------------------------------------------------------------------


def inspectors_for(session: Session, school: School) -> list[User]:
    """The active inspectors whose scope covers `school` (and the session may read)."""
    users = session.scalars(
        select(User).where(User.role == "inspector", User.active.is_(True)).order_by(User.display_name, User.id)
    )
    return [u for u in users if scope_for_user(u).covers_school(school)]


def _booked_elsewhere(session: Session, inspection: Inspection, inspector: User, day: date, scope: Scope) -> str | None:
    """The school the inspector is already booked at on `day`, named if the actor may read it.
    On the plain tables: a booking in a school outside the actor's scope still counts."""
    table, schools = Inspection.__table__, School.__table__
    row = session.execute(
        select(schools.c.id, schools.c.name, schools.c.county_id, schools.c.city_id, schools.c.province_id)
        .select_from(table.join(schools, schools.c.id == table.c.school_id))
        .where(table.c.inspector_id == inspector.id, table.c.scheduled_on == day, table.c.id != (inspection.id or 0))
        .limit(1)
    ).first()
    if row is None:
        return None
    return row.name if scope.covers_school(row) else "另一所学校"


def schedule(
    session: Session,
    inspection: Inspection,
    inspector: User | None,
    day: date | None,
    companions: str | None,
    by: User,
) -> Inspection:
    """Assign an inspector and a date within the round's window (flush). No inspector is booked
    twice on a day (the service names the other school; the database has a unique index too).
    After publishing, the inspector and date may still move under the same rules, never to none."""
    round_ = inspection.round
    require(inspection.state != "completed", "检查已完成，不能再改期。")
    if round_.state == "published":
        require(inspector is not None and day is not None, "已发布的检查须有督学和日期。")
    if inspector is not None:
        require(inspector.role == "inspector" and inspector.active, "请选择一名在职的督学。")
        require(scope_for_user(inspector).covers_school(inspection.school), f"{name_of(inspector)}的管辖范围不含该校。")
    if day is not None:
        require(
            round_.start_date <= day <= round_.end_date,
            f"检查日期须在本轮时段内（{round_.start_date} 至 {round_.end_date}）。",
        )
    companions = (companions or "").strip() or None
    require(companions is None or len(companions) <= MAX_COMPANIONS, f"同行人员最长 {MAX_COMPANIONS} 个字。")
    if inspector is not None and day is not None:
        other = _booked_elsewhere(session, inspection, inspector, day, scope_for_user(by))
        require(other is None, f"{name_of(inspector)} {day_text(day)}已安排检查{other}，同一督学一天只能检查一所学校。")
    inspection.inspector_id = inspector.id if inspector is not None else None
    inspection.scheduled_on = day
    inspection.companions = companions
    session.flush()
    return inspection


# --- what each user sees --------------------------------------------------------------------


def upcoming(session: Session, today: date, inspector_id: int | None = None, limit: int = 5) -> list[Inspection]:
    """Inspections the session may read that are still to come (from today), soonest first; with
    `inspector_id`, that inspector's. For a school user the guard shows only what it may see."""
    query = (
        select(Inspection)
        .join(InspectionRound, InspectionRound.id == Inspection.round_id)
        .where(Inspection.state == "scheduled", Inspection.scheduled_on >= today)
        .order_by(Inspection.scheduled_on, Inspection.id)
        .limit(limit)
    )
    if inspector_id is not None:
        query = query.where(Inspection.inspector_id == inspector_id, InspectionRound.state == "published")
    return list(session.scalars(query))


def month_days(month: date) -> list[list[date | None]]:
    """The weeks of a month, Monday first, days outside it None."""
    first = month.replace(day=1)
    after = (first + timedelta(days=32)).replace(day=1)
    days: list[date | None] = [None] * first.weekday()
    days += [first + timedelta(days=i) for i in range((after - first).days)]
    days += [None] * (-len(days) % 7)
    return [days[i : i + 7] for i in range(0, len(days), 7)]


def in_month(session: Session, month: date, inspector_id: int | None = None) -> dict[date, list[Inspection]]:
    """The inspections the session may read dated in `month`, by day."""
    first = month.replace(day=1)
    after = (first + timedelta(days=32)).replace(day=1)
    query = (
        select(Inspection)
        .where(Inspection.scheduled_on >= first, Inspection.scheduled_on < after)
        .order_by(Inspection.scheduled_on, Inspection.id)
    )
    if inspector_id is not None:
        query = query.where(Inspection.inspector_id == inspector_id)
    out: dict[date, list[Inspection]] = {}
    for inspection in session.scalars(query):
        out.setdefault(inspection.scheduled_on, []).append(inspection)
    return out


def state_of(inspection: Inspection) -> str:
    """待检查 / 已完成, and 未发布 while its round is a draft."""
    if inspection.round.state == "draft":
        return ROUND_STATES["draft"]
    return INSPECTION_STATES.get(inspection.state, inspection.state)


def schedule_rows(inspections: Iterable[Inspection]) -> Iterable[list]:
    """日期, 学校, 县区, 督学, 同行人员, 状态: a row per inspection (the schedule export)."""
    for i in inspections:
        yield [
            i.scheduled_on,
            i.school.name,
            i.school.county.name,
            name_of(i.inspector),
            i.companions or "",
            state_of(i),
        ]
