"""Loading the region tree and schools from an .xlsx sheet: all rows or none."""
from __future__ import annotations

from dataclasses import dataclass
from typing import IO

from sqlalchemy import select
from sqlalchemy.orm import Session

from bureau.sheets import ImportResult, RowError, SheetError, SheetRow, read_sheet
from bureau.tenants.models import STAGES, Region, School
from bureau.tenants.scope import Scope

HEADERS = ["代码", "名称", "类型", "上级代码"]
OPTIONAL = ("学段",)
KINDS = {"省": "province", "设区市": "city", "省直管县": "direct_county", "县区": "county",
         "学校": "school"}
KIND_NAMES = {v: k for k, v in KINDS.items()}
# The kinds each kind may hang under; order is also the order rows are written in.
PARENTS = {
    "province": (),
    "city": ("province",),
    "direct_county": ("province",),
    "county": ("city",),
    "school": ("county", "direct_county"),
}
CHUNK = 500


@dataclass
class _Node:
    row: SheetRow
    code: str
    name: str
    kind: str
    parent_code: str
    stage: str | None


def _existing(session: Session, codes: list[str]) -> tuple[dict[str, Region], dict[str, School]]:
    regions = {r.code: r for r in session.scalars(select(Region))}
    schools: dict[str, School] = {}
    for i in range(0, len(codes), CHUNK):
        chunk = codes[i : i + CHUNK]
        schools.update((s.code, s) for s in session.scalars(select(School).where(School.code.in_(chunk))))
    return regions, schools


def _parse(rows: list[SheetRow]) -> tuple[list[_Node], list[RowError]]:
    nodes, errors, seen = [], [], {}
    for row in rows:
        bad = False
        for header in ("代码", "名称", "类型"):
            if not row[header]:
                errors.append(RowError(row.number, header, "不能为空"))
                bad = True
        kind = KINDS.get(row["类型"])
        if row["类型"] and kind is None:
            errors.append(RowError(row.number, "类型",
                                   f"「{row['类型']}」不是有效类型，应为 {'、'.join(KINDS)} 之一"))
            bad = True
        if kind and kind != "province" and not row["上级代码"]:
            errors.append(RowError(row.number, "上级代码", "不能为空"))
            bad = True
        stage = row["学段"] or None
        if stage and (kind != "school" or stage not in STAGES):
            msg = "只有学校可填学段" if kind != "school" else f"「{stage}」不是有效学段，应为 {'、'.join(STAGES)} 之一"
            errors.append(RowError(row.number, "学段", msg))
            bad = True
        code = row["代码"]
        if code and code in seen:
            errors.append(RowError(row.number, "代码", f"「{code}」与第{seen[code]}行重复"))
            bad = True
        seen.setdefault(code, row.number)
        if not bad:
            nodes.append(_Node(row, code, row["名称"], kind, row["上级代码"], stage))
    return nodes, errors


def parent_error(kind: str, parent_kind: str | None) -> str | None:
    """Why a node of `kind` may not hang under a node of `parent_kind`, or None."""
    if kind == "province":
        return "省不应有上级" if parent_kind else None
    if parent_kind not in PARENTS[kind]:
        allowed = "或".join(KIND_NAMES[k] for k in PARENTS[kind])
        actual = f"，不能是{KIND_NAMES[parent_kind]}" if parent_kind else ""
        return f"{KIND_NAMES[kind]}的上级应为{allowed}{actual}"
    return None


def _check_tree(nodes, regions, schools, scope) -> list[RowError]:
    errors = []
    in_file = {n.code: n.kind for n in nodes}
    for n in nodes:
        r = n.row.number
        old = schools.get(n.code) if n.kind == "school" else regions.get(n.code)
        other = regions.get(n.code) if n.kind == "school" else schools.get(n.code)
        if other is not None:
            errors.append(RowError(r, "代码", f"「{n.code}」已被{'学校' if n.kind != 'school' else '区域'}使用"))
            continue
        if old is not None and n.kind != "school" and old.kind != n.kind:
            errors.append(RowError(r, "类型", f"「{n.code}」已是{KIND_NAMES[old.kind]}，不能改为{KIND_NAMES[n.kind]}"))
            continue
        if n.kind == "province":
            if n.parent_code:
                errors.append(RowError(r, "上级代码", "省不应有上级代码"))
            continue
        parent_kind = in_file.get(n.parent_code) or (
            regions[n.parent_code].kind if n.parent_code in regions else None
        )
        if parent_kind is None:
            errors.append(RowError(r, "上级代码", f"「{n.parent_code}」不存在"))
        elif parent_error(n.kind, parent_kind):
            errors.append(RowError(r, "上级代码", f"「{n.parent_code}」：{parent_error(n.kind, parent_kind)}"))
        elif scope is not None and not _within(scope, n, old, regions, in_file):
            errors.append(RowError(r, "代码", "不在您的管辖范围内"))
    return errors


def _within(scope: Scope, node: _Node, old, regions, in_file) -> bool:
    """A region admin may add or change rows only below its own node."""
    if isinstance(old, School) and not scope.covers_school(old):
        return False
    if isinstance(old, Region) and not scope.covers_region(old):
        return False
    parent = regions.get(node.parent_code)
    if parent is None:
        return node.parent_code in in_file  # the parent is itself a new row, checked on its own
    return scope.covers_region(parent)


def import_org(session: Session, source: str | IO[bytes], scope: Scope | None = None) -> ImportResult:
    """Validate every row, then write them all (flush, no commit); raise SheetError otherwise."""
    rows = read_sheet(source, HEADERS, OPTIONAL)
    nodes, errors = _parse(rows)
    regions, schools = _existing(session, [n.code for n in nodes if n.kind == "school"])
    errors += _check_tree(nodes, regions, schools, scope)
    if not rows:
        errors.append(RowError(None, None, "表格中没有数据行"))
    if errors:
        raise SheetError(sorted(errors, key=lambda e: (e.row or 0, e.column or "")))
    result = ImportResult()
    for kind in PARENTS:  # parents first, flushed, so children can read their ancestors
        for node in nodes:
            if node.kind == kind:
                _write(session, node, regions, schools, result)
        session.flush()
    return result


def _write(session, node: _Node, regions, schools, result: ImportResult) -> None:
    parent = regions.get(node.parent_code)
    if node.kind == "school":
        school = schools.get(node.code)
        if school is None:
            school = School(code=node.code, name=node.name, stage=node.stage, county=parent,
                            active=True)
            session.add(school)
            result.created += 1
            return
        changed = (school.name, school.county_id, school.stage) != (node.name, parent.id, node.stage)
        school.name, school.county, school.stage = node.name, parent, node.stage
        result.updated += changed
        result.unchanged += not changed
        return
    region = regions.get(node.code)
    if region is None:
        region = Region(code=node.code, name=node.name, kind=node.kind, parent=parent)
        session.add(region)
        regions[node.code] = region
        result.created += 1
        return
    changed = (region.name, region.parent_id) != (node.name, parent.id if parent else None)
    region.name, region.parent = node.name, parent
    result.updated += changed
    result.unchanged += not changed
