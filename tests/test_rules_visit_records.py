"""The visit-record rules of bureau/visits/records.py, each on its own: an approved visit cannot be
changed, and only a pending visit can be reviewed. "Nothing was written" is read through a fresh
session after the refusal was rolled back.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bureau import clock
from bureau.extensions import db
from bureau.visits.models import Visit, VisitVersion
from bureau.visits.records import VisitError, VisitInput, resubmit, review
from tests.visits_support import family

OCTOBER = datetime(2026, 10, 1, 4, 0, tzinfo=UTC)  # within the world's term, after its visits


def _stored(visit_id: int) -> tuple:
    """(status, version, visited_on, review_note, number of versions) as the database holds them."""
    with Session(db.engine) as s:
        row = s.execute(
            select(Visit.status, Visit.version, Visit.visited_on, Visit.review_note).where(Visit.id == visit_id)
        ).one()
        versions = s.scalar(select(func.count(VisitVersion.id)).where(VisitVersion.visit_id == visit_id))
    return (*row, versions)


def test_an_approved_visit_cannot_be_changed(world, session):
    visit = world.extra["visits_a1x"][0]  # visited 2026-09-10, version 1, one VisitVersion
    student_id = visit.student_id
    with clock.frozen_at(OCTOBER):
        review(session, visit, world.users["school_admin_a1x"], approve=True)
        session.commit()
        with pytest.raises(VisitError, match="^已审核通过的记录不能修改$"):
            resubmit(session, visit, family(student_id, date(2026, 9, 11)))
        session.rollback()
    assert _stored(visit.id) == ("approved", 1, date(2026, 9, 10), None, 1)


def test_a_returned_visit_is_corrected_as_a_new_version(world, session):
    """The positive control of the rule above: returned (not approved) → version 2, pending again."""
    visit = world.extra["visits_a1x"][0]
    student_id = visit.student_id
    with clock.frozen_at(OCTOBER):
        review(session, visit, world.users["school_admin_a1x"], approve=False, note="请补充家长意见")
        resubmit(session, visit, family(student_id, date(2026, 9, 11)))
        session.commit()
    assert _stored(visit.id) == ("pending", 2, date(2026, 9, 11), "请补充家长意见", 2)


def test_only_a_pending_visit_can_be_reviewed(world, session):
    approved, returned = world.extra["visits_a1x"]
    admin = world.users["school_admin_a1x"]
    with clock.frozen_at(OCTOBER):
        review(session, approved, admin, approve=True)
        review(session, returned, admin, approve=False, note="照片不清楚")
        session.commit()
        with pytest.raises(VisitError, match="^只能审核待审核的记录$"):
            review(session, approved, admin, approve=False, note="改为退回")
        session.rollback()
        with pytest.raises(VisitError, match="^只能审核待审核的记录$"):
            review(session, returned, admin, approve=True)
        session.rollback()
    assert _stored(approved.id)[:4] == ("approved", 1, date(2026, 9, 10), None)
    assert _stored(returned.id)[:4] == ("returned", 1, date(2026, 9, 12), "照片不清楚")


def test_a_corrected_visit_is_checked_like_a_new_one(world, session):
    """A returned record resubmitted with a date after today (10-01) and no no-gifts declaration
    is refused with both reasons, and stays as it was."""
    visit = world.extra["visits_a1x"][0]
    bad = VisitInput(visited_on=date(2026, 10, 2), target="family", student_id=visit.student_id, no_gifts=False)
    with clock.frozen_at(OCTOBER):
        review(session, visit, world.users["school_admin_a1x"], approve=False, note="请补充家长意见")
        session.commit()
        with pytest.raises(VisitError, match="^走访日期不能晚于今天；请确认未收受家长礼品、未接受宴请$"):
            resubmit(session, visit, bad)
        session.rollback()
    assert _stored(visit.id) == ("returned", 1, date(2026, 9, 10), "请补充家长意见", 1)


def test_a_review_records_its_reviewer_and_time_and_a_return_needs_a_reason(world, session):
    visit = world.extra["visits_a1x"][0]
    admin = world.users["school_admin_a1x"]
    with clock.frozen_at(OCTOBER):
        with pytest.raises(VisitError, match="^退回时请填写退回原因$"):
            review(session, visit, admin, approve=False, note="  ")
        session.rollback()
        assert _stored(visit.id)[0] == "pending"
        review(session, visit, admin, approve=True)
        session.commit()
    with Session(db.engine) as s:
        by, at = s.execute(select(Visit.reviewed_by_id, Visit.reviewed_at).where(Visit.id == visit.id)).one()
    assert (by, clock.as_utc(at)) == (admin.id, OCTOBER)
