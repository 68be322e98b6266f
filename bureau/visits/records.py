"""Visit records (家访情况记录表): recording, correcting, reviewing, and their photos."""
from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass, fields
from datetime import date
from pathlib import Path

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from bureau import clock
from bureau.tenants.models import User
from bureau.visits.models import (
    CAREGIVERS,
    EMPLOYMENT,
    HOUSING,
    VISIT_MODES,
    VISIT_TARGETS,
    Staff,
    Student,
    Term,
    Visit,
    VisitPhoto,
    VisitVersion,
)

MAX_PHOTOS = 6
MAX_PHOTO_BYTES = 5 * 1024 * 1024
PHOTO_KINDS = {b"\xff\xd8\xff": ("image/jpeg", "jpg"), b"\x89PNG\r\n\x1a\n": ("image/png", "png")}


class VisitError(ValueError):
    """A refused visit change, with a message for the user."""


@dataclass
class VisitInput:
    """What a visitor fills in; the same fields are kept in every version."""

    visited_on: date
    mode: str = "home"
    target: str = "family"
    student_id: int | None = None
    staff2_id: int | None = None
    target_staff_id: int | None = None
    visited_person: str | None = None
    household_size: int | None = None
    school_children: int | None = None
    employment: str | None = None
    caregiver: str | None = None
    housing: str | None = None
    q_punishment: bool | None = None
    q_homework: bool | None = None
    q_marking: bool | None = None
    q_tutoring: bool | None = None
    q_lessons: bool | None = None
    q_fees: bool | None = None
    q_safety: bool | None = None
    opinions: str | None = None
    safety_notice: bool = False
    letter_delivered: bool = False
    reported: str | None = None
    feedback: str | None = None
    no_gifts: bool = False


def term_of(session: Session, day: date) -> Term | None:
    return session.scalar(select(Term).where(Term.start_date <= day, Term.end_date >= day))


def _check(session: Session, visitor: Staff, data: VisitInput) -> list[str]:
    errors = []
    if data.visited_on > clock.local(clock.now()).date():
        errors.append("走访日期不能晚于今天")
    if data.mode not in VISIT_MODES:
        errors.append("请选择走访方式")
    if data.target not in VISIT_TARGETS:
        errors.append("请选择走访对象类型")
    if data.target == "family" and data.student_id is None:
        errors.append("请选择被走访的学生")
    if data.target == "staff" and data.target_staff_id is None:
        errors.append("请选择被访谈的教职工")
    if data.target == "community" and not (data.visited_person or "").strip():
        errors.append("请填写被走访人员的姓名和身份")
    for value, labels, name in ((data.employment, EMPLOYMENT, "家长就业情况"),
                                (data.caregiver, CAREGIVERS, "在家照顾学生人员"),
                                (data.housing, HOUSING, "住房条件")):
        if value and value not in labels:
            errors.append(f"{name}的选项无效")
    for value, name in ((data.household_size, "家庭总人口"), (data.school_children, "学生人数")):
        if value is not None and not 0 <= value <= 30:
            errors.append(f"{name}应在 0 到 30 之间")
    if not data.no_gifts:
        errors.append("请确认未收受家长礼品、未接受宴请")
    if data.staff2_id == visitor.id:
        errors.append("同行人员不能是本人")
    for staff_id in (data.staff2_id, data.target_staff_id):
        if staff_id is not None and _staff_of_school(session, staff_id, visitor.school_id) is None:
            errors.append("所选教职工不存在")
    if data.student_id is not None and session.scalar(select(Student.id).where(
            Student.id == data.student_id, Student.school_id == visitor.school_id)) is None:
        errors.append("所选学生不存在")
    if term_of(session, data.visited_on) is None:
        errors.append("走访日期不在任何学期内，请联系管理员设置学期")
    return errors


def _staff_of_school(session: Session, staff_id: int, school_id: int) -> int | None:
    return session.scalar(select(Staff.id).where(Staff.id == staff_id, Staff.school_id == school_id))


def _apply(session: Session, visit: Visit, data: VisitInput) -> None:
    for field in fields(VisitInput):
        setattr(visit, field.name, getattr(data, field.name))
    if data.target != "family":
        visit.student_id = None
    visit.term = term_of(session, data.visited_on)
    visit.submitted_at = clock.now()
    visit.is_repeat = data.target == "family" and _visited_in_term(session, visit, data.student_id)


def _visited_in_term(session: Session, visit: Visit, student_id: int) -> bool:
    """Has anyone else recorded a visit to the student this term? Asked of the table itself,
    so a teacher's own-visits rule does not hide a colleague's visit."""
    table = Visit.__table__
    return bool(session.scalar(select(exists().where(
        table.c.student_id == student_id, table.c.term_id == visit.term.id,
        table.c.id != (visit.id or 0)))))


def _snapshot(session: Session, visit: Visit, data: VisitInput) -> None:
    plain = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in asdict(data).items()}
    session.add(VisitVersion(school_id=visit.school_id, visit=visit, number=visit.version,
                             submitted_at=visit.submitted_at, data=plain))


def record_visit(session: Session, visitor: Staff, data: VisitInput) -> Visit:
    """A new visit by `visitor` (pending review); a second visit to a student in a term is a repeat."""
    errors = _check(session, visitor, data)
    if errors:
        raise VisitError("；".join(errors))
    visit = Visit(school_id=visitor.school_id, staff=visitor, status="pending", version=1)
    _apply(session, visit, data)
    session.add(visit)
    _snapshot(session, visit, data)
    session.flush()
    return visit


def resubmit(session: Session, visit: Visit, data: VisitInput) -> Visit:
    """Correct a pending or returned record: a new version, back to 待审核."""
    if visit.status == "approved":
        raise VisitError("已审核通过的记录不能修改")
    errors = _check(session, visit.staff, data)
    if errors:
        raise VisitError("；".join(errors))
    _apply(session, visit, data)
    visit.version += 1
    visit.status = "pending"
    _snapshot(session, visit, data)
    session.flush()
    return visit


def review(session: Session, visit: Visit, reviewer: User, approve: bool, note: str = "") -> Visit:
    """审核: 待审核 → 通过, or → 退回 with a reason."""
    if visit.status != "pending":
        raise VisitError("只能审核待审核的记录")
    note = (note or "").strip()
    if not approve and not note:
        raise VisitError("退回时请填写退回原因")
    visit.status = "approved" if approve else "returned"
    visit.review_note = note or None
    visit.reviewed_at = clock.now()
    visit.reviewed_by_id = reviewer.id
    session.flush()
    return visit


def photo_kind(content: bytes) -> tuple[str, str] | None:
    """(content type, extension) of a JPEG or PNG by its first bytes, or None."""
    for magic, kind in PHOTO_KINDS.items():
        if content.startswith(magic):
            return kind
    return None


def add_photo(session: Session, visit: Visit, content: bytes, upload_dir: str) -> VisitPhoto:
    """Store a photo of `visit` under upload_dir/<school_id>/ after checking what it is."""
    if len(content) > MAX_PHOTO_BYTES:
        raise VisitError("照片不能超过 5 MB")
    kind = photo_kind(content)
    if kind is None:
        raise VisitError("只能上传 JPEG 或 PNG 格式的照片")
    count = session.scalar(select(VisitPhoto.id).where(VisitPhoto.visit_id == visit.id)
                           .order_by(VisitPhoto.id).offset(MAX_PHOTOS - 1).limit(1))
    if count is not None:
        raise VisitError(f"每条记录最多上传 {MAX_PHOTOS} 张照片")
    relative = Path(str(visit.school_id)) / f"{uuid.uuid4().hex}.{kind[1]}"
    target = Path(upload_dir) / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(content)
    photo = VisitPhoto(school_id=visit.school_id, visit=visit, path=str(relative),
                       content_type=kind[0], size=len(content), uploaded_at=clock.now())
    session.add(photo)
    session.flush()
    return photo


def photo_file(photo: VisitPhoto, upload_dir: str) -> Path:
    return Path(upload_dir) / photo.path
