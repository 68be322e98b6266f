"""The visit-record rules of bureau/visits/records.py, each on its own: an approved visit cannot be
changed, only a pending visit can be reviewed and only by a school's admin, a term holds its first
and last day, and a bulk approval's refusal names every record. "Nothing was written" is read
through a fresh session after the refusal was rolled back.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bureau import clock
from bureau.extensions import db
from bureau.visits.models import Visit, VisitVersion
from bureau.visits.records import VisitError, VisitInput, approve_all, record_visit, resubmit, review
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


def test_a_new_visit_is_pending_in_the_term_of_its_day_first_and_last_day_included(world, session):
    """The world's term runs 2026-09-01 .. 2027-01-31, both days included (the progress campaign's
    own term, 09-07 .. 01-10, covers neither). Recorded on 02-01, after both: each is pending."""
    staff, students = world.extra["staff_b1"], world.extra["students_b1"]
    with clock.frozen_at(datetime(2027, 2, 1, 4, 0, tzinfo=UTC)):
        first = record_visit(session, staff, family(students[1].id, date(2026, 9, 1)))
        last = record_visit(session, staff, family(students[2].id, date(2027, 1, 31)))
        session.commit()
    with Session(db.engine) as s:
        rows = s.execute(
            select(Visit.term_id, Visit.status).where(Visit.id.in_([first.id, last.id])).order_by(Visit.id)
        ).all()
    assert rows == [(world.extra["term"].id, "pending")] * 2


def test_only_a_school_admin_reviews_and_anyone_else_is_told_so(world, session):
    visit = world.extra["visits_a1x"][0]
    with clock.frozen_at(OCTOBER):
        for username in ("teacher_a1x", "admin_a1", "inspector_a"):
            with pytest.raises(VisitError, match="^只有学校管理员可以审核走访记录$"):
                review(session, visit, world.users[username], approve=True)
        session.rollback()
    assert _stored(visit.id) == ("pending", 1, date(2026, 9, 10), None, 1)


# Approving several at once: the refusal names every record, in the queue's order -----------------


def test_approving_none_at_once_asks_for_a_selection(world, session):
    with pytest.raises(VisitError, match="^请先勾选要审核通过的记录$"):
        approve_all(session, [], world.users["school_admin_a1x"])


def test_a_refused_bulk_approval_names_the_missing_first_then_each_record_by_submission(world, session):
    """a1x's second visit was submitted on 09-21, its first on 09-22, a third (the newest row) on
    09-20; the first and the third are approved already, the second is pending. Approving all
    three and an id that does not exist is refused: the missing one first, then the two already
    approved under one reason, the earlier submitted first (not in id order); nothing changes."""
    admin = world.users["school_admin_a1x"]
    first, second = world.extra["visits_a1x"]
    third = Visit(
        school=world.schools["a1x"],
        target="family",
        student=world.extra["students_a1x"][1],
        staff=world.extra["staff_a1x"],
        term=world.extra["term"],
        visited_on=date(2026, 9, 15),
        mode="home",
        no_gifts=True,
    )
    session.add(third)
    for day, visit in ((22, first), (21, second), (20, third)):
        visit.submitted_at = datetime(2026, 9, day, 8, 0, tzinfo=UTC)
    session.flush()
    with clock.frozen_at(OCTOBER):
        review(session, first, admin, approve=True)
        review(session, third, admin, approve=True)
        session.commit()
        missing = session.scalar(select(func.max(Visit.id))) + 100
        with pytest.raises(VisitError) as refused:
            approve_all(session, [first.id, second.id, third.id, missing], admin)
        session.rollback()
    assert first.id < third.id
    assert str(refused.value) == f"1 条所选记录不存在；只能审核待审核的记录（{third}、{first}）"
    assert [_stored(v.id)[0] for v in (first, second, third)] == ["approved", "pending", "approved"]


def test_records_submitted_at_the_same_instant_are_named_by_number(world, session):
    """a1x's two records, submitted at the same instant, are approved the second first (so that
    PostgreSQL's table holds the second's new row before the first's): a bulk approval of both
    is refused naming them by number, the first first."""
    admin = world.users["school_admin_a1x"]
    first, second = world.extra["visits_a1x"]
    for visit in (first, second):
        visit.submitted_at = datetime(2026, 9, 20, 8, 0, tzinfo=UTC)
    session.commit()
    with clock.frozen_at(OCTOBER):
        for visit in (second, first):
            review(session, visit, admin, approve=True)
            session.commit()
        with pytest.raises(VisitError) as refused:
            approve_all(session, [second.id, first.id], admin)
        session.rollback()
    assert first.id < second.id
    assert str(refused.value) == f"只能审核待审核的记录（{first}、{second}）"
