"""Three weeks of 周调度 and a week of visits on top of the world, for the home pages and 催报.

It is Wednesday 2026-09-23 10:00 Beijing, in week 39 (deadline Thursday 09-24 17:00):
- W37 (as in the world): a1x on time, a2 late, b1 returned, d approved, a1y missing.
- W38: a1x (Thu 10:00) and b1 (Wed) on time; a1y, a2 and d missing.
- W39: d on time (Tue); a1x, a1y, a2 and b1 not yet.
- Visits: the world's two per school in a1x, a1y, b1 (all pending); a1y's second one is returned
  (it no longer counts); a1x's 班主任 visits student a1x-1 on 09-20, inside the last 7 days.
The campaign counts in the world's term, the one term there is (coverage and the figures agree).
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.orm import Session

from bureau.progress.service import open_week, submit
from bureau.visits.models import Visit
from tests.world_progress import FIELDS, WEEK, beijing

NOW = beijing(2026, 9, 23, 10, 0, 0)  # Wednesday of W39
W38, W39 = WEEK + timedelta(weeks=1), WEEK + timedelta(weeks=2)


def one_term(session: Session, world) -> None:
    """The campaign counts in the world's term; its own term of the same name goes."""
    campaign = world.extra["progress_campaign"]
    own = campaign.term
    campaign.term = world.extra["term"]
    session.flush()
    session.delete(own)
    session.flush()


def build(session: Session, world) -> None:
    one_term(session, world)
    campaign, s = world.extra["progress_campaign"], world.schools
    open_week(session, campaign, W38, beijing(2026, 9, 14, 0, 5, 0))
    submit(session, s["a1x"].id, campaign, W38, FIELDS, beijing(2026, 9, 17, 10, 0, 0))
    submit(session, s["b1"].id, campaign, W38, FIELDS, beijing(2026, 9, 16, 15, 0, 0))
    open_week(session, campaign, W39, beijing(2026, 9, 21, 0, 5, 0))
    submit(session, s["d"].id, campaign, W39, FIELDS, beijing(2026, 9, 22, 11, 0, 0))
    world.extra["visits_a1y"][1].status = "returned"
    session.add(
        Visit(
            school=s["a1x"],
            target="family",
            student=world.extra["students_a1x"][1],
            staff=world.extra["staff_a1x"],
            term=world.extra["term"],
            visited_on=date(2026, 9, 20),
            mode="home",
            no_gifts=True,
        )
    )
    session.commit()
