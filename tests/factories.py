"""Factory helpers and the two-city world every test builds on."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy import event
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from bureau.tenants.models import Region, School, User


@contextmanager
def statements_sent() -> Iterator[list[str]]:
    """The SQL statements sent to the database inside the block, in order (query-count tests)."""
    from bureau.extensions import db

    sent: list[str] = []

    def record(conn, cursor, statement, *args):
        sent.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def statements_of(client, url: str) -> int:
    """How many statements answering GET `url` takes (the answer must be 200)."""
    with statements_sent() as sent:
        status = client.get(url).status_code
    assert status == 200
    return len(sent)


PASSWORD = "secret-pass"
_HASH = generate_password_hash(PASSWORD, method="scrypt")  # hashed once: scrypt is slow on purpose


def make_region(session: Session, code: str, name: str, kind: str, parent: Region | None = None):
    region = Region(code=code, name=name, kind=kind, parent=parent)
    session.add(region)
    session.flush()
    return region


def make_school(session: Session, code: str, name: str, county: Region, **fields) -> School:
    school = School(code=code, name=name, county=county, active=True, **fields)
    session.add(school)
    session.flush()
    return school


def make_user(session: Session, username: str, role: str, node: Region | School, **fields) -> User:
    user = User(
        username=username,
        display_name=fields.pop("display_name", username),
        role=role,
        password_hash=_HASH,
        active=True,
        **fields,
    )
    if isinstance(node, School):
        user.school = node
    else:
        user.region = node
    session.add(user)
    session.flush()
    return user


@dataclass
class World:
    regions: dict[str, Region] = field(default_factory=dict)
    schools: dict[str, School] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    extra: dict[str, object] = field(default_factory=dict)  # rows the domain worlds add


def build_world(session: Session) -> World:
    """省 P: 市 A (县 A1, A2), 市 B (县 B1), 省直管县 D. Schools a1x, a1y in A1; a2 in A2;
    b1 in B1; d in D. A user of every role at the levels the tests need."""
    w = World()
    r = w.regions
    r["p"] = make_region(session, "P", "测试省", "province")
    r["a"] = make_region(session, "A", "甲市", "city", r["p"])
    r["b"] = make_region(session, "B", "乙市", "city", r["p"])
    r["d"] = make_region(session, "D", "丁县级市", "direct_county", r["p"])
    r["a1"] = make_region(session, "A1", "甲市一区", "county", r["a"])
    r["a2"] = make_region(session, "A2", "甲市二县", "county", r["a"])
    r["b1"] = make_region(session, "B1", "乙市一县", "county", r["b"])
    s = w.schools
    s["a1x"] = make_school(session, "A1X", "甲一区实验小学", r["a1"], stage="小学")
    s["a1y"] = make_school(session, "A1Y", "甲一区第二小学", r["a1"], stage="小学")
    s["a2"] = make_school(session, "A2S", "甲二县中学", r["a2"], stage="初中")
    s["b1"] = make_school(session, "B1S", "乙一县小学", r["b1"], stage="小学")
    s["d"] = make_school(session, "DS", "丁市幼儿园", r["d"], stage="幼儿园")
    u = w.users
    for name, role, node in [
        ("leader_p", "leader", r["p"]),
        ("leader_a", "leader", r["a"]),
        ("inspector_a", "inspector", r["a"]),
        ("inspector_b", "inspector", r["b"]),
        ("admin_p", "region_admin", r["p"]),
        ("admin_a", "region_admin", r["a"]),
        ("admin_a1", "region_admin", r["a1"]),
        ("admin_d", "region_admin", r["d"]),
        ("school_admin_a1x", "school_admin", s["a1x"]),
        ("school_admin_a1y", "school_admin", s["a1y"]),
        ("school_admin_b1", "school_admin", s["b1"]),
        ("teacher_a1x", "teacher", s["a1x"]),
        ("teacher_a1y", "teacher", s["a1y"]),
    ]:
        u[name] = make_user(session, name, role, node)
    from tests.world_progress import extend as extend_progress
    from tests.world_visits import extend as extend_visits

    extend_visits(session, w)
    extend_progress(session, w)
    return w


def stored(statement):
    """The statement's value as the database holds it, read in a session of its own: rows that a
    test's session (or a request's) flushed but never committed are not seen."""
    from bureau.extensions import db

    with Session(db.engine) as fresh:
        return fresh.scalar(statement)
