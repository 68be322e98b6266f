"""Guardian phone numbers are personal data: shown in full only to those who need them."""
from __future__ import annotations

from bureau.tenants.scope import Scope


def mask_phone(phone: str | None) -> str:
    """13812345678 → 138****5678 (the one place a number is masked)."""
    if not phone:
        return ""
    if len(phone) < 7:
        return "*" * len(phone)
    return f"{phone[:3]}{'*' * (len(phone) - 7)}{phone[-4:]}"


def sees_full_phone(role: str, scope: Scope | None, school_id: int, responsible_staff_id: int | None) -> bool:
    """The school's own admins, and the teacher answering for the student (包保), see the number."""
    if scope is None or not scope.is_school or scope.node_id != school_id:
        return False
    if role == "school_admin":
        return True
    return role == "teacher" and scope.staff_id is not None and scope.staff_id == responsible_staff_id


def shown_phone(phone: str | None, role: str, scope: Scope | None, school_id: int,
                responsible_staff_id: int | None) -> str:
    if sees_full_phone(role, scope, school_id, responsible_staff_id):
        return phone or ""
    return mask_phone(phone)


# Personal fields masked wherever they are shown (lists, exports, the audit log): table → columns.
MASKED_FIELDS = {"student": ("guardian_phone",)}


def shown_changes(table: str, changes: dict, role: str, scope: Scope | None, school_id: int | None) -> dict:
    """An audit row's {field: [before, after]} as this viewer may see it: phones masked as in lists."""
    masked = MASKED_FIELDS.get(table, ())
    if not masked or (school_id is not None and sees_full_phone(role, scope, school_id, None)):
        return changes
    return {key: ([mask_phone(v) if isinstance(v, str) else v for v in pair] if key in masked else pair)
            for key, pair in changes.items()}
