"""Visit photos (issue 7, findings 10 and 11): every photo of a submission is checked before any file
is written, files of a refused or failed submission are removed, and what is stored is an image we
encoded ourselves (decoded in full, upright, without EXIF or any other metadata), never the upload.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PIL import ExifTags, Image
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from bureau import clock
from bureau.extensions import db
from bureau.visits.models import Visit, VisitPhoto
from bureau.visits.records import MAX_PHOTO_PIXELS, VisitError, prepare_photo

NOW = datetime(2026, 11, 20, 4, 0, tzinfo=UTC)  # 2026-11-20 12:00 Beijing, in the world's term


def jpeg(size=(40, 20), color="red", exif: Image.Exif | None = None) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "JPEG", **({"exif": exif} if exif is not None else {}))
    return out.getvalue()


def png(size=(30, 10), mode="RGBA", **params) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size).save(out, "PNG", **params)
    return out.getvalue()


JPEG_THEN_HTML = b"\xff\xd8\xff\xe0" + b"<html><script>alert(document.cookie)</script></html>"


def files(app) -> set[Path]:
    return {p for p in Path(app.config["UPLOAD_DIR"]).rglob("*") if p.is_file()}


def visits_of(student_id: int) -> int:
    """Counted in a session of its own, after the request ended."""
    with Session(db.engine) as fresh:
        return fresh.scalar(select(func.count(Visit.id)).where(Visit.student_id == student_id))


def submit(client, student, photos: list[tuple[bytes, str]], url: str = "/admin/my_visits/new"):
    data = {
        "target": "family",
        "student_id": str(student.id),
        "visited_on": "2026-11-19",
        "mode": "home",
        "staff2_id": "",
        "no_gifts": "y",
        "photos": [(io.BytesIO(content), name) for content, name in photos],
    }
    with clock.frozen_at(NOW):
        return client.post(url, data=data, content_type="multipart/form-data")


@pytest.fixture
def teacher(world, login_as):
    return login_as("teacher_a1x")


def test_a_bad_sixth_photo_leaves_no_file_and_no_visit(app, world, teacher):
    student = world.extra["students_a1x"][1]
    before = files(app)
    photos = [(jpeg(color=c), f"{c}.jpg") for c in ("red", "green", "blue", "white", "black")]
    response = submit(teacher, student, photos + [(JPEG_THEN_HTML, "evil.jpg")])
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "照片「evil.jpg」无法识别：只能上传 JPEG 或 PNG 格式的照片" in page
    assert files(app) == before and visits_of(student.id) == 0


def test_seven_photos_are_refused_before_any_is_stored(app, world, teacher):
    student = world.extra["students_a1x"][1]
    before = files(app)
    page = submit(teacher, student, [(jpeg(), f"{i}.jpg") for i in range(7)]).get_data(as_text=True)
    assert "每条记录最多上传 6 张照片" in page
    assert files(app) == before and visits_of(student.id) == 0


def test_photos_added_to_a_visit_count_the_ones_it_has(app, world, teacher):
    """The world's visit already has one photo: six more would make seven."""
    visit = world.extra["visits_a1x"][0]
    before = files(app)
    page = submit(
        teacher, visit.student, [(jpeg(), f"{i}.jpg") for i in range(6)], url=f"/admin/my_visits/{visit.id}/edit"
    ).get_data(as_text=True)
    assert "每条记录最多上传 6 张照片（已有 1 张）" in page
    assert files(app) == before
    with Session(db.engine) as fresh:
        assert fresh.scalar(select(func.count(VisitPhoto.id)).where(VisitPhoto.visit_id == visit.id)) == 1
        assert fresh.get(Visit, visit.id).version == 1


def test_a_successful_visit_leaves_exactly_its_files(app, world, teacher):
    student = world.extra["students_a1x"][1]
    before = files(app)
    upload = jpeg()
    response = submit(teacher, student, [(upload, "a.jpg"), (png(), "b.png")])
    assert response.status_code == 302
    with Session(db.engine) as fresh:
        rows = fresh.scalars(select(VisitPhoto).join(Visit).where(Visit.student_id == student.id)).all()
        stored = {Path(app.config["UPLOAD_DIR"]) / row.path for row in rows}
        assert sorted(row.content_type for row in rows) == ["image/jpeg", "image/png"]
        assert all(row.size == (Path(app.config["UPLOAD_DIR"]) / row.path).stat().st_size for row in rows)
    assert files(app) - before == stored and len(stored) == 2


def test_a_failed_commit_removes_the_files_it_wrote(app, world, teacher):
    """The flush wrote the files; the commit then fails: the user gets the error page, the disk nothing."""
    student = world.extra["students_a1x"][1]
    before = files(app)
    flushed = []

    def mark(session, context, instances):
        if any(isinstance(obj, VisitPhoto) for obj in session.new):
            session.info["photo_flushed"] = True

    def fail(session):
        if session.info.get("photo_flushed"):
            flushed.append(True)
            raise RuntimeError("the database went away")

    event.listen(Session, "before_flush", mark)
    event.listen(Session, "before_commit", fail)
    try:
        response = submit(teacher, student, [(jpeg(), "a.jpg"), (jpeg(), "b.jpg")])
    finally:
        event.remove(Session, "before_commit", fail)
        event.remove(Session, "before_flush", mark)
    assert response.status_code == 500 and "Traceback" not in response.get_data(as_text=True)
    assert flushed == [True]  # the photos' rows were flushed, so their files had been written
    assert files(app) == before and visits_of(student.id) == 0


def test_a_jpeg_header_followed_by_html_is_refused():
    with pytest.raises(VisitError, match="无法识别"):
        prepare_photo(JPEG_THEN_HTML, "a.jpg")


def test_a_truncated_jpeg_is_refused():
    content = jpeg(size=(400, 300))
    with pytest.raises(VisitError, match="无法识别"):
        prepare_photo(content[: len(content) // 2], "half.jpg")


def test_html_appended_to_a_real_jpeg_is_not_stored():
    stored = prepare_photo(jpeg() + b"<html><script>alert(1)</script></html>", "a.jpg")
    assert stored.content_type == "image/jpeg" and b"<html" not in stored.content and b"<script" not in stored.content


def test_a_decompression_bomb_is_refused_before_it_is_decoded():
    """An 8000 x 6000 black PNG is a few kilobytes; 48 megapixels is over the 40 allowed."""
    content = png(size=(8000, 6000), mode="1")
    assert len(content) < 100_000 and 8000 * 6000 > MAX_PHOTO_PIXELS
    with pytest.raises(VisitError, match="像素过多（8000×6000）"):
        prepare_photo(content, "bomb.png")


def test_a_jpeg_with_gps_comes_back_upright_without_exif(app, world, teacher):
    """Orientation 6 (rotate 90° clockwise) on a 40 x 20 image: stored as 20 x 40, with no EXIF at all."""
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    exif[ExifTags.Base.Make] = "TestPhone"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (28.0, 41.0, 12.5)
    upload = jpeg(size=(40, 20), exif=exif)
    assert b"TestPhone" in upload and Image.open(io.BytesIO(upload)).getexif().get_ifd(ExifTags.IFD.GPSInfo)
    student = world.extra["students_a1x"][1]
    assert submit(teacher, student, [(upload, "gps.jpg")]).status_code == 302
    with Session(db.engine) as fresh:
        photo_id = fresh.scalar(select(VisitPhoto.id).join(Visit).where(Visit.student_id == student.id))
    response = teacher.get(f"/admin/visit_photo/{photo_id}")
    assert response.status_code == 200 and response.mimetype == "image/jpeg"
    assert response.headers["Content-Disposition"] == f"inline; filename=visit-photo-{photo_id}.jpg"
    served = response.data
    assert b"Exif" not in served and b"TestPhone" not in served
    image = Image.open(io.BytesIO(served))
    assert image.format == "JPEG" and image.size == (20, 40) and len(image.getexif()) == 0


def test_a_png_stays_a_png_without_its_text_chunks(app, world, teacher):
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Comment", "<script>alert(1)</script>")
    upload = png(pnginfo=info)
    assert b"<script>" in upload
    student = world.extra["students_a1x"][1]
    assert submit(teacher, student, [(upload, "b.png")]).status_code == 302
    with Session(db.engine) as fresh:
        photo_id = fresh.scalar(select(VisitPhoto.id).join(Visit).where(Visit.student_id == student.id))
    response = teacher.get(f"/admin/visit_photo/{photo_id}")
    assert response.mimetype == "image/png" and response.data.startswith(b"\x89PNG\r\n\x1a\n")
    assert response.headers["Content-Disposition"] == f"inline; filename=visit-photo-{photo_id}.png"
    assert b"<script>" not in response.data
    image = Image.open(io.BytesIO(response.data))
    assert (image.format, image.mode, image.size) == ("PNG", "RGBA", (30, 10))
