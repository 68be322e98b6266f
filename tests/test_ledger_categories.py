"""Issue 12: the categories are one editable list — a province's region admin adds and renames
them on 问题类别; a county's region admin and a school admin read it and change nothing."""

from __future__ import annotations

from sqlalchemy import func, select

from bureau.ledger.models import ProblemCategory
from bureau.ledger.service import ensure_categories
from tests.factories import stored


def test_a_province_admin_adds_a_category_and_others_only_read_the_list(world, session, login_as):
    ensure_categories(session)
    session.commit()
    page = login_as("admin_p").get("/admin/problem_category/").get_data(as_text=True)
    assert "有偿补课" in page and "/admin/problem_category/new/" in page
    response = login_as("admin_p").post(
        "/admin/problem_category/new/", data={"name": "招生入学", "position": "11", "active": "y"}
    )
    assert response.status_code == 302
    assert stored(select(func.count()).select_from(ProblemCategory)) == 11
    for username in ("admin_a1", "school_admin_a1x"):
        client = login_as(username)
        assert "有偿补课" in client.get("/admin/problem_category/").get_data(as_text=True)
        client.post("/admin/problem_category/new/", data={"name": f"{username}的类别", "position": "12"})
    assert stored(select(func.count()).select_from(ProblemCategory)) == 11
    assert login_as("teacher_a1x").get("/admin/problem_category/").status_code == 403
