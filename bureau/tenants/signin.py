"""Sign-in rules: throttled, race-free password checks, and safe redirects after sign-in.

Every attempt is first *reserved*: with the lock rows of its username and client held, the
recent failures are counted and, if no limit is reached, the attempt is recorded as a failure.
The caller commits that at once, and only then is the (slow, scrypt) password checked; a right
password turns the attempt into a success. So concurrent requests can never check more wrong
passwords than the limits allow: each one that is checked already counts against the others.

Limits (failures are wrong passwords, including attempts still being checked):
- MAX_FAILURES wrong passwords for one username from one client within WINDOW lock that pair
  for LOCKOUT; the same user from another address is not affected, so nobody can lock anyone
  out from afar.
- CLIENT_MAX_FAILURES wrong passwords from one client, whatever the usernames, within WINDOW
  lock that client for LOCKOUT (password spraying).
- USERNAME_CEILING wrong passwords for one username within CEILING_WINDOW, counting at most
  MAX_FAILURES per client, stop sign-ins to that username from everywhere: guessing spread over
  many addresses is bounded, and locking a user out this way takes that many distinct networks.
A client is an IPv4 address or an IPv6 /64 network (one household or server holds a whole /64).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from secrets import token_hex
from urllib.parse import unquote

from sqlalchemy import Select, case, delete, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from bureau.tenants.models import LoginAttempt, LoginLock, User
from bureau.tenants.users import UserError, check_password_rule

MAX_FAILURES = 5
WINDOW = timedelta(minutes=15)
LOCKOUT = timedelta(minutes=15)
CLIENT_MAX_FAILURES = 30
USERNAME_CEILING = 100
CEILING_WINDOW = timedelta(days=1)
RETENTION = timedelta(days=1)  # attempts are kept as long as the longest window needs them
PRUNE_EVERY = 100  # every so many attempts, sign-in removes one batch of expired rows
PRUNE_BATCH = 500


class SignInRefused(Exception):
    """A refused sign-in, with a message for the user."""


@dataclass(frozen=True)
class Attempt:
    """A reserved attempt: recorded as a failure until its password proves right."""

    id: int
    username: str


def client_key(remote_addr: str | None) -> str:
    """The throttling key of an address: IPv4 as is, IPv6 by its /64 network."""
    try:
        address = ipaddress.ip_address((remote_addr or "").strip())
    except ValueError:
        return (remote_addr or "unknown")[:64]
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def _lock(session: Session, keys: list[str], now: datetime) -> None:
    """Hold the lock rows of `keys` until the transaction ends.

    An upsert writes each row: PostgreSQL row-locks it (keys sorted, so two attempts never wait
    for each other crosswise), SQLite takes its database write lock; either way a second attempt
    on the same username or client waits here until the first has committed its reservation.
    """
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    rows = [{"key": key, "touched_at": now} for key in sorted(set(keys))]
    statement = dialect.insert(LoginLock).values(rows)
    session.execute(
        statement.on_conflict_do_update(
            index_elements=[LoginLock.key], set_={"touched_at": statement.excluded.touched_at}
        )
    )


def _failures(*conditions) -> Select:
    return select(LoginAttempt.at).where(LoginAttempt.success.is_(False), *conditions)


def _locked_until(session: Session, query, limit: int, now: datetime) -> datetime | None:
    """After `limit` failures within WINDOW, locked for LOCKOUT after the last of them."""
    query = query.where(LoginAttempt.at > now - WINDOW - LOCKOUT)
    failures = list(session.scalars(query.order_by(LoginAttempt.at.desc()).limit(limit)))
    if len(failures) < limit or failures[0] - failures[-1] > WINDOW:
        return None
    until = failures[0] + LOCKOUT
    return until if now < until else None


def _ceiling_reached(session: Session, username: str, now: datetime) -> bool:
    per_client = (
        select(func.count().label("n"))
        .where(
            LoginAttempt.username == username, LoginAttempt.success.is_(False), LoginAttempt.at > now - CEILING_WINDOW
        )
        .group_by(LoginAttempt.client)
        .subquery()
    )
    capped = case((per_client.c.n > MAX_FAILURES, MAX_FAILURES), else_=per_client.c.n)
    return (session.scalar(select(func.coalesce(func.sum(capped), 0))) or 0) >= USERNAME_CEILING


def _minutes(until: datetime, now: datetime) -> int:
    return max(1, int((until - now).total_seconds() + 59) // 60)


def reserve_attempt(session: Session, username: str, remote_addr: str | None, now: datetime) -> Attempt:
    """Count this attempt against the limits and record it as a failure, or refuse it.

    The caller must commit before checking the password: that both releases the locks and
    makes this attempt count for every concurrent one. Refused attempts are not recorded, so
    hammering a locked name does not prolong its lock.
    """
    username = username.strip()
    recorded = username[:64]  # a longer name matches no user; it is still counted
    client = client_key(remote_addr)
    _lock(session, [f"user:{recorded}", f"client:{client}"], now)
    for query, limit, message in (
        (
            _failures(LoginAttempt.username == recorded, LoginAttempt.client == client),
            MAX_FAILURES,
            "密码连续错误次数过多，账号已锁定，请 {} 分钟后再试",
        ),
        (
            _failures(LoginAttempt.client == client),
            CLIENT_MAX_FAILURES,
            "本网络登录失败次数过多，已暂停登录，请 {} 分钟后再试",
        ),
    ):
        until = _locked_until(session, query, limit, now)
        if until is not None:
            raise SignInRefused(message.format(_minutes(until, now)))
    if _ceiling_reached(session, recorded, now):
        raise SignInRefused("该账号今日密码错误次数过多，已暂停登录，请联系管理员")
    # A statement, not the unit of work: sign-in records are neither audited nor tenant rows.
    attempt_id = session.scalar(
        insert(LoginAttempt)
        .values(
            username=recorded,
            at=now,
            success=False,
            client=client,
            remote_addr=(remote_addr or "")[:64] or None,
        )
        .returning(LoginAttempt.id)
    )
    return Attempt(attempt_id, username)


@cache
def _dummy_hash() -> str:
    # Unknown usernames are checked against this, so they take as long as known ones.
    return generate_password_hash(token_hex(16), method="scrypt")


def verify_attempt(session: Session, attempt: Attempt, password: str) -> User | None:
    """The user if the password of a reserved attempt is right (the attempt becomes a success)."""
    user = session.scalar(select(User).where(User.username == attempt.username))
    ok = check_password_hash(user.password_hash if user is not None else _dummy_hash(), password)
    if not ok or user is None:
        return None
    session.execute(update(LoginAttempt).where(LoginAttempt.id == attempt.id).values(success=True))
    return user


def signed_in_user(session: Session, attempt: Attempt, password: str) -> User:
    """The user a reserved attempt signs in. Raises SignInRefused."""
    user = verify_attempt(session, attempt, password)
    if user is None:
        raise SignInRefused("用户名或密码错误")
    if not user.active:
        raise SignInRefused("该账号已停用，请联系管理员")
    return user


def change_own_password(user: User, new: str) -> None:
    """A user's new password (the current one already verified): a rule-abiding, different one."""
    check_password_rule(new)
    if check_password_hash(user.password_hash, new):
        raise UserError("新密码不能与当前密码相同")
    user.set_password(new)
    user.must_change_password = False


def due_for_pruning(attempt: Attempt) -> bool:
    return attempt.id % PRUNE_EVERY == 0


def prune_attempts(session: Session, now: datetime) -> int:
    """Delete at most PRUNE_BATCH attempts and lock rows older than RETENTION; how many attempts went."""
    cutoff, batch = now - RETENTION, PRUNE_BATCH
    old = select(LoginAttempt.id).where(LoginAttempt.at < cutoff).order_by(LoginAttempt.at).limit(batch)
    ids = list(session.scalars(old))
    if ids:
        session.execute(delete(LoginAttempt).where(LoginAttempt.id.in_(ids)))
    stale = select(LoginLock.key).where(LoginLock.touched_at < cutoff).limit(batch)
    keys = list(session.scalars(stale))
    if keys:
        session.execute(delete(LoginLock).where(LoginLock.key.in_(keys)))
    return len(ids)


def _stays_on_site(path: str) -> bool:
    return (
        path.startswith("/")
        and not path.startswith("//")
        and not any(ch == "\\" or ord(ch) < 0x20 or ord(ch) == 0x7F for ch in path)
    )


def safe_next(target: str | None) -> str | None:
    """`target` if a browser would read it as a path on this site, else None.

    Browsers drop tabs and newlines anywhere in a URL and read a backslash as a slash, so
    "/<TAB>/evil.com" and "/\\evil.com" mean //evil.com, another site. Only a path with one
    leading slash and no control characters or backslashes passes; the same must hold once
    percent-decoded, in case something on the way decodes it again. Schemes ("javascript:",
    "https:") and scheme-relative URLs never start with a single slash.
    """
    if not target or not _stays_on_site(target) or not _stays_on_site(unquote(target)):
        return None
    return target
