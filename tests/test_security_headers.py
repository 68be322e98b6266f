"""Every response carries the browser hardening headers: pages, errors, redirects, files, exports."""

from __future__ import annotations

import pytest

from bureau import clock
from tests.world_progress import beijing

HARDENING = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


def _assert_hardened(response) -> None:
    for name, value in HARDENING.items():
        assert response.headers.get(name) == value, (name, response.status_code)
    policy = response.headers["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["frame-ancestors"] == "'none'"
    assert directives["default-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    # No other origin may serve scripts, styles, images or be posted to.
    assert "http" not in policy and "*" not in policy


@pytest.mark.parametrize(
    "path, status",
    [
        ("/login", 200),  # a page
        ("/", 302),  # a redirect
        ("/admin/", 302),  # sign-in required
        ("/no-such-page", 404),  # an error page
        ("/admin/static/vendor/jquery.min.js", 200),  # a static file
    ],
)
def test_anonymous_responses_carry_the_hardening_headers(client, path, status):
    response = client.get(path)
    assert response.status_code == status
    _assert_hardened(response)


def test_a_refused_post_and_a_wrong_method_carry_them(client):
    refused = client.post("/login", csrf=False, data={"username": "x", "password": "y"})
    assert refused.status_code == 400
    _assert_hardened(refused)
    wrong_method = client.put("/login")
    assert wrong_method.status_code == 405
    _assert_hardened(wrong_method)


def test_a_server_error_carries_them(app, client, monkeypatch):
    def broken():
        raise RuntimeError("boom")

    monkeypatch.setitem(app.view_functions, "auth.home", broken)
    response = client.get("/")
    assert response.status_code == 500 and "系统出错了" in response.get_data(as_text=True)
    _assert_hardened(response)


def test_signed_in_pages_and_xlsx_exports_carry_them(world, login_as):
    client = login_as("leader_p")
    _assert_hardened(client.get("/admin/"))
    _assert_hardened(client.get("/admin/school/"))
    with clock.frozen_at(beijing(2026, 9, 11, 12, 0, 0)):
        c = world.extra["progress_campaign"].id
        export = client.get(f"/admin/progress/export.xlsx?campaign={c}&week=2026-W37&region={world.regions['p'].id}")
    assert export.status_code == 200 and export.data[:2] == b"PK"
    _assert_hardened(export)
    _assert_hardened(client.post("/logout"))
