"""问题反映: the 附2 answers in which a family reports a problem with a teacher.

Questions 1, 4, 5 and 6 of 附2 ask whether teachers punish or insult pupils, run paid tutoring,
skip or shift lessons, or charge irregular fees; an answer of 有 (stored as True) is a problem the
family reported. This is the one definition: the record page flags them, coverage counts them, the
problem list and the visit-records export show them.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, or_

from bureau.visits.models import Visit

# question field → short label shown beside the answer and in lists.
PROBLEM_QUESTIONS = {
    "q_punishment": "体罚或辱骂学生",
    "q_tutoring": "有偿家教或违规补课",
    "q_lessons": "不按时上课或随意调课",
    "q_fees": "乱买资料或乱收费",
}


def raised(visit: Visit) -> list[str]:
    """The short labels of the problems a visit's answers report, in questionnaire order."""
    return [label for name, label in PROBLEM_QUESTIONS.items() if getattr(visit, name) is True]


def raised_clause() -> ColumnElement[bool]:
    """SQL: the visit's answers report at least one problem."""
    return or_(*(getattr(Visit, name).is_(True) for name in PROBLEM_QUESTIONS))


def raised_one(name: str) -> ColumnElement[bool]:
    """SQL: the visit reports the problem of question `name` (a key of PROBLEM_QUESTIONS)."""
    return getattr(Visit, name).is_(True)
