"""Demo data: a fictional province, its cities, counties and schools, a login per role and a school admin per school."""

from __future__ import annotations

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from bureau.inspection.demo_checks import load as load_checks
from bureau.inspection.demo_rounds import load as load_rounds
from bureau.inspection.demo_scoring import load as load_scoring
from bureau.ledger.demo import load as load_ledger
from bureau.progress.demo import load as load_progress
from bureau.tenants.models import Region, School, User
from bureau.tenants.users import create_user, place_user
from bureau.visits.demo import load as load_visits

DEMO_PASSWORD = "demo-2026"

# (code, name, kind, parent code)
REGIONS = [
    ("990000", "云溪省", "province", None),
    ("990100", "青川市", "city", "990000"),
    ("990200", "石湖市", "city", "990000"),
    ("990900", "梅岭市", "direct_county", "990000"),
    ("990102", "青川市东城区", "county", "990100"),
    ("990121", "青川市柳河县", "county", "990100"),
    ("990221", "石湖市桃源县", "county", "990200"),
]
# (code, name, stage, county code)
SCHOOLS = [
    ("99010201", "东城区实验小学", "小学", "990102"),
    ("99010202", "东城区第二小学", "小学", "990102"),
    ("99010203", "东城区第一初级中学", "初中", "990102"),
    ("99010204", "东城区机关幼儿园", "幼儿园", "990102"),
    ("99012101", "柳河县城关小学", "小学", "990121"),
    ("99012102", "柳河县东疏镇第一小学", "小学", "990121"),
    ("99012103", "柳河县第一中学", "高中", "990121"),
    ("99022101", "桃源县实验小学", "小学", "990221"),
    ("99022102", "桃源县博山幼儿园", "幼儿园", "990221"),
    ("99022103", "桃源县职业中专", "中职", "990221"),
    ("99090001", "梅岭市实验小学", "小学", "990900"),
    ("99090002", "梅岭市第三中学", "初中", "990900"),
]
# (username, display name, role, scope code)
USERS = [
    ("leader", "王局长", "leader", "990000"),
    ("city_leader", "李副局长", "leader", "990100"),
    ("inspector", "赵督学", "inspector", "990100"),
    ("province_admin", "省厅管理员", "region_admin", "990000"),
    ("county_admin", "东城区教育局", "region_admin", "990102"),
    ("school_admin", "实验小学管理员", "school_admin", "99010201"),
    ("teacher", "陈老师", "teacher", "99010201"),
]


def load_org(session: Session) -> dict[str, Region | School]:
    nodes: dict[str, Region | School] = {r.code: r for r in session.scalars(select(Region))}
    for code, name, kind, parent in REGIONS:
        if code not in nodes:
            nodes[code] = Region(code=code, name=name, kind=kind, parent=nodes.get(parent))
            session.add(nodes[code])
            session.flush()
    for code, name, stage, county in SCHOOLS:
        school = session.scalar(select(School).where(School.code == code))
        if school is None:
            school = School(
                code=code,
                name=name,
                stage=stage,
                county=nodes[county],
                active=True,
                contact_name="办公室",
                contact_phone="0791-8888" + code[-4:],
            )
            session.add(school)
        nodes[code] = school
    session.flush()
    return nodes


def school_admins(session: Session, nodes: dict) -> dict[str, User]:
    """A school admin of every demo school (admin_<school code>, besides the demo's own
    school_admin): each reviews its school's visit records. Their password is the demo's, hashed
    once (scrypt is slow on purpose): the hash of the demo school_admin's is reused."""
    admins = {u.school.code: u for u in session.scalars(select(User).where(User.role == "school_admin"))}
    password_hash = session.scalar(select(User.password_hash).where(User.username == "school_admin"))
    for code, *_ in SCHOOLS:
        if code not in admins:
            school = nodes[code]
            admins[code] = User(
                username=f"admin_{code}",
                display_name=f"{school.name}管理员",
                role="school_admin",
                active=True,
                password_hash=password_hash,
            )
            place_user(admins[code], school)
            session.add(admins[code])
    session.flush()
    return admins


def load_demo(session: Session) -> list[tuple[str, str]]:
    """Idempotent: running it twice leaves the same rows. Returns (username, description)."""
    nodes = load_org(session)
    logins = []
    for username, display, role, scope in USERS:
        user = session.scalar(select(User).where(User.username == username))
        if user is None:
            user = create_user(
                session, username=username, password=DEMO_PASSWORD, role=role, node=nodes[scope], display_name=display
            )
        logins.append((username, f"{user.role_label} · {user.scope_label}"))
    admins = school_admins(session, nodes)
    logins += [
        (u.username, f"{u.role_label} · {u.scope_label}") for u in admins.values() if u.username.startswith("admin_")
    ]
    campaign = load_visits(session, nodes, admins)
    if session.get_bind().dialect.name == "postgresql":
        # Thousands of rows just arrived in bulk: without statistics PostgreSQL plans the weekly
        # figures' coverage query for empty tables and takes 40 times as long.
        session.execute(text("ANALYZE school_class, staff, student, assignment, visit"))
    load_progress(session, nodes, campaign)
    load_rounds(session)
    load_checks(session, campaign)
    load_scoring(session, campaign)
    load_ledger(session, campaign)
    return logins
