"""On a 360-pixel phone: no page of a school admin or a teacher scrolls sideways (tables scroll in
their own box), and the teacher's visit form guides (big controls, only the chosen kind's fields,
the first error scrolled to)."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit

from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session

from bureau.extensions import db
from bureau.visits.models import Visit
from tests.e2e.conftest import shot, sign_in

PHONE_WIDTH = 360


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(out, "JPEG")
    return out.getvalue()


JPEG = _jpeg()
# Links that download a file, sign out, or leave the console are not pages to measure.
NOT_PAGES = (".xlsx", "/export", "/template", "/visit_photo/", "/login", "/logout", "/static/")

LINKS_OF_MENU = """() => [...document.querySelectorAll('nav a.nav-link[href], nav a.dropdown-item[href]')]
    .map(a => a.getAttribute('href'))"""
# The innermost elements that reach past the screen's right edge: what makes a page too wide.
TOO_WIDE = """(width) => {
    const over = el => el.getBoundingClientRect().right > width + 0.5;
    const name = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
        + [...el.classList].slice(0, 2).map(c => '.' + c).join('');
    return [...document.body.querySelectorAll('*')]
        .filter(el => over(el) && ![...el.children].some(over))
        .slice(0, 3).map(name).join(' ');
}"""
# A heading that says again what another heading of the page says (the view's name as a title
# over the page's own heading of the same words).
REPEATED_HEADINGS = """() => {
    const texts = [...document.querySelectorAll('h1, h2, h3, h4, h5, h6')]
        .filter(h => !h.closest('nav') && h.offsetParent !== null)
        .map(h => h.innerText.replace(/\\s+/g, ''));
    return texts.filter((t, i) => texts.some((u, j) => i !== j && t && u.includes(t)));
}"""
LINKS_OF_BODY = """() => [...document.querySelectorAll('a[href]')]
    .filter(a => !a.closest('nav'))
    .map(a => a.getAttribute('href'))"""


def _links(hrefs: list[str]) -> list[str]:
    """The pages among the links: same site, no downloads."""
    paths = []
    for href in hrefs:
        parts = urlsplit(href or "")
        if parts.netloc or not parts.path.startswith("/") or any(n in parts.path for n in NOT_PAGES):
            continue
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if path not in paths:
            paths.append(path)
    return paths


def _shape(path: str) -> tuple[str, frozenset[str]]:
    """A link's page and the names of its parameters: one of each shape is enough (the first
    sort or drill-down link stands for the others, a record's page for every record's)."""
    parts = urlsplit(path)
    return parts.path, frozenset(name for name, _ in parse_qsl(parts.query, keep_blank_values=True))


@dataclass
class Page:
    """What a page shows on a 360-pixel screen."""

    width: int
    too_wide: str  # the innermost elements past the right edge, when it is too wide
    repeated: list[str]  # headings that repeat another heading of the page


def _walk(phone, base: str) -> dict[str, Page]:
    """Every menu page, and every page linked from one (create and edit forms, a record, the
    周调度 form, imports, drill-downs), once each by shape, measured on a 360-pixel screen."""
    phone.goto(f"{base}/admin/")
    menu = _links(phone.evaluate(LINKS_OF_MENU))
    assert len(menu) >= 2, menu
    pages: dict[str, Page] = {}
    shapes: set[tuple[str, frozenset[str]]] = set()
    queue = [(path, True) for path in menu]
    while queue:
        path, from_menu = queue.pop(0)
        if path in pages or (not from_menu and _shape(path) in shapes):
            continue
        shapes.add(_shape(path))
        response = phone.goto(f"{base}{path}")
        assert response.status < 400, f"{path} answered {response.status}"
        width = phone.evaluate("document.documentElement.scrollWidth")
        too_wide = phone.evaluate(TOO_WIDE, PHONE_WIDTH) if width > PHONE_WIDTH else ""
        pages[path] = Page(width, too_wide, phone.evaluate(REPEATED_HEADINGS))
        if from_menu:
            queue += [(p, False) for p in _links(phone.evaluate(LINKS_OF_BODY))]
    return pages


def _assert_fits(pages: dict[str, Page], who: str) -> None:
    wide = {path: page for path, page in pages.items() if page.width > PHONE_WIDTH}
    assert not wide, f"{who}: pages wider than {PHONE_WIDTH} px: " + "; ".join(
        f"{path} ({page.width} px: {page.too_wide})" for path, page in wide.items()
    )
    repeated = {path: page.repeated for path, page in pages.items() if page.repeated}
    assert not repeated, f"{who}: pages repeating their own heading: {repeated}"


def test_no_page_of_a_school_admin_scrolls_sideways_at_360_px(live_server, phone):
    sign_in(phone, live_server, "school_admin_a1x")
    pages = _walk(phone, live_server)
    for wanted in ("/admin/progress/", "/admin/progress/form", "/admin/student/new/", "/admin/roster_import/"):
        assert any(path.startswith(wanted) for path in pages), f"{wanted} was not walked: {sorted(pages)}"
    assert any("/edit/" in path for path in pages) and any("/details/" in path for path in pages), sorted(pages)
    _assert_fits(pages, "school_admin_a1x")
    phone.goto(f"{live_server}/admin/progress/")
    shot(phone, "school_admin_progress_360px")


def test_no_page_of_a_teacher_scrolls_sideways_at_360_px(live_server, phone):
    sign_in(phone, live_server, "teacher_a1x")
    pages = _walk(phone, live_server)
    assert "/admin/my_visits/new" in pages and any("/edit" in path for path in pages), sorted(pages)
    _assert_fits(pages, "teacher_a1x")


# Every control a finger uses, with its height; a checkbox with its box and its row's height.
CONTROLS = """() => [...document.querySelectorAll(
        '#visit-form input:not([type=hidden]), #visit-form select, #visit-form textarea, #visit-form .btn')]
    .filter(el => el.offsetParent !== null)
    .map(el => {
        const box = el.getBoundingClientRect();
        const row = el.closest('.form-check');
        return {name: el.name || el.innerText.trim(), type: el.type, width: box.width, height: box.height,
                row: row ? row.getBoundingClientRect().height : null,
                label: row ? row.querySelector('label').getBoundingClientRect().height : null};
    })"""


def test_the_visit_form_has_controls_a_finger_can_use_at_360_px(live_server, phone):
    sign_in(phone, live_server, "teacher_a1x")
    phone.goto(f"{live_server}/admin/my_visits/new")
    controls = phone.evaluate(CONTROLS)
    checkboxes = [c for c in controls if c["type"] == "checkbox"]
    others = [c for c in controls if c["type"] != "checkbox"]
    assert len(checkboxes) == 3 and len(others) >= 20, controls
    small = [c for c in others if c["height"] < 40]
    assert not small, f"controls under 40 px tall: {small}"
    small = [c for c in checkboxes if min(c["width"], c["height"]) < 24 or c["row"] < 40 or c["label"] < 40]
    assert not small, f"checkboxes under 24 px or in a row under 40 px: {small}"
    shot(phone, "teacher_visit_form_controls_360px")


def test_the_visit_form_shows_only_the_fields_of_the_chosen_kind(live_server, phone, world):
    sign_in(phone, live_server, "teacher_a1x")
    phone.goto(f"{live_server}/admin/my_visits/new")
    family = (
        "select[name=student_id]",
        "input[name=household_size]",
        "select[name=q_fees]",
        "input[name=safety_notice]",
    )
    assert all(phone.is_visible(selector) for selector in family)
    assert not phone.is_visible("select[name=target_staff_id]") and not phone.is_visible("input[name=visited_person]")
    phone.fill("input[name=household_size]", "4")

    phone.select_option("select[name=target]", "staff")
    assert not any(phone.is_visible(selector) for selector in family)
    assert phone.is_visible("select[name=target_staff_id]") and not phone.is_visible("input[name=visited_person]")
    assert phone.is_visible("textarea[name=feedback]") and phone.is_visible("input[name=no_gifts]")
    shot(phone, "teacher_visit_form_staff_360px")
    phone.select_option("select[name=target]", "community")
    assert phone.is_visible("input[name=visited_person]") and not phone.is_visible("select[name=target_staff_id]")

    # A staff interview is recorded without the family's answers typed before the kind changed.
    colleague = world.extra["other_staff_a1x"]
    phone.select_option("select[name=target]", "staff")
    phone.select_option("select[name=target_staff_id]", str(colleague.id))
    phone.fill("input[name=visited_on]", "2026-11-19")
    phone.check("input[name=no_gifts]")
    phone.click("#submit-visit")
    phone.wait_for_selector(".visit-card")
    with Session(db.engine) as fresh:
        visit = fresh.scalar(select(Visit).where(Visit.target_staff_id == colleague.id))
    assert visit.target == "staff" and visit.household_size is None and visit.student_id is None


def test_a_refused_visit_form_opens_at_the_first_error_and_asks_for_the_photo_again(live_server, phone, world):
    sign_in(phone, live_server, "teacher_a1x")
    phone.goto(f"{live_server}/admin/my_visits/new")
    phone.select_option("select[name=student_id]", str(world.extra["students_a1x"][1].id))
    phone.fill("input[name=visited_on]", "2026-11-19")
    phone.fill("input[name=household_size]", "31")  # the browser would stop it: let the server answer
    phone.evaluate("document.getElementById('visit-form').noValidate = true")
    phone.set_input_files("input[name=photos]", files=[{"name": "a.jpg", "mimeType": "image/jpeg", "buffer": JPEG}])
    phone.check("input[name=no_gifts]")
    phone.click("#submit-visit")
    phone.wait_for_selector("#household_size-errors")
    phone.wait_for_load_state("load")

    error = phone.locator("#household_size-errors").bounding_box()
    assert phone.evaluate("window.scrollY") > 0  # the field is below the first screen
    assert 0 <= error["y"] and error["y"] + error["height"] <= 740, error
    assert phone.evaluate("document.activeElement.name") == "household_size"
    assert phone.inner_text("#household_size-errors").strip() == "应在 0 到 30 之间"
    assert phone.inner_text("#photos-again").strip() == "照片未保存，请重新选择"
    shot(phone, "teacher_visit_form_first_error_360px")


def _chinese_days(picker) -> list[str]:
    return [d.strip() for d in picker.locator("table thead tr").last.locator("th").all_inner_texts()]


def test_date_pickers_speak_chinese(live_server, page):
    sign_in(page, live_server, "school_admin_a1x")
    # A form's date: days and months.
    page.goto(f"{live_server}/admin/assignment/new/")
    page.click("input[name=start_date]")
    picker = page.locator(".daterangepicker:visible")
    assert _chinese_days(picker) == ["日", "一", "二", "三", "四", "五", "六"]
    months = picker.locator("select.monthselect").first.locator("option").all_inner_texts()
    assert "12月" in months and not re.search(r"[A-Za-z]", "".join(months))
    shot(page, "date_picker_chinese")
    # A list filter's range of dates: its buttons too.
    page.goto(f"{live_server}/admin/visit/")
    page.click("a.dropdown-toggle:has-text('添加筛选器')")
    page.click("a.filter:has-text('走访日期')")
    page.evaluate(
        """() => { const op = $('select.filter-op');
                   op.val(op.find('option').filter((i, o) => o.text === '之间').val()).trigger('change'); }"""
    )
    page.click("input.filter-val")
    picker = page.locator(".daterangepicker:visible")
    assert _chinese_days(picker.locator(".calendar.left")) == ["日", "一", "二", "三", "四", "五", "六"]
    assert picker.locator(".applyBtn").inner_text().strip() == "确定" and picker.locator(".applyBtn").is_visible()
    assert picker.locator(".cancelBtn").inner_text().strip() == "取消" and picker.locator(".cancelBtn").is_visible()
    assert not re.search(r"\b(Su|Mo|Tu|We|Th|Fr|Sa|Apply|Cancel|From|To)\b", picker.inner_text())
    shot(page, "date_range_picker_chinese")
