"""Models of the home-visit campaign: terms, campaigns, roster, 包保 assignments, visits."""

from __future__ import annotations

from calendar import monthrange
from datetime import date, datetime, time

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, SmallInteger, String, Text, Time, event, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bureau import clock
from bureau.db_types import UTCDateTime
from bureau.extensions import db
from bureau.tenants.models import Region, TenantOwned, User
from bureau.visits.calendar import check_campaign, check_term

FOCUS_TYPES = {
    "left_behind": "留守/单亲",
    "migrant": "随迁",
    "disabled": "残疾",
    "poor": "经济困难",
    "struggling": "学习困难",
    "changed": "重大变化",
}
VISIT_MODES = {"home": "上门", "phone": "电话", "online": "视频或微信", "at_school": "到校面谈"}
IN_PERSON_MODES = ("home", "at_school")
VISIT_TARGETS = {"family": "学生家庭", "staff": "教职工", "community": "社会人士"}
VISIT_STATUSES = {"pending": "待审核", "approved": "通过", "returned": "退回"}
POSITIONS = ("校级领导", "中层", "班主任", "科任教师", "其他")
GRADE_NAMES = ("一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二")
# 附2 family data: the letter choices of the questionnaire.
EMPLOYMENT = {"A": "机关事业单位", "B": "工人", "C": "农民", "D": "个体业主", "E": "失业"}
CAREGIVERS = {"A": "父母", "B": "祖父母", "C": "外祖父母", "D": "其他人员"}
HOUSING = {"A": "比较好", "B": "一般", "C": "比较差"}
# 附2 questions 1-7 (yes/no or satisfied/not); question 8 is the free-text `opinions`.
QUESTIONS = {
    "q_punishment": ("教师有没有体罚或变相体罚、辱骂学生、歧视差生的现象", ("有", "没有")),
    "q_homework": ("对教师布置的家庭作业份量是否满意", ("满意", "不满意")),
    "q_marking": ("对教师作业批改是否满意", ("满意", "不满意")),
    "q_tutoring": ("教师是否有举办有偿家教或违规补课现象", ("有", "没有")),
    "q_lessons": ("教师有无不按时上课、拖堂或随意调课、旷课现象", ("有", "没有")),
    "q_fees": ("教师是否有乱买资料、乱收费现象", ("有", "没有")),
    "q_safety": ("对学校保护学生安全方面的工作是否满意", ("满意", "不满意")),
}
ASSIGNMENT_KINDS = {"grade": "包保年级", "class": "包保班级", "student": "责任学生"}


class Term(db.Model):
    """学期: coverage is counted per term."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50), unique=True)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)

    def __str__(self) -> str:
        return self.name


class Campaign(db.Model):
    """活动: run by a region for the schools under it, within a window, with a weekly report rule."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id"), index=True)
    term_id: Mapped[int] = mapped_column(ForeignKey("term.id"), index=True)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    coverage_deadline: Mapped[date] = mapped_column(Date)  # default: two months after start
    # 周调度 deadline: weekday (0 = Monday) and local (Asia/Shanghai) time of each ISO week.
    report_weekday: Mapped[int] = mapped_column(SmallInteger, default=3)
    report_time: Mapped[time] = mapped_column(Time, default=time(17, 0))

    region: Mapped[Region] = relationship(lazy="joined")
    term: Mapped[Term] = relationship(lazy="joined")

    def __str__(self) -> str:
        return self.name


def default_coverage_deadline(start: date) -> date:
    """Every class fully covered within two months of the start (seed 003); clamped to month end."""
    year, month = start.year + (start.month + 1) // 12, (start.month + 1) % 12 + 1
    return date(year, month, min(start.day, monthrange(year, month)[1]))


class SchoolClass(TenantOwned, db.Model):
    """班级: grade + class number, shown as 三(2)."""

    __tablename__ = "school_class"

    id: Mapped[int] = mapped_column(primary_key=True)
    grade: Mapped[int] = mapped_column(SmallInteger)
    number: Mapped[int] = mapped_column(SmallInteger)

    __table_args__ = (Index("uq_school_class_school_grade_number", "school_id", "grade", "number", unique=True),)

    def __str__(self) -> str:
        return class_label(self.grade, self.number)


def grade_label(grade: int) -> str:
    return GRADE_NAMES[grade - 1] if 1 <= grade <= len(GRADE_NAMES) else str(grade)


def class_label(grade: int, number: int) -> str:
    """三(2): how schools write a class."""
    return f"{grade_label(grade)}({number})"


class Staff(TenantOwned, db.Model):
    """教职工; a teacher's login may be linked to one staff row."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50))
    position: Mapped[str] = mapped_column(String(20), default="科任教师")
    phone: Mapped[str | None] = mapped_column(String(20))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    user: Mapped[User | None] = relationship(lazy="select")

    def __str__(self) -> str:
        return f"{self.name}（{self.position}）"


class Student(TenantOwned, db.Model):
    """学生 with guardian fields and the six focus flags (六类重点家庭)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32))  # 学号, unique within a school
    name: Mapped[str] = mapped_column(String(50))
    sex: Mapped[str | None] = mapped_column(String(2))
    class_id: Mapped[int] = mapped_column(ForeignKey("school_class.id"), index=True)
    guardian_name: Mapped[str | None] = mapped_column(String(50))
    guardian_relation: Mapped[str | None] = mapped_column(String(20))
    guardian_phone: Mapped[str | None] = mapped_column(String(20))
    address: Mapped[str | None] = mapped_column(String(200))
    village: Mapped[str | None] = mapped_column(String(100))
    left_behind: Mapped[bool] = mapped_column(Boolean, default=False)
    migrant: Mapped[bool] = mapped_column(Boolean, default=False)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    poor: Mapped[bool] = mapped_column(Boolean, default=False)
    struggling: Mapped[bool] = mapped_column(Boolean, default=False)
    changed: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    school_class: Mapped[SchoolClass] = relationship(lazy="joined")

    __table_args__ = (Index("uq_student_school_number", "school_id", "number", unique=True),)

    def __str__(self) -> str:
        return f"{self.name}（{self.number}）"


class Assignment(TenantOwned, db.Model):
    """包保: a staff member answers for a grade, a class or a student from `start_date`.

    A change never edits a row: the current one gets an `end_date` and a new one starts, with
    the reason (交接), so the history is the table itself. Current rows have no `end_date`.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), index=True)
    grade: Mapped[int | None] = mapped_column(SmallInteger)
    class_id: Mapped[int | None] = mapped_column(ForeignKey("school_class.id"), index=True)
    student_id: Mapped[int | None] = mapped_column(ForeignKey("student.id"), index=True)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    reason: Mapped[str | None] = mapped_column(String(200))

    staff: Mapped[Staff] = relationship(lazy="joined")
    school_class: Mapped[SchoolClass | None] = relationship(lazy="joined")
    student: Mapped[Student | None] = relationship(lazy="joined")

    __table_args__ = (Index("ix_assignment_school_id_kind_end_date", "school_id", "kind", "end_date"),)

    @property
    def target_label(self) -> str:
        if self.kind == "grade":
            return f"{grade_label(self.grade)}年级" if self.grade else ""
        return str(self.school_class if self.kind == "class" else self.student)

    def __str__(self) -> str:
        return f"{self.staff.name} → {self.target_label}"


class Visit(TenantOwned, db.Model):
    """家访情况记录表: one contact with a family (or a staff member / community representative)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    target: Mapped[str] = mapped_column(String(12), default="family")
    student_id: Mapped[int | None] = mapped_column(ForeignKey("student.id"), index=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), index=True)
    staff2_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"), index=True)
    target_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    visited_person: Mapped[str | None] = mapped_column(String(100))  # community: who and what role
    term_id: Mapped[int] = mapped_column(ForeignKey("term.id"), index=True)
    visited_on: Mapped[date] = mapped_column(Date)
    mode: Mapped[str] = mapped_column(String(12), default="home")
    status: Mapped[str] = mapped_column(String(12), default="pending")
    is_repeat: Mapped[bool] = mapped_column(Boolean, default=False)
    version: Mapped[int] = mapped_column(Integer, default=1)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    # 附2 family data
    household_size: Mapped[int | None] = mapped_column(SmallInteger)
    school_children: Mapped[int | None] = mapped_column(SmallInteger)
    employment: Mapped[str | None] = mapped_column(String(1))
    caregiver: Mapped[str | None] = mapped_column(String(1))
    housing: Mapped[str | None] = mapped_column(String(1))
    # 附2 questions 1-7: True is the first answer of QUESTIONS (有 / 满意); 8 is free text.
    q_punishment: Mapped[bool | None] = mapped_column(Boolean)
    q_homework: Mapped[bool | None] = mapped_column(Boolean)
    q_marking: Mapped[bool | None] = mapped_column(Boolean)
    q_tutoring: Mapped[bool | None] = mapped_column(Boolean)
    q_lessons: Mapped[bool | None] = mapped_column(Boolean)
    q_fees: Mapped[bool | None] = mapped_column(Boolean)
    q_safety: Mapped[bool | None] = mapped_column(Boolean)
    opinions: Mapped[str | None] = mapped_column(Text)
    safety_notice: Mapped[bool] = mapped_column(Boolean, default=False)  # 防溺水等安全教育
    letter_delivered: Mapped[bool] = mapped_column(Boolean, default=False)  # 致家长的一封信
    reported: Mapped[str | None] = mapped_column(Text)  # what the visitor told the parent
    feedback: Mapped[str | None] = mapped_column(Text)  # the parent's feedback
    no_gifts: Mapped[bool] = mapped_column(Boolean, default=False)  # 未收受礼品、未接受宴请
    # review
    review_note: Mapped[str | None] = mapped_column(String(500))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    student: Mapped[Student | None] = relationship(lazy="joined")
    staff: Mapped[Staff] = relationship(lazy="joined", foreign_keys=[staff_id])
    staff2: Mapped[Staff | None] = relationship(lazy="joined", foreign_keys=[staff2_id])
    target_staff: Mapped[Staff | None] = relationship(lazy="select", foreign_keys=[target_staff_id])
    term: Mapped[Term] = relationship(lazy="joined")
    reviewed_by: Mapped[User | None] = relationship(lazy="select")
    photos: Mapped[list[VisitPhoto]] = relationship(lazy="select", order_by="VisitPhoto.id", back_populates="visit")

    __table_args__ = (
        Index("ix_visit_school_id_visited_on", "school_id", "visited_on"),
        Index("ix_visit_school_id_term_id_student_id", "school_id", "term_id", "student_id"),
    )

    @property
    def visitors(self) -> str:
        return "、".join(s.name for s in (self.staff, self.staff2) if s is not None)

    @property
    def target_label(self) -> str:
        if self.target == "family":
            return str(self.student) if self.student else ""
        if self.target == "staff":
            return str(self.target_staff) if self.target_staff else ""
        return self.visited_person or ""

    def __str__(self) -> str:
        return f"{self.visited_on:%Y-%m-%d} {self.visitors} → {self.target_label}"


class VisitVersion(TenantOwned, db.Model):
    """Every submitted version of a visit record (a returned record is corrected, not overwritten)."""

    __tablename__ = "visit_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visit.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    data: Mapped[dict] = mapped_column(JSON)

    visit: Mapped[Visit] = relationship(lazy="select")

    def __str__(self) -> str:
        return f"第{self.number}版"


class VisitPhoto(TenantOwned, db.Model):
    """A photo of a visit, stored under UPLOAD_DIR/<school_id>/."""

    __tablename__ = "visit_photo"

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visit.id"), index=True)
    path: Mapped[str] = mapped_column(String(200))  # relative to UPLOAD_DIR
    content_type: Mapped[str] = mapped_column(String(20))
    size: Mapped[int] = mapped_column(Integer)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    visit: Mapped[Visit] = relationship(lazy="select", back_populates="photos")

    def __str__(self) -> str:
        return f"照片 {self.id}"


@event.listens_for(Term, "before_insert")
@event.listens_for(Term, "before_update")
def _term_dates(mapper, connection, term: Term) -> None:
    """Every writer (console, CLI, demo, scripts) meets the one date rule of a term."""
    check_term(term.start_date, term.end_date)


@event.listens_for(Campaign, "before_insert")
@event.listens_for(Campaign, "before_update")
def _campaign_dates(mapper, connection, campaign: Campaign) -> None:
    """Every writer meets the one date rule of a campaign, against its term as stored or given."""
    term = campaign.__dict__.get("term")
    term_start = (
        term.start_date
        if term is not None
        else connection.scalar(select(Term.start_date).where(Term.id == campaign.term_id))
    )
    check_campaign(campaign.start_date, campaign.end_date, term_start, campaign.coverage_deadline)
