"""Importing a school's roster (classes, students, staff) from .xlsx: every row checked, all or none."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import IO

from sqlalchemy import select
from sqlalchemy.orm import Session

from bureau.sheets import ImportResult, RowError, SheetError, SheetRow, quote, read_sheet
from bureau.tenants.models import School
from bureau.visits.models import FOCUS_TYPES, GRADE_NAMES, POSITIONS, SchoolClass, Staff, Student

HEADERS = ["班级", "学号", "姓名", "性别", "监护人", "关系", "联系电话", "家庭住址", "村(社区)", "重点类型"]
EXAMPLE = [
    ("三(2)", "20230201", "张小明", "男", "张建国", "父亲", "13812345678", "东疏镇前村12号", "前村", ""),
    (
        "三(2)",
        "20230202",
        "李小红",
        "女",
        "李奶奶",
        "祖母",
        "13987654321",
        "东疏镇后村3号",
        "后村",
        "留守/单亲、经济困难",
    ),
]
FOCUS_BY_LABEL = {label: key for key, label in FOCUS_TYPES.items()} | {"留守": "left_behind", "单亲": "left_behind"}
CLASS_PATTERN = re.compile(r"^(十[一二]|[一二三四五六七八九十]|\d{1,2})(?:年级)?[(（]?(\d{1,2})[)）]?班?$")
PHONE_PATTERN = re.compile(r"^1\d{10}$")
SEXES = ("男", "女")
STAFF_HEADERS = ["姓名", "岗位", "联系电话"]
STAFF_EXAMPLE = [("王建华", "校级领导", "13800000001"), ("陈丽", "班主任", "13800000002"), ("赵强", "科任教师", "")]
# The most rows one sheet may hold. The largest schools have some 10,000 students and 1,000 staff;
# a re-import never removes anyone, so a bigger school imports its sheet in parts.
ROSTER_MAX_ROWS = 10_000
STAFF_MAX_ROWS = 2_000


@dataclass
class RosterResult(ImportResult):
    """A roster import also makes the classes its rows name."""

    what: str = "学生"
    unit: str = "名"
    classes_created: int = 0

    def summary(self) -> str:
        return f"{super().summary()}，新建班级 {self.classes_created} 个"


def _phone(row: SheetRow, errors: list[RowError]) -> str:
    """The 联系电话 cell as a mobile number without spaces or dashes ("" if empty); a bad one is
    named in `errors`."""
    phone = row["联系电话"].replace(" ", "").replace("-", "")
    if phone and not PHONE_PATTERN.match(phone):
        errors.append(RowError(row.number, "联系电话", f"{quote(row['联系电话'])}不是11位手机号码"))
    return phone


def parse_class(text: str) -> tuple[int, int] | None:
    """'三(2)', '3(2)', '三年级2班' → (3, 2); None if not a class."""
    match = CLASS_PATTERN.match(text.replace(" ", ""))
    if not match:
        return None
    grade_text, number = match.groups()
    grade = int(grade_text) if grade_text.isdigit() else GRADE_NAMES.index(grade_text) + 1
    if not 1 <= grade <= len(GRADE_NAMES) or int(number) < 1:
        return None
    return grade, int(number)


def parse_focus(text: str) -> tuple[set[str], list[str]]:
    """The focus keys named in a 重点类型 cell, and the names that are not focus types."""
    keys, unknown = set(), []
    for part in re.split(r"[、,，;；\s]+", text):
        if not part:
            continue
        if part in FOCUS_BY_LABEL:
            keys.add(FOCUS_BY_LABEL[part])
        else:
            unknown.append(part)
    return keys, unknown


def _parse_row(row: SheetRow, seen: dict[str, int]) -> tuple[dict | None, list[RowError]]:
    errors = []
    for header in ("班级", "学号", "姓名"):
        if not row[header]:
            errors.append(RowError(row.number, header, "不能为空"))
    class_key = parse_class(row["班级"]) if row["班级"] else None
    if row["班级"] and class_key is None:
        errors.append(RowError(row.number, "班级", f"{quote(row['班级'])}不是有效班级，应写作 三(2) 或 三年级2班"))
    number = row["学号"]
    if number and number in seen:
        errors.append(RowError(row.number, "学号", f"{quote(number)}与第{seen[number]}行重复"))
    seen.setdefault(number, row.number)
    if row["性别"] and row["性别"] not in SEXES:
        errors.append(RowError(row.number, "性别", f"{quote(row['性别'])}应为 男 或 女"))
    phone = _phone(row, errors)
    focus, unknown = parse_focus(row["重点类型"])
    if unknown:
        allowed = "、".join(FOCUS_TYPES.values())
        errors.append(RowError(row.number, "重点类型", f"{quote('、'.join(unknown))}不是重点类型，应为 {allowed} 之一"))
    if errors:
        return None, errors
    values = {
        "number": number,
        "name": row["姓名"],
        "sex": row["性别"] or None,
        "class_key": class_key,
        "guardian_name": row["监护人"] or None,
        "guardian_relation": row["关系"] or None,
        "guardian_phone": phone or None,
        "address": row["家庭住址"] or None,
        "village": row["村(社区)"] or None,
    }
    values.update({key: key in focus for key in FOCUS_TYPES})
    return values, []


def import_roster(session: Session, school: School, source: str | IO[bytes]) -> RosterResult:
    """Create or update the school's classes and students by 学号 (flush, no commit).

    A student missing from the sheet is left as it is; any bad row refuses the whole sheet.
    """
    rows = read_sheet(source, HEADERS, max_rows=ROSTER_MAX_ROWS)
    seen: dict[str, int] = {}
    parsed, errors = [], []
    for row in rows:
        values, row_errors = _parse_row(row, seen)
        errors += row_errors
        if values is not None:
            parsed.append(values)
    if not rows:
        errors.append(RowError(None, None, "表格中没有数据行"))
    if errors:
        raise SheetError(errors)
    classes = {
        (c.grade, c.number): c for c in session.scalars(select(SchoolClass).where(SchoolClass.school_id == school.id))
    }
    students = {s.number: s for s in session.scalars(select(Student).where(Student.school_id == school.id))}
    result = RosterResult()
    for values in parsed:
        key = values["class_key"]
        if key not in classes:
            classes[key] = SchoolClass(school_id=school.id, grade=key[0], number=key[1])
            session.add(classes[key])
            result.classes_created += 1
        _write_student(session, school, students, classes[key], values, result)
    session.flush()
    return result


def _write_student(
    session: Session,
    school: School,
    students: dict[str, Student],
    school_class: SchoolClass,
    values: dict,
    result: RosterResult,
) -> None:
    student = students.get(values["number"])
    fields = {k: v for k, v in values.items() if k not in ("class_key", "number")}
    if student is None:
        student = Student(
            school_id=school.id, number=values["number"], school_class=school_class, active=True, **fields
        )
        session.add(student)
        students[values["number"]] = student
        result.created += 1
        return
    changed = student.school_class is not school_class or any(getattr(student, k) != v for k, v in fields.items())
    student.school_class = school_class
    for k, v in fields.items():
        setattr(student, k, v)
    result.updated += changed
    result.unchanged += not changed


def _parse_staff_row(row: SheetRow, seen: dict[str, int]) -> tuple[dict | None, list[RowError]]:
    errors = []
    name, position = row["姓名"], row["岗位"]
    if not name:
        errors.append(RowError(row.number, "姓名", "不能为空"))
    elif name in seen:
        errors.append(RowError(row.number, "姓名", f"{quote(name)}与第{seen[name]}行重复"))
    seen.setdefault(name, row.number)
    if position not in POSITIONS:
        errors.append(RowError(row.number, "岗位", f"{quote(position)}不是有效岗位，应为 {'、'.join(POSITIONS)} 之一"))
    phone = _phone(row, errors)
    return (None if errors else {"name": name, "position": position, "phone": phone or None}), errors


def import_staff(session: Session, school: School, source: str | IO[bytes]) -> ImportResult:
    """Create or update the school's staff by name (flush, no commit); nobody is removed.

    Two staff of one name in the school cannot be told apart by a sheet: such a row is refused.
    """
    rows = read_sheet(source, STAFF_HEADERS, max_rows=STAFF_MAX_ROWS)
    seen: dict[str, int] = {}
    parsed, errors = [], []
    for row in rows:
        values, row_errors = _parse_staff_row(row, seen)
        errors += row_errors
        if values is not None:
            parsed.append((row.number, values))
    existing: dict[str, list[Staff]] = {}
    for staff in session.scalars(select(Staff).where(Staff.school_id == school.id)):
        existing.setdefault(staff.name, []).append(staff)
    errors += [
        RowError(number, "姓名", f"本校有多名{quote(v['name'])}，请先在教职工列表中区分")
        for number, v in parsed
        if len(existing.get(v["name"], [])) > 1
    ]
    if not rows:
        errors.append(RowError(None, None, "表格中没有数据行"))
    if errors:
        raise SheetError(sorted(errors, key=lambda e: e.row or 0))
    result = ImportResult()
    for _, values in parsed:
        found = existing.get(values["name"])
        if not found:
            session.add(Staff(school_id=school.id, active=True, **values))
            result.created += 1
            continue
        staff = found[0]
        changed = (staff.position, staff.phone) != (values["position"], values["phone"])
        staff.position, staff.phone = values["position"], values["phone"]
        result.updated += changed
        result.unchanged += not changed
    session.flush()
    return result
