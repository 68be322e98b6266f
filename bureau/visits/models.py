"""Models of the home-visit campaign: terms, campaigns, classes, staff, students, visits."""
from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import Boolean, Date, ForeignKey, Index, SmallInteger, String, Time
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bureau import clock
from bureau.db_types import UTCDateTime
from bureau.extensions import db
from bureau.tenants.models import Region, TenantOwned

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


class SchoolClass(TenantOwned, db.Model):
    """班级: grade + class number, shown as 三(2)."""

    __tablename__ = "school_class"

    id: Mapped[int] = mapped_column(primary_key=True)
    grade: Mapped[int] = mapped_column(SmallInteger)
    number: Mapped[int] = mapped_column(SmallInteger)

    __table_args__ = (Index("uq_school_class_school_grade_number", "school_id", "grade", "number",
                            unique=True),)


class Staff(TenantOwned, db.Model):
    """教职工; a teacher's login may be linked to one staff row."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50))
    position: Mapped[str] = mapped_column(String(20), default="科任教师")
    phone: Mapped[str | None] = mapped_column(String(20))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    def __str__(self) -> str:
        return self.name


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


class Visit(TenantOwned, db.Model):
    """家访情况记录表: one contact with a family (or a staff member / community representative)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    target: Mapped[str] = mapped_column(String(12), default="family")
    student_id: Mapped[int | None] = mapped_column(ForeignKey("student.id"), index=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), index=True)
    visited_on: Mapped[date] = mapped_column(Date)
    mode: Mapped[str] = mapped_column(String(12), default="home")
    status: Mapped[str] = mapped_column(String(12), default="pending")
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    student: Mapped[Student | None] = relationship(lazy="joined")
    staff: Mapped[Staff] = relationship(lazy="joined")

    __table_args__ = (Index("ix_visit_school_id_visited_on", "school_id", "visited_on"),)
