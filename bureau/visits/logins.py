"""Teacher logins for staff rows: the username scheme and the one-time initial password."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy.orm import Session

from bureau.tenants.models import User
from bureau.tenants.scope import Scope
from bureau.tenants.users import create_user
from bureau.visits.models import Staff


@dataclass(frozen=True)
class NewLogin:
    """A login just made for a staff member. The password is only in this object and in the response
    that shows it (the slip sheet): never stored, logged, or put in the session cookie."""

    staff: Staff
    username: str
    password: str


def teacher_username(staff: Staff) -> str:
    """The school's code and the staff row's number: unique, and readable on a slip (A1X-17)."""
    return f"{staff.school.code}-{staff.id}"


# Letters and digits that cannot be mistaken for one another on a printed slip (no 0/O, 1/l/I, -/_).
SLIP_ALPHABET = "23456789abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ"
PASSWORD_LENGTH = 12


def initial_password() -> str:
    """A one-time password for the slip, changed at the first sign-in (12 characters, ~69 random bits)."""
    return "".join(secrets.choice(SLIP_ALPHABET) for _ in range(PASSWORD_LENGTH))


def create_teacher_logins(session: Session, staff: list[Staff], actor_scope: Scope | None) -> list[NewLogin]:
    """Teacher logins for the staff who have none yet (flush). A refusal raises UserError and,
    the request rolling back, no login of the batch is made."""
    actor = session.get(User, actor_scope.user_id) if actor_scope and actor_scope.user_id else None
    made = []
    for row in staff:
        if row.user_id is not None:
            continue
        password = initial_password()
        row.user = create_user(
            session,
            username=teacher_username(row),
            password=password,
            role="teacher",
            node=row.school,
            display_name=row.name,
            actor=actor,
            actor_scope=actor_scope,
            must_change_password=True,
        )
        made.append(NewLogin(row, row.user.username, password))
    session.flush()
    return made
