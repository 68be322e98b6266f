"""Where a problem comes from: the record it is registered from fills in the new problem's
school, family, description, category and reporter — a visit's flagged 附2 answers, a phone
check found 不属实, a survey response with an unsatisfied answer or comments, an inspection's
findings, a weekly report's 存在的问题. The user checks and completes it; nothing is registered
by itself."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from bureau.inspection.models import SURVEY_QUESTIONS, Inspection, PhoneCheck, SurveyResponse
from bureau.ledger.models import SOURCES
from bureau.progress.models import WeeklyReport
from bureau.visits.models import Student, Visit
from bureau.visits.problems import PROBLEM_QUESTIONS, raised

# A flagged 附2 answer → the category its problem is filed under.
QUESTION_CATEGORY = {"q_punishment": "师德师风", "q_tutoring": "有偿补课", "q_lessons": "教学质量", "q_fees": "乱收费"}
MODELS = {
    "visit": Visit,
    "phone_check": PhoneCheck,
    "survey_response": SurveyResponse,
    "inspection": Inspection,
    "weekly_report": WeeklyReport,
}


@dataclass
class Prefill:
    source: str
    source_id: int
    school_id: int
    student: Student | None
    description: str
    category: str  # a category's name
    raised_by: str = ""
    raised_phone: str = ""

    @property
    def label(self) -> str:
        return f"{SOURCES[self.source]}第 {self.source_id} 号"


def prefill(session: Session, source: str, source_id: int | None) -> Prefill | None:
    """The new problem as the record `source`/`source_id` describes it, or None when there is no
    such record the session may read."""
    model = MODELS.get(source)
    # a SELECT, not session.get: the guard filters a statement, never the identity map
    row = session.scalar(select(model).where(model.id == source_id)) if model is not None and source_id else None
    if row is None:
        return None
    return _FILL[source](row)


def _guardian(student: Student | None) -> tuple[str, str]:
    if student is None:
        return "", ""
    return f"{student.name}家长{student.guardian_name or ''}", student.guardian_phone or ""


def _visit(visit: Visit) -> Prefill:
    flagged = [name for name in PROBLEM_QUESTIONS if getattr(visit, name) is True]
    category = QUESTION_CATEGORY[flagged[0]] if flagged else "其他"
    words = "、".join(raised(visit)) or "家访中反映的问题"
    opinion = f"；家长意见：{visit.opinions}" if visit.opinions else ""
    who, phone = _guardian(visit.student)
    return Prefill(
        "visit",
        visit.id,
        visit.school_id,
        visit.student,
        f"家访（{visit.visited_on}）中家长反映：{words}{opinion}",
        category,
        who,
        phone,
    )


def _phone_check(check: PhoneCheck) -> Prefill:
    who, phone = _guardian(check.student)
    text = f"电话抽查不属实：{check.remarks or ''}".rstrip("：")
    return Prefill("phone_check", check.id, check.school_id, check.student, text, "师德师风", who, phone)


def _survey_response(response: SurveyResponse) -> Prefill:
    student = response.target.student if response.target else None
    unsatisfied = [label for key, label in SURVEY_QUESTIONS.items() if getattr(response, key) == "unsatisfied"]
    parts = [f"不满意：{'、'.join(unsatisfied)}"] if unsatisfied else []
    if response.comments:
        parts.append(f"家长意见：{response.comments}")
    who, phone = _guardian(student)
    return Prefill(
        "survey_response",
        response.id,
        response.school_id,
        student,
        "满意度调查中" + "；".join(parts or ["家长反映的问题"]),
        "其他",
        who,
        phone,
    )


def _inspection(inspection: Inspection) -> Prefill:
    text = f"督学检查（{inspection.scheduled_on or ''}）发现：{inspection.notes or ''}".rstrip("：")
    return Prefill("inspection", inspection.id, inspection.school_id, None, text, "其他")


def _weekly_report(report: WeeklyReport) -> Prefill:
    text = f"周调度（{report.week_start} 周）存在的问题：{report.problems or ''}".rstrip("：")
    return Prefill("weekly_report", report.id, report.school_id, None, text, "其他")


_FILL = {
    "visit": _visit,
    "phone_check": _phone_check,
    "survey_response": _survey_response,
    "inspection": _inspection,
    "weekly_report": _weekly_report,
}
