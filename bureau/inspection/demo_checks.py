"""Demo data of 电话抽查 and 满意度调查 in 青川市: a phone-check batch over the campaign's family
visits (two families per village) with its first calls made — one visit found 不属实, one
family still to be called back —, and the term's satisfaction survey of the city's families with
the answers of some classes recorded, so the rates pages have a school above and one below 80 %.

Everything goes through the product's own services (make_batch, record_call, make_survey,
record_response), so the draws are real, reproducible ones. Deterministic: the seeds and times
are counted from `clock.today()`; a second load changes nothing.
"""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bureau import clock
from bureau.inspection.models import PhoneCheck, PhoneCheckBatch, Survey, SurveyTarget
from bureau.inspection.phone import BatchInput, make_batch, record_call
from bureau.inspection.surveys import SurveyError, make_survey, record_response
from bureau.tenants.models import Region, User
from bureau.visits.models import Campaign

CITY = "990100"
INSPECTOR = "inspector"
SEED = 20261201
# The first calls of the batch, in check order: (outcome, satisfaction, remarks); 未接通 twice is
# a check still open (a third try remains).
CALLS = (
    ("confirmed", "satisfied", "家长说班主任10月来过家里，谈了孩子的作业和安全。"),
    ("confirmed", "satisfied", None),
    ("contradicted", "fair", "家长说本学期没有老师上门，只在家长会上见过班主任。"),
    ("confirmed", "fair", "老师来过，家长希望多沟通孩子的学习情况。"),
    ("unreachable", None, "无人接听"),
    ("refused", None, "家长说正在上班，不方便接听。"),
    ("confirmed", "satisfied", None),
)
ANSWERED_SHARE = 0.7  # of each school's drawn families, the share whose answers are recorded


def _at(day, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=clock.LOCAL)


def load_phone_checks(session: Session, campaign: Campaign) -> None:
    """The demo's phone-check batch of 青川市 and its first calls (flush); nothing when it is there."""
    inspector = session.scalar(select(User).where(User.username == INSPECTOR))
    city = session.scalar(select(Region).where(Region.code == CITY))
    if inspector is None or city is None:
        return
    name = f"{campaign.name}电话抽查（{city.name}第一批）"
    if session.scalar(select(PhoneCheckBatch.id).where(PhoneCheckBatch.name == name)) is not None:
        return
    today = clock.today()
    batch = make_batch(
        session,
        BatchInput(
            name=name,
            region=city,
            period_start=campaign.start_date,
            period_end=min(campaign.end_date, today),
            per="village",
            n=2,
            campaign=campaign,
            seed=f"{SEED}-{today:%Y%m%d}",
        ),
        inspector,
    )
    checks = session.scalars(select(PhoneCheck).where(PhoneCheck.batch_id == batch.id).order_by(PhoneCheck.id))
    day = today - timedelta(days=2)
    for number, (check, (outcome, satisfaction, remarks)) in enumerate(zip(checks, CALLS, strict=False)):
        record_call(
            session,
            check.id,
            outcome=outcome,
            satisfaction=satisfaction,
            remarks=remarks,
            caller=inspector,
            now=_at(day, 9) + timedelta(minutes=7 * number),
        )
        if outcome == "unreachable":  # called again in the afternoon, still no answer
            record_call(
                session,
                check.id,
                outcome=outcome,
                satisfaction=None,
                remarks="仍无人接听，明天再打",
                caller=inspector,
                now=_at(day, 15),
            )
    session.flush()


def load_survey(session: Session, campaign: Campaign) -> None:
    """The term's satisfaction survey of 青川市 with some answers (flush); nothing when it is
    there, or when the term has ended (a survey is drawn only for a term still running)."""
    inspector = session.scalar(select(User).where(User.username == INSPECTOR))
    city = session.scalar(select(Region).where(Region.code == CITY))
    if inspector is None or city is None:
        return
    term = campaign.term
    name = f"{term.name}{city.name}家长满意度调查"
    if session.scalar(select(Survey.id).where(Survey.name == name)) is not None:
        return
    try:
        survey = make_survey(
            session, name=name, region=city, term=term, seed=f"{SEED}-{term.start_date:%Y%m%d}", drawn_by=inspector
        )
    except SurveyError:
        return
    targets = session.scalars(
        select(SurveyTarget).where(SurveyTarget.survey_id == survey.id).order_by(SurveyTarget.id)
    ).all()
    by_school: dict[int, list[SurveyTarget]] = {}
    for target in targets:
        by_school.setdefault(target.school_id, []).append(target)
    for school_id, drawn in sorted(by_school.items()):
        rng = random.Random(f"{SEED}-{school_id}")
        # one school of the city is less liked than the others: its rate falls below 80 %
        weights = (4, 3, 3) if school_id == min(by_school) else (7, 3, 0.4)
        for target in drawn[: int(len(drawn) * ANSWERED_SHARE)]:
            answers = {
                key: rng.choices(("satisfied", "fair", "unsatisfied"), weights)[0]
                for key in ("homework", "marking", "safety", "overall")
            }
            comment = "希望老师多家访，多和家长沟通。" if rng.random() < 0.1 else None
            record_response(session, target, answers, comment, inspector)
    session.flush()


def load(session: Session, campaign: Campaign) -> None:
    load_phone_checks(session, campaign)
    load_survey(session, campaign)
