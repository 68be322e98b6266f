"""A school admin signs in, sees the Chinese console with only their school, and signs out."""

from __future__ import annotations

from tests.e2e.conftest import shot, sign_in


def test_school_admin_signs_in_sees_the_chinese_console_and_signs_out(live_server, page):
    sign_in(page, live_server, "school_admin_a1x")
    page.wait_for_url(f"{live_server}/admin/")
    assert "您好" in page.inner_text("body")
    assert "学校管理员 · 甲一区实验小学" in page.inner_text("nav")

    page.click("text=组织机构")
    page.click("a.dropdown-item:has-text('学校')")
    page.wait_for_url(f"{live_server}/admin/school/")
    table = page.inner_text("table.model-list")
    assert "甲一区实验小学" in table and "甲一区第二小学" not in table
    assert "列表" in page.inner_text("body")  # Flask-Admin's own words, in Chinese
    shot(page, "school_admin_school_list")

    page.click("#user-menu")
    page.click("#logout")
    page.wait_for_url(f"{live_server}/login")
    assert "您已安全退出" in page.inner_text("body")
    page.goto(f"{live_server}/admin/school/")
    assert page.url.startswith(f"{live_server}/login")


def test_wrong_password_shows_a_chinese_message(live_server, page):
    sign_in(page, live_server, "school_admin_a1x", "wrong-password")
    assert "用户名或密码错误" in page.inner_text("body")
