"""Demo data of inspection rounds: the city inspector's autumn round of 青川市 (two schools per
county, announced, all four inspected and completed with findings), and the current unannounced
round (one school per county, excluding the autumn's schools): one inspection done a few days
ago, one still to come — so the demo school sees the first only from its day.

Everything goes through the product's own services (create_round, draw_round, schedule,
publish, record_findings), so the draws are real, reproducible ones. Deterministic: the seeds and
dates are counted from `clock.today()`; a second load changes nothing.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bureau import clock
from bureau.inspection.findings import CHECKLIST, Findings, record_findings
from bureau.inspection.models import Inspection, InspectionRound
from bureau.inspection.rounds import RoundInput, create_round, draw_round, publish, schedule
from bureau.tenants.models import Region, User

CITY = "990100"
INSPECTOR = "inspector"
COMPANIONS = ("市教育局督导科 刘干事", "青川市责任督学 孙老师", "", "市教育局督导科 刘干事")
# Per inspection of the autumn round, in schedule order: (the items answered 否, notes, verdict).
AUTUMN = (
    ((), "家访台账完整，包保到人，问题整改台账逐条销号。", "excellent"),
    (("publicity",), "台账齐全；家长会未宣传万师访万家活动，已要求补上。", "good"),
    (("ledger", "rectification"), "部分家访记录只有日期没有内容，整改台账缺两条回访记录。", "pass"),
    (("assigned",), "两个班的包保教师调走后未交接，已当场要求补齐。", "good"),
)


def _at(day, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=clock.LOCAL)


def _findings(answered_no: tuple[str, ...], notes: str, verdict: str) -> Findings:
    items = {key: (key not in answered_no, "现场查看" if key not in answered_no else "需整改") for key in CHECKLIST}
    return Findings(items, notes, verdict)


def _inspections(session: Session, round_: InspectionRound) -> list[Inspection]:
    return list(session.scalars(select(Inspection).where(Inspection.round_id == round_.id).order_by(Inspection.id)))


def load(session: Session) -> None:
    """Add the demo's two inspection rounds of 青川市 (flush); nothing when they are there."""
    inspector = session.scalar(select(User).where(User.username == INSPECTOR))
    city = session.scalar(select(Region).where(Region.code == CITY))
    if inspector is None or city is None:
        return
    today = clock.today()
    autumn_name, winter_name = f"{today.year}年督学随机检查（第一轮）", f"{today.year}年明察暗访（第二轮）"
    if session.scalar(select(InspectionRound.id).where(InspectionRound.name.in_([autumn_name, winter_name]))):
        return
    start = today - timedelta(days=40)
    autumn = create_round(
        session, RoundInput(autumn_name, city, start, start + timedelta(days=20), size_n=2), inspector
    )
    draw_round(session, autumn, f"{start:%Y%m%d}", inspector)
    for number, inspection in enumerate(_inspections(session, autumn)):
        schedule(session, inspection, inspector, start + timedelta(days=2 + 3 * number), COMPANIONS[number], inspector)
    publish(session, autumn)
    for inspection, (no, notes, verdict) in zip(_inspections(session, autumn), AUTUMN, strict=False):
        record_findings(
            session, inspection, _findings(no, notes, verdict), inspector, _at(inspection.scheduled_on), True
        )

    window = today - timedelta(days=7)
    winter = create_round(
        session,
        RoundInput(
            winter_name, city, window, window + timedelta(days=28), size_n=1, exclude_recent=1, unannounced=True
        ),
        inspector,
    )
    draw_round(session, winter, f"{window:%Y%m%d}", inspector)
    done, coming = _inspections(session, winter)
    schedule(session, done, inspector, today - timedelta(days=3), COMPANIONS[0], inspector)
    schedule(session, coming, inspector, today + timedelta(days=5), COMPANIONS[1], inspector)
    publish(session, winter)
    record_findings(
        session,
        done,
        _findings(("publicity",), "暗访当天随机抽看三个班的家访记录，均有内容、有照片。", "good"),
        inspector,
        _at(done.scheduled_on),
        True,
    )
    session.flush()
