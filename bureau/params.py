"""Request parameters parsed strictly in one place: a bad value is a 400 or a 404, never a 500.

Ids and page numbers are ASCII digits within PostgreSQL's `integer` (so "²", "-1", "1e3" or
a 20-digit number never reach the database, where they would overflow).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from flask import abort, request

MAX_INT = 2**31 - 1
# Integer parameters Flask-Admin reads itself (list paging and sorting, record ids, ajax paging).
FLASK_ADMIN_INTS = ("id", "page", "page_size", "sort", "desc", "offset", "limit")


def parse_int(value: object, low: int = 0, high: int = MAX_INT) -> int | None:
    """The integer `value` spells in ASCII digits within [low, high], else None."""
    text = str(value) if isinstance(value, str | int) and not isinstance(value, bool) else ""
    if not (0 < len(text) <= len(str(MAX_INT)) and text.isascii() and text.isdigit()):
        return None
    number = int(text)
    return number if low <= number <= high else None


def int_arg(
    name: str, default: int | None = None, *, low: int = 0, high: int = MAX_INT, source: Mapping[str, str] | None = None
) -> int | None:
    """A query (or form) parameter as an integer: `default` when absent or empty, 400 when bad."""
    raw = (request.args if source is None else source).get(name)
    if raw is None or raw == "":
        return default
    number = parse_int(raw, low, high)
    if number is None:
        abort(400)
    return number


def ids_of(values: Iterable[object]) -> list[int]:
    """Row ids posted by a bulk action; one bad id refuses the request (400)."""
    ids = [parse_int(value, 1) for value in values]
    if any(i is None for i in ids):
        abort(400)
    return ids


def check_request_ints(names: Iterable[str] = FLASK_ADMIN_INTS, route_args: Mapping[str, object] | None = None) -> None:
    """Refuse a request whose integer parameters are not integers we can store (400 / 404)."""
    for name in names:
        int_arg(name, low=0)
    for value in (route_args or {}).values():
        if isinstance(value, int) and parse_int(value) is None:
            abort(404)
