"""Guardian phone numbers are personal data: shown in full only to those who need them — the
school's own admins on its pages, the inspector on the call list of a phone check."""

from __future__ import annotations

from bureau.tenants.scope import Scope


def mask_phone(phone: str | None) -> str:
    """13812345678 → 138****5678 (the one place a number is masked)."""
    if not phone:
        return ""
    if len(phone) < 7:
        return "*" * len(phone)
    return f"{phone[:3]}{'*' * (len(phone) - 7)}{phone[-4:]}"


def sees_full_phone(role: str, scope: Scope | None, school_id: int) -> bool:
    """Only the school's own admins see the number in full."""
    return role == "school_admin" and scope is not None and scope.is_school and scope.node_id == school_id


def shown_phone(phone: str | None, role: str, scope: Scope | None, school_id: int) -> str:
    return (phone or "") if sees_full_phone(role, scope, school_id) else mask_phone(phone)


def call_list_phone(phone: str | None, role: str) -> str:
    """A guardian's phone on the pages of 电话抽查 (the call list, its sheet, a check's page):
    in full for the inspector who calls, masked for everyone else — the school's own admins too."""
    return (phone or "") if role == "inspector" else mask_phone(phone)


# Personal fields masked wherever they are shown (lists, exports, the audit log): table → columns.
MASKED_FIELDS = {"student": ("guardian_phone",)}


def shown_changes(table: str, changes: dict, role: str, scope: Scope | None, school_id: int | None) -> dict:
    """An audit row's {field: [before, after]} as this viewer may see it: phones masked as in lists."""
    masked = MASKED_FIELDS.get(table, ())
    if not masked or (school_id is not None and sees_full_phone(role, scope, school_id)):
        return changes
    return {
        key: ([mask_phone(v) if isinstance(v, str) else v for v in pair] if key in masked else pair)
        for key, pair in changes.items()
    }
