"""An inspection's findings: the checklist (是/否 items with remarks), the figures filled from the
data (coverage this term, records awaiting review, the 周调度 on-time rate, students without
包保), notes, photos and the verdict; completing is final. And the findings export's row.

Every function flushes; the request commits. A refusal is a RoundError with a Chinese message and
nothing written. Who may read an inspection is the tenant guard's read rule (`inspection.rules`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bureau import clock
from bureau.inspection.models import VERDICTS, Inspection, InspectionPhoto
from bureau.inspection.rounds import day_text, name_of, require, state_of
from bureau.progress.rates import total as rates_total
from bureau.progress.rates import trend
from bureau.progress.service import closed_weeks
from bureau.tenants.models import School, User
from bureau.tenants.scope import Scope
from bureau.visits.assignments import without_responsible
from bureau.visits.coverage import coverage_rows, current_term
from bureau.visits.models import Campaign, Student, Visit
from bureau.visits.records import MAX_PHOTOS, PhotoUpload, store_photo

MAX_REMARK = 200
MAX_NOTES = 5000
# The checklist's items an inspector answers 是/否 (with remarks), in the order of the form.
CHECKLIST = {
    "ledger": "家访台账完整",
    "assigned": "包保落实到人",
    "rectification": "问题整改台账",
    "publicity": "宣传发动",
}
# The checklist's figures, filled from the data (live on the form, stored on completion).
FIGURES = {
    "coverage": "本学期家访覆盖率",
    "pending": "待审核家访记录（条）",
    "on_time": "周调度按时率",
    "unassigned": "未落实包保的学生（名）",
}
PERCENT_FIGURES = ("coverage", "on_time")


def _campaign_of(session: Session, school: School, term_id: int, today: date) -> Campaign | None:
    """The school's 周调度 campaign of the term: run by a region above it, the latest begun."""
    campaigns = session.scalars(
        select(Campaign)
        .where(Campaign.term_id == term_id, Campaign.start_date <= today)
        .order_by(Campaign.start_date.desc(), Campaign.id.desc())
    )
    return next((c for c in campaigns if Scope(c.region.kind, c.region.id).covers_school(school)), None)


def live_figures(session: Session, inspection: Inspection, now: datetime) -> dict[str, float | int | None]:
    """The checklist's figures from the data as of `now`: coverage this term, records awaiting
    review, the 周调度 on-time rate of the weeks closed so far, students without 包保. A figure
    with no data behind it (no term, no roster, no closed week) is None."""
    school, today = inspection.school, clock.local(now).date()
    school_scope = Scope("school", school.id)
    term = current_term(session, today)
    coverage = on_time = None
    if term is not None:
        rows = coverage_rows(session, school_scope, term, "school", today)
        coverage = rows[0].coverage if rows else None
        campaign = _campaign_of(session, school, term.id, today)
        if campaign is not None:
            closed = set(closed_weeks(campaign, now))
            weeks = [r for r in trend(session, campaign.id, school_scope, None) if r.key in closed]
            on_time = rates_total(weeks, "").on_time_rate
    pending = session.scalar(
        select(func.count(Visit.id)).where(Visit.school_id == school.id, Visit.status == "pending")
    )
    unassigned = session.scalar(
        without_responsible(select(func.count(Student.id)).where(Student.school_id == school.id))
    )
    return {"coverage": coverage, "pending": pending or 0, "on_time": on_time, "unassigned": unassigned or 0}


def figure_text(key: str, value) -> str:
    if value is None:
        return "—"
    if key in PERCENT_FIGURES:
        return f"{value * 100:.1f}%"
    return str(value)


@dataclass(frozen=True)
class Findings:
    """What an inspector records: each checklist item 是/否 (None: not answered) with remarks,
    notes, and — to complete — a verdict."""

    items: dict[str, tuple[bool | None, str]]
    notes: str = ""
    verdict: str | None = None


def _check_findings(findings: Findings, complete: bool) -> dict:
    checklist = {}
    for key, label in CHECKLIST.items():
        answer, remark = findings.items.get(key, (None, ""))
        remark = (remark or "").strip()
        require(len(remark) <= MAX_REMARK, f"「{label}」的说明最长 {MAX_REMARK} 个字。")
        if complete:
            require(answer is not None, f"请回答「{label}」（是或否）。")
        checklist[key] = {"ok": answer, "remark": remark}
    require(len(findings.notes or "") <= MAX_NOTES, f"检查记录最长 {MAX_NOTES} 个字。")
    if complete:
        require(findings.verdict in VERDICTS, "请选择检查结论。")
    return checklist


def _check_open(inspection: Inspection, today: date) -> None:
    require(inspection.round.state == "published", "检查轮次尚未发布。")
    require(inspection.state != "completed", "检查已完成，结果不能再修改。")
    require(
        inspection.scheduled_on is not None and inspection.scheduled_on <= today,
        f"检查日期（{day_text(inspection.scheduled_on)}）未到，还不能记录检查结果。",
    )


def record_findings(
    session: Session,
    inspection: Inspection,
    findings: Findings,
    by: User,
    now: datetime,
    complete: bool = False,
) -> Inspection:
    """Save the findings (flush); with `complete`, store the figures as of now and the verdict:
    a completed inspection is final."""
    _check_open(inspection, clock.local(now).date())
    inspection.checklist = _check_findings(findings, complete)
    inspection.notes = (findings.notes or "").strip() or None
    if complete:
        inspection.figures = live_figures(session, inspection, now)
        inspection.verdict = findings.verdict
        inspection.state = "completed"
        inspection.completed_at = now
        inspection.completed_by_id = by.id
    session.flush()
    return inspection


def add_photos(
    session: Session, inspection: Inspection, photos: list[PhotoUpload], upload_dir: str, now: datetime
) -> list[InspectionPhoto]:
    """Store checked photos (visits.records.prepare_photos) under upload_dir/<school_id>/ (flush);
    each file belongs to the transaction, so a refusal or rollback removes it again."""
    if not photos:
        return []
    _check_open(inspection, clock.local(now).date())
    count = session.scalar(select(func.count(InspectionPhoto.id)).where(InspectionPhoto.inspection_id == inspection.id))
    require(count + len(photos) <= MAX_PHOTOS, f"每次检查最多上传 {MAX_PHOTOS} 张照片（已有 {count} 张）。")
    rows = []
    for photo in photos:
        rows.append(
            InspectionPhoto(
                school_id=inspection.school_id,
                inspection_id=inspection.id,
                path=store_photo(session, upload_dir, inspection.school_id, photo, prefix="inspection-"),
                content_type=photo.content_type,
                size=len(photo.content),
                uploaded_at=now,
            )
        )
    session.add_all(rows)
    session.flush()
    return rows


def photo_path(photo: InspectionPhoto, upload_dir: str) -> Path:
    return Path(upload_dir) / photo.path


def findings_row(inspection: Inspection) -> list:
    """A row of the findings export: the inspection, its figures, its checklist, its verdict."""
    i = inspection
    figures = [i.figures.get(key) if i.figures else None for key in FIGURES]
    items = []
    for key in CHECKLIST:
        item = (i.checklist or {}).get(key) or {}
        answer = {True: "是", False: "否"}.get(item.get("ok"), "")
        items += [answer, item.get("remark", "")]
    return [
        i.round.name,
        i.scheduled_on,
        i.school.name,
        i.school.county.name,
        name_of(i.inspector),
        state_of(i),
        *figures,
        *items,
        i.notes or "",
        VERDICTS.get(i.verdict, "") if i.verdict else "",
        clock.local(i.completed_at).replace(tzinfo=None) if i.completed_at else None,
    ]
