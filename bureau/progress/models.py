"""Models of the 周调度 weekly reports: opened weeks, expected schools, reports and versions."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    and_,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bureau.db_types import UTCDateTime
from bureau.extensions import db
from bureau.progress import periods
from bureau.tenants.models import TenantOwned
from bureau.visits.models import Campaign


def report_of_expected():
    """The join of an expected report to the report the school wrote for it (if any)."""
    return and_(
        WeeklyReport.school_id == ExpectedReport.school_id,
        WeeklyReport.campaign_id == ExpectedReport.campaign_id,
        WeeklyReport.week_start == ExpectedReport.week_start,
    )


class ReportWeek(db.Model):
    """A week of a campaign that has been opened: its expected schools are recorded."""

    __tablename__ = "report_week"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"))
    week_start: Mapped[date] = mapped_column(Date)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expected_count: Mapped[int] = mapped_column(Integer, default=0)

    campaign: Mapped[Campaign] = relationship(lazy="joined")

    __table_args__ = (UniqueConstraint("campaign_id", "week_start", name="uq_report_week_campaign_week"),)

    def __str__(self) -> str:
        return f"{self.campaign} {periods.week_label(self.week_start)}"


class ExpectedReport(TenantOwned, db.Model):
    """A school that must report in a week, with its county and city as they were at opening."""

    __tablename__ = "expected_report"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"))
    week_start: Mapped[date] = mapped_column(Date)
    county_id: Mapped[int] = mapped_column(ForeignKey("region.id"))
    city_id: Mapped[int | None] = mapped_column(ForeignKey("region.id"))

    __table_args__ = (
        UniqueConstraint("school_id", "campaign_id", "week_start", name="uq_expected_report_school_campaign_week"),
        Index("ix_expected_report_campaign_week_county", "campaign_id", "week_start", "county_id"),
    )

    def __str__(self) -> str:
        return f"{self.school} {periods.week_label(self.week_start)}应报"


class WeeklyReport(TenantOwned, db.Model):
    """周调度: one per school, campaign and week (the database refuses a second one)."""

    __tablename__ = "weekly_report"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"))
    week_start: Mapped[date] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(12), default="draft")
    progress: Mapped[str] = mapped_column(Text, default="")  # 本周工作进展
    problems: Mapped[str] = mapped_column(Text, default="")  # 存在的问题
    next_plan: Mapped[str] = mapped_column(Text, default="")  # 下周计划
    contact_name: Mapped[str] = mapped_column(String(50), default="")
    contact_phone: Mapped[str] = mapped_column(String(30), default="")
    figures: Mapped[dict] = mapped_column(JSON, default=dict)
    first_submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    on_time: Mapped[bool | None] = mapped_column(Boolean)  # decided once, at first submission
    return_reason: Mapped[str | None] = mapped_column(String(500))
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    row_version: Mapped[int] = mapped_column(Integer, default=1)

    campaign: Mapped[Campaign] = relationship(lazy="select")
    versions: Mapped[list[WeeklyReportVersion]] = relationship(
        back_populates="report", order_by="WeeklyReportVersion.number", lazy="select"
    )

    # The row version guards concurrent edits: a stale second write fails instead of winning.
    __mapper_args__ = {"version_id_col": row_version}
    __table_args__ = (
        UniqueConstraint("school_id", "campaign_id", "week_start", name="uq_weekly_report_school_campaign_week"),
        Index("ix_weekly_report_campaign_week", "campaign_id", "week_start"),
    )

    def __str__(self) -> str:
        return f"{self.school} {periods.week_label(self.week_start)}周调度"


class WeeklyReportVersion(TenantOwned, db.Model):
    """Every submission of a report, as submitted."""

    __tablename__ = "weekly_report_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("weekly_report.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    progress: Mapped[str] = mapped_column(Text, default="")
    problems: Mapped[str] = mapped_column(Text, default="")
    next_plan: Mapped[str] = mapped_column(Text, default="")
    contact_name: Mapped[str] = mapped_column(String(50), default="")
    contact_phone: Mapped[str] = mapped_column(String(30), default="")
    figures: Mapped[dict] = mapped_column(JSON, default=dict)

    report: Mapped[WeeklyReport] = relationship(back_populates="versions")

    __table_args__ = (UniqueConstraint("report_id", "number", name="uq_weekly_report_version_report_number"),)

    def __str__(self) -> str:
        return f"{self.report} 第{self.number}版"
