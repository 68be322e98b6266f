"""问题整改台账: problems raised by families, teachers or inspectors, each with an owner and a
deadline, closed one by one (销号) only once someone else has checked the fix; the transitions,
the follow-up visits (回访) and the categories.

Seed 001 篇三: "整改一个、销号一个，整改不到位、不彻底的坚决不予销号". A problem is never deleted;
every change of its state is a ProblemEvent.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bureau import clock
from bureau.db_types import UTCDateTime
from bureau.extensions import db
from bureau.tenants.models import TenantOwned
from bureau.visits.models import Staff, Student

# The categories a new database starts with (seeds 000–004); the list is editable.
DEFAULT_CATEGORIES = (
    "教学质量",
    "师德师风",
    "有偿补课",
    "乱收费",
    "作业负担",
    "校园安全",
    "校车与交通",
    "食品与小卖部",
    "上学距离与布局",
    "其他",
)
SOURCES = {
    "visit": "家访",
    "phone_check": "电话抽查",
    "survey_response": "满意度调查",
    "inspection": "督学检查",
    "weekly_report": "周调度",
    "manual": "手工登记",
}
STATES = {
    "open": "待处理",
    "in_progress": "整改中",
    "fixed": "已整改",
    "closed": "已销号",
    "escalated": "已上报",
    "explained": "已解释",
    "merged": "已合并",
}
ENDED = ("closed", "explained", "merged")  # no longer owed: never overdue
PRIORITIES = {"high": "紧急", "normal": "一般", "low": "较低"}
FOLLOW_UP_MODES = {"home": "入户回访", "phone": "电话回访", "school": "到校面谈", "online": "网络回访"}


class ProblemCategory(db.Model):
    """问题类别: one editable list for the province (written by its region admins, as terms)."""

    __tablename__ = "problem_category"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(30), unique=True)
    position: Mapped[int] = mapped_column(SmallInteger, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    def __str__(self) -> str:
        return self.name


class Problem(TenantOwned, db.Model):
    """A problem of one school's ledger. `number` is its 序号 in the school's ledger."""

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(16), default="manual")
    source_id: Mapped[int | None] = mapped_column(Integer)
    student_id: Mapped[int | None] = mapped_column(ForeignKey("student.id"), index=True)  # a family's problem
    category_id: Mapped[int] = mapped_column(ForeignKey("problem_category.id"))
    description: Mapped[str] = mapped_column(Text)
    raised_by: Mapped[str | None] = mapped_column(String(100))  # private: school staff and inspectors
    raised_phone: Mapped[str | None] = mapped_column(String(20))  # private as well
    owner_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    owner_department: Mapped[str | None] = mapped_column(String(50))
    deadline: Mapped[date] = mapped_column(Date)
    priority: Mapped[str] = mapped_column(String(8), default="normal")
    state: Mapped[str] = mapped_column(String(12), default="open")
    measures: Mapped[str | None] = mapped_column(Text)  # 整改措施: what was done
    fixed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    fixed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    closed_by_name: Mapped[str | None] = mapped_column(String(80))
    verification: Mapped[str | None] = mapped_column(Text)  # 销号 check note
    explanation: Mapped[str | None] = mapped_column(Text)  # the answer given to the family
    county_answer: Mapped[str | None] = mapped_column(Text)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("problem.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    row_version: Mapped[int] = mapped_column(Integer, default=1)

    category: Mapped[ProblemCategory] = relationship(lazy="joined")
    student: Mapped[Student | None] = relationship(lazy="joined")
    owner: Mapped[Staff | None] = relationship(lazy="joined")

    __mapper_args__ = {"version_id_col": row_version}
    __table_args__ = (
        Index("uq_problem_school_number", "school_id", "number", unique=True),
        Index("ix_problem_school_id_state", "school_id", "state"),
        Index("ix_problem_state_deadline", "state", "deadline"),
    )

    @property
    def owner_label(self) -> str:
        return self.owner.name if self.owner else (self.owner_department or "")

    def __str__(self) -> str:
        return f"第 {self.number} 号问题"


class ProblemEvent(TenantOwned, db.Model):
    """One transition of a problem: who, when, from and to which state, and the note."""

    __tablename__ = "problem_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    problem_id: Mapped[int] = mapped_column(ForeignKey("problem.id"), index=True)
    from_state: Mapped[str | None] = mapped_column(String(12))
    to_state: Mapped[str] = mapped_column(String(12))
    note: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    by_name: Mapped[str] = mapped_column(String(80), default="")


class FollowUp(TenantOwned, db.Model):
    """回访: a second contact with the family that raised a problem, and whether it is satisfied."""

    __tablename__ = "problem_follow_up"

    id: Mapped[int] = mapped_column(primary_key=True)
    problem_id: Mapped[int] = mapped_column(ForeignKey("problem.id"), index=True)
    visited_on: Mapped[date] = mapped_column(Date)
    mode: Mapped[str] = mapped_column(String(12))
    said: Mapped[str] = mapped_column(Text)
    satisfied: Mapped[bool] = mapped_column(Boolean)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    recorded_by_name: Mapped[str] = mapped_column(String(80), default="")
