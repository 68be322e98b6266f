"""Sign-in rules: password check and throttling of repeated wrong passwords."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bureau.tenants.models import LoginAttempt, User

MAX_FAILURES = 5
WINDOW = timedelta(minutes=15)
LOCKOUT = timedelta(minutes=15)


class SignInRefused(Exception):
    """A refused sign-in, with a message for the user."""


def locked_until(session: Session, username: str, now: datetime) -> datetime | None:
    """After MAX_FAILURES wrong passwords within WINDOW, the name is locked for LOCKOUT."""
    last_success = session.scalar(
        select(LoginAttempt.at)
        .where(LoginAttempt.username == username, LoginAttempt.success.is_(True))
        .order_by(LoginAttempt.at.desc())
        .limit(1)
    )
    query = select(LoginAttempt.at).where(
        LoginAttempt.username == username,
        LoginAttempt.success.is_(False),
        LoginAttempt.at > now - WINDOW - LOCKOUT,
    )
    if last_success is not None:
        query = query.where(LoginAttempt.at > last_success)
    failures = list(session.scalars(query.order_by(LoginAttempt.at.desc()).limit(MAX_FAILURES)))
    if len(failures) < MAX_FAILURES or failures[0] - failures[-1] > WINDOW:
        return None
    until = failures[0] + LOCKOUT
    return until if now < until else None


def sign_in(session: Session, username: str, password: str, now: datetime,
            remote_addr: str | None = None) -> User:
    """The user for these credentials; records the attempt. Raises SignInRefused."""
    username = username.strip()
    until = locked_until(session, username, now)
    if until is not None:
        minutes = max(1, int((until - now).total_seconds() + 59) // 60)
        raise SignInRefused(f"密码连续错误次数过多，账号已锁定，请 {minutes} 分钟后再试")
    user = session.scalar(select(User).where(User.username == username))
    ok = user is not None and user.check_password(password)
    session.add(LoginAttempt(username=username, at=now, success=ok, remote_addr=remote_addr))
    session.flush()
    if not ok:
        raise SignInRefused("用户名或密码错误")
    if not user.active:
        raise SignInRefused("该账号已停用，请联系管理员")
    return user
