"""Issue 9, must-show 3: an unannounced inspection (明察暗访) is invisible to the school's users —
lists, its page, the home page, the calendar feed (ajax), the exports, its photos — until its date,
and visible from it (the injectable clock); an announced published round is visible at once; a
draft round never. And the console's pages work for inspectors end to end (draw, schedule,
publish, findings) with the service's messages.

Three rounds of county A1 (schools A1X, A1Y), each drawing both schools (n=2 per county):
- 暗访: unannounced, published; A1X on 12-03 (inspector_a), A1Y on 12-04;
- 通知: announced, published; A1X on 12-10 (inspector_a), A1Y on 12-11;
- 草稿: announced, never published; A1X on 12-05, A1Y on 12-06.
"""

from __future__ import annotations

import io
import re
from datetime import date, datetime

import pytest
from openpyxl import load_workbook
from PIL import Image
from sqlalchemy import func, select

from bureau import clock
from bureau.inspection.findings import Findings, record_findings
from bureau.inspection.models import Inspection, InspectionPhoto, InspectionRound, SampleDraw
from bureau.inspection.rounds import RoundInput, create_round, draw_round, publish, schedule
from bureau.tenants.guard import scoped
from bureau.tenants.models import User
from bureau.tenants.scope import scope_for_user
from tests.factories import make_user, stored

BEFORE = datetime(2026, 12, 2, 23, 59, 59, tzinfo=clock.LOCAL)  # the eve of the unannounced one
ON_THE_DAY = datetime(2026, 12, 3, 0, 0, 0, tzinfo=clock.LOCAL)
ALL_YES = {key: (True, "") for key in ("ledger", "assigned", "rectification", "publicity")}


def _round(session, world, name, unannounced, days, published=True) -> dict[str, Inspection]:
    u = world.users["inspector_a"]
    other = world.users["inspector_a1"]
    with clock.frozen_at(datetime(2026, 11, 20, 9, 0, tzinfo=clock.LOCAL)), scoped(session, scope_for_user(u)):
        data = RoundInput(
            name, world.regions["a1"], date(2026, 12, 1), date(2026, 12, 18), size_n=2, unannounced=unannounced
        )
        round_ = create_round(session, data, u)
        draw_round(session, round_, name, u)
        found = {i.school.code: i for i in session.scalars(select(Inspection).where(Inspection.round_id == round_.id))}
        schedule(session, found["A1X"], u, days[0], None, u)
        schedule(session, found["A1Y"], other, days[1], None, u)
        if published:
            publish(session, round_)
        session.commit()
    return found


@pytest.fixture
def rounds(session, world):
    world.users["inspector_a1"] = make_user(session, "inspector_a1", "inspector", world.regions["a1"])
    session.commit()
    return {
        "secret": _round(session, world, "暗访", True, (date(2026, 12, 3), date(2026, 12, 4))),
        "told": _round(session, world, "通知", False, (date(2026, 12, 10), date(2026, 12, 11))),
        "draft": _round(session, world, "草稿", False, (date(2026, 12, 5), date(2026, 12, 6)), published=False),
    }


def shown_ids(body: str) -> set[int]:
    return {int(n) for n in re.findall(r"/admin/inspection/show/\?id=(\d+)", body)}


def workbook_text(response) -> str:
    book = load_workbook(io.BytesIO(response.data), read_only=True)
    return " ".join(str(c) for ws in book.worksheets for r in ws.iter_rows(values_only=True) for c in r if c)


def what_the_school_sees(client, rounds) -> dict[str, object]:
    """Every way school A1X's admin could meet an inspection, with what each shows."""
    secret = rounds["secret"]["A1X"]
    return {
        "list": shown_ids(client.get("/admin/inspection/").get_data(as_text=True)),
        "school_page": shown_ids(client.get("/admin/my_inspections/").get_data(as_text=True)),
        "page": client.get(f"/admin/inspection/show/?id={secret.id}").status_code,
        "home": re.findall(r"督学检查：(\d+月\d+日)", client.get("/admin/").get_data(as_text=True)),
        "feed": {
            e["id"] for e in client.get("/admin/inspection_calendar/events.json?month=2026-12").get_json()["events"]
        },
        "findings": workbook_text(client.get("/admin/inspection_calendar/findings.xlsx")),
        "schedule": client.get(f"/admin/inspection_calendar/schedule.xlsx?round={secret.round_id}").status_code,
    }


def test_an_unannounced_inspection_is_hidden_from_the_school_until_its_day(app, session, world, rounds, login_as):
    secret, told, draft = (rounds[k]["A1X"] for k in ("secret", "told", "draft"))
    client = login_as("school_admin_a1x")
    with clock.frozen_at(BEFORE):
        before = what_the_school_sees(client, rounds)
    # the eve: only the announced round's inspection (12-10); the unannounced (12-03) and the draft
    # (12-05) nowhere; A1Y's inspections are another school's
    assert before["list"] == before["school_page"] == before["feed"] == {told.id}
    assert before["page"] == 404
    assert before["home"] == ["12月10日"]
    assert "暗访" not in before["findings"] and "通知" in before["findings"] and "草稿" not in before["findings"]
    assert before["schedule"] == 404  # the unannounced round itself does not exist for the school yet
    with clock.frozen_at(ON_THE_DAY):
        after = what_the_school_sees(client, rounds)
    assert after["list"] == after["school_page"] == after["feed"] == {secret.id, told.id}
    assert after["page"] == 200
    assert after["home"] == ["12月3日", "12月10日"]
    assert "暗访" in after["findings"] and "草稿" not in after["findings"]
    assert after["schedule"] == 200
    # the draft round stays out of reach on its day and after
    with clock.frozen_at(datetime(2026, 12, 6, 12, 0, tzinfo=clock.LOCAL)):
        assert client.get(f"/admin/inspection/show/?id={draft.id}").status_code == 404
        assert draft.id not in shown_ids(client.get("/admin/my_inspections/").get_data(as_text=True))


def test_an_inspectors_photos_of_an_unannounced_inspection_wait_for_its_day_too(app, session, world, rounds, login_as):
    secret = rounds["secret"]["A1X"]
    # an (unlikely) photo stored ahead of the day, straight in the table: the read rule still hides it
    folder = app.config["UPLOAD_DIR"] + f"/{secret.school_id}"
    import os

    os.makedirs(folder, exist_ok=True)
    out = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(out, "PNG")
    with open(f"{folder}/early.png", "wb") as handle:
        handle.write(out.getvalue())
    photo = InspectionPhoto(
        school_id=secret.school_id,
        inspection_id=secret.id,
        path=f"{secret.school_id}/early.png",
        content_type="image/png",
        size=len(out.getvalue()),
    )
    session.add(photo)
    session.commit()
    client = login_as("school_admin_a1x")
    with clock.frozen_at(BEFORE):
        assert client.get(f"/admin/inspection_photo/?id={photo.id}").status_code == 404
    with clock.frozen_at(ON_THE_DAY):
        assert client.get(f"/admin/inspection_photo/?id={photo.id}").status_code == 200
    assert login_as("school_admin_b1").get(f"/admin/inspection_photo/?id={photo.id}").status_code == 404


def test_the_school_reads_the_name_of_the_inspector_who_comes_and_no_other(session, world, rounds, login_as):
    """The guard hides region users from a school's users; the name of its own inspector is shown,
    through inspections the school may see only: the unannounced one's inspector from its day."""
    told, secret = rounds["told"]["A1X"], rounds["secret"]["A1X"]
    session.execute(User.__table__.update().where(User.username == "inspector_a").values(display_name="赵督学"))
    session.execute(User.__table__.update().where(User.username == "inspector_a1").values(display_name="钱督学"))
    session.commit()
    # both of A1X's inspections are inspector_a's: give the secret one to inspector_a1 (钱督学), and
    # A1Y's secret one to inspector_a, so each name is on one inspection of A1X
    session.execute(
        Inspection.__table__.update()
        .where(Inspection.id == secret.id)
        .values(inspector_id=rounds["secret"]["A1Y"].inspector_id)
    )
    session.execute(
        Inspection.__table__.update()
        .where(Inspection.id == rounds["secret"]["A1Y"].id)
        .values(inspector_id=told.inspector_id)
    )
    session.commit()
    client = login_as("school_admin_a1x")
    with clock.frozen_at(BEFORE):
        page = client.get("/admin/my_inspections/").get_data(as_text=True)
        assert re.findall(r'school-inspection-inspector">([^<]+)<', page) == ["赵督学"]
        assert "钱督学" not in page
        shown = client.get(f"/admin/inspection/show/?id={told.id}").get_data(as_text=True)
        assert re.findall(r'id="inspection-inspector">([^<]+)<', shown) == ["赵督学"]
    with clock.frozen_at(ON_THE_DAY):
        page = client.get("/admin/my_inspections/").get_data(as_text=True)
        assert re.findall(r'school-inspection-inspector">([^<]+)<', page) == ["赵督学", "钱督学"]  # 12-10, then 12-03


def test_region_users_see_every_inspection_in_scope_at_once(session, world, rounds, login_as):
    ids = {i.id for r in rounds.values() for i in r.values()}  # 6: three rounds of two schools
    with clock.frozen_at(BEFORE):
        for user in ("inspector_a", "leader_a", "admin_a1"):
            assert shown_ids(login_as(user).get("/admin/inspection/").get_data(as_text=True)) == ids, user
        # city B's inspector: none of county A1's
        assert shown_ids(login_as("inspector_b").get("/admin/inspection/").get_data(as_text=True)) == set()
        secret = rounds["secret"]["A1X"]
        assert login_as("inspector_b").get(f"/admin/inspection/show/?id={secret.id}").status_code == 404


def test_a_teacher_never_sees_inspections(session, world, rounds, login_as):
    client = login_as("teacher_a1x")
    with clock.frozen_at(ON_THE_DAY):
        assert client.get("/admin/inspection/").status_code == 403
        assert client.get("/admin/my_inspections/").status_code == 403
        assert "督学检查" not in client.get("/admin/").get_data(as_text=True)


def test_the_inspectors_home_lists_their_own_schedule(session, world, rounds, login_as):
    with clock.frozen_at(BEFORE):
        home = login_as("inspector_a").get("/admin/").get_data(as_text=True)
    # inspector_a: A1X on 12-03 (暗访) and 12-10 (通知); the draft's 12-05 is not a schedule yet
    assert re.findall(r"我的检查安排：(\d+月\d+日)", home) == ["12月3日", "12月10日"]


# --- the console's pages, as an inspector ------------------------------------------------------


def test_an_inspector_creates_draws_schedules_and_publishes_a_round_through_the_pages(session, world, login_as):
    client = login_as("inspector_a")
    with clock.frozen_at(datetime(2026, 11, 20, 9, 0, tzinfo=clock.LOCAL)):
        form = {
            "name": "冬季随机检查",
            "region": world.regions["a"].id,
            "start_date": "2026-12-01",
            "end_date": "2026-12-18",
            "per": "county",
            "size_kind": "n",
            "size": "1",
            "exclude_recent": "0",
            "unannounced": "1",
        }
        refused = client.post("/admin/inspection_round/create", data={**form, "region": world.regions["b"].id})
        # city B is not inspector_a's: it reads as no region at all
        assert "未做任何修改：请选择检查范围。" in refused.get_data(as_text=True)
        assert stored(select(func.count(InspectionRound.id))) == 0
        response = client.post("/admin/inspection_round/create", data=form)
        round_id = int(response.headers["Location"].split("id=")[1])
        client.post(f"/admin/inspection_round/round/draw?id={round_id}", data={"seed_kind": "typed", "seed": "4321"})
        draw_id = stored(select(InspectionRound.draw_id).where(InspectionRound.id == round_id))
        assert stored(select(SampleDraw.seed).where(SampleDraw.id == draw_id)) == "4321"
        page = client.get(f"/admin/inspection_round/round/?id={round_id}").get_data(as_text=True)
        assert f"/admin/draw/{draw_id}" in page
        ids = sorted(stored_ids(round_id))
        assert len(ids) == 2  # one school of A1, and A2S
        me = world.users["inspector_a"].id
        for inspection_id in ids:
            client.post(
                "/admin/inspection_round/round/schedule",
                data={"inspection": inspection_id, "inspector": me, "scheduled_on": "2026-12-03"},
            )
        page = client.get(f"/admin/inspection_round/round/?id={round_id}").get_data(as_text=True)
        assert "同一督学一天只能检查一所学校" in page  # the second booking of 12-03 was refused
        client.post(
            "/admin/inspection_round/round/schedule",
            data={"inspection": ids[1], "inspector": me, "scheduled_on": "2026-12-04", "companions": "陈干事"},
        )
        client.post(f"/admin/inspection_round/round/publish?id={round_id}")
        assert stored(select(InspectionRound.state).where(InspectionRound.id == round_id)) == "published"
        sheet = client.get(f"/admin/inspection_calendar/schedule.xlsx?round={round_id}")
        rows = list(load_workbook(io.BytesIO(sheet.data)).active.iter_rows(values_only=True))
        assert rows[1] == ("日期", "学校", "县区", "督学", "同行人员", "状态")
        assert [r[0].date() for r in rows[2:]] == [date(2026, 12, 3), date(2026, 12, 4)]
        assert rows[3][4] == "陈干事" and rows[3][5] == "待检查"
        calendar = client.get("/admin/inspection_calendar/?month=2026-12").get_data(as_text=True)
        assert calendar.count("calendar-item") == 2
    with clock.frozen_at(datetime(2026, 12, 3, 9, 0, tzinfo=clock.LOCAL)):
        answers = {f"item_{k}": "1" for k in ("ledger", "assigned", "rectification", "publicity")}
        out = io.BytesIO()
        Image.new("RGB", (8, 8), "blue").save(out, "JPEG")
        posted = client.post(
            f"/admin/inspection/show/?id={ids[0]}",
            data={
                **answers,
                "notes": "台账齐全",
                "verdict": "excellent",
                "action": "complete",
                "photos": (io.BytesIO(out.getvalue()), "site.jpg"),
            },
            content_type="multipart/form-data",
        )
        done = stored(select(Inspection.state).where(Inspection.id == ids[0]))
        assert done == "completed", posted.get_data(as_text=True)
        assert stored(select(func.count(InspectionPhoto.id)).where(InspectionPhoto.inspection_id == ids[0])) == 1
        findings = client.get(f"/admin/inspection_calendar/findings.xlsx?round={round_id}")
        text = workbook_text(findings)
        assert "优秀" in text and "台账齐全" in text


def stored_ids(round_id: int) -> list[int]:
    from sqlalchemy.orm import Session

    from bureau.extensions import db

    with Session(db.engine) as fresh:
        return list(fresh.scalars(select(Inspection.id).where(Inspection.round_id == round_id)))


def test_a_leader_reads_an_inspection_but_cannot_record_findings(session, world, rounds, login_as):
    secret = rounds["secret"]["A1X"]
    client = login_as("leader_a")
    with clock.frozen_at(ON_THE_DAY):
        page = client.get(f"/admin/inspection/show/?id={secret.id}").get_data(as_text=True)
        assert 'id="findings-form"' not in page and 'data-figure="coverage"' in page
        answers = {f"item_{k}": "1" for k in ("ledger", "assigned", "rectification", "publicity")}
        assert (
            client.post(
                f"/admin/inspection/show/?id={secret.id}", data={**answers, "verdict": "good", "action": "complete"}
            ).status_code
            == 403
        )
        assert client.post("/admin/inspection_round/create", data={"name": "x"}).status_code == 403
    assert stored(select(Inspection.state).where(Inspection.id == secret.id)) == "scheduled"


def test_the_school_reads_its_findings_once_completed_but_no_live_figures(session, world, rounds, login_as):
    secret = rounds["secret"]["A1X"]
    u = world.users["inspector_a"]
    with clock.frozen_at(ON_THE_DAY), scoped(session, scope_for_user(u)):
        record_findings(session, secret, Findings(ALL_YES, "宣传到位", "good"), u, clock.now(), complete=True)
        session.commit()
    with clock.frozen_at(ON_THE_DAY):
        page = login_as("school_admin_a1x").get(f"/admin/inspection/show/?id={secret.id}").get_data(as_text=True)
    assert "良好" in page and "宣传到位" in page and 'id="findings-form"' not in page
    assert 'data-figure="pending"' in page  # the figures stored at completion
