"""Regions, schools (the tenants), users, sign-in attempts, and the tenant-owned mixin."""

from __future__ import annotations

import hmac
import secrets
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String, inspect, or_, select
from sqlalchemy.orm import Mapped, Session, declared_attr, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from bureau import clock
from bureau.db_types import UTCDateTime
from bureau.extensions import db
from bureau.history import target

REGION_KINDS = {
    "province": "省",
    "city": "设区市",
    "direct_county": "省直管县(市)",
    "county": "县(市、区)",
}
ROLES = {
    "leader": "局领导",
    "inspector": "督学",
    "region_admin": "教育局管理员",
    "school_admin": "学校管理员",
    "teacher": "教师",
}
REGION_ROLES = ("leader", "inspector", "region_admin")
SCHOOL_ROLES = ("school_admin", "teacher")
STAGES = ("幼儿园", "小学", "初中", "高中", "中职", "九年一贯制", "完全中学")


class Region(db.Model):
    """A node of the region tree. province_id/city_id are denormalised ancestors for scoping."""

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("region.id"), index=True)
    province_id: Mapped[int | None] = mapped_column(ForeignKey("region.id"), index=True)
    city_id: Mapped[int | None] = mapped_column(ForeignKey("region.id"), index=True)

    parent: Mapped[Region | None] = relationship(
        remote_side=[id], foreign_keys=[parent_id], lazy="joined", innerjoin=False
    )

    def __str__(self) -> str:
        return self.name


class School(db.Model):
    """The tenant. county_id is its county or direct county; city_id/province_id its ancestors."""

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    stage: Mapped[str | None] = mapped_column(String(20))
    county_id: Mapped[int] = mapped_column(ForeignKey("region.id"), index=True)
    city_id: Mapped[int | None] = mapped_column(ForeignKey("region.id"), index=True)
    province_id: Mapped[int] = mapped_column(ForeignKey("region.id"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    address: Mapped[str | None] = mapped_column(String(200))
    contact_name: Mapped[str | None] = mapped_column(String(50))
    contact_phone: Mapped[str | None] = mapped_column(String(30))

    county: Mapped[Region] = relationship(foreign_keys=[county_id], lazy="joined")

    def __str__(self) -> str:
        return self.name


def place_name(node: Region | School | None) -> str:
    """The name a report gives a unit: a school's own name; a region's names from below the
    province down to it (青川市东城区); the province's own name."""
    if node is None:
        return ""
    if isinstance(node, School):
        return node.name
    names = [node.name]
    while node.parent is not None and node.parent.kind != "province":
        node = node.parent
        if not names[0].startswith(node.name):  # 甲市一区 already says 甲市
            names.insert(0, node.name)
    return "".join(names)


class TenantOwned:
    """Mixin for every row that belongs to one school; the tenant guard scopes all of them."""

    @declared_attr
    def school_id(cls) -> Mapped[int]:  # noqa: N805 - declared_attr receives the class
        return mapped_column(ForeignKey("school.id"), index=True, nullable=False)

    @declared_attr
    def school(cls) -> Mapped[School]:  # noqa: N805
        return relationship(School, lazy="select")


def new_session_token() -> str:
    return secrets.token_urlsafe(32)


class User(db.Model):
    """A login. One role and one scope node: a region (region roles) or a school (school roles).

    session_token is part of every session cookie (get_id); a new one ends every session at once.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    display_name: Mapped[str] = mapped_column(String(50), default="")
    role: Mapped[str] = mapped_column(String(20))
    region_id: Mapped[int | None] = mapped_column(ForeignKey("region.id"), index=True)
    school_id: Mapped[int | None] = mapped_column(ForeignKey("school.id"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    session_token: Mapped[str] = mapped_column(String(64), default=new_session_token)

    region: Mapped[Region | None] = relationship(lazy="joined")
    school: Mapped[School | None] = relationship(lazy="joined")

    # Flask-Login protocol
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        # Flask-Login's alternative token: a cookie names the user and the session generation.
        return f"{self.id}:{self.session_token}"

    def has_session_token(self, token: str) -> bool:
        return self.session_token is not None and hmac.compare_digest(self.session_token, token)

    def end_sessions(self) -> None:
        """Every cookie issued so far stops working (sign-out; see end_sessions_on_change)."""
        self.session_token = new_session_token()

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password, method="scrypt")

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def role_label(self) -> str:
        return ROLES.get(self.role, self.role)

    @property
    def scope_label(self) -> str:
        node = self.school or self.region
        return str(node) if node is not None else ""

    def __str__(self) -> str:
        return f"{self.display_name or self.username}（{self.username}）"


# A change of any of these ends the user's sessions: who they are allowed to be has changed.
SESSION_BOUND = ("password_hash", "role", "region_id", "region", "school_id", "school", "active")


def end_sessions_on_change(session: Session) -> None:
    """The one place that rotates session tokens, so the console, services and CLI need not.

    Run before every flush of db.session by bureau.session.
    """
    for obj in session.dirty:
        if not isinstance(obj, User):
            continue
        state = inspect(obj)
        if any(state.attrs[key].history.has_changes() for key in SESSION_BOUND):
            obj.end_sessions()


class LoginAttempt(db.Model):
    """Every sign-in attempt. Recorded as a failure before the password is checked (see signin)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    success: Mapped[bool] = mapped_column(Boolean)
    remote_addr: Mapped[str | None] = mapped_column(String(64))
    client: Mapped[str | None] = mapped_column(String(64))  # the throttling key: address or /64

    __table_args__ = (
        Index("ix_login_attempt_username_at", "username", "at"),
        Index("ix_login_attempt_client_at", "client", "at"),
        Index("ix_login_attempt_at", "at"),
    )


class LoginLock(db.Model):
    """One row per username and per client, locked while an attempt is counted and reserved."""

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    touched_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


def place_region(session: Session, region: Region) -> None:
    """Fill a region's denormalised ancestors from its parent."""
    parent = target(session, region, "parent")
    if parent is None:
        region.parent_id = region.province_id = region.city_id = None
        return
    region.parent_id = parent.id
    region.province_id = parent.id if parent.kind == "province" else parent.province_id
    region.city_id = parent.id if parent.kind == "city" else parent.city_id


def place_school(session: Session, school: School) -> None:
    """Fill a school's denormalised ancestors from its county."""
    county = target(session, school, "county")
    if county is not None:
        school.county_id = county.id
        school.city_id = county.city_id
        school.province_id = county.province_id


def _moved(region: Region) -> bool:
    """Has this stored region been given another parent in this session?"""
    state = inspect(region)
    return state.key is not None and (
        state.attrs.parent.history.has_changes() or state.attrs.parent_id.history.has_changes()
    )


def place_below(session: Session, region: Region) -> None:
    """After `region` moved, recompute the ancestors of every region and school under it.

    Its schools and sub-regions copy its ancestors, so leaving them would keep them visible to
    (and managed by) the old city and hidden from the new one. Loaded as rows, not updated in
    bulk, so the tenant guard and the audit log see every one of them.
    """
    below = [region]
    if region.kind in ("province", "city"):
        key = Region.province_id if region.kind == "province" else Region.city_id
        below += session.scalars(select(Region).where(key == region.id)).all()
        for child in sorted(below[1:], key=lambda r: r.kind != "city"):  # cities before counties
            place_region(session, child)
    ids = [r.id for r in below]
    for school in session.scalars(
        select(School).where(or_(School.county_id.in_(ids), School.city_id.in_(ids), School.province_id.in_(ids)))
    ):
        place_school(session, school)


def place_ancestors(session: Session) -> None:
    """Keep denormalised ancestors true on every write.

    Run before every flush of db.session by bureau.session, ahead of the tenant guard, so the
    guard judges every region and school with the ancestors it is about to be stored with.
    """
    with session.no_autoflush:
        for obj in list(session.new) + list(session.dirty):
            if isinstance(obj, Region):
                moved = _moved(obj)
                place_region(session, obj)
                if moved:
                    place_below(session, obj)
            elif isinstance(obj, School):
                place_school(session, obj)
