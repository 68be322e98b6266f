"""The one clock: everything that depends on "now" asks here, and tests set it."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

LOCAL = ZoneInfo("Asia/Shanghai")

_frozen: datetime | None = None


def now() -> datetime:
    """The current instant, timezone-aware UTC."""
    return _frozen if _frozen is not None else datetime.now(UTC)


@contextmanager
def frozen_at(instant: datetime) -> Iterator[None]:
    """Stand at `instant` (aware) until the block ends."""
    global _frozen
    if instant.tzinfo is None:
        raise ValueError("frozen_at needs an aware datetime")
    previous, _frozen = _frozen, instant.astimezone(UTC)
    try:
        yield
    finally:
        _frozen = previous


def as_utc(value: datetime) -> datetime:
    """Databases may hand back naive datetimes; ours are always UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def local(value: datetime) -> datetime:
    """An instant shown in Beijing time."""
    return as_utc(value).astimezone(LOCAL)


def local_text(value: datetime | None) -> str:
    """An instant as people here read it: Beijing time to the second ("" for none)."""
    return local(value).strftime("%Y-%m-%d %H:%M:%S") if value else ""


def today() -> date:
    """Today's date in Beijing."""
    return local(now()).date()
