"""Loading the region tree and schools from an .xlsx sheet: all rows or none."""

from __future__ import annotations

from dataclasses import dataclass
from typing import IO

from sqlalchemy import select
from sqlalchemy.orm import Session

from bureau.sheets import ImportResult, RowError, SheetError, SheetRow, read_sheet
from bureau.tenants.models import STAGES, Region, School
from bureau.tenants.scope import Scope
from bureau.tenants.tree import PARENTS, RegionRow, region_change_error, school_change_error

HEADERS = ["代码", "名称", "类型", "上级代码"]
OPTIONAL = ("学段",)
KINDS = {"省": "province", "设区市": "city", "省直管县": "direct_county", "县区": "county", "学校": "school"}
CHUNK = 500
# The most rows one sheet may hold: the largest province has some 25,000 schools with its regions.
MAX_ROWS = 30_000


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
            errors.append(RowError(row.number, "类型", f"「{row['类型']}」不是有效类型，应为 {'、'.join(KINDS)} 之一"))
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


def _taken(session: Session, codes: list[str]) -> set[str]:
    """Which of `codes` any region or school holds, in scope or not (read from the plain tables,
    which the tenant guard does not filter), so a collision is refused before the insert fails."""
    taken: set[str] = set()
    for table in (Region.__table__, School.__table__):
        for i in range(0, len(codes), CHUNK):
            taken.update(session.scalars(select(table.c.code).where(table.c.code.in_(codes[i : i + CHUNK]))))
    return taken


_COLUMN = {"code": "代码", "kind": "类型", "parent": "上级代码"}


def _check_tree(nodes, regions, schools, taken, scope) -> list[RowError]:
    """Each row against the tree's one write rule (bureau.tenants.tree), as the console is."""
    errors = []
    in_file = {n.code: n.kind for n in nodes}
    for n in nodes:
        r = n.row.number
        old = schools.get(n.code) if n.kind == "school" else regions.get(n.code)
        other = regions.get(n.code) if n.kind == "school" else schools.get(n.code)
        if other is not None:
            errors.append(RowError(r, "代码", f"「{n.code}」已被{'学校' if n.kind != 'school' else '区域'}使用"))
            continue
        if old is None and n.code in taken:  # held outside the scope: say no more than that
            errors.append(RowError(r, "代码", f"「{n.code}」不可用，请核对代码"))
            continue
        if n.kind == "province" and n.parent_code:
            errors.append(RowError(r, "上级代码", "省不应有上级代码"))
            continue
        parent = regions.get(n.parent_code)
        parent_kind = in_file.get(n.parent_code) or (parent.kind if parent else None)
        if n.kind != "province" and parent_kind is None:
            errors.append(RowError(r, "上级代码", f"「{n.parent_code}」不存在"))
            continue
        if n.kind == "school":
            refusal = school_change_error(scope, old, parent_kind, parent)
        else:
            refusal = region_change_error(scope, RegionRow.of(old) if old else None, n.kind, parent_kind, parent)
        if refusal is not None:
            prefix = f"「{n.parent_code}」：" if refusal.field == "parent" and n.parent_code else ""
            errors.append(RowError(r, _COLUMN[refusal.field], prefix + refusal.message))
    return errors


def import_org(session: Session, source: str | IO[bytes], scope: Scope | None = None) -> ImportResult:
    """Validate every row, then write them all (flush, no commit); raise SheetError otherwise."""
    rows = read_sheet(source, HEADERS, OPTIONAL, max_rows=MAX_ROWS)
    nodes, errors = _parse(rows)
    regions, schools = _existing(session, [n.code for n in nodes if n.kind == "school"])
    errors += _check_tree(nodes, regions, schools, _taken(session, [n.code for n in nodes]), scope)
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
            school = School(code=node.code, name=node.name, stage=node.stage, county=parent, active=True)
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
