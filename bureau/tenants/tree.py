"""The region tree's write rules: which kind hangs under which, and who may change a node.

One rule serves the console, `import-org` and the tenant guard: a write of a region is judged on
the row as it is (`before`, None for a new row) and as it will be (its kind and its parent).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from bureau.history import is_stored, stored, target
from bureau.tenants.models import Region, School
from bureau.tenants.scope import Scope

KIND_NAMES = {"province": "省", "city": "设区市", "direct_county": "省直管县", "county": "县区", "school": "学校"}
# The kinds each kind may hang under; this order is also the order an import writes rows in.
PARENTS = {
    "province": (),
    "city": ("province",),
    "direct_county": ("province",),
    "county": ("city",),
    "school": ("county", "direct_county"),
}
OUTSIDE = "不在您的管辖范围内"


@dataclass(frozen=True)
class Refusal:
    """A refused change: `field` is "code", "kind" or "parent", for an import's column."""

    field: str
    message: str

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class RegionRow:
    """A region as stored, before this change (what `Scope.covers_region` needs to judge it)."""

    id: int
    code: str
    kind: str
    parent_id: int | None
    province_id: int | None
    city_id: int | None

    @classmethod
    def of(cls, region: Region) -> RegionRow:
        return cls(region.id, region.code, region.kind, region.parent_id, region.province_id, region.city_id)


def parent_error(kind: str, parent_kind: str | None) -> str | None:
    """Why a node of `kind` may not hang under a node of `parent_kind`, or None."""
    if kind == "province":
        return "省不应有上级" if parent_kind else None
    if parent_kind not in PARENTS[kind]:
        allowed = "或".join(KIND_NAMES[k] for k in PARENTS[kind])
        actual = f"，不能是{KIND_NAMES[parent_kind]}" if parent_kind else ""
        return f"{KIND_NAMES[kind]}的上级应为{allowed}{actual}"
    return None


def region_change_error(
    scope: Scope | None, before: RegionRow | None, kind: str, parent_kind: str | None, parent: Region | RegionRow | None
) -> Refusal | None:
    """Why a region may not become (`kind`, under a parent of `parent_kind`), or None.

    `parent` is the stored parent when there is one (None for a parent that is itself new in
    an import, judged on its own row). A node's kind never changes. A region admin changes
    only nodes at or below its own, and places a node only under a parent at or below its own, so
    its own node (whose parent is above it) and the nodes above it never move. No scope means
    the command line, bound only by the shape of the tree.
    """
    if before is not None and before.kind != kind:
        return Refusal("kind", f"「{before.code}」已是{KIND_NAMES[before.kind]}，不能改为{KIND_NAMES[kind]}")
    shape = parent_error(kind, parent_kind)
    if shape:
        return Refusal("parent", shape)
    if scope is None:
        return None
    if scope.role != "region_admin" or (before is not None and not scope.covers_region(before)):
        return Refusal("code", OUTSIDE)
    moved = before is None or before.parent_id != (parent.id if parent is not None else None)
    if moved and (parent is None and kind == "province" or parent is not None and not scope.covers_region(parent)):
        return Refusal("parent", OUTSIDE)
    return None


def school_change_error(scope: Scope | None, before, county_kind: str | None, county: Region | None) -> Refusal | None:
    """Why a school may not be placed (or stay) under `county`; `before` is the stored school."""
    shape = parent_error("school", county_kind)
    if shape:
        return Refusal("parent", shape)
    if scope is None:
        return None
    if scope.role != "region_admin" or (before is not None and not scope.covers_school(before)):
        return Refusal("code", OUTSIDE)
    if county is not None and not scope.covers_region(county):
        return Refusal("parent", OUTSIDE)
    return None


def stored_row(region: Region) -> RegionRow | None:
    """The region as the database holds it (None for a new one), from the session's history."""
    if not is_stored(region):
        return None
    return RegionRow(region.id, *(stored(region, k) for k in ("code", "kind", "parent_id", "province_id", "city_id")))


def region_write_error(session: Session, scope: Scope | None, region: Region) -> Refusal | None:
    """The rule above applied to a region in the session (new, changed or deleted)."""
    before = stored_row(region)
    if region in session.deleted:
        if scope is None:
            return None
        if scope.role != "region_admin" or not scope.covers_region(before) or before.id == scope.node_id:
            return Refusal("code", OUTSIDE)
        return None
    parent = target(session, region, "parent")
    return region_change_error(scope, before, region.kind, parent.kind if parent else None, parent)


@dataclass(frozen=True)
class SchoolRow:
    """A school's stored placement (what `Scope.covers_school` needs to judge it)."""

    id: int
    county_id: int
    city_id: int | None
    province_id: int


def school_write_error(session: Session, scope: Scope | None, school: School) -> Refusal | None:
    """The school rule applied to a school in the session (new, changed or deleted)."""
    before = None
    if is_stored(school):
        before = SchoolRow(school.id, *(stored(school, k) for k in ("county_id", "city_id", "province_id")))
    if school in session.deleted:
        return school_change_error(scope, before, "county", None)
    county = target(session, school, "county")
    return school_change_error(scope, before, county.kind if county else None, county)
