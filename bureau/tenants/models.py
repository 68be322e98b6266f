"""Regions, schools (the tenants), users, sign-in attempts, and the tenant-owned mixin."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String, event
from sqlalchemy.orm import Mapped, Session, declared_attr, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from bureau import clock
from bureau.db_types import UTCDateTime
from bureau.extensions import db

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

    @property
    def kind_label(self) -> str:
        return REGION_KINDS.get(self.kind, self.kind)

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


class TenantOwned:
    """Mixin for every row that belongs to one school; the tenant guard scopes all of them."""

    @declared_attr
    def school_id(cls) -> Mapped[int]:  # noqa: N805 - declared_attr receives the class
        return mapped_column(ForeignKey("school.id"), index=True, nullable=False)

    @declared_attr
    def school(cls) -> Mapped[School]:  # noqa: N805
        return relationship(School, lazy="select")


class User(db.Model):
    """A login. One role and one scope node: a region (region roles) or a school (school roles)."""

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
        return str(self.id)

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


class LoginAttempt(db.Model):
    """Every sign-in attempt, for throttling repeated wrong passwords."""

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    success: Mapped[bool] = mapped_column(Boolean)
    remote_addr: Mapped[str | None] = mapped_column(String(64))

    __table_args__ = (Index("ix_login_attempt_username_at", "username", "at"),)


def place_region(session: Session, region: Region) -> None:
    """Fill a region's denormalised ancestors from its parent."""
    parent = region.parent or (session.get(Region, region.parent_id) if region.parent_id else None)
    if parent is None:
        region.province_id = region.city_id = None
        return
    region.parent_id = parent.id
    region.province_id = parent.id if parent.kind == "province" else parent.province_id
    region.city_id = parent.id if parent.kind == "city" else parent.city_id


def place_school(session: Session, school: School) -> None:
    """Fill a school's denormalised ancestors from its county."""
    county = school.county or (session.get(Region, school.county_id) if school.county_id else None)
    if county is not None:
        school.county_id = county.id
        school.city_id = county.city_id
        school.province_id = county.province_id


@event.listens_for(Session, "before_flush")
def _place_before_flush(session: Session, flush_context, instances) -> None:
    """Keep denormalised ancestors true on every write (registered before the tenant guard)."""
    with session.no_autoflush:
        for obj in list(session.new) + list(session.dirty):
            if isinstance(obj, Region):
                place_region(session, obj)
            elif isinstance(obj, School):
                place_school(session, obj)
