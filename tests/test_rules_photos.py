"""The photo rules of bureau/visits/records.py, each on its own (mutants of prepare_photo, _reencode,
_photo_error, add_photos and the transaction's files): what is accepted, its exact refusal, what is
stored (our own encoding of the pixels, nothing else) and where; files follow the transaction.

Every image is a real one made with Pillow; "nothing was written" is read from the disk and through a
fresh session.
"""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime

import pytest
from PIL import Image, ImageCms
from PIL.PngImagePlugin import PngInfo
from sqlalchemy import select
from sqlalchemy.orm import Session

from bureau import clock
from bureau.extensions import db
from bureau.visits.models import Visit, VisitPhoto
from bureau.visits.records import (
    MAX_PHOTO_BYTES,
    PhotoUpload,
    VisitError,
    add_photos,
    prepare_photo,
    prepare_photos,
)

NOW = datetime(2026, 11, 20, 4, 0, tzinfo=UTC)  # in the world's term
NOT_A_PHOTO = "无法识别：只能上传 JPEG 或 PNG 格式的照片"


def encoded(image: Image.Image, kind: str, **params) -> bytes:
    out = io.BytesIO()
    image.save(out, kind, **params)
    return out.getvalue()


def jpeg(size=(40, 20), mode="RGB", color="red") -> bytes:
    return encoded(Image.new(mode, size, color), "JPEG")


def png(size=(30, 10), mode="RGBA", **params) -> bytes:
    return encoded(Image.new(mode, size), "PNG", **params)


def opened(photo: PhotoUpload) -> Image.Image:
    return Image.open(io.BytesIO(photo.content))


def refusal(content: bytes, name: str) -> str:
    with pytest.raises(VisitError) as refused:
        prepare_photo(content, name)
    assert refused.value.fields == {}  # about no input field: the form shows it above the photos
    return str(refused.value)


# Size, pixels, formats: each refusal and its boundary ------------------------------------------


def test_a_photo_of_exactly_5_mb_is_accepted_and_one_byte_more_is_refused():
    """5 MB is 5 × 1024 × 1024 = 5,242,880 bytes: a real JPEG padded after its end to exactly that
    is taken (the padding is not stored); one byte more is refused before it is opened."""
    photo = jpeg()
    padded = photo + b"\0" * (MAX_PHOTO_BYTES - len(photo))
    assert len(padded) == 5_242_880
    assert len(prepare_photo(padded, "5mb.jpg").content) < 100_000
    assert refusal(padded + b"\0", "big.jpg") == "照片「big.jpg」超过 5 MB"


def test_40_megapixels_are_accepted_and_more_are_refused_with_the_size():
    """8000 × 5000 = 40,000,000 pixels, exactly the limit: accepted. 5000 × 8001 = 40,005,000: refused,
    naming the size. (Black 1-bit PNGs: a few kilobytes each.)"""
    assert opened(prepare_photo(png(size=(8000, 5000), mode="1"), "40mp.png")).size == (8000, 5000)
    assert refusal(png(size=(5000, 8001), mode="1"), "big.png") == "照片「big.png」像素过多（5000×8001），请压缩后上传"


def test_a_canvas_pillow_itself_calls_a_bomb_is_refused_as_too_many_pixels():
    """20000 × 10000 = 200 megapixels is over twice Pillow's own limit (89,478,485): Pillow refuses it
    when opening (DecompressionBombError), before our count; the message is the same kind."""
    assert refusal(png(size=(20000, 10000), mode="1"), "huge.png") == "照片「huge.png」像素过多，请压缩后上传"


@pytest.mark.parametrize("kind", ["GIF", "BMP", "WEBP", "TIFF"])
def test_only_jpeg_and_png_are_accepted(kind):
    """Real images Pillow could decode, of the kinds a phone or a scanner may send: refused."""
    content = encoded(Image.new("RGB", (20, 20), "blue"), kind)
    assert Image.open(io.BytesIO(content)).format == kind
    assert refusal(content, f"a.{kind.lower()}") == f"照片「a.{kind.lower()}」{NOT_A_PHOTO}"


def test_a_long_file_name_is_cut_to_40_characters_and_a_missing_one_left_out():
    """A name of 40 characters is shown whole; of 41, its first 40 and "…"; none (empty or not given):
    just 照片."""
    forty, forty_one = "甲" * 36 + ".jpg", "乙" * 37 + ".jpg"
    assert (len(forty), len(forty_one)) == (40, 41)
    too_big = b"\0" * (MAX_PHOTO_BYTES + 1)
    assert refusal(too_big, forty) == f"照片「{forty}」超过 5 MB"
    assert refusal(too_big, forty_one) == f"照片「{'乙' * 37}.jp…」超过 5 MB"
    assert refusal(too_big, "") == "照片超过 5 MB"
    with pytest.raises(VisitError, match="^照片超过 5 MB$"):
        prepare_photo(too_big)  # no name given
    assert refusal(b"GIF89a", "") == f"照片{NOT_A_PHOTO}"


def test_the_first_bad_photo_of_a_submission_refuses_all_by_its_name():
    good = [("a.jpg", jpeg()), ("b.png", png())]
    assert [p.content_type for p in prepare_photos(good)] == ["image/jpeg", "image/png"]
    with pytest.raises(VisitError) as refused:
        prepare_photos([*good, ("c.gif", encoded(Image.new("RGB", (5, 5)), "GIF")), ("d.txt", b"text")])
    assert str(refused.value) == f"照片「c.gif」{NOT_A_PHOTO}"


# What is stored: our own encoding of the pixels ----------------------------------------------


def test_a_jpeg_is_stored_as_a_jpeg_of_quality_90():
    """The quantisation tables say the quality: the same as Pillow's own encoding at quality 90."""
    image = Image.new("RGB", (64, 48), (200, 120, 40))
    photo = prepare_photo(encoded(image, "JPEG", quality=30), "a.jpg")
    assert (photo.content_type, photo.extension) == ("image/jpeg", "jpg")
    stored = opened(photo)
    reference = Image.open(io.BytesIO(encoded(image, "JPEG", quality=90)))
    assert (stored.format, stored.mode, stored.size) == ("JPEG", "RGB", (64, 48))
    assert stored.quantization == reference.quantization


def test_a_greyscale_jpeg_stays_greyscale_and_a_cmyk_one_becomes_rgb():
    """Browsers show L and RGB JPEGs alike; a CMYK JPEG (print software) is shown wrongly by some."""
    grey = opened(prepare_photo(jpeg(mode="L", color=128), "grey.jpg"))
    cmyk_upload = jpeg(mode="CMYK", color=(0, 255, 255, 0))
    assert Image.open(io.BytesIO(cmyk_upload)).mode == "CMYK"
    cmyk = opened(prepare_photo(cmyk_upload, "print.jpg"))
    assert (grey.format, grey.mode) == ("JPEG", "L")
    assert (cmyk.format, cmyk.mode, cmyk.size) == ("JPEG", "RGB", (40, 20))


def test_a_phones_mpo_is_stored_as_its_first_picture_in_a_plain_jpeg():
    """An MPO (a JPEG with a second picture, e.g. a depth map) opens as format MPO: the photo is its
    first picture (red), stored as a one-picture JPEG."""
    red, blue = Image.new("RGB", (40, 20), "red"), Image.new("RGB", (40, 20), "blue")
    upload = encoded(red, "MPO", save_all=True, append_images=[blue])
    assert Image.open(io.BytesIO(upload)).format == "MPO"
    photo = prepare_photo(upload, "phone.jpg")
    assert (photo.content_type, photo.extension) == ("image/jpeg", "jpg")
    stored = opened(photo)
    assert stored.format == "JPEG" and getattr(stored, "n_frames", 1) == 1
    r, g, b = stored.getpixel((20, 10))
    assert r > 200 and g < 50 and b < 50


def test_a_png_keeps_its_transparency_and_loses_its_profile_and_other_chunks():
    """A palette PNG whose colour 0 is transparent keeps that; its ICC profile, resolution and text go."""
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    palette = Image.new("P", (30, 10), 0)
    palette.putpalette([255, 255, 255, 200, 0, 0] + [0] * 762)
    palette.putpixel((5, 5), 1)
    text = PngInfo()
    text.add_text("Comment", "camera")
    upload = encoded(palette, "PNG", transparency=0, icc_profile=profile, dpi=(300, 300), pnginfo=text)
    assert {"transparency", "icc_profile", "dpi", "Comment"} <= set(Image.open(io.BytesIO(upload)).info)
    photo = prepare_photo(upload, "a.png")
    assert (photo.content_type, photo.extension) == ("image/png", "png")
    stored = opened(photo)
    assert (stored.format, stored.mode, stored.size) == ("PNG", "P", (30, 10))
    assert stored.info == {"transparency": 0}
    rgba = stored.convert("RGBA")
    assert rgba.getpixel((0, 0))[3] == 0 and rgba.getpixel((5, 5)) == (200, 0, 0, 255)


def test_an_rgba_png_stays_rgba_with_its_alpha():
    image = Image.new("RGBA", (10, 10), (0, 0, 255, 0))
    image.putpixel((3, 3), (0, 0, 255, 128))
    stored = opened(prepare_photo(encoded(image, "PNG"), "alpha.png"))
    assert (stored.format, stored.mode) == ("PNG", "RGBA")
    assert stored.getpixel((3, 3)) == (0, 0, 255, 128) and stored.getpixel((0, 0))[3] == 0


# add_photos: how many, where, which rows; files follow the transaction -------------------------


def _photos(n: int) -> list[PhotoUpload]:
    return prepare_photos([(f"{i}.jpg", jpeg(color=(i * 40, 0, 0))) for i in range(n)])


def _rows(visit_id: int) -> list[VisitPhoto]:
    with Session(db.engine) as fresh:
        rows = fresh.scalars(select(VisitPhoto).where(VisitPhoto.visit_id == visit_id).order_by(VisitPhoto.id)).all()
        fresh.expunge_all()
        return list(rows)


def test_stored_photos_are_files_under_the_schools_folder_with_their_rows(world, session, tmp_path):
    """The upload folder does not exist yet (nor its parent): it is made. Each row names the file
    `<school id>/<32 hex>.<extension>` and holds its school, visit, type, size and time."""
    visit = world.extra["visits_b1"][1]  # b1's second visit, no photo yet
    upload_dir = tmp_path / "instance" / "uploads"
    photos = [*_photos(1), prepare_photo(png(), "b.png")]
    with clock.frozen_at(NOW):
        add_photos(session, visit, photos, str(upload_dir))
    session.commit()
    rows = _rows(visit.id)
    school_id = world.schools["b1"].id
    assert [(r.school_id, r.content_type, r.size) for r in rows] == [
        (school_id, "image/jpeg", len(photos[0].content)),
        (school_id, "image/png", len(photos[1].content)),
    ]
    assert [r.path.rsplit(".", 1)[1] for r in rows] == ["jpg", "png"]
    assert all(re.fullmatch(rf"{school_id}/[0-9a-f]{{32}}\.(jpg|png)", r.path) for r in rows)
    assert [(upload_dir / r.path).read_bytes() for r in rows] == [p.content for p in photos]
    assert all(r.uploaded_at.replace(tzinfo=UTC) == NOW for r in rows)
    assert {p for p in upload_dir.rglob("*") if p.is_file()} == {upload_dir / r.path for r in rows}


def test_a_visit_counts_only_its_own_photos_up_to_six(world, session, tmp_path):
    """a1x's first visit has 1 photo (a1y's and b1's first visits 1 each): 5 more make 6, allowed;
    then 1 more would make 7: refused, naming the 6 it has, and nothing more is written."""
    visit = world.extra["visits_a1x"][0]
    add_photos(session, visit, _photos(5), str(tmp_path))
    session.commit()
    assert len(_rows(visit.id)) == 6
    with pytest.raises(VisitError) as refused:
        add_photos(session, visit, _photos(1), str(tmp_path))
    assert str(refused.value) == "每条记录最多上传 6 张照片（已有 6 张）"
    session.rollback()
    assert len(_rows(visit.id)) == 6 and len(list(tmp_path.rglob("*.jpg"))) == 5


def test_a_new_visit_takes_six_photos_and_not_seven(world, session, tmp_path):
    """A visit not yet flushed has no photos: 6 are allowed, 7 refused (已有 0 张)."""
    staff, student = world.extra["staff_a1y"], world.extra["students_a1y"][1]
    fields = dict(target="family", mode="home", visited_on=NOW.date(), no_gifts=True, status="pending")
    visit = Visit(school_id=staff.school_id, staff=staff, student=student, term=world.extra["term"], **fields)
    session.add(visit)
    with pytest.raises(VisitError) as refused:
        add_photos(session, visit, _photos(7), str(tmp_path))
    assert str(refused.value) == "每条记录最多上传 6 张照片（已有 0 张）"
    assert add_photos(session, visit, [], str(tmp_path)) == [] and list(tmp_path.iterdir()) == []
    assert visit.id is None
    assert len(add_photos(session, visit, _photos(6), str(tmp_path))) == 6
    session.commit()
    assert len(_rows(visit.id)) == 6


def test_files_of_a_rolled_back_transaction_go_and_of_a_committed_one_stay(world, session, tmp_path):
    """Committed: the files stay, even when a later transaction of the session rolls back. Rolled
    back: its files go, also when one of them was already removed by hand."""
    kept_visit, dropped_visit = world.extra["visits_a1x"][1], world.extra["visits_a1y"][1]
    kept = add_photos(session, kept_visit, _photos(2), str(tmp_path))
    session.commit()
    kept_files = {tmp_path / r.path for r in kept}
    dropped = add_photos(session, dropped_visit, _photos(2), str(tmp_path))
    dropped_files = [tmp_path / r.path for r in dropped]
    assert all(p.exists() for p in dropped_files)
    dropped_files[0].unlink()
    session.rollback()
    assert {p for p in tmp_path.rglob("*") if p.is_file()} == kept_files
    assert _rows(dropped_visit.id) == [] and len(_rows(kept_visit.id)) == 2
