"""A school is a tenant: nothing outside a user's scope reaches them through any console view.

Every role walks every view: school admin, teacher, county admin, city leader and an inspector of
another city, each probing rows of schools outside its scope (lists, searches, details, edits,
deletes, actions, inline edits, exports, pickers, pages given another school's ids) and, as a
positive control, the same read probes on its own rows, so a probe that reaches nothing cannot
pass for isolation. The views are found from the console itself, so a view added later is walked
without touching this file; the test world must then hold rows outside each walker's scope.
"""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass
from datetime import date

import pytest
from flask_admin.contrib.sqla import ModelView
from openpyxl import load_workbook
from sqlalchemy import inspect, select

from bureau.extensions import db
from bureau.inspection.models import SampleDraw
from bureau.inspection.scoring_models import Deduction, DeductionRule, Notice, Objection
from bureau.ledger.models import Problem
from bureau.progress.models import WeeklyReport
from bureau.tenants.models import Region, School, User
from bureau.visits.models import Campaign, SchoolClass, Staff, Visit, VisitPhoto, VisitVersion
from tests import world_inspection, world_ledger, world_scoring

ROW_ID = re.compile(r'name="rowid"[^>]*value="(\d+)"|(/admin/\w+/)(?:details|edit)/\?id=(\d+)')
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TAMPER = "已被篡改"
# The schools (world keys) each walker's scope holds, worked out by hand from tests/factories.py.
WALKERS = {
    "school_admin_a1x": {"a1x"},
    "teacher_a1x": {"a1x"},
    "admin_a1": {"a1x", "a1y"},
    "leader_a": {"a1x", "a1y", "a2"},
    "inspector_b": {"b1"},
}
# What a page's integer path argument names. A new page with another argument fails the walk
# until its model is added here, so it is never skipped silently.
ARGUMENT_MODELS = {
    "photo_id": VisitPhoto,
    "visit_id": Visit,
    "report_id": WeeklyReport,
    "draw_id": SampleDraw,
    "deduction_id": Deduction,
    "rule_id": DeductionRule,
    "notice_id": Notice,
    "problem_id": Problem,
}
# A teacher reads only their own visits (and their versions and photos) of their school, and
# only the deductions against them (and their objections).
TEACHER_OWN = {Visit, VisitVersion, VisitPhoto, Deduction, Objection}


def console(app):
    return app.extensions["bureau_admin"]._views


def model_views(app) -> list[ModelView]:
    return [v for v in console(app) if isinstance(v, ModelView)]


@dataclass
class Walker:
    """One signed-in user and what lies inside and outside their scope (read unscoped)."""

    user: User
    own: set[int]  # school ids in scope
    own_regions: set[int]  # regions with a school of the scope under them (readable)
    subtree: set[int]  # regions at or below a region user's node (none for school users)
    staff_id: int | None  # a teacher's own staff row

    def owner(self, row) -> int | None:
        """The school a row belongs to, or None for a row of no school."""
        if isinstance(row, School):
            return row.id
        return getattr(row, "school_id", None)

    def regions_of(self, row) -> set[int]:
        """The regions whose rows of this kind the walker reads: a region, or a campaign, run above
        the walker's schools is theirs too; a user or log line of a region only within the subtree."""
        return self.own_regions if isinstance(row, Region) or not hasattr(type(row), "school_id") else self.subtree

    def is_foreign(self, row) -> bool:
        if isinstance(row, Region):
            return row.id not in self.own_regions
        school_id = self.owner(row)
        if school_id is not None:
            # a teacher's colleague's visit is as far out of reach as another school's
            return school_id not in self.own or (self.teaches(row) and not self.is_own(row))
        region_id = getattr(row, "region_id", None)
        return region_id is not None and region_id not in self.regions_of(row)

    def teaches(self, row) -> bool:
        return self.staff_id is not None and type(row) in TEACHER_OWN

    def is_own(self, row) -> bool:
        if isinstance(row, Region):
            return row.id in self.own_regions
        school_id = self.owner(row)
        if school_id is None:
            region_id = getattr(row, "region_id", None)
            return region_id is not None and region_id in self.regions_of(row)
        if school_id not in self.own:
            return False
        if self.teaches(row) and isinstance(row, Deduction | Objection):
            deduction = row if isinstance(row, Deduction) else db.session.get(Deduction, row.deduction_id)
            return deduction.staff_id == self.staff_id
        if self.teaches(row):
            visit = row if isinstance(row, Visit) else db.session.get(Visit, row.visit_id)
            return self.staff_id in (visit.staff_id, visit.staff2_id)
        return True

    def rows(self, model, own: bool) -> list:
        """Every row of `model` outside (own=False) or inside (own=True) the scope."""
        test = self.is_own if own else self.is_foreign
        everything = db.session.scalars(select(model).order_by(*inspect(model).primary_key))
        return [r for r in everything if test(r)]

    def distance(self, row) -> int:
        """0: a school of the walker's own county, 1: of its city, 2: further (or no school)."""
        school_id = self.owner(row)
        if school_id is None:
            return 2
        school = db.session.get(School, school_id)
        if school.county_id in self.own_regions:
            return 0
        return 1 if school.city_id is not None and school.city_id in self.own_regions else 2


def walker_for(world, username: str) -> Walker:
    user = world.users[username]
    own = {world.schools[key].id for key in WALKERS[username]}
    own_regions = set()
    for school_id in own:
        school = db.session.get(School, school_id)
        own_regions |= {school.county_id, school.city_id, school.province_id} - {None}
    staff_id = db.session.scalar(select(Staff.id).where(Staff.user_id == user.id)) if user.role == "teacher" else None
    subtree = set()
    if user.region_id is not None:
        for region in world.regions.values():
            node = region
            while node is not None and node.id != user.region_id:
                node = node.parent
            if node is not None:
                subtree.add(region.id)
    return Walker(user, own, own_regions, subtree, staff_id)


def snapshot(rows) -> list[dict]:
    db.session.expire_all()
    out = []
    for row in rows:
        fresh = db.session.get(type(row), inspect(row).identity)
        out.append(None if fresh is None else {a.key: getattr(fresh, a.key) for a in inspect(type(row)).column_attrs})
    return out


def text_of(response) -> str:
    """What a user would see: page text, JSON, or every cell of a downloaded workbook."""
    if response.mimetype == XLSX:
        book = load_workbook(io.BytesIO(response.data), read_only=True)
        return " ".join(
            str(c) for ws in book.worksheets for r in ws.iter_rows(values_only=True) for c in r if c is not None
        )
    if response.mimetype.startswith("image/"):
        return ""
    return response.get_data(as_text=True)


def listed_ids(body: str, view_path: str | None = None) -> set[int]:
    """The ids of the rows a page lists: checkboxes, and details or edit links (with `view_path`, only
    the links of that view: an audit line links to the row it names, in that row's own view)."""
    return {int(a or b) for a, path, b in ROW_ID.findall(body) if a or view_path in (None, path)}


def assert_no_leak(response, foreign_names, foreign_ids=frozenset(), echo: str | None = None):
    body = text_of(response)
    if echo:  # the search box shows what was typed into it
        body = body.replace(f'value="{echo}"', "")
    for name in foreign_names:
        assert name not in body, f"{response.request.path}?{response.request.query_string}: shows {name}"
    view_path = "/".join(response.request.path.split("/")[:3]) + "/"  # /admin/<view>/
    assert not listed_ids(body, view_path) & set(foreign_ids), f"{response.request.path}: lists a foreign row"


def assert_refused(response, what: str):
    """A view the role may not open: 403, or a redirect away (never the page)."""
    assert response.status_code in (302, 403, 404), f"{what}: {response.status_code}"


def _pick(rows, walker: Walker) -> list:
    """The nearest row outside the scope (a school of the same county if any) and the furthest."""
    if not rows:
        return []
    ranked = sorted(rows, key=walker.distance)
    return [ranked[0]] if ranked[0] is ranked[-1] else [ranked[0], ranked[-1]]


def _search_term(view, row) -> str | None:
    for column in view.column_searchable_list or ():
        name = column if isinstance(column, str) else column.key
        value = getattr(row, name, None) if "." not in name else None
        if isinstance(value, str) and value:
            return value
    return None


def _names(rows) -> list[str]:
    return [r.name for r in rows if isinstance(getattr(r, "name", None), str) and r.name]


def _labels(walker: Walker, model) -> list[str]:
    """The names of the nearest and furthest rows outside the scope, less the names the walker's
    own rows share (two schools' staff may share a name)."""
    shared = set(_names(walker.rows(model, own=True)))
    return [n for n in _names(_pick(walker.rows(model, own=False), walker)) if n not in shared]


def _url(view, endpoint: str) -> str:
    return f"{view.url}/{endpoint}".replace("//", "/")


def _id(row) -> int:
    return inspect(row).identity[0]


def _may_open(view, role: str) -> bool:
    return role in getattr(view, "roles", ())


def test_views_registered_cover_every_console_model(app):
    """Guard against a silent no-op walk: the console must have model views to walk."""
    names = {type(v).__name__ for v in model_views(app)}
    assert {"SchoolView", "RegionView", "UserView", "AuditLogView", "VisitView", "StudentView"} <= names


def test_every_role_has_a_walker():
    """The walk covers every role (a new role must join WALKERS)."""
    from bureau.tenants.models import ROLES

    roles = {
        "school_admin_a1x": "school_admin",
        "teacher_a1x": "teacher",
        "admin_a1": "region_admin",
        "leader_a": "leader",
        "inspector_b": "inspector",
    }
    assert set(roles) == set(WALKERS) and set(roles.values()) == set(ROLES)


@pytest.fixture
def city_campaigns(world, session):
    """A campaign (and an inspection round) run by each city, so every walker has a campaign (and a
    draw and inspections) outside its scope."""
    start, end = date(2026, 9, 7), date(2027, 1, 10)
    made = [
        Campaign(
            name=f"{world.regions[key].name}专项走访",
            region=world.regions[key],
            term=world.extra["term"],
            start_date=start,
            end_date=end,
            coverage_deadline=end,
        )
        for key in ("a", "b")
    ]
    session.add_all(made)
    world_inspection.extend(session, world)  # a draw, a round and inspections in 市 A and in 市 B
    world_scoring.extend(session, world)  # rules, deductions, objections and notices in 市 A and 市 B
    world_ledger.extend(session, world)  # problems in a1x, a1y and b1 (b1's escalated)
    session.commit()
    return made


@pytest.mark.parametrize("username", list(WALKERS))
def test_no_role_reaches_a_row_outside_its_scope_in_any_view(app, world, city_campaigns, login_as, username):
    walker = walker_for(world, username)
    role = walker.user.role
    foreign_schools = [s for s in world.schools.values() if s.id not in walker.own]
    foreign_regions = [r for r in world.regions.values() if r.id not in walker.own_regions]
    foreign_names = _names(foreign_schools) + _names(foreign_regions)
    client = login_as(username)
    with app.test_request_context():
        views = console(app)
    _walk_pages(app, client, views, walker, foreign_schools, foreign_names)
    walked = reached = 0
    for view in model_views(app):
        rows = walker.rows(view.model, own=False)
        if (
            view.model is not School
            and not hasattr(view.model, "school_id")
            and not hasattr(view.model, "region_id")
            and view.model is not Region
        ):
            continue  # rows of no school and no region (terms): the whole province reads them
        assert rows, (
            f"the test world has no row outside {username}'s scope for {view.name} "
            f"({view.model.__name__}): add one in tests/world_*.py"
        )
        walked += 1
        picked = _pick(rows, walker)
        _walk_foreign(client, view, walker, picked, foreign_names + _labels(walker, view.model))
        if _may_open(view, role):
            reached += _walk_own(client, view, walker)
    assert walked >= 8
    assert reached >= (4 if role != "teacher" else 0)


def _walk_pages(app, client, views, walker: Walker, foreign_schools, foreign_names):
    """Every page without path arguments, plain and given ids outside the scope; every page with
    an id argument, given a foreign row's id (and, as a control, an own row's id)."""
    role = walker.user.role
    nearest = _pick(foreign_schools, walker)[0]
    foreign_class = db.session.scalar(
        select(SchoolClass).where(SchoolClass.school_id.in_([s.id for s in foreign_schools])).order_by(SchoolClass.id)
    )
    odd_ids = {
        "school": nearest.id,
        "county": nearest.county_id,
        "city": nearest.city_id,
        "region": nearest.county_id,
        "class": foreign_class.id,
        "grade": 5,
    }
    foreign_campaign = next(iter(walker.rows(Campaign, own=False)), None)
    if foreign_campaign is not None:
        odd_ids["campaign"] = foreign_campaign.id
    odd_ids = {
        k: v
        for k, v in odd_ids.items()
        if v is not None and not (k in ("county", "city", "region") and v in walker.own_regions)
    }
    for view in views:
        rules = [r for r in app.url_map.iter_rules() if r.endpoint.startswith(view.endpoint + ".")]
        for rule in rules:
            if "GET" in rule.methods and not rule.arguments:
                response = client.get(rule.rule)
                assert_no_leak(response, foreign_names)
                if not _may_open(view, role):
                    assert_refused(response, f"{role} {rule.rule}")
                assert_no_leak(client.get(rule.rule, query_string=odd_ids), foreign_names)
            elif rule.arguments and rule.endpoint.split(".")[-1] not in STANDARD_ENDPOINTS | {"static"}:
                # Flask-Admin's own export/<type> is walked per model view below
                _walk_argument_rule(client, view, rule, walker, foreign_names)


def _walk_argument_rule(client, view, rule, walker: Walker, foreign_names):
    (argument,) = rule.arguments
    assert argument in ARGUMENT_MODELS, f"{rule.rule}: add its argument to ARGUMENT_MODELS"
    model = ARGUMENT_MODELS[argument]
    foreign = _pick(walker.rows(model, own=False), walker)
    assert foreign, f"the test world has no {model.__name__} outside {walker.user.username}'s scope"
    before = snapshot(foreign)
    for row in foreign:
        path = rule.rule.replace(f"<int:{argument}>", str(_id(row)))
        if "GET" in rule.methods:
            response = client.get(path)
            assert_refused(response, f"{walker.user.username} GET {path}")
            assert_no_leak(response, foreign_names)
        if "POST" in rule.methods:
            response = client.post(path, data={"decision": "approve", "action": "approve", "note": TAMPER})
            assert_refused(response, f"{walker.user.username} POST {path}")
    assert snapshot(foreign) == before, f"{rule.rule}: a row outside the scope was changed"
    own = walker.rows(model, own=True)
    if "GET" in rule.methods and own and _may_open(view, walker.user.role) and _reads_any(view, model):
        # the control: the same path with an own row's id is answered
        path = rule.rule.replace(f"<int:{argument}>", str(_id(own[0])))
        assert client.get(path).status_code == 200, f"{walker.user.username} GET {path} (own row)"


def _reads_any(view, model) -> bool:
    """Pages that open any row of theirs for their role (a teacher's edit page opens only the
    teacher's returned or pending records, so its control is left to test_visits_views)."""
    return view.endpoint != "my_visits"


def _walk_foreign(client, view, walker: Walker, rows, foreign_names):
    role = walker.user.role
    may_open = _may_open(view, role)
    before = snapshot(rows)
    ids = {_id(r) for r in rows}
    count_before = db.session.query(view.model).count()
    index = view.url + "/"
    response = client.get(index)
    assert response.status_code == (200 if may_open else 403), f"{role} {index}"
    assert_no_leak(response, foreign_names, ids)
    extra = [
        r
        for r in client.application.url_map.iter_rules()
        if r.endpoint.startswith(view.endpoint + ".")
        and not r.arguments
        and r.endpoint.split(".")[-1] not in STANDARD_ENDPOINTS
    ]
    for row, row_id in zip(rows, ids, strict=False):
        term = _search_term(view, row)
        if term and view.column_searchable_list:
            assert_no_leak(client.get(index, query_string={"search": term}), foreign_names, ids, echo=term)
        for endpoint in ("details/", "edit/"):
            response = client.get(_url(view, endpoint), query_string={"id": row_id})
            assert response.status_code in (302, 403, 404), f"{role} {view.name} {endpoint} {row_id}"
            assert_no_leak(response, foreign_names, ids)
        form = {c.key: TAMPER for c in inspect(view.model).column_attrs if c.key not in ("id", "school_id")}
        client.post(_url(view, "edit/") + f"?id={row_id}", data=form)
        client.post(_url(view, "delete/"), data={"id": row_id})
        for action_name, _ in view._actions:
            client.post(_url(view, "action/"), data={"action": action_name, "rowid": [row_id]})
        for field in view.column_editable_list or ():
            client.post(_url(view, "ajax/update/"), data={"list_form_pk": row_id, field: TAMPER})
        for rule in extra:  # the view's own pages (a review, say), given the foreign row's id
            if "GET" in rule.methods:
                response = client.get(rule.rule, query_string={"id": row_id})
                assert response.status_code in (302, 403, 404), f"{role} {rule.rule}?id={row_id}"
                assert_no_leak(response, foreign_names, ids)
            if "POST" in rule.methods:
                client.post(f"{rule.rule}?id={row_id}", data={"decision": "approve", "note": TAMPER})
    for export_type in view.export_types if view.can_export else ():
        assert_no_leak(client.get(_url(view, f"export/{export_type}/")), foreign_names, ids)
    for name, loader in (view._form_ajax_refs or {}).items():
        response = client.get(_url(view, "ajax/lookup/"), query_string={"name": name, "query": "", "limit": 1000})
        returned = {item[0] for item in json.loads(response.data or b"[]")} if response.status_code == 200 else set()
        foreign = {_id(r) for r in walker.rows(loader.model, own=False)}
        assert not returned & foreign, f"{role} {view.name} ajax lookup {name} returns a row outside the scope"
    assert snapshot(rows) == before, f"{role} {view.name}: a row outside the scope was changed"
    assert db.session.query(view.model).count() == count_before


STANDARD_ENDPOINTS = {
    "index_view",
    "create_view",
    "details_view",
    "edit_view",
    "delete_view",
    "action_view",
    "export",
    "ajax_lookup",
    "ajax_update",
    "api_file_view",
}


def _shows(body: str, view, row) -> bool:
    """Does a list page show `row`: by its id (a details link, a checkbox) or, in a list that has
    neither, by a text column of its own (a visit's student, say)?"""
    if _id(row) in listed_ids(body):
        return True
    texts = [getattr(row, c, None) for c in view.column_list or () if isinstance(c, str)]
    return any(isinstance(t, str) and len(t) > 1 and t in body for t in texts)


def _walk_own(client, view, walker: Walker) -> int:
    """The control: the read probes that found nothing outside the scope find the walker's own rows."""
    role = walker.user.role
    own = walker.rows(view.model, own=True)
    assert own, f"the test world has no row of {walker.user.username}'s own for {view.name}"
    index = view.url + "/"
    body = client.get(index).get_data(as_text=True)
    assert any(_shows(body, view, r) for r in own), f"{role} {view.name}: the list shows none of the own rows"
    for row in own[:1]:
        term = _search_term(view, row)
        if term and view.column_searchable_list:
            found = client.get(index, query_string={"search": term}).get_data(as_text=True)
            assert _shows(found, view, row), f"{role} {view.name}: search {term} misses an own row"
        if view.can_view_details:
            response = client.get(_url(view, "details/"), query_string={"id": _id(row)})
            assert response.status_code == 200, f"{role} {view.name} details of an own row"
        if role in getattr(view, "write_roles", ()) and type(view).can_edit is not False:  # the edit probe's control
            response = client.get(_url(view, "edit/"), query_string={"id": _id(row)})
            assert response.status_code == 200 and 'name="csrf_token"' in response.get_data(as_text=True), (
                f"{role} {view.name}: the edit form of an own row does not open"
            )
    for export_type in view.export_types if view.can_export else ():
        assert client.get(_url(view, f"export/{export_type}/")).status_code == 200
    for name, loader in (view._form_ajax_refs or {}).items():
        response = client.get(_url(view, "ajax/lookup/"), query_string={"name": name, "query": "", "limit": 1000})
        if response.status_code == 200:  # pickers of a form the role may fill in
            returned = {item[0] for item in json.loads(response.data)}
            assert returned & {_id(r) for r in walker.rows(loader.model, own=True)}, (
                f"{role} {view.name} ajax lookup {name} returns none of the own rows"
            )
    return 1


@pytest.mark.parametrize(
    ("username", "expected"),
    [
        ("admin_a1", {"A1X", "A1Y"}),
        ("leader_a", {"A1X", "A1Y", "A2S"}),
        ("inspector_b", {"B1S"}),
        ("admin_d", {"DS"}),
        ("leader_p", {"A1X", "A1Y", "A2S", "B1S", "DS"}),
        ("school_admin_b1", {"B1S"}),
    ],
)
def test_each_region_user_sees_exactly_the_schools_under_their_node(world, login_as, username, expected):
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
    response = client.post(
        f"/admin/school/edit/?id={school.id}",
        data={
            "code": school.code,
            "name": school.name,
            "stage": "小学",
            "county": world.regions["b1"].id,
            "active": "y",
        },
    )
    assert response.status_code in (200, 302)
    session.expire_all()
    assert session.get(School, school.id).county_id == world.regions["a1"].id


def test_region_pickers_never_return_more_than_the_cap(world, login_as, session):
    for i in range(30):
        session.add(Region(code=f"X{i}", name=f"甲市新区{i}", kind="county", parent=world.regions["a"]))
    session.commit()
    response = login_as("admin_a").get(
        "/admin/school/ajax/lookup/", query_string={"name": "county", "query": "", "limit": 1000}
    )
    assert len(json.loads(response.data)) == 20
