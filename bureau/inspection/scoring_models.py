"""Models of scoring (量化考核): the deduction rules' catalogue, the bureau's scoring settings,
deductions against staff (never deleted: a reversal is a second entry), objections, and the
public notices (通报) with the schools they name.

Seed 001 篇四: a head teacher (班主任) or a teacher loses 0.5 points of their quantitative score
per instance of a listed failing, and the losses add up. A deduction copies its rule's code,
text and points, so a later change of the rule never rewrites history.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, Numeric, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bureau import clock
from bureau.db_types import UTCDateTime
from bureau.extensions import db
from bureau.tenants.models import Region, TenantOwned, User
from bureau.visits.models import Staff, Term

# Who a rule applies to: a head teacher, any teacher, or the school itself (no staff member).
APPLIES_TO = {"head_teacher": "班主任", "teacher": "教师", "school": "学校"}
HEAD_TEACHER = "班主任"  # the staff position a head-teacher rule applies to
# What a deduction rests on: a row of the product, or a note (and a photo) alone.
EVIDENCE_KINDS = {
    "phone_check": "电话抽查",
    "visit": "家访记录",
    "inspection": "督学检查",
    "survey_response": "满意度调查答卷",
    "note": "情况说明",
}
OBJECTION_DECISIONS = {"upheld": "维持扣分", "reversed": "撤销扣分"}
NOTICE_STATES = {"draft": "草稿", "published": "已发布"}
DEFAULT_BASE = Decimal("100")
POINTS = Numeric(7, 2)


class DeductionRule(db.Model):
    """扣分细则: one listed failing of a bureau's catalogue and its points per instance."""

    __tablename__ = "deduction_rule"

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id"), index=True)
    code: Mapped[str] = mapped_column(String(20))
    description: Mapped[str] = mapped_column(String(200))
    applies_to: Mapped[str] = mapped_column(String(12), default="teacher")
    points: Mapped[Decimal] = mapped_column(POINTS, default=Decimal("0.5"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    region: Mapped[Region] = relationship(lazy="joined")

    __table_args__ = (Index("uq_deduction_rule_region_code", "region_id", "code", unique=True),)

    def __str__(self) -> str:
        return f"{self.code} {self.description}"


class ScoringSetting(db.Model):
    """A bureau's scoring settings, for the schools under its region (the nearest region's
    settings apply): the base score of a term, and whether school admins record deductions."""

    __tablename__ = "scoring_setting"

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id"), unique=True)
    base_score: Mapped[Decimal] = mapped_column(POINTS, default=DEFAULT_BASE)
    school_admin_may_deduct: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    region: Mapped[Region] = relationship(lazy="joined")


class Deduction(TenantOwned, db.Model):
    """扣分: `instances` of a rule against one staff member (none for a rule of the school), with
    the rule copied. Written once, never changed or deleted; a reversal (撤销) is another entry
    with `reverses_id`, the opposite points and its reason, so the sum of a term's entries is
    what stands."""

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    term_id: Mapped[int] = mapped_column(ForeignKey("term.id"))
    rule_id: Mapped[int] = mapped_column(ForeignKey("deduction_rule.id"))
    rule_code: Mapped[str] = mapped_column(String(20))
    rule_text: Mapped[str] = mapped_column(String(200))
    applies_to: Mapped[str] = mapped_column(String(12))
    points_each: Mapped[Decimal] = mapped_column(POINTS)
    instances: Mapped[int] = mapped_column(SmallInteger, default=1)
    points: Mapped[Decimal] = mapped_column(POINTS)  # instances × points_each; negative on a reversal
    occurred_on: Mapped[date] = mapped_column(Date)
    evidence_kind: Mapped[str] = mapped_column(String(16), default="note")
    evidence_id: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text)
    photo_path: Mapped[str | None] = mapped_column(String(200))
    photo_type: Mapped[str | None] = mapped_column(String(20))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    recorded_by_name: Mapped[str] = mapped_column(String(80), default="")
    recorded_by_role: Mapped[str] = mapped_column(String(20), default="")
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("deduction.id"), unique=True)
    reason: Mapped[str | None] = mapped_column(String(500))  # a reversal's reason

    staff: Mapped[Staff | None] = relationship(lazy="joined")
    term: Mapped[Term] = relationship(lazy="joined")
    rule: Mapped[DeductionRule] = relationship(lazy="select")
    reverses: Mapped[Deduction | None] = relationship(remote_side=[id], lazy="select")

    __table_args__ = (
        Index("ix_deduction_school_id_term_id", "school_id", "term_id"),
        Index("ix_deduction_staff_id_term_id", "staff_id", "term_id"),
    )

    @property
    def is_reversal(self) -> bool:
        return self.reverses_id is not None

    def __str__(self) -> str:
        return f"{self.rule_code} {self.rule_text}"


class Objection(TenantOwned, db.Model):
    """异议: a teacher's objection to a deduction of theirs, decided once by an inspector —
    upheld (the deduction stands) or reversed (a reversal entry is written with it)."""

    __tablename__ = "deduction_objection"

    id: Mapped[int] = mapped_column(primary_key=True)
    deduction_id: Mapped[int] = mapped_column(ForeignKey("deduction.id"), unique=True)
    text: Mapped[str] = mapped_column(Text)
    lodged_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    lodged_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    decision: Mapped[str | None] = mapped_column(String(10))
    decision_note: Mapped[str | None] = mapped_column(String(500))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    decided_by_name: Mapped[str | None] = mapped_column(String(80))
    row_version: Mapped[int] = mapped_column(Integer, default=1)  # two decisions at once: one wins

    deduction: Mapped[Deduction] = relationship(lazy="joined")

    __mapper_args__ = {"version_id_col": row_version}


class Notice(db.Model):
    """通报: composed by an inspector for a region and a period from the figures, edited, then
    published — frozen from then on (rules), with the figures as they were at publication."""

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id"), index=True)
    term_id: Mapped[int] = mapped_column(ForeignKey("term.id"))
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    figures: Mapped[dict] = mapped_column(JSON, default=dict)
    state: Mapped[str] = mapped_column(String(12), default="draft")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_by_name: Mapped[str | None] = mapped_column(String(80))

    region: Mapped[Region] = relationship(lazy="joined")
    term: Mapped[Term] = relationship(lazy="joined")
    created_by: Mapped[User | None] = relationship(lazy="select")

    def __str__(self) -> str:
        return self.title


class NoticeSchool(TenantOwned, db.Model):
    """A school a notice names, and why: the school's users see the notice once published."""

    __tablename__ = "notice_school"

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notice.id"), index=True)
    reasons: Mapped[str] = mapped_column(String(500), default="")

    notice: Mapped[Notice] = relationship(lazy="joined")

    __table_args__ = (Index("uq_notice_school_notice_school", "notice_id", "school_id", unique=True),)
