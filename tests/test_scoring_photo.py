"""Issue 11: a deduction's evidence photo — re-encoded and stored with the deduction, shown to who
may read the deduction and to nobody else; a file that is not a photo refuses the deduction and
leaves no file behind."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select

from bureau import clock
from bureau.inspection.scoring_models import Deduction, DeductionRule
from tests.factories import stored
from tests.world_scoring import NOW, seed_rules


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (16, 16), "red").save(out, "JPEG")
    return out.getvalue()


@pytest.fixture
def rules(world, session):
    seed_rules(session, world)
    session.commit()
    return world


def _post(client, world, photo: tuple[bytes, str], **fields):
    rule = stored(select(DeductionRule.id).where(DeductionRule.code == "BZR-6"))
    data = {
        "rule": str(rule),
        "staff": str(world.extra["staff_a1x"].id),
        "instances": "1",
        "occurred_on": "2026-11-18",
        "evidence_kind": "note",
        "note": "入户核查：学生家中无人知晓家访",
        "photo": (io.BytesIO(photo[0]), photo[1]),
    } | fields
    with clock.frozen_at(NOW):
        return client.post(
            f"/admin/deduction/new?school={world.schools['a1x'].id}", data=data, content_type="multipart/form-data"
        )


def _files(app, world) -> list[Path]:
    folder = Path(app.config["UPLOAD_DIR"]) / str(world.schools["a1x"].id)
    return sorted(folder.glob("deduction-*")) if folder.exists() else []


def test_a_deductions_photo_is_stored_and_shown_to_its_readers_only(app, rules, login_as):
    response = _post(login_as("inspector_a"), rules, (_jpeg(), "现场.jpg"))
    assert response.status_code == 302
    deduction = stored(select(func.max(Deduction.id)))
    path = stored(select(Deduction.photo_path).where(Deduction.id == deduction))
    assert (Path(app.config["UPLOAD_DIR"]) / path).is_file()
    shown = login_as("teacher_a1x").get(f"/admin/deduction/photo/{deduction}")
    assert shown.status_code == 200 and shown.mimetype == "image/jpeg"
    assert login_as("school_admin_a1y").get(f"/admin/deduction/photo/{deduction}").status_code == 404
    assert login_as("inspector_b").get(f"/admin/deduction/photo/{deduction}").status_code == 404


def test_a_file_that_is_not_a_photo_refuses_the_deduction_and_leaves_no_file(app, rules, login_as):
    before = _files(app, rules)
    response = _post(login_as("inspector_a"), rules, (b"\xff\xd8\xff\xe0<html>not a photo</html>", "evil.jpg"))
    assert response.status_code == 200 and "evil.jpg" in response.get_data(as_text=True)
    assert stored(select(func.count()).select_from(Deduction)) == 0
    assert _files(app, rules) == before


def test_a_good_photo_of_a_refused_deduction_is_not_kept(app, rules, login_as):
    before = _files(app, rules)
    response = _post(login_as("inspector_a"), rules, (_jpeg(), "现场.jpg"), instances="0")
    assert response.status_code == 200 and "次数请填写" in response.get_data(as_text=True)
    assert stored(select(func.count()).select_from(Deduction)) == 0
    assert _files(app, rules) == before
