"""Security findings in the console (issue 7): who may change a user, a term, a campaign or a
region is judged on the row as it is and as it will be; audit details mask what lists mask;
odd parameters are refused, never a 500; moving a county moves its schools' scope."""

from __future__ import annotations

import io
from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bureau.audit import AuditLog
from bureau.extensions import db
from bureau.progress.models import ReportWeek
from bureau.tenants.guard import TenantViolation, scoped
from bureau.tenants.models import Region, School, User
from bureau.tenants.scope import scope_for_user
from tests.conftest import login
from tests.factories import make_user
from tests.visits_support import roster_file


def fresh() -> Session:
    """A new session on the engine: what the database holds after the request ended."""
    return Session(db.engine)


def _user_form(user: User, **changes) -> dict:
    data = {
        "username": user.username,
        "display_name": user.display_name,
        "role": user.role,
        "region": user.region_id or "",
        "school": user.school_id or "",
        "password": "",
        "active": "y",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def _stored_user(username: str) -> User:
    with fresh() as s:
        user = s.scalar(select(User).where(User.username == username))
        s.expunge(user)
        return user


# 1. Account takeover by changing a user's role ------------------------------------------------


@pytest.mark.parametrize(
    "actor, victim, victim_role, victim_node, new_role, new_node",
    [
        # a school admin demotes a fellow school admin of the same school to teacher
        ("school_admin_a1x", "colleague", "school_admin", ("school", "a1x"), "teacher", ("school", "a1x")),
        # a county admin turns a region admin of its own county into a school admin of its school
        ("admin_a1", "colleague", "region_admin", ("region", "a1"), "school_admin", ("school", "a1x")),
        # a city admin moves a fellow city admin down to one of its counties (the new node is its own)
        ("admin_a", "colleague", "region_admin", ("region", "a"), "region_admin", ("region", "a1")),
        # a city admin moves an inspector (created by the province) down to a school
        ("admin_a", "inspector_a", None, None, "school_admin", ("school", "a1x")),
    ],
)
def test_a_user_one_may_not_manage_as_they_are_cannot_be_taken_over(
    world, login_as, session, actor, victim, victim_role, victim_node, new_role, new_node
):
    if victim_role:
        kind, key = victim_node
        node = world.schools[key] if kind == "school" else world.regions[key]
        make_user(session, victim, victim_role, node)
        session.commit()
    target = _stored_user(victim)
    kind, key = new_node
    node_field = (
        {"school": world.schools[key].id, "region": ""}
        if kind == "school"
        else {"region": world.regions[key].id, "school": ""}
    )
    page = login_as(actor).post(
        f"/admin/user/edit/?id={target.id}",
        data=_user_form(target, role=new_role, password="taken-over-1", **node_field),
        follow_redirects=True,
    )
    assert page.status_code == 200
    after = _stored_user(victim)
    assert (after.role, after.password_hash, after.school_id, after.region_id) == (
        target.role,
        target.password_hash,
        target.school_id,
        target.region_id,
    )
    assert login(_client(), victim, "taken-over-1").status_code == 200  # the new password never took


def _client():
    from flask import current_app

    return current_app.test_client()


def test_the_guard_refuses_a_takeover_whatever_path_writes_it(world, session):
    colleague = make_user(session, "colleague", "school_admin", world.schools["a1x"])
    session.commit()
    with scoped(session, scope_for_user(world.users["school_admin_a1x"])):
        colleague.role = "teacher"
        with pytest.raises(TenantViolation):
            session.flush()
    session.rollback()


def test_nobody_changes_their_own_role_scope_or_active_flag(world, login_as, session):
    me = _stored_user("admin_a1")
    client = login_as("admin_a1")
    for change in (
        {"role": "leader"},
        {"region": world.regions["a"].id},
        {"active": None},
        {"username": "someone_else"},
    ):
        client.post(f"/admin/user/edit/?id={me.id}", data=_user_form(me, **change))
        after = _stored_user("admin_a1")
        assert (after.role, after.region_id, after.active) == ("region_admin", me.region_id, True), change
    client.post(f"/admin/user/edit/?id={me.id}", data=_user_form(me, display_name="甲一区管理员"))
    assert _stored_user("admin_a1").display_name == "甲一区管理员"  # the rest of one's own row is fine
    page = client.post("/admin/user/action/", data={"action": "deactivate", "rowid": [me.id]}, follow_redirects=True)
    assert page.status_code == 200 and "不能停用或启用自己的账号" in page.get_data(as_text=True)
    assert _stored_user("admin_a1").active is True


def test_a_bulk_action_on_a_user_one_may_not_manage_is_a_message_and_changes_nothing(world, login_as):
    colleague_id = _stored_user("inspector_a").id
    page = login_as("admin_a").post(
        "/admin/user/action/",
        data={"action": "deactivate", "rowid": [colleague_id, _stored_user("admin_a1").id]},
        follow_redirects=True,
    )
    assert page.status_code == 200 and "未做任何修改" in page.get_data(as_text=True)
    assert _stored_user("inspector_a").active and _stored_user("admin_a1").active


def test_resetting_a_teachers_password_is_audited_and_forces_a_change(world, login_as, session):
    teacher = _stored_user("teacher_a1x")
    login_as("school_admin_a1x").post(
        f"/admin/user/edit/?id={teacher.id}", data=_user_form(teacher, password="reset-by-admin-1")
    )
    after = _stored_user("teacher_a1x")
    assert after.must_change_password is True and after.check_password("reset-by-admin-1")
    with fresh() as s:
        row = s.scalar(
            select(AuditLog).where(
                AuditLog.table_name == "user", AuditLog.row_id == teacher.id, AuditLog.action == "update"
            )
        )
        assert row.reason == "重置密码" and row.changes["password_hash"] == ["***", "***"]
        assert row.actor_id == world.users["school_admin_a1x"].id
    client = _client()
    response = login(client, "teacher_a1x", "reset-by-admin-1")
    assert response.status_code == 302
    assert client.get("/admin/").headers["Location"].endswith("/password")


def test_ones_own_password_is_changed_on_the_password_page_not_reset_in_the_user_list(world, login_as):
    me = _stored_user("school_admin_a1x")
    page = (
        login_as("school_admin_a1x")
        .post(f"/admin/user/edit/?id={me.id}", data=_user_form(me, password="no-current-needed"), follow_redirects=True)
        .get_data(as_text=True)
    )
    assert "请在「修改密码」页修改自己的密码" in page
    assert _stored_user("school_admin_a1x").password_hash == me.password_hash


# 2. Rows that have no school: terms, campaigns, report weeks -----------------------------------


def _terms() -> list[tuple]:
    with fresh() as s:
        return s.execute(
            select(db.metadata.tables["term"].c.name, db.metadata.tables["term"].c.end_date).order_by("id")
        ).all()


def test_only_a_province_admin_writes_terms(world, login_as):
    term = world.extra["term"]
    before = _terms()
    new = {"name": "2027年春季学期", "start_date": "2027-02-20", "end_date": "2027-07-10"}
    for actor in ("admin_a1", "admin_a", "admin_d"):
        client = login_as(actor)
        client.post("/admin/term/new/", data=dict(new))
        client.post(
            f"/admin/term/edit/?id={term.id}",
            data={"name": term.name, "start_date": "2026-09-01", "end_date": "2026-12-31"},
        )
        assert _terms() == before, actor
    login_as("admin_p").post("/admin/term/new/", data=dict(new))
    assert [name for name, _ in _terms()] == [name for name, _ in before] + ["2027年春季学期"]


def _campaign_region(campaign_id: int) -> int:
    with fresh() as s:
        return s.scalar(
            select(db.metadata.tables["campaign"].c.region_id).where(db.metadata.tables["campaign"].c.id == campaign_id)
        )


def _campaign_form(world, campaign, region_key: str, name: str | None = None) -> dict:
    return {
        "name": name or campaign.name,
        "region": world.regions[region_key].id,
        "term": world.extra["term"].id,
        "start_date": "2026-09-01",
        "end_date": "2027-01-31",
        "coverage_deadline": "2026-11-01",
        "report_weekday": "3",
        "report_time": "17:00",
    }


def test_a_county_admin_cannot_take_over_the_provinces_campaign(world, login_as, session):
    from bureau.visits.models import Campaign

    campaign = session.scalar(select(Campaign))
    province = world.regions["p"].id
    client = login_as("admin_a1")
    assert campaign.name in client.get("/admin/campaign/").get_data(as_text=True)  # it may read it
    client.post(f"/admin/campaign/edit/?id={campaign.id}", data=_campaign_form(world, campaign, "a1", "甲一区的"))
    assert _campaign_region(campaign.id) == province
    with fresh() as s:
        assert s.scalar(select(Campaign.name).where(Campaign.id == campaign.id)) == campaign.name
    # its own county's campaign it may create, and not move above itself afterwards
    client.post("/admin/campaign/new/", data=_campaign_form(world, campaign, "a1", "甲一区家访月"))
    with fresh() as s:
        own = s.scalar(select(Campaign).where(Campaign.name == "甲一区家访月"))
        assert own is not None and own.region_id == world.regions["a1"].id
    client.post(f"/admin/campaign/edit/?id={own.id}", data=_campaign_form(world, campaign, "a", "甲一区家访月"))
    assert _campaign_region(own.id) == world.regions["a1"].id


def test_a_model_with_no_school_and_no_rule_is_written_by_nobody_signed_in(world, session):
    from bureau.visits.models import Campaign

    campaign = session.scalar(select(Campaign))
    with scoped(session, scope_for_user(world.users["admin_p"])):
        session.add(ReportWeek(campaign_id=campaign.id, week_start=date(2026, 9, 7)))
        with pytest.raises(TenantViolation):
            session.flush()
    session.rollback()


# 3. A region admin cannot change its own region's kind or parent -------------------------------


def _region(code: str) -> tuple:
    with fresh() as s:
        r = s.scalar(select(Region).where(Region.code == code))
        return r.kind, r.parent_id, r.city_id


def test_a_county_admin_cannot_make_its_county_a_direct_county(world, login_as):
    a1 = world.regions["a1"]
    before = _region("A1")
    client = login_as("admin_a1")
    for change in (
        {"kind": "direct_county", "parent": world.regions["p"].id},
        {"kind": "county", "parent": world.regions["b"].id},
    ):
        page = client.post(
            f"/admin/region/edit/?id={a1.id}", data={"code": "A1", "name": a1.name, **change}, follow_redirects=True
        )
        assert page.status_code == 200
        assert _region("A1") == before, change
    client.post(
        f"/admin/region/edit/?id={a1.id}",
        data={"code": "A1", "name": "甲市一区（新）", "kind": "county", "parent": world.regions["a"].id},
    )
    with fresh() as s:
        assert s.scalar(select(Region.name).where(Region.code == "A1")) == "甲市一区（新）"  # renaming is fine


def test_the_console_refuses_a_change_of_kind_as_the_import_does(world, login_as):
    page = (
        login_as("admin_a")
        .post(
            f"/admin/region/edit/?id={world.regions['a1'].id}",
            data={"code": "A1", "name": "甲市一区", "kind": "direct_county", "parent": world.regions["p"].id},
            follow_redirects=True,
        )
        .get_data(as_text=True)
    )
    assert "「A1」已是县区，不能改为省直管县" in page
    assert _region("A1")[0] == "county"


def _sheet(rows) -> io.BytesIO:
    return roster_file(rows, ["代码", "名称", "类型", "上级代码"])


def test_an_org_import_cannot_move_the_importers_own_county(world, login_as):
    before = _region("A1")
    page = (
        login_as("admin_a1")
        .post(
            "/admin/org_import/",
            data={"file": (_sheet([("A1", "甲市一区", "县区", "B")]), "org.xlsx")},
            content_type="multipart/form-data",
        )
        .get_data(as_text=True)
    )
    assert "<td>2</td><td>上级代码</td>" in page and _region("A1") == before


# 14. Moving a region moves everything below it -------------------------------------------------


def _school_names(client) -> str:
    return client.get("/admin/school/").get_data(as_text=True)


def test_a_county_moved_to_another_city_takes_its_schools_along(world, login_as):
    a1 = world.regions["a1"]
    login_as("admin_p").post(
        f"/admin/region/edit/?id={a1.id}",
        data={"code": "A1", "name": a1.name, "kind": "county", "parent": world.regions["b"].id},
    )
    with fresh() as s:
        cities = set(s.scalars(select(School.city_id).where(School.county_id == a1.id)))
        assert cities == {world.regions["b"].id}
    old_city, new_city = _school_names(login_as("leader_a")), _school_names(login_as("inspector_b"))
    assert "甲一区实验小学" not in old_city and "甲一区第二小学" not in old_city
    assert "甲二县中学" in old_city  # the city keeps its other county
    assert "甲一区实验小学" in new_city and "甲一区第二小学" in new_city
    assert "甲一区实验小学" not in login_as("admin_a").get("/admin/user/").get_data(as_text=True)


def test_an_org_import_that_moves_a_county_moves_its_schools(world, app, session):
    from bureau.tenants.orgimport import import_org

    import_org(session, _sheet([("A1", "甲市一区", "县区", "B")]))
    session.commit()
    with fresh() as s:
        assert set(s.scalars(select(School.city_id).where(School.code.in_(["A1X", "A1Y"])))) == {world.regions["b"].id}


# 4. The audit log masks what lists mask ---------------------------------------------------------


def test_audit_details_mask_guardian_phones_for_those_who_see_them_masked(world, login_as, session):
    student = world.extra["students_a1x"][0]
    login_as("school_admin_a1x").post(
        f"/admin/student/edit/?id={student.id}",
        data={
            "school_class": student.class_id,
            "number": student.number,
            "name": student.name,
            "sex": "男",
            "guardian_name": student.guardian_name,
            "guardian_phone": "13912345678",
            "active": "y",
        },
    )
    with fresh() as s:
        row_id = s.scalar(select(AuditLog.id).where(AuditLog.table_name == "student", AuditLog.action == "update"))
    assert row_id is not None
    url = f"/admin/audit/details/?id={row_id}"
    county = login_as("admin_a1").get(url).get_data(as_text=True)
    assert "139****5678" in county and "13912345678" not in county
    assert "13800000000" not in county
    assert "13912345678" in login_as("school_admin_a1x").get(url).get_data(as_text=True)


# 13. Odd parameters are 400 or 404, never 500 ---------------------------------------------------


@pytest.mark.parametrize(
    "url, codes",
    [
        ("/admin/progress/?campaign=²", {400}),
        ("/admin/progress/?campaign=99999999999999999999", {400}),
        ("/admin/visit/review/?id=99999999999999999999", {400}),
        ("/admin/visit/review/?id=-1", {400}),
        ("/admin/school/?page=99999999999999999999", {400}),
        ("/admin/school/?page=²", {400}),
        ("/admin/school/?sort=99999999999999999999", {400}),
        ("/admin/school/edit/?id=99999999999999999999", {400}),
        ("/admin/school/details/?id=abc", {400}),
        ("/admin/visit_photo/99999999999999999999", {404}),
        ("/admin/coverage/?county=99999999999999999999", {400}),
    ],
)
def test_odd_parameters_are_refused_not_a_server_error(world, login_as, url, codes):
    assert login_as("admin_a1").get(url).status_code in codes


def test_a_bulk_action_with_a_bad_row_id_is_refused(world, login_as):
    response = login_as("admin_a1").post(
        "/admin/school/action/", data={"action": "deactivate", "rowid": ["99999999999999999999"]}
    )
    assert response.status_code == 400


def test_a_companion_teacher_editing_a_colleagues_record_gets_not_found(world, login_as, session):
    from bureau.visits.models import Visit

    visit = world.extra["visits_a1x"][1]  # recorded by the 科任 teacher
    visit.staff2_id = world.extra["staff_a1x"].id  # teacher_a1x went along
    session.commit()
    teacher = login_as("teacher_a1x")
    listed = teacher.get("/admin/my_visits/").get_data(as_text=True)
    assert f'data-visit-id="{visit.id}"' in listed  # the companion sees the record
    assert f"/admin/my_visits/{visit.id}/edit" not in listed  # and is not offered to change it
    response = teacher.post(
        f"/admin/my_visits/{visit.id}/edit",
        data={
            "target": "family",
            "student_id": str(visit.student_id),
            "visited_on": "2026-09-12",
            "mode": "phone",
            "staff2_id": "",
            "no_gifts": "y",
        },
    )
    assert response.status_code == 404
    with fresh() as s:
        assert s.scalar(select(Visit.staff2_id).where(Visit.id == visit.id)) == world.extra["staff_a1x"].id


def test_an_org_import_colliding_with_a_code_outside_scope_is_refused_without_saying_whose(world, login_as):
    page = (
        login_as("admin_a1")
        .post(
            "/admin/org_import/",
            data={"file": (_sheet([("B1S", "新学校", "学校", "A1")]), "org.xlsx")},
            content_type="multipart/form-data",
        )
        .get_data(as_text=True)
    )
    assert "「B1S」不可用" in page and "乙一县小学" not in page
    with fresh() as s:
        assert s.scalar(select(func.count()).select_from(School).where(School.code == "B1S")) == 1
        assert s.scalar(select(School.name).where(School.code == "B1S")) == "乙一县小学"
