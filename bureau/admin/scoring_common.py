"""What the scoring pages share: the term a page shows."""

from __future__ import annotations

from sqlalchemy import select

from bureau import clock
from bureau.extensions import db
from bureau.params import int_arg
from bureau.visits.models import Term


def term_choice() -> tuple[Term | None, list[Term]]:
    """The term asked for (?term=), else the one today falls in, else the latest; and every term,
    newest first, for the page's picker."""
    terms = db.session.scalars(select(Term).order_by(Term.start_date.desc(), Term.id.desc())).all()
    asked = int_arg("term", low=1)
    if asked is not None:
        return next((t for t in terms if t.id == asked), None), terms
    today = clock.today()
    current = next((t for t in terms if t.start_date <= today <= t.end_date), None)
    return current or (terms[0] if terms else None), terms
