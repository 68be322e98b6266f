"""A school admin creates teacher accounts and gets the slip sheet: its Excel downloads with the same
slips, it prints on A4 ten slips a page without the console around it, and on a phone it fits 360 px.
The audit log reads on the same phone."""

from __future__ import annotations

import io
import re

from openpyxl import load_workbook

from bureau.visits.models import Staff
from tests.e2e.conftest import shot, sign_in


def _create_logins(page, base: str) -> list[str]:
    """Select every staff row of the list and run the action; the confirmation it asks for."""
    page.goto(f"{base}/admin/staff/")
    page.check("input.action-rowtoggle")
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    page.click("a.dropdown-toggle:has-text('选中的')")
    page.click("a.dropdown-item:has-text('创建教师账号')")
    page.wait_for_selector("#slips")
    return asked


def test_school_admin_hands_out_teacher_accounts_on_a_printable_slip_sheet(live_server, page, phone, world, session):
    school = world.schools["a1x"]
    session.add_all([Staff(school=school, name=f"新教师{i:02d}", position="科任教师") for i in range(11)])
    session.commit()
    sign_in(page, live_server, "school_admin_a1x")
    asked = _create_logins(page, live_server)
    assert asked and "账号通知单" in asked[0]
    slips = page.locator(".slip")
    assert slips.count() == 12  # 13 staff: the 班主任 already had a login
    assert "另有 1 名所选教职工已有账号" in page.inner_text("#slips-once")
    shot(page, "school_admin_login_slips")
    shown = [[slips.nth(i).locator(c).inner_text() for c in (".slip-username", ".slip-password")] for i in range(12)]

    with page.expect_download() as download:
        page.click("#download-slips")
    assert download.value.suggested_filename.startswith("教师账号_甲一区实验小学_")
    saved = io.BytesIO(download.value.path().read_bytes())
    rows = list(load_workbook(saved).active.iter_rows(min_row=3, values_only=True))
    assert [[username, password] for _name, _position, username, password, _address in rows] == shown

    page.emulate_media(media="print")
    assert page.locator("nav.navbar").is_hidden() and page.locator("#print-slips").is_hidden()
    pdf = page.pdf(prefer_css_page_size=True)  # the paper the page asks for, as the print dialog takes it
    width, height = (float(v) for v in re.search(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf).groups())
    assert round(width / 72 * 25.4) == 210 and round(height / 72 * 25.4) == 297  # A4, in millimetres
    assert re.findall(rb"/Count \d+", pdf) == [b"/Count 2"]  # 12 slips, ten to a page
    page.emulate_media(media="screen")

    session.add(Staff(school=school, name="新教师11", position="科任教师"))
    session.commit()
    sign_in(phone, live_server, "school_admin_a1x")
    _create_logins(phone, live_server)
    assert phone.locator(".slip").count() == 1
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    shot(phone, "school_admin_login_slips_360px")
    phone.goto(f"{live_server}/admin/audit/")
    assert "用户 #" in phone.inner_text("table.model-list")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    shot(phone, "school_admin_audit_log_360px")
