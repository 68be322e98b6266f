"""A school is a tenant: nothing of another school reaches a school admin through any console view.

The views are found from the console itself, so a view added later is walked without touching
this file; the test world must then hold rows of another school for its model.
"""
from __future__ import annotations

import io
import json
import re

import pytest
from flask_admin.contrib.sqla import ModelView
from openpyxl import load_workbook
from sqlalchemy import inspect, select

from bureau.extensions import db
from bureau.tenants.models import Region, School

ROW_ID = re.compile(r'name="rowid"[^>]*value="(\d+)"|(?:details|edit)/\?id=(\d+)')
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def console(app):
    return app.extensions["bureau_admin"]._views


def model_views(app) -> list[ModelView]:
    return [v for v in console(app) if isinstance(v, ModelView)]


def foreign_rows(model, own_school_id: int) -> list:
    """Rows of `model` that belong to another school than `own_school_id` (read unscoped)."""
    if model is School:
        query = select(School).where(School.id != own_school_id)
    elif hasattr(model, "school_id"):
        query = select(model).where(model.school_id.is_not(None), model.school_id != own_school_id)
    else:
        return []
    return list(db.session.scalars(query.order_by(*inspect(model).primary_key)))


def snapshot(rows) -> list[dict]:
    db.session.expire_all()
    out = []
    for row in rows:
        fresh = db.session.get(type(row), inspect(row).identity)
        out.append(None if fresh is None else {
            a.key: getattr(fresh, a.key) for a in inspect(type(row)).column_attrs
        })
    return out


def text_of(response) -> str:
    """What a user would see: page text, JSON, or every cell of a downloaded workbook."""
    if response.mimetype == XLSX:
        book = load_workbook(io.BytesIO(response.data), read_only=True)
        return " ".join(str(c) for ws in book.worksheets for r in ws.iter_rows(values_only=True)
                        for c in r if c is not None)
    return response.get_data(as_text=True)


def listed_ids(body: str) -> set[int]:
    return {int(a or b) for a, b in ROW_ID.findall(body)}


def assert_no_leak(response, foreign_names: list[str], foreign_ids: set[int] = frozenset()):
    body = text_of(response)
    for name in foreign_names:
        assert name not in body, f"{response.request.path}: shows {name}"
    assert not listed_ids(body) & set(foreign_ids), f"{response.request.path}: lists a foreign row"


def _pick(rows, world, own_county_id):
    """One foreign row in the own county and one in another county, when the world has them."""
    same = [r for r in rows if _county_of(r) == own_county_id]
    other = [r for r in rows if _county_of(r) != own_county_id]
    return (same[:1] + other[:1]) or rows[:1]


def _county_of(row):
    school = row if isinstance(row, School) else db.session.get(School, row.school_id)
    return school.county_id


def _search_term(view, row) -> str | None:
    for column in view.column_searchable_list or ():
        name = column if isinstance(column, str) else column.key
        value = getattr(row, name, None) if "." not in name else None
        if isinstance(value, str) and value:
            return value
    return None


def _url(view, endpoint: str) -> str:
    return f"{view.url}/{endpoint}".replace("//", "/")


def test_views_registered_cover_every_console_model(app):
    """Guard against a silent no-op walk: the console must have model views to walk."""
    names = {type(v).__name__ for v in model_views(app)}
    assert {"SchoolView", "RegionView", "UserView", "AuditLogView"} <= names


def test_school_admin_sees_nothing_of_another_school_in_any_view(app, world, login_as):
    own = world.schools["a1x"]
    foreign_names = [s.name for s in world.schools.values() if s.id != own.id]
    client = login_as("school_admin_a1x")
    with app.test_request_context():
        views = console(app)
    for view in views:
        for rule in [r for r in app.url_map.iter_rules() if r.endpoint.startswith(view.endpoint + ".")]:
            if "GET" in rule.methods and not rule.arguments:
                assert_no_leak(client.get(rule.rule), foreign_names)
    walked = 0
    for view in model_views(app):
        rows = foreign_rows(view.model, own.id)
        if not hasattr(view.model, "school_id") and view.model is not School:
            continue
        assert rows, (f"the test world has no row of another school for {view.name} "
                      f"({view.model.__name__}): add one in tests/world_*.py")
        walked += 1
        _walk_view(client, view, _pick(rows, world, own.county_id), foreign_names)
    assert walked >= 2


def _walk_view(client, view, rows, foreign_names):
    before = snapshot(rows)
    ids = {inspect(r).identity[0] for r in rows}
    count_before = db.session.query(view.model).count()
    index = view.url + "/"
    assert_no_leak(client.get(index), foreign_names, ids)
    for row, row_id in zip(rows, ids, strict=False):
        term = _search_term(view, row)
        if term and view.column_searchable_list:
            assert_no_leak(client.get(index, query_string={"search": term}), foreign_names, ids)
        for endpoint in ("details/", "edit/"):
            response = client.get(_url(view, endpoint), query_string={"id": row_id})
            assert response.status_code in (302, 403, 404), f"{view.name} {endpoint} {row_id}"
            assert_no_leak(response, foreign_names, ids)
        form = {c.key: "已被篡改" for c in inspect(view.model).column_attrs
                if c.key not in ("id", "school_id")}
        client.post(_url(view, "edit/") + f"?id={row_id}", data=form)
        client.post(_url(view, "delete/"), data={"id": row_id})
        for action_name, _ in view._actions:
            client.post(_url(view, "action/"), data={"action": action_name, "rowid": [row_id]})
        for field in view.column_editable_list or ():
            client.post(_url(view, "ajax/update/"),
                        data={"list_form_pk": row_id, field: "已被篡改"})
    for export_type in (view.export_types if view.can_export else ()):
        assert_no_leak(client.get(_url(view, f"export/{export_type}/")), foreign_names, ids)
    for name, loader in (view._form_ajax_refs or {}).items():
        response = client.get(_url(view, "ajax/lookup/"),
                              query_string={"name": name, "query": "", "limit": 1000})
        returned = {item[0] for item in json.loads(response.data or b"[]")} \
            if response.status_code == 200 else set()
        own_id = db.session.get(School, client_school_id(client)).id
        foreign = {inspect(r).identity[0] for r in foreign_rows(loader.model, own_id)}
        assert not returned & foreign, f"{view.name} ajax lookup {name} returns another school's row"
    assert snapshot(rows) == before, f"{view.name}: another school's row was changed"
    assert db.session.query(view.model).count() == count_before


def client_school_id(client) -> int:
    with client.session_transaction() as flask_session:
        user_id = int(flask_session["_user_id"].split(":")[0])  # the cookie holds "id:token"
    from bureau.tenants.models import User

    return db.session.get(User, user_id).school_id


@pytest.mark.parametrize(("username", "expected"), [
    ("admin_a1", {"A1X", "A1Y"}),
    ("leader_a", {"A1X", "A1Y", "A2S"}),
    ("inspector_b", {"B1S"}),
    ("admin_d", {"DS"}),
    ("leader_p", {"A1X", "A1Y", "A2S", "B1S", "DS"}),
    ("school_admin_b1", {"B1S"}),
])
def test_each_region_user_sees_exactly_the_schools_under_their_node(world, login_as, username,
                                                                    expected):
    body = login_as(username).get("/admin/school/").get_data(as_text=True)
    shown = {s.code for s in world.schools.values() if s.name in body}
    assert shown == {s.code for s in world.schools.values() if s.code in expected}


def test_county_admin_sees_its_county_and_the_regions_above_it_only(world, login_as):
    body = login_as("admin_a1").get("/admin/region/").get_data(as_text=True)
    shown = {r.code for r in world.regions.values() if f">{r.name}<" in body.replace("\n", "").replace(" ", "")}
    # its county, and its city and province (readable, not writable); not A2, B, B1, D
    assert shown == {"A1", "A", "P"}


def test_another_schools_row_looks_like_a_row_that_does_not_exist(world, login_as):
    client = login_as("school_admin_a1x")
    other = world.schools["b1"].id
    pages = []
    for row_id in (999999, other):
        response = client.get("/admin/school/details/", query_string={"id": row_id})
        page = client.get(response.headers["Location"]).get_data(as_text=True)
        pages.append((response.status_code, response.headers["Location"], "记录不存在" in page))
    assert pages[0] == pages[1] == (302, "/admin/school/", True)


def test_region_admin_cannot_move_a_school_outside_its_county(world, login_as, session):
    client = login_as("admin_a1")
    school = world.schools["a1x"]
    response = client.post(f"/admin/school/edit/?id={school.id}", data={
        "code": school.code, "name": school.name, "stage": "小学",
        "county": world.regions["b1"].id, "active": "y",
    })
    assert response.status_code in (200, 302)
    session.expire_all()
    assert session.get(School, school.id).county_id == world.regions["a1"].id


def test_region_pickers_never_return_more_than_the_cap(world, login_as, session):
    for i in range(30):
        session.add(Region(code=f"X{i}", name=f"甲市新区{i}", kind="county", parent=world.regions["a"]))
    session.commit()
    response = login_as("admin_a").get("/admin/school/ajax/lookup/",
                                       query_string={"name": "county", "query": "", "limit": 1000})
    assert len(json.loads(response.data)) == 20
