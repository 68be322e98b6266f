"""The visit write rules of the tenant guard (bureau/visits/rules.py), each on its own.

A teacher writes only the visits they recorded or accompanied (and those visits' photos and
versions), never a colleague's in the same school; a campaign is written by the region admins of
the region that runs it, judged on the region it has and the one it will have; terms are the
province's. Each test checks one rule through a flush under the user's scope, and "nothing was
written" through a fresh session after the refused flush was rolled back.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bureau import clock
from bureau.extensions import db
from bureau.tenants.guard import TenantViolation, scoped
from bureau.tenants.scope import scope_for_user
from bureau.visits.models import Campaign, Term, Visit, VisitPhoto, VisitVersion
from bureau.visits.records import record_visit
from bureau.visits.rules import NO_STAFF
from tests.visits_support import family

OCTOBER = datetime(2026, 10, 1, 4, 0, tzinfo=UTC)  # within the world's term, after its visits


def fresh() -> Session:
    """A new session on the engine: what the database holds once the test's work is gone."""
    return Session(db.engine)


def _stored(model, row_id: int, column):
    with fresh() as s:
        return s.scalar(select(column).where(model.id == row_id))


def _teacher(world, key: str = "a1x", staff_id: int | None = None):
    """The scope of teacher_<key>, linked to their school's 班主任 unless told otherwise."""
    staff = world.extra[f"staff_{key}"].id if staff_id is None else staff_id
    return scope_for_user(world.users[f"teacher_{key}"], staff)


def _refused(session: Session, scope, change) -> None:
    with scoped(session, scope), pytest.raises(TenantViolation):
        change()  # a service may flush itself
        session.flush()
    session.rollback()


def _allowed(session: Session, scope, change) -> None:
    with scoped(session, scope):
        change()
        session.flush()
    session.commit()


# _teacher_writes ----------------------------------------------------------------------------


def test_a_teacher_changes_the_visit_they_recorded(world, session):
    own = world.extra["visits_a1x"][0]  # recorded by a1x班主任, teacher_a1x's staff row
    _allowed(session, _teacher(world), lambda: setattr(own, "feedback", "家长已改善作业辅导"))
    assert _stored(Visit, own.id, Visit.feedback) == "家长已改善作业辅导"


def test_a_teacher_cannot_change_a_colleagues_visit_in_their_own_school(world, session):
    colleague = world.extra["visits_a1x"][1]  # recorded by a1x科任, same school
    _refused(session, _teacher(world), lambda: setattr(colleague, "feedback", "改写同事的记录"))
    assert _stored(Visit, colleague.id, Visit.feedback) is None


def test_a_teacher_cannot_add_a_photo_or_version_to_a_colleagues_visit(world, session):
    school_id = world.schools["a1x"].id
    colleague = world.extra["visits_a1x"][1]
    _refused(
        session,
        _teacher(world),
        lambda: session.add(
            VisitPhoto(
                school_id=school_id, visit=colleague, path=f"{school_id}/x.png", content_type="image/png", size=1
            )
        ),
    )
    _refused(
        session,
        _teacher(world),
        lambda: session.add(
            VisitVersion(school_id=school_id, visit_id=colleague.id, number=2, submitted_at=OCTOBER, data={})
        ),
    )
    with fresh() as s:
        assert s.scalar(select(func.count(VisitPhoto.id)).where(VisitPhoto.visit_id == colleague.id)) == 0
        assert s.scalar(select(func.count(VisitVersion.id)).where(VisitVersion.visit_id == colleague.id)) == 1


def test_a_teacher_cannot_add_a_photo_to_a_visit_hidden_from_them(world, session):
    """The photo names only the visit's id and the visit is not loaded: the teacher's read rule
    hides the colleague's visit, so the photo is refused as belonging to no visit of theirs."""
    school_id = world.schools["a1x"].id
    colleague = world.extra["visits_a1x"][1]
    colleague_id = colleague.id
    session.expunge(colleague)
    _refused(
        session,
        _teacher(world),
        lambda: session.add(
            VisitPhoto(
                school_id=school_id, visit_id=colleague_id, path=f"{school_id}/x.png", content_type="image/png", size=1
            )
        ),
    )
    with fresh() as s:
        assert s.scalar(select(func.count(VisitPhoto.id)).where(VisitPhoto.visit_id == colleague_id)) == 0


def test_a_teacher_adds_a_photo_and_a_version_to_their_own_visit(world, session):
    school_id = world.schools["a1x"].id
    own = world.extra["visits_a1x"][0]
    own_id = own.id

    def add() -> None:
        session.add(
            VisitPhoto(school_id=school_id, visit=own, path=f"{school_id}/own.png", content_type="image/png", size=1)
        )
        session.add(VisitVersion(school_id=school_id, visit_id=own_id, number=2, submitted_at=OCTOBER, data={}))

    _allowed(session, _teacher(world), add)
    with fresh() as s:
        assert s.scalar(select(func.count(VisitPhoto.id)).where(VisitPhoto.visit_id == own_id)) == 2
        assert s.scalar(select(func.count(VisitVersion.id)).where(VisitVersion.visit_id == own_id)) == 2


def test_a_companion_teacher_may_write_the_visit_they_accompanied(world, session):
    colleague = world.extra["visits_a1x"][1]
    colleague.staff2 = world.extra["staff_a1x"]  # teacher_a1x went along
    session.commit()
    _allowed(session, _teacher(world), lambda: setattr(colleague, "feedback", "同行教师补充"))
    assert _stored(Visit, colleague.id, Visit.feedback) == "同行教师补充"


def test_a_teacher_records_a_new_visit_only_as_themselves(world, session):
    """A new visit has no staff_id before the flush: the rule reads its staff relationship."""
    students = world.extra["students_a1x"]
    with clock.frozen_at(OCTOBER):
        _allowed(
            session,
            _teacher(world),
            lambda: record_visit(session, world.extra["staff_a1x"], family(students[1].id, date(2026, 9, 20))),
        )
        _refused(
            session,
            _teacher(world),
            lambda: record_visit(session, world.extra["other_staff_a1x"], family(students[2].id, date(2026, 9, 21))),
        )
    with fresh() as s:
        visited = s.scalars(select(Visit.student_id).where(Visit.school_id == world.schools["a1x"].id)).all()
    assert sorted(visited) == sorted([students[0].id, students[3].id, students[1].id])


def test_a_teacher_linked_to_no_staff_row_writes_no_visit(world, session):
    own = world.extra["visits_a1x"][0]
    _refused(session, _teacher(world, staff_id=NO_STAFF), lambda: setattr(own, "feedback", "无人"))
    assert _stored(Visit, own.id, Visit.feedback) == "a1x家长很满意"


def test_a_school_admin_changes_any_visit_of_their_school(world, session):
    """The teacher rule is for teachers only: a school admin's scope has no staff_id."""
    colleague = world.extra["visits_a1x"][1]
    admin = scope_for_user(world.users["school_admin_a1x"])
    _allowed(session, admin, lambda: setattr(colleague, "feedback", "管理员补录"))
    assert _stored(Visit, colleague.id, Visit.feedback) == "管理员补录"


# _campaign_writes ---------------------------------------------------------------------------


def _campaign(world, region_key: str, name: str) -> Campaign:
    return Campaign(
        name=name,
        region=world.regions[region_key],
        term=world.extra["term"],
        start_date=date(2026, 10, 1),
        end_date=date(2026, 12, 31),
        coverage_deadline=date(2026, 12, 31),
    )


def _campaign_named(name: str) -> tuple | None:
    with fresh() as s:
        return s.execute(select(Campaign.name, Campaign.region_id).where(Campaign.name == name)).first()


def _province_campaign(session: Session) -> Campaign:
    return session.scalar(select(Campaign).where(Campaign.name == "万师访万家"))


def test_a_province_admin_creates_and_renames_a_province_campaign(world, session):
    admin = scope_for_user(world.users["admin_p"])
    _allowed(session, admin, lambda: session.add(_campaign(world, "p", "全省家访月")))
    campaign = session.scalar(select(Campaign).where(Campaign.name == "全省家访月"))
    _allowed(session, admin, lambda: setattr(campaign, "name", "全省家访季"))
    assert _campaign_named("全省家访季") == ("全省家访季", world.regions["p"].id)


def test_a_leader_writes_no_campaign_even_in_their_own_region(world, session):
    leader = scope_for_user(world.users["leader_p"])
    _refused(session, leader, lambda: session.add(_campaign(world, "p", "领导的活动")))
    campaign = _province_campaign(session)
    _refused(session, leader, lambda: setattr(campaign, "name", "领导改名"))
    assert _campaign_named("领导的活动") is None and _campaign_named("领导改名") is None


def test_a_county_admin_cannot_rename_the_provinces_campaign(world, session):
    campaign = _province_campaign(session)
    _refused(session, scope_for_user(world.users["admin_a1"]), lambda: setattr(campaign, "name", "甲一区的"))
    assert _campaign_named("万师访万家") == ("万师访万家", world.regions["p"].id)


def test_a_county_admin_creates_a_campaign_in_its_county_and_none_above_it(world, session):
    admin = scope_for_user(world.users["admin_a1"])
    _refused(session, admin, lambda: session.add(_campaign(world, "a", "甲市的活动")))
    _allowed(session, admin, lambda: session.add(_campaign(world, "a1", "甲一区的活动")))
    assert _campaign_named("甲市的活动") is None
    assert _campaign_named("甲一区的活动") == ("甲一区的活动", world.regions["a1"].id)


def test_a_county_admin_cannot_take_the_provinces_campaign_down_into_its_county(world, session):
    """The region it has is judged too: moving a campaign one may not write into one's own
    county would be a takeover."""
    campaign = _province_campaign(session)
    _refused(session, scope_for_user(world.users["admin_a1"]), lambda: setattr(campaign, "region", world.regions["a1"]))
    assert _campaign_named("万师访万家") == ("万师访万家", world.regions["p"].id)


def test_a_city_admin_moves_a_campaign_within_its_city_and_not_out_of_it(world, session):
    campaign = _campaign(world, "a1", "甲一区家访")
    session.add(campaign)
    session.commit()
    admin = scope_for_user(world.users["admin_a"])
    _refused(session, admin, lambda: setattr(campaign, "region", world.regions["b1"]))
    assert _campaign_named("甲一区家访") == ("甲一区家访", world.regions["a1"].id)
    _allowed(session, admin, lambda: setattr(campaign, "region", world.regions["a2"]))
    assert _campaign_named("甲一区家访") == ("甲一区家访", world.regions["a2"].id)


# _term_writes -------------------------------------------------------------------------------


def test_only_a_province_admin_writes_a_term(world, session):
    term = world.extra["term"]
    for username in ("admin_a", "leader_p"):
        _refused(session, scope_for_user(world.users[username]), lambda: setattr(term, "name", "改名学期"))
    assert _stored(Term, term.id, Term.name) == "2026-2027学年第一学期"
    _allowed(session, scope_for_user(world.users["admin_p"]), lambda: setattr(term, "name", "秋季学期"))
    assert _stored(Term, term.id, Term.name) == "秋季学期"


# _teacher_photos / _teacher_versions (read rules) --------------------------------------------


def test_a_companion_teacher_reads_the_photos_and_versions_of_the_visit_they_accompanied(world, session):
    """Before teacher_a1x goes along they see none of the colleague's visit's 1 photo and
    1 version; once they are its companion (staff2), they see both."""
    school_id = world.schools["a1x"].id
    colleague = world.extra["visits_a1x"][1]
    session.add(
        VisitPhoto(school_id=school_id, visit=colleague, path=f"{school_id}/c.png", content_type="image/png", size=1)
    )
    session.commit()

    def seen() -> tuple[int, int]:
        with scoped(session, _teacher(world)):
            photos = session.scalars(select(VisitPhoto.id).where(VisitPhoto.visit_id == colleague.id)).all()
            versions = session.scalars(select(VisitVersion.id).where(VisitVersion.visit_id == colleague.id)).all()
        return len(photos), len(versions)

    assert seen() == (0, 0)
    colleague.staff2 = world.extra["staff_a1x"]
    session.commit()
    assert seen() == (1, 1)
