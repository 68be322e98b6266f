"""What the visit record page shows: the answers in Chinese, the problems the family reported, the
电话抽查 that found it 不属实, the photos, every version with what it changed, and the review history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bureau import clock
from bureau.admin.visit_forms import VisitForm, visit_labels
from bureau.inspection.phone import contradictions
from bureau.visits.models import (
    CAREGIVERS,
    EMPLOYMENT,
    HOUSING,
    QUESTIONS,
    VISIT_MODES,
    VISIT_TARGETS,
    Staff,
    Student,
    Visit,
    VisitVersion,
)
from bureau.visits.problems import PROBLEM_QUESTIONS, raised
from bureau.visits.records import VisitInput
from bureau.visits.timeline import history

CHOICES = {
    "mode": VISIT_MODES,
    "target": VISIT_TARGETS,
    "employment": EMPLOYMENT,
    "caregiver": CAREGIVERS,
    "housing": HOUSING,
}
PEOPLE = {"student_id": Student, "staff2_id": Staff, "target_staff_id": Staff}


@dataclass(frozen=True)
class Version:
    """A submitted version and what it changed from the one before (field label, before, after)."""

    number: int
    submitted_at: datetime
    changes: list[tuple[str, str, str]]


def field_labels() -> dict[str, str]:
    """The labels of the teacher's form, so a change reads as the form asked it."""
    form = VisitForm(formdata=None, meta={"csrf": False})
    return {name: form[name].label.text for name in VisitInput.__dataclass_fields__ if name in form}


def shown(name: str, value, names: dict) -> str:
    """A stored answer as the questionnaire words it (有 / 没有, 农民, 上门 …); — when blank."""
    if value is None or value == "":
        return "—"
    if name in QUESTIONS:
        yes, no = QUESTIONS[name][1]
        return yes if value else no
    if name in CHOICES:
        return CHOICES[name].get(value, value)
    if name in PEOPLE:
        return names.get((PEOPLE[name], value), "（已不在名册）")
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


def _names(session: Session, versions: list[VisitVersion]) -> dict:
    """The names of the students and staff the versions point at: one statement per kind."""
    names = {}
    for model in (Student, Staff):
        ids = {v.data.get(k) for v in versions for k, m in PEOPLE.items() if m is model} - {None}
        if ids:
            rows = session.execute(select(model.id, model.name).where(model.id.in_(ids)))
            names.update({(model, i): n for i, n in rows})
    return names


def versions_of(session: Session, versions: list[VisitVersion]) -> list[Version]:
    labels, names = field_labels(), _names(session, versions)
    out, before = [], None
    for version in versions:
        changes = []
        if before is not None:
            for name in dict.fromkeys([*before, *version.data]):
                old, new = before.get(name), version.data.get(name)
                if old != new:
                    changes.append((labels.get(name, name), shown(name, old, names), shown(name, new, names)))
        out.append(Version(version.number, version.submitted_at, changes))
        before = version.data
    return out


def record_context(session: Session, visit: Visit) -> dict:
    """Everything the record template shows, loaded in a fixed number of statements."""
    versions = session.scalars(
        select(VisitVersion).where(VisitVersion.visit_id == visit.id).order_by(VisitVersion.number)
    ).all()
    problems = raised(visit)
    return {
        "visit": visit,
        "problems": problems,
        "flagged": {name: label for name, label in PROBLEM_QUESTIONS.items() if label in problems},
        "versions": versions_of(session, versions),
        "history": history(session, visit, versions),
        # 电话抽查 that found the visit 不属实: the guard shows them to the school's admin and to
        # region roles, never to a teacher
        "contradicted": contradictions(session, visit),
        "local_text": clock.local_text,
        **visit_labels(),
    }
