"""Every insert, update and delete of a domain row is in the audit log: who, when, what changed."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from bureau import clock
from bureau.audit import AuditLog, set_actor
from bureau.tenants.models import School


def test_a_console_edit_is_audited_with_who_when_and_before_after(world, login_as, session):
    school = world.schools["a1x"]
    at = datetime(2026, 11, 20, 8, 30, tzinfo=UTC)
    with clock.frozen_at(at):
        login_as("admin_a1").post(
            f"/admin/school/edit/?id={school.id}",
            data={
                "code": school.code,
                "name": "甲一区育才小学",
                "stage": "小学",
                "county": world.regions["a1"].id,
                "active": "y",
            },
        )
    row = session.scalar(select(AuditLog).where(AuditLog.table_name == "school", AuditLog.action == "update"))
    assert row.actor_id == world.users["admin_a1"].id and row.at == at
    assert row.school_id == school.id and row.row_id == school.id
    assert row.changes["name"] == ["甲一区实验小学", "甲一区育才小学"]


def test_inserts_and_deletes_are_audited_and_passwords_never_logged(session, world):
    set_actor(session, None, "命令行")
    user = world.users["teacher_a1x"]
    user.set_password("a-new-password")
    school = School(code="TMP", name="临时学校", county=world.regions["b1"], active=True)
    session.add(school)
    session.flush()
    session.delete(school)
    session.commit()
    rows = session.scalars(select(AuditLog).where(AuditLog.actor_name == "命令行").order_by(AuditLog.id)).all()
    assert [(r.table_name, r.action) for r in rows] == [("school", "insert"), ("user", "update"), ("school", "delete")]
    assert rows[1].changes["password_hash"][1] == "***"
    assert rows[2].region_id == world.regions["b1"].id  # a deleted school is logged under its county


def test_a_school_admin_reads_only_its_own_schools_audit_rows(world, login_as, session):
    login_as("admin_a1").post(
        f"/admin/school/edit/?id={world.schools['a1y'].id}",
        data={
            "code": "A1Y",
            "name": "甲一区第二小学（新）",
            "stage": "小学",
            "county": world.regions["a1"].id,
            "active": "y",
        },
    )
    body = login_as("school_admin_a1x").get("/admin/audit/").get_data(as_text=True)
    assert "甲一区第二小学（新）" not in body
    assert "甲一区第二小学（新）" in login_as("admin_a1").get(
        "/admin/audit/details/?id="
        + str(session.scalar(select(AuditLog.id).where(AuditLog.table_name == "school", AuditLog.action == "update")))
    ).get_data(as_text=True)
