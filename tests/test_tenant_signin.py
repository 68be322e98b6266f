"""Sign-in, lockout, CSRF and cookies; who may create which user."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from bureau import clock
from bureau.tenants.models import School, User
from bureau.tenants.scope import scope_for_user
from bureau.tenants.users import UserError, create_user, management_error
from tests.conftest import login

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def test_sign_in_and_out(world, client):
    response = login(client, "school_admin_a1x")
    assert response.status_code == 302 and response.headers["Location"] == "/admin/"
    assert "学校管理员" in client.get("/admin/").get_data(as_text=True)
    assert client.post("/logout").status_code == 302
    assert client.get("/admin/school/").status_code == 302  # back to the sign-in page


def test_wrong_password_gives_a_chinese_message(world, client):
    page = login(client, "school_admin_a1x", "wrong-password").get_data(as_text=True)
    assert "用户名或密码错误" in page


def test_sixth_attempt_after_five_wrong_passwords_is_refused_even_with_the_right_one(world, client):
    with clock.frozen_at(T0):
        for i in range(5):
            with clock.frozen_at(T0 + timedelta(minutes=i)):
                assert "用户名或密码错误" in login(client, "school_admin_a1x", "nope").get_data(as_text=True)
    # 5th failure at 09:04; locked until 09:19
    with clock.frozen_at(T0 + timedelta(minutes=5)):
        page = login(client, "school_admin_a1x").get_data(as_text=True)
        assert "账号已锁定" in page and "14 分钟" in page
    with clock.frozen_at(T0 + timedelta(minutes=18, seconds=59)):
        assert "账号已锁定" in login(client, "school_admin_a1x").get_data(as_text=True)
    with clock.frozen_at(T0 + timedelta(minutes=19)):
        assert login(client, "school_admin_a1x").status_code == 302


def test_five_failures_spread_over_more_than_fifteen_minutes_do_not_lock(world, client):
    for i in range(5):
        with clock.frozen_at(T0 + timedelta(minutes=4 * i)):  # 09:00 .. 09:16
            login(client, "school_admin_a1x", "nope")
    with clock.frozen_at(T0 + timedelta(minutes=17)):
        assert login(client, "school_admin_a1x").status_code == 302


def test_lockout_of_one_name_does_not_touch_another(world, client):
    with clock.frozen_at(T0):
        for _ in range(5):
            login(client, "school_admin_a1x", "nope")
        assert login(client, "school_admin_b1").status_code == 302


def test_a_disabled_account_cannot_sign_in(world, client, session):
    world.users["teacher_a1x"].active = False
    session.commit()
    assert "已停用" in login(client, "teacher_a1x").get_data(as_text=True)


def test_post_without_csrf_token_is_refused_and_changes_nothing(world, login_as, session):
    client = login_as("admin_a1")
    school = world.schools["a1x"]
    response = client.post(
        f"/admin/school/edit/?id={school.id}",
        csrf=False,
        data={"code": school.code, "name": "被篡改的名称", "county": world.regions["a1"].id},
    )
    assert response.status_code == 400
    assert "请求无效" in response.get_data(as_text=True)
    session.expire_all()
    assert session.get(School, school.id).name == "甲一区实验小学"
    assert client.post("/login", csrf=False, data={"username": "x", "password": "y"}).status_code == 400


def test_session_cookie_is_httponly_and_samesite_lax(world, app, client):
    response = login(client, "school_admin_a1x")
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert app.config["SESSION_COOKIE_SECURE"] is False  # set by BUREAU_SECURE_COOKIES=1


def _rule(world, actor, role, node):
    user = world.users[actor]
    return management_error(user, scope_for_user(user), role, node)


def test_only_a_province_admin_creates_leaders_and_inspectors(session, world):
    r, s = world.regions, world.schools
    assert _rule(world, "admin_a", "leader", r["a"]) == "局领导和督学账号只能由省级管理员创建"
    assert _rule(world, "admin_a", "inspector", r["a1"]) is not None
    assert _rule(world, "admin_p", "leader", r["a"]) is None
    assert _rule(world, "admin_p", "inspector", r["p"]) is None
    assert _rule(world, "admin_a", "school_admin", s["a2"]) is None
    assert _rule(world, "admin_a", "region_admin", r["a1"]) is None


def test_region_admin_manages_nobody_outside_or_at_its_own_level(session, world):
    r, s = world.regions, world.schools
    assert _rule(world, "admin_a1", "school_admin", s["b1"]) == "只能管理本辖区内的用户"
    assert _rule(world, "admin_a1", "teacher", s["a2"]) == "只能管理本辖区内的用户"
    assert _rule(world, "admin_a1", "region_admin", r["a1"]) == "只能为下级区域创建管理员"
    assert _rule(world, "admin_a1", "region_admin", r["a"]) == "只能管理本辖区内的用户"
    assert _rule(world, "school_admin_a1x", "teacher", s["a1x"]) is None
    assert _rule(world, "school_admin_a1x", "school_admin", s["a1x"]) is not None
    assert _rule(world, "teacher_a1x", "teacher", s["a1x"]) is not None


def test_console_refuses_a_leader_created_by_a_city_admin(world, login_as, session):
    client = login_as("admin_a")
    page = client.post(
        "/admin/user/new/",
        data={
            "username": "new_leader",
            "display_name": "新领导",
            "role": "leader",
            "region": world.regions["a"].id,
            "password": "long-enough-1",
        },
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "局领导和督学账号只能由省级管理员创建" in page
    assert session.scalar(select(func.count()).where(User.username == "new_leader")) == 0


def test_console_creates_a_school_admin_in_scope_with_a_hashed_password(world, login_as, session):
    client = login_as("admin_a1")
    client.post(
        "/admin/user/new/",
        data={
            "username": "a1x_admin2",
            "display_name": "新管理员",
            "role": "school_admin",
            "school": world.schools["a1x"].id,
            "password": "long-enough-1",
            "active": "y",
        },
    )
    user = session.scalar(select(User).where(User.username == "a1x_admin2"))
    assert user is not None and user.school_id == world.schools["a1x"].id
    assert user.password_hash.startswith("scrypt:") and user.check_password("long-enough-1")


def test_service_refuses_duplicate_names_and_short_passwords(session, world):
    with pytest.raises(UserError, match="已被使用"):
        create_user(session, username="admin_a", password="long-enough", role="leader", node=world.regions["a"])
    with pytest.raises(UserError, match="至少需要 8 位"):
        create_user(session, username="fresh", password="short", role="leader", node=world.regions["a"])


def test_disabling_a_user_takes_effect_on_the_next_request(world, login_as, session):
    teacher = login_as("teacher_a1x")
    admin = login_as("school_admin_a1x")
    admin.post("/admin/user/action/", data={"action": "deactivate", "rowid": [world.users["teacher_a1x"].id]})
    assert teacher.get("/admin/").status_code == 302
