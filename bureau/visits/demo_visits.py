"""Demo visit records of one school: who visited whom, when, how, what the family answered, and
where each record stands in review (待审核, 通过, 退回, corrected and resubmitted).

The rows are what `records.record_visit`, `resubmit` and `review` would have stored, including
every version; they are built here and inserted in bulk by bureau.visits.demo.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING

from bureau import clock
from bureau.visits.demo_texts import (
    COMMUNITY,
    FEEDBACK,
    FOLLOW_UP,
    OPINIONS,
    PROBLEM_OPINIONS,
    REPORTED,
    RETURN_NOTES,
    STAFF_FEEDBACK,
    STAFF_REPORTED,
)
from bureau.visits.problems import PROBLEM_QUESTIONS
from bureau.visits.records import VisitInput

if TYPE_CHECKING:
    from bureau.tenants.models import User
    from bureau.visits.demo import Plan
    from bureau.visits.models import Term

MODES = {"home": 55, "at_school": 12, "phone": 20, "online": 13}
# How often each problem is the one a family reports (paid tutoring is by far the commonest).
PROBLEM_WEIGHTS = {"q_tutoring": 45, "q_fees": 25, "q_lessons": 20, "q_punishment": 10}
FIELDS = tuple(f.name for f in fields(VisitInput))


@dataclass
class SchoolVisits:
    """One school's roster as generated (rows with their new ids) and what its visits follow."""

    rng: random.Random
    school_id: int
    plan: Plan
    term: Term
    classes: list[dict]
    assignments: list[dict]
    staff: list[dict]
    students: list[dict]
    reviewer: User | None
    teacher: int | None  # staff id of the demo teacher: her records show every review state


@dataclass
class Entry:
    """A visit to be: its final answers, its visitor and how its review went."""

    data: VisitInput
    staff_id: int
    story: str = "normal"  # normal | corrected (returned, then resubmitted) | returned | pending
    note: tuple[str, str] | None = None  # (what was missing, the reviewer's note)
    extra: dict = field(default_factory=dict)


def visit_rows(made: SchoolVisits, now: datetime) -> tuple[list[dict], list[list[dict]]]:
    """The school's visit rows, and for each the rows of its versions."""
    rng, plan, start = made.rng, made.plan, made.term.start_date
    last = min(clock.local(now).date() - timedelta(days=1), made.term.end_date)
    span = (last - start).days
    visitor = _responsible(made)

    def day_by_pace() -> date:
        return start + timedelta(days=min(span, int((span + 1) * rng.random() ** plan.pace)))

    active = [s for s in made.students if s["active"]]
    focus_first = sorted(active, key=lambda s: rng.random() ** (1 / (1.6 if _focus(s) else 1.0)), reverse=True)
    reached = round(plan.coverage * len(active))
    visited, not_visited = focus_first[:reached], focus_first[reached:]
    entries = []
    for pupil in visited:
        day = day_by_pace()
        data = _family(rng, pupil, day, plan.rural, plan.problems, staff2=_companion(made, visitor(pupil, day)))
        story = "corrected" if rng.random() < 0.03 else "normal"
        entries.append(Entry(data, visitor(pupil, day), story, rng.choice(RETURN_NOTES) if story != "normal" else None))
    entries += _returned(made, not_visited, visitor, start, last)
    entries += _monthly(made, [e for e in entries if e.story != "returned"], visitor, last)
    entries += _others(made, day_by_pace)
    _teacher_pending(made, entries)
    _mark_repeats(entries)
    rows = [_rows(made, entry, now) for entry in entries]
    return [visit for visit, _ in rows], [versions for _, versions in rows]


def _focus(pupil: dict) -> bool:
    return any(pupil[key] for key in ("left_behind", "migrant", "disabled", "poor", "struggling", "changed"))


def _responsible(made: SchoolVisits):
    """visitor(pupil, day): the staff member answering for the pupil that day (own 包保, else the
    class's, else the grade's leader), as a school would send them."""
    grade_of = {c["id"]: c["grade"] for c in made.classes}
    own = {a["student_id"]: a["staff_id"] for a in made.assignments if a["kind"] == "student"}
    by_grade = {a["grade"]: a["staff_id"] for a in made.assignments if a["kind"] == "grade"}
    by_class: dict[int, list[dict]] = {}
    for a in made.assignments:
        if a["kind"] == "class":
            by_class.setdefault(a["class_id"], []).append(a)

    def visitor(pupil: dict, day: date) -> int:
        if pupil["id"] in own:
            return own[pupil["id"]]
        for a in by_class.get(pupil["class_id"], ()):
            if a["start_date"] <= day and (a["end_date"] is None or day < a["end_date"]):
                return a["staff_id"]
        return by_grade[grade_of[pupil["class_id"]]]

    return visitor


def _companion(made: SchoolVisits, visitor_id: int) -> int | None:
    """A colleague who came along (同行人员), for about a third of the visits."""
    if made.rng.random() >= 0.3:
        return None
    return made.rng.choice([s["id"] for s in made.staff if s["id"] != visitor_id and s["position"] != "其他"])


def _family(rng, pupil: dict, day: date, rural: float, problems: float, staff2=None, **over) -> VisitInput:
    """A family visit's 附2 answers: family data that follows the pupil's circumstances, mostly
    satisfied answers, and now and then a problem the family reports."""
    villager = pupil["village"].endswith("村")
    employment = rng.choices("ABCDE", weights=(5, 30, 35, 20, 10) if villager else (25, 30, 5, 30, 10))[0]
    caregiver = rng.choice("BBBC") if pupil["left_behind"] else rng.choices("ABCD", weights=(85, 10, 4, 1))[0]
    housing = rng.choices("ABC", weights=(15, 45, 40) if pupil["poor"] else (30 + 30 * (1 - rural), 55, 15))[0]
    answers = {name: False for name in PROBLEM_QUESTIONS}
    opinions = rng.choice(OPINIONS) if rng.random() < 0.35 else None
    if rng.random() < problems:
        name = rng.choices(list(PROBLEM_WEIGHTS), weights=list(PROBLEM_WEIGHTS.values()))[0]
        answers[name], opinions = True, rng.choice(PROBLEM_OPINIONS[name])
    mode = rng.choices(list(MODES), weights=list(MODES.values()))[0]
    fields = dict(
        visited_on=day,
        mode=mode,
        target="family",
        student_id=pupil["id"],
        staff2_id=staff2,
        household_size=rng.randint(3, 7),
        school_children=rng.choices((1, 2, 3), weights=(45, 45, 10))[0],
        employment=employment,
        caregiver=caregiver,
        housing=housing,
        q_homework=rng.random() < 0.9,
        q_marking=rng.random() < 0.93,
        q_safety=rng.random() < 0.95,
        opinions=opinions,
        safety_notice=rng.random() < 0.9,
        letter_delivered=mode in ("home", "at_school") and rng.random() < 0.85,
        reported=rng.choice(REPORTED),
        feedback=rng.choice(FEEDBACK),
        no_gifts=True,
        **answers,
    )
    return VisitInput(**(fields | over))


def _returned(made: SchoolVisits, not_visited: list[dict], visitor, start: date, last: date) -> list[Entry]:
    """Records sent back and not yet corrected (their pupils still count as not visited): about
    one in twenty-five of the pupils not visited; at the demo teacher's school one of hers comes first."""
    rng = made.rng
    pupils = list(not_visited)
    if made.teacher is not None:
        pupils.sort(key=lambda p: visitor(p, last) != made.teacher)
    latest = max(start, last - timedelta(days=14))  # old enough to have been reviewed
    entries = []
    for pupil in pupils[: max(1, round(len(not_visited) * 0.04))]:
        day = start + timedelta(days=rng.randint(0, (latest - start).days))
        data = _family(rng, pupil, day, made.plan.rural, 0.0, staff2=None)
        entries.append(Entry(data, visitor(pupil, day), "returned", rng.choice(RETURN_NOTES)))
    return entries


def _monthly(made: SchoolVisits, firsts: list[Entry], visitor, last: date) -> list[Entry]:
    """Schools that keep up contact 留守儿童 every month (seed 000) and go back to every family that
    reported a problem (seed 004)."""
    rng, plan = made.rng, made.plan
    if plan.coverage < 0.5:
        return []
    pupils = {s["id"]: s for s in made.students}
    entries = []
    for first in firsts:
        pupil, day = pupils[first.data.student_id], first.data.visited_on
        if any(getattr(first.data, name) for name in PROBLEM_QUESTIONS):
            again = day + timedelta(days=rng.randint(7, 20))
            if again <= last:
                data = _family(rng, pupil, again, plan.rural, 0.0, mode="home", opinions=rng.choice(FOLLOW_UP))
                entries.append(Entry(data, visitor(pupil, again)))
        if not pupil["left_behind"] or plan.coverage < 0.6:
            continue
        month = (day.replace(day=1) + timedelta(days=32)).replace(day=1)  # from the next month on
        while month <= last:
            following = (month + timedelta(days=32)).replace(day=1)
            low, high = max(month, day + timedelta(days=7)), min(following - timedelta(days=1), last)
            if low <= high and rng.random() < 0.75:
                when = low + timedelta(days=rng.randrange((high - low).days + 1))
                mode = rng.choices(("phone", "online", "home"), weights=(35, 30, 35))[0]
                entries.append(Entry(_family(rng, pupil, when, plan.rural, 0.0, mode=mode), visitor(pupil, when)))
            month = following
    return entries


def _others(made: SchoolVisits, day_by_pace) -> list[Entry]:
    """Interviews of the school's own staff by its leaders (两访: 访教师), and a few visits to
    people of the community (村干部, 人大代表, 退休教师)."""
    rng, plan = made.rng, made.plan
    head = made.staff[[s["position"] for s in made.staff].index("校级领导")]["id"]
    colleagues = [s for s in made.staff if s["id"] != head]
    chosen = rng.sample(colleagues, round(len(colleagues) * min(0.9, plan.coverage * 0.8)))
    entries = []
    for person in chosen:
        data = VisitInput(
            visited_on=day_by_pace(),
            mode="at_school",
            target="staff",
            target_staff_id=person["id"],
            reported=rng.choice(STAFF_REPORTED),
            feedback=rng.choice(STAFF_FEEDBACK),
            no_gifts=True,
        )
        entries.append(Entry(data, head))
    for who in rng.sample(COMMUNITY, 1 + int(plan.coverage * 3)):
        data = VisitInput(
            visited_on=day_by_pace(),
            mode="home",
            target="community",
            visited_person=who,
            reported="介绍学校“大走访”活动开展情况，征求对学校工作的意见和建议。",
            feedback=rng.choice(FEEDBACK),
            safety_notice=True,
            no_gifts=True,
        )
        entries.append(Entry(data, head))
    return entries


def _teacher_pending(made: SchoolVisits, entries: list[Entry]) -> None:
    """The demo teacher's two latest records are still waiting for review."""
    if made.teacher is None:
        return
    hers = [e for e in entries if e.staff_id == made.teacher and e.story != "returned"]
    for entry in sorted(hers, key=lambda e: e.data.visited_on)[-2:]:
        entry.story = "pending"


def _mark_repeats(entries: list[Entry]) -> None:
    """A family's second and later visit in the term is a repeat (回访), as record_visit marks it."""
    seen = set()
    for entry in sorted(entries, key=lambda e: e.data.visited_on):
        pupil = entry.data.student_id
        entry.extra["is_repeat"] = pupil is not None and pupil in seen
        seen.add(pupil)


def _fields(data: VisitInput) -> dict:
    """The record's fields (dataclasses.asdict deep-copies every value: too slow for thousands)."""
    return {name: getattr(data, name) for name in FIELDS}


def _plain(data: VisitInput) -> dict:
    """A version's stored data, as records._snapshot stores it."""
    return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in _fields(data).items()}


def _rows(made: SchoolVisits, entry: Entry, now: datetime) -> tuple[dict, list[dict]]:
    """The visit row as the review left it, and one row per submitted version."""
    rng, lag = made.rng, made.plan.review_days
    latest = now - timedelta(minutes=5)

    def reviewed(after: datetime) -> datetime:
        return after + timedelta(days=rng.randint(*lag), hours=rng.randint(2, 10))

    evening = datetime.combine(entry.data.visited_on, time(19 + rng.randrange(3), rng.randrange(60)), clock.LOCAL)
    first = min(evening.astimezone(UTC) + timedelta(hours=rng.choice((0, 0, 0, 13, 25))), latest)
    versions = [(first, entry.data)]
    status, note, review_at = "pending", None, reviewed(first)
    if entry.story == "returned":
        status, note, review_at = "returned", entry.note[1], min(review_at, latest - timedelta(hours=1))
        versions = [(first, _lacking(entry.data, entry.note[0]))]
    elif entry.story == "corrected" and (again := review_at + timedelta(days=rng.randint(1, 2))) < latest:
        versions = [(first, _lacking(entry.data, entry.note[0])), (again, entry.data)]
        second = reviewed(again)
        status, note = ("approved", None) if second <= latest else ("pending", entry.note[1])
        review_at = second if status == "approved" else review_at
    elif entry.story != "pending" and review_at <= latest:
        status = "approved"
    decided = status != "pending" or note is not None
    visit = _fields(versions[-1][1]) | {
        "school_id": made.school_id,
        "staff_id": entry.staff_id,
        "term_id": made.term.id,
        "status": status,
        "is_repeat": entry.extra["is_repeat"],
        "version": len(versions),
        "submitted_at": versions[-1][0],
        "review_note": note,
        "reviewed_at": review_at if decided else None,
        "reviewed_by_id": made.reviewer.id if decided and made.reviewer is not None else None,
    }
    numbered = [
        {"school_id": made.school_id, "number": n, "submitted_at": at, "data": _plain(data)}
        for n, (at, data) in enumerate(versions, start=1)
    ]
    return visit, numbered


def _lacking(data: VisitInput, what: str) -> VisitInput:
    """The first version of a record sent back: what the reviewer asked for was missing."""
    if what == "feedback":
        return replace(data, feedback=None)
    return replace(data, household_size=None, school_children=None, employment=None, caregiver=None, housing=None)
