"""Models of the bureau's checks: sample draws, inspection rounds and inspections, phone checks,
satisfaction surveys.

A draw (SampleDraw) is the record that makes a random choice checkable: seed, frame, strata,
sizes, exclusions and the sample itself. What was drawn becomes tenant-owned rows of the school
it belongs to (an Inspection, a PhoneCheck, a SurveyTarget), so the tenant guard scopes them.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bureau import clock
from bureau.db_types import UTCDateTime
from bureau.extensions import db
from bureau.tenants.models import Region, TenantOwned, User
from bureau.visits.models import Campaign, SchoolClass, Student, Term, Visit

DRAW_PURPOSES = {"inspection": "督学检查", "phone_check": "电话抽查", "survey": "满意度调查"}
# How a draw's frame is split into strata: one stratum per …
STRATA = {
    "county": "县(市、区)",
    "city": "市",
    "school": "学校",
    "village": "村(社区)",
    "class": "班级",
}
ROUND_STATES = {"draft": "未发布", "published": "已发布"}
INSPECTION_STATES = {"scheduled": "待检查", "completed": "已完成"}
VERDICTS = {"excellent": "优秀", "good": "良好", "pass": "合格", "fail": "不合格"}
# 电话抽查: a call's outcome; the first two and 拒访 end the check, 未接通 three times too.
CALL_OUTCOMES = {
    "confirmed": "属实",
    "contradicted": "不属实",
    "unreachable": "未接通",
    "refused": "拒访",
}
SATISFACTION = {"satisfied": "满意", "fair": "基本满意", "unsatisfied": "不满意"}
# 满意度调查: the satisfaction questions of seed 000 附2, and the school overall.
SURVEY_QUESTIONS = {
    "homework": "对教师布置的家庭作业份量是否满意",
    "marking": "对教师作业批改是否满意",
    "safety": "对学校保护学生安全方面的工作是否满意",
    "overall": "对学校的总体评价",
}


class SampleDraw(db.Model):
    """随机抽取: one recorded, reproducible draw. Never changed once stored (see rules.py).

    `strata` maps each stratum code to {"label", "frame" (units in it), "eligible" (not
    excluded), "fresh" (eligible and not deferred), "n" (sample size), "sample": [[unit code,
    ticket], …] in draw order}. The frame's units carry their exclusions and deferrals
    (SampleFrameUnit.status). `size_n` or `size_percent` (rounded up per stratum) is the size
    rule; with `all_fresh`, every fresh unit is drawn too (a school year's second survey);
    `params` say what defined the frame (period, campaign, rounds excluded).
    """

    __tablename__ = "sample_draw"

    id: Mapped[int] = mapped_column(primary_key=True)
    purpose: Mapped[str] = mapped_column(String(20))
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id"), index=True)
    per: Mapped[str] = mapped_column(String(10))
    size_n: Mapped[int | None] = mapped_column(Integer)
    size_percent: Mapped[int | None] = mapped_column(SmallInteger)
    seed: Mapped[str] = mapped_column(String(100))
    seed_generated: Mapped[bool] = mapped_column(Boolean, default=False)
    frame_sha256: Mapped[str] = mapped_column(String(64))
    frame_count: Mapped[int] = mapped_column(Integer)
    all_fresh: Mapped[bool] = mapped_column(Boolean, default=False)
    strata: Mapped[dict] = mapped_column(JSON)
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    algorithm: Mapped[str] = mapped_column(String(40))
    drawn_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    drawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    drawn_by_name: Mapped[str] = mapped_column(String(80), default="")
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("sample_draw.id"))
    reason: Mapped[str | None] = mapped_column(String(500))

    region: Mapped[Region] = relationship(lazy="joined")
    drawn_by: Mapped[User | None] = relationship(lazy="select")

    @property
    def sample_size(self) -> int:
        return sum(len(s["sample"]) for s in self.strata.values())

    @property
    def size_label(self) -> str:
        each = f"{self.size_n} 个" if self.size_n is not None else f"{self.size_percent}%（向上取整）"
        return f"每{STRATA.get(self.per, self.per)} {each}"

    def __str__(self) -> str:
        return f"第 {self.id} 号抽取（{DRAW_PURPOSES.get(self.purpose, self.purpose)}）"


class SampleFrameUnit(db.Model):
    """One unit of a draw's frame, in its stratum. The frame is written in SQL and read back in
    code order, so its size never sits in memory. `status`: "" eligible, "excluded" (never
    drawn), "deferred" (drawn only after every other unit of its stratum)."""

    __tablename__ = "sample_frame"

    draw_id: Mapped[int] = mapped_column(ForeignKey("sample_draw.id"), primary_key=True)
    stratum: Mapped[str] = mapped_column(String(160), primary_key=True)
    code: Mapped[str] = mapped_column(String(80), primary_key=True)
    status: Mapped[str] = mapped_column(String(10), default="")


class InspectionRound(db.Model):
    """督学检查轮次: a window, a scope, a size rule; its schools are drawn, then scheduled."""

    __tablename__ = "inspection_round"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id"), index=True)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    per: Mapped[str] = mapped_column(String(10), default="county")
    size_n: Mapped[int | None] = mapped_column(Integer)
    size_percent: Mapped[int | None] = mapped_column(SmallInteger)
    exclude_recent: Mapped[int] = mapped_column(SmallInteger, default=0)
    unannounced: Mapped[bool] = mapped_column(Boolean, default=False)  # 明察暗访
    state: Mapped[str] = mapped_column(String(12), default="draft")
    draw_id: Mapped[int | None] = mapped_column(ForeignKey("sample_draw.id"))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    region: Mapped[Region] = relationship(lazy="joined")
    draw: Mapped[SampleDraw | None] = relationship(lazy="select")

    def __str__(self) -> str:
        return self.name


class Inspection(TenantOwned, db.Model):
    """督学检查: one school of a round, its inspector and date, then its findings and verdict."""

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("inspection_round.id"), index=True)
    inspector_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    scheduled_on: Mapped[date | None] = mapped_column(Date)
    companions: Mapped[str | None] = mapped_column(String(200))  # 同行人员
    state: Mapped[str] = mapped_column(String(12), default="scheduled")
    figures: Mapped[dict] = mapped_column(JSON, default=dict)  # the checklist's figures, at completion
    checklist: Mapped[dict] = mapped_column(JSON, default=dict)  # item -> 是/否 and remarks
    notes: Mapped[str | None] = mapped_column(Text)
    verdict: Mapped[str | None] = mapped_column(String(12))
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    round: Mapped[InspectionRound] = relationship(lazy="joined")
    inspector: Mapped[User | None] = relationship(lazy="joined", foreign_keys=[inspector_id])

    __table_args__ = (
        Index("uq_inspection_round_school", "round_id", "school_id", unique=True),
        Index("uq_inspection_inspector_day", "inspector_id", "scheduled_on", unique=True),
        Index("ix_inspection_school_id_scheduled_on", "school_id", "scheduled_on"),
    )

    def __str__(self) -> str:
        return f"{self.round.name if self.round else ''} · {self.school.name if self.school else ''}"


class InspectionPhoto(TenantOwned, db.Model):
    """A photo of an inspection's findings, stored under UPLOAD_DIR/<school_id>/."""

    __tablename__ = "inspection_photo"

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspection.id"), index=True)
    path: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(20))
    size: Mapped[int] = mapped_column(Integer)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    inspection: Mapped[Inspection] = relationship(lazy="select")


class PhoneCheckBatch(db.Model):
    """电话抽查批次: families drawn from the family visits of a period within a scope."""

    __tablename__ = "phone_check_batch"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id"), index=True)
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaign.id"), index=True)
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    per: Mapped[str] = mapped_column(String(10), default="village")
    size_n: Mapped[int] = mapped_column(Integer, default=5)
    allow_repeat: Mapped[bool] = mapped_column(Boolean, default=False)
    draw_id: Mapped[int | None] = mapped_column(ForeignKey("sample_draw.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    region: Mapped[Region] = relationship(lazy="joined")
    campaign: Mapped[Campaign | None] = relationship(lazy="joined")
    draw: Mapped[SampleDraw | None] = relationship(lazy="select")

    def __str__(self) -> str:
        return self.name


class PhoneCheck(TenantOwned, db.Model):
    """One drawn family of a batch: the visit called about, and how the check ended."""

    __tablename__ = "phone_check"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("phone_check_batch.id"), index=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("student.id"), index=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visit.id"), index=True)
    outcome: Mapped[str | None] = mapped_column(String(12))  # None while calls remain to make
    satisfaction: Mapped[str | None] = mapped_column(String(12))
    remarks: Mapped[str | None] = mapped_column(Text)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    checked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    batch: Mapped[PhoneCheckBatch] = relationship(lazy="joined")
    student: Mapped[Student] = relationship(lazy="joined")
    visit: Mapped[Visit] = relationship(lazy="select")

    __table_args__ = (Index("uq_phone_check_batch_student", "batch_id", "student_id", unique=True),)


class PhoneCall(TenantOwned, db.Model):
    """One try of a phone check, logged whatever it gave."""

    __tablename__ = "phone_call"

    id: Mapped[int] = mapped_column(primary_key=True)
    check_id: Mapped[int] = mapped_column(ForeignKey("phone_check.id"), index=True)
    called_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    outcome: Mapped[str] = mapped_column(String(12))
    note: Mapped[str | None] = mapped_column(String(500))
    called_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    check: Mapped[PhoneCheck] = relationship(lazy="select")


class Survey(db.Model):
    """满意度调查: per term and scope, at least `percent` % of every class's families drawn."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id"), index=True)
    term_id: Mapped[int] = mapped_column(ForeignKey("term.id"), index=True)
    percent: Mapped[int] = mapped_column(SmallInteger, default=50)
    draw_id: Mapped[int | None] = mapped_column(ForeignKey("sample_draw.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    region: Mapped[Region] = relationship(lazy="joined")
    term: Mapped[Term] = relationship(lazy="joined")
    draw: Mapped[SampleDraw | None] = relationship(lazy="select")

    def __str__(self) -> str:
        return self.name


class SurveyTarget(TenantOwned, db.Model):
    """A family drawn for a survey, in its class."""

    __tablename__ = "survey_target"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id"), index=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("student.id"), index=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("school_class.id"))

    survey: Mapped[Survey] = relationship(lazy="joined")
    student: Mapped[Student] = relationship(lazy="joined")
    school_class: Mapped[SchoolClass] = relationship(lazy="joined")

    __table_args__ = (Index("uq_survey_target_survey_student", "survey_id", "student_id", unique=True),)


class SurveyResponse(TenantOwned, db.Model):
    """A drawn family's answers: each question 满意 / 基本满意 / 不满意, and comments."""

    __tablename__ = "survey_response"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id"), index=True)
    target_id: Mapped[int] = mapped_column(ForeignKey("survey_target.id"), unique=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("student.id"), index=True)
    term_id: Mapped[int] = mapped_column(ForeignKey("term.id"))
    homework: Mapped[str] = mapped_column(String(12))
    marking: Mapped[str] = mapped_column(String(12))
    safety: Mapped[str] = mapped_column(String(12))
    overall: Mapped[str] = mapped_column(String(12))
    comments: Mapped[str | None] = mapped_column(Text)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    target: Mapped[SurveyTarget] = relationship(lazy="select")

    __table_args__ = (Index("ix_survey_response_school_id_term_id", "school_id", "term_id"),)
