"""What a signed-in user may see: the schools and regions under their one scope node."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, false, or_, select

from bureau.tenants.models import Region, School, User

# Which school/region column holds a node of each level, for "everything under this node".
_SCHOOL_KEY = {
    "province": "province_id",
    "city": "city_id",
    "direct_county": "county_id",
    "county": "county_id",
    "school": "id",
}
# Regions below a node (the node itself is matched by id; these columns never point at self).
_REGION_KEY = {"province": "province_id", "city": "city_id"}
# Scope selects read the plain tables, not the ORM entities: the tenant guard's criteria apply
# to entities only, so a scope's own subquery is never filtered again inside itself.
_schools, _regions = School.__table__, Region.__table__


@dataclass(frozen=True)
class Scope:
    """A scope node: a region (by kind) or a school. `ancestors` are regions above it (readable).

    `role` is the signed-in user's role (None for a system scope, which reads but never writes
    rows that have no school); `user_id` and `staff_id` say whose scope it is.
    """

    level: str
    node_id: int
    ancestors: tuple[int, ...] = ()
    user_id: int | None = None
    staff_id: int | None = None
    role: str | None = None

    @property
    def is_school(self) -> bool:
        return self.level == "school"

    def schools(self) -> Select:
        """SELECT of the ids of every school in scope (for `IN (...)` and bulk SQL)."""
        return select(_schools.c.id).where(_schools.c[_SCHOOL_KEY[self.level]] == self.node_id)

    def school_clause(self, column) -> ColumnElement[bool]:
        """`column` (a school_id column) restricted to this scope."""
        if self.is_school:
            return column == self.node_id
        return column.in_(self.schools())

    def school_rows_clause(self) -> ColumnElement[bool]:
        """Rows of School in scope (for queries over the School entity)."""
        return getattr(School, _SCHOOL_KEY[self.level]) == self.node_id

    def regions(self) -> Select:
        """SELECT of the regions at or below the node: the ones this scope may manage."""
        if self.is_school:
            return select(_regions.c.id).where(false())
        below = _REGION_KEY.get(self.level)
        at = _regions.c.id == self.node_id
        return select(_regions.c.id).where(at if below is None else or_(at, _regions.c[below] == self.node_id))

    def visible_regions(self) -> Select:
        """SELECT of the regions a user may read: its subtree and the regions above it."""
        return self.regions().union(select(_regions.c.id).where(_regions.c.id.in_(self.ancestors)))

    def covers_school(self, school: School) -> bool:
        value = {
            "province": school.province_id,
            "city": school.city_id,
            "direct_county": school.county_id,
            "county": school.county_id,
            "school": school.id,
        }[self.level]
        return value == self.node_id

    def covers_region(self, region: Region) -> bool:
        """Is `region` at or below this node?"""
        if self.is_school:
            return False
        if region.id is not None and region.id == self.node_id:
            return True
        below = {"province": region.province_id, "city": region.city_id}.get(self.level)
        return below is not None and below == self.node_id


def scope_for_user(user: User, staff_id: int | None = None) -> Scope:
    """The scope of a signed-in user, computed once per request."""
    if user.school_id is not None:
        school = user.school
        ancestors = tuple(i for i in (school.county_id, school.city_id, school.province_id) if i is not None)
        return Scope("school", school.id, ancestors, user.id, staff_id, user.role)
    region = user.region
    ancestors = tuple(i for i in (region.city_id, region.province_id) if i is not None)
    return Scope(region.kind, region.id, ancestors, user.id, staff_id, user.role)
