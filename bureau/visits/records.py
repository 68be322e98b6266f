"""Visit records (家访情况记录表): recording, correcting, reviewing, and their photos."""

from __future__ import annotations

import io
import uuid
from dataclasses import asdict, dataclass, fields
from datetime import date
from pathlib import Path

from PIL import Image, ImageOps
from sqlalchemy import and_, exists, func, or_, select
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
MAX_PHOTO_PIXELS = 40_000_000  # a 40-megapixel phone photo; decoding it takes some 120 MB
PHOTO_FORMATS = {"JPEG": ("image/jpeg", "jpg"), "PNG": ("image/png", "png")}  # stored content type, extension


class VisitError(ValueError):
    """A refused visit change, with a message for the user; `fields` sorts the reasons by the input
    of the visit (a VisitInput field) each is about, None for the others, so a form shows each
    beside its field. Empty when the refusal is about no input (a photo, a review)."""

    def __init__(self, message: str, fields: dict[str | None, list[str]] | None = None):
        super().__init__(message)
        self.fields = fields or {}


def _refusal(errors: list[tuple[str | None, str]]) -> VisitError:
    """One VisitError of every (field, message) found, the messages in the order found."""
    fields: dict[str | None, list[str]] = {}
    for field, message in errors:
        fields.setdefault(field, []).append(message)
    return VisitError("；".join(message for _, message in errors), fields)


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


def _check(session: Session, visitor: Staff, data: VisitInput) -> list[tuple[str | None, str]]:
    """Every reason to refuse `data`, each with the VisitInput field it is about."""
    errors: list[tuple[str | None, str]] = []
    if data.visited_on > clock.today():
        errors.append(("visited_on", "走访日期不能晚于今天"))
    if data.mode not in VISIT_MODES:
        errors.append(("mode", "请选择走访方式"))
    if data.target not in VISIT_TARGETS:
        errors.append(("target", "请选择走访对象类型"))
    if data.target == "family" and data.student_id is None:
        errors.append(("student_id", "请选择被走访的学生"))
    if data.target == "staff" and data.target_staff_id is None:
        errors.append(("target_staff_id", "请选择被访谈的教职工"))
    if data.target == "community" and not (data.visited_person or "").strip():
        errors.append(("visited_person", "请填写被走访人员的姓名和身份"))
    for field, labels, name in (
        ("employment", EMPLOYMENT, "家长就业情况"),
        ("caregiver", CAREGIVERS, "在家照顾学生人员"),
        ("housing", HOUSING, "住房条件"),
    ):
        value = getattr(data, field)
        if value and value not in labels:
            errors.append((field, f"{name}的选项无效"))
    for field, name in (("household_size", "家庭总人口"), ("school_children", "学生人数")):
        value = getattr(data, field)
        if value is not None and not 0 <= value <= 30:
            errors.append((field, f"{name}应在 0 到 30 之间"))
    if not data.no_gifts:
        errors.append(("no_gifts", "请确认未收受家长礼品、未接受宴请"))
    if data.staff2_id == visitor.id:
        errors.append(("staff2_id", "同行人员不能是本人"))
    for field in ("staff2_id", "target_staff_id"):
        staff_id = getattr(data, field)
        if staff_id is not None and _staff_of_school(session, staff_id, visitor.school_id) is None:
            errors.append((field, "所选教职工不存在"))
    if (
        data.student_id is not None
        and session.scalar(
            select(Student.id).where(Student.id == data.student_id, Student.school_id == visitor.school_id)
        )
        is None
    ):
        errors.append(("student_id", "所选学生不存在"))
    if term_of(session, data.visited_on) is None:
        errors.append(("visited_on", "走访日期不在任何学期内，请联系管理员设置学期"))
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
    return bool(
        session.scalar(
            select(
                exists().where(
                    table.c.student_id == student_id, table.c.term_id == visit.term.id, table.c.id != (visit.id or 0)
                )
            )
        )
    )


def _snapshot(session: Session, visit: Visit, data: VisitInput) -> None:
    plain = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in asdict(data).items()}
    session.add(
        VisitVersion(
            school_id=visit.school_id, visit=visit, number=visit.version, submitted_at=visit.submitted_at, data=plain
        )
    )


def record_visit(session: Session, visitor: Staff, data: VisitInput) -> Visit:
    """A new visit by `visitor` (pending review); a second visit to a student in a term is a repeat."""
    errors = _check(session, visitor, data)
    if errors:
        raise _refusal(errors)
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
        raise _refusal(errors)
    _apply(session, visit, data)
    visit.version += 1
    visit.status = "pending"
    _snapshot(session, visit, data)
    session.flush()
    return visit


# Who reviews a school's visit records: its own admins (the tenant guard keeps them to it).
REVIEW_ROLES = ("school_admin",)


def may_review(user: User) -> bool:
    return user.role in REVIEW_ROLES


def review(session: Session, visit: Visit, reviewer: User, approve: bool, note: str = "") -> Visit:
    """审核: 待审核 → 通过, or → 退回 with a reason; only the school's admins review."""
    if not may_review(reviewer):
        raise VisitError("只有学校管理员可以审核走访记录")
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


def approve_all(session: Session, ids: list[int], reviewer: User) -> list[Visit]:
    """通过 several records at once, all or nothing: each is judged by `review`, and any refusal (a
    record no longer pending, one that does not exist) refuses them all, naming the records. The
    records judged before a refusal were changed in the session: the caller rolls back."""
    if not ids:
        raise VisitError("请先勾选要审核通过的记录")
    visits = session.scalars(select(Visit).where(Visit.id.in_(ids)).order_by(Visit.submitted_at, Visit.id)).all()
    refused: dict[str, list[str]] = {}
    missing = len(set(ids)) - len(visits)
    if missing:
        refused[f"{missing} 条所选记录不存在"] = []
    for visit in visits:
        try:
            review(session, visit, reviewer, approve=True)
        except VisitError as error:
            refused.setdefault(str(error), []).append(str(visit))
    if refused:
        raise VisitError("；".join(f"{why}（{'、'.join(which)}）" if which else why for why, which in refused.items()))
    return list(visits)


def next_pending(session: Session, after: Visit) -> Visit | None:
    """The record to review after `after`: the next pending one in the queue (the longest waiting
    first, by submission), else the first pending one left. The session's scope says whose."""
    queue = select(Visit).where(Visit.status == "pending", Visit.id != after.id).order_by(Visit.submitted_at, Visit.id)
    later = or_(
        Visit.submitted_at > after.submitted_at, and_(Visit.submitted_at == after.submitted_at, Visit.id > after.id)
    )
    return session.scalar(queue.where(later).limit(1)) or session.scalar(queue.limit(1))


@dataclass(frozen=True)
class PhotoUpload:
    """An uploaded photo, checked and re-encoded, not yet stored: these bytes are ours."""

    content: bytes
    content_type: str
    extension: str


def _photo_error(name: str, message: str) -> VisitError:
    label = name if len(name) <= 40 else name[:40] + "…"
    return VisitError(f"照片「{label}」{message}" if label else f"照片{message}")


def prepare_photo(content: bytes, name: str = "") -> PhotoUpload:
    """Decode an uploaded JPEG or PNG and encode it afresh, or refuse it.

    Only an image Pillow can decode in full passes, at most MAX_PHOTO_PIXELS (a small file can
    declare a huge canvas). The stored image is upright (EXIF orientation applied) and carries no
    metadata: no EXIF (GPS, camera, time), no text chunks, no colour profile, nothing appended.
    """
    if len(content) > MAX_PHOTO_BYTES:
        raise _photo_error(name, "超过 5 MB")
    try:
        with Image.open(io.BytesIO(content), formats=("JPEG", "PNG")) as image:
            # The header gives the size: a huge canvas is refused before a pixel is decoded.
            if image.width * image.height > MAX_PHOTO_PIXELS:
                raise _photo_error(name, f"像素过多（{image.width}×{image.height}），请压缩后上传")
            return _reencode(image)
    except VisitError:
        raise
    except Image.DecompressionBombError as exc:
        raise _photo_error(name, "像素过多，请压缩后上传") from exc
    except Exception as exc:  # Pillow fails in many ways on hostile bytes; all mean "not a photo"
        raise _photo_error(name, "无法识别：只能上传 JPEG 或 PNG 格式的照片") from exc


def _reencode(image: Image.Image) -> PhotoUpload:
    # A phone's JPEG with a depth map or preview opens as MPO: its first picture is the photo.
    kind = "PNG" if image.format == "PNG" else "JPEG"
    # Every pixel is decoded on the way (that is the verification: a truncated or corrupt file,
    # or one that only starts like an image, fails here) and only pixels are written out.
    upright = ImageOps.exif_transpose(image)
    out = io.BytesIO()
    if kind == "JPEG":
        upright = upright if upright.mode in ("L", "RGB") else upright.convert("RGB")
        upright.save(out, "JPEG", quality=90)
    else:
        # Only the transparency is carried over; icc_profile=None stops Pillow copying the profile.
        keep = {k: v for k, v in upright.info.items() if k == "transparency"}
        upright.save(out, "PNG", icc_profile=None, **keep)
    content_type, extension = PHOTO_FORMATS[kind]
    return PhotoUpload(out.getvalue(), content_type, extension)


def prepare_photos(uploads: list[tuple[str, bytes]]) -> list[PhotoUpload]:
    """Every photo of a submission checked before any is stored; the first bad one refuses all.
    (How many a visit may have is add_photos' rule: it knows the photos already stored.)"""
    return [prepare_photo(content, name) for name, content in uploads]


FILES_KEY = "bureau.files_written"


def _written(session: Session) -> list[Path]:
    """The photo files this transaction wrote: kept when it commits, removed when it rolls back,
    so a refusal, a failed flush or a failed commit leaves nothing on disk."""
    return session.info.setdefault(FILES_KEY, [])


def write_file(session: Session, target: Path, content: bytes) -> None:
    """Write an uploaded file that belongs to the transaction (see _written): it stays when the
    request commits and is removed when it rolls back."""
    _written(session).append(target)
    target.write_bytes(content)


def store_photo(session: Session, upload_dir: str, school_id: int, photo: PhotoUpload, prefix: str = "") -> str:
    """Write a checked photo under upload_dir/<school_id>/ with an unguessable name, as a file of
    the transaction (write_file); its path relative to upload_dir, as the photo row keeps it."""
    folder = Path(upload_dir) / str(school_id)
    folder.mkdir(parents=True, exist_ok=True)
    relative = Path(str(school_id)) / f"{prefix}{uuid.uuid4().hex}.{photo.extension}"
    write_file(session, Path(upload_dir) / relative, photo.content)
    return str(relative)


def keep_files(session: Session) -> None:
    """The transaction committed: its files stay."""
    session.info.pop(FILES_KEY, None)


def remove_files(session: Session) -> None:
    """The transaction rolled back: its files go too."""
    for path in session.info.pop(FILES_KEY, []):
        path.unlink(missing_ok=True)


def add_photos(session: Session, visit: Visit, photos: list[PhotoUpload], upload_dir: str) -> list[VisitPhoto]:
    """Store checked photos of `visit` under upload_dir/<school_id>/ (flush); each file belongs
    to the transaction (see _written) from the moment it is written."""
    if not photos:
        return []
    count = (
        session.scalar(select(func.count(VisitPhoto.id)).where(VisitPhoto.visit_id == visit.id))
        if visit.id is not None
        else 0
    )
    if count + len(photos) > MAX_PHOTOS:
        raise VisitError(f"每条记录最多上传 {MAX_PHOTOS} 张照片（已有 {count} 张）")
    rows = []
    for photo in photos:
        rows.append(
            VisitPhoto(
                school_id=visit.school_id,
                visit=visit,
                path=store_photo(session, upload_dir, visit.school_id, photo),
                content_type=photo.content_type,
                size=len(photo.content),
                uploaded_at=clock.now(),
            )
        )
    session.add_all(rows)
    session.flush()
    return rows


def photo_file(photo: VisitPhoto, upload_dir: str) -> Path:
    return Path(upload_dir) / photo.path
