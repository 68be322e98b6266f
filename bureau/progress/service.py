"""Weekly-report services: open a week, save and submit a report, return, approve, unlock.

Every function takes a session and `now`, flushes and never commits. Refusals raise
ReportError with a Chinese message and change nothing the caller would keep (it rolls back).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime, timedelta

from sqlalchemy import Date, Integer, func, insert, literal, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from bureau.audit import set_reason
from bureau.progress import periods
from bureau.progress.figures import Period, compute_figures
from bureau.progress.models import ExpectedReport, ReportWeek, WeeklyReport, WeeklyReportVersion
from bureau.tenants.guard import scoped
from bureau.tenants.models import School, User
from bureau.tenants.scope import Scope
from bureau.visits.calendar import MAX_CAMPAIGN_WEEKS
from bureau.visits.models import Campaign

STATUS_LABELS = {"missing": "未提交", "on_time": "按时", "late": "逾期", "returned": "退回", "approved": "已审核"}
FIELDS = {
    "progress": "本周工作进展",
    "problems": "存在的问题",
    "next_plan": "下周计划",
    "contact_name": "联系人",
    "contact_phone": "联系电话",
}
REQUIRED_TO_SUBMIT = ("progress", "next_plan", "contact_name", "contact_phone")
MAX_LENGTH = {"progress": 5000, "problems": 5000, "next_plan": 5000, "contact_name": 50, "contact_phone": 30}
REVIEW_ROLES = ("region_admin", "inspector")
UNLOCK_ROLES = ("region_admin",)
_PHONE = re.compile(r"^[0-9+\- ()]{7,30}$")
DUPLICATE = "本周周报已经提交过了（可能是重复点击），请勿重复提交；请刷新页面查看。"


class ReportError(Exception):
    """A refused action; str() is the Chinese message shown to the user."""


def report_status(report: WeeklyReport | None) -> str:
    """The status of a (school, week): no report or a draft is missing; timeliness is kept."""
    if report is None or report.state == "draft":
        return "missing"
    if report.state in ("returned", "approved"):
        return report.state
    return "on_time" if report.on_time else "late"


def week_deadline(campaign: Campaign, week_start: date) -> datetime:
    """The deadline of a campaign's week, by the campaign's own rule."""
    return periods.deadline(week_start, campaign.report_weekday, campaign.report_time)


def campaign_weeks(campaign: Campaign) -> list[date]:
    return periods.weeks_between(campaign.start_date, campaign.end_date)


def opened_weeks(campaign: Campaign, now: datetime) -> list[date]:
    """The campaign's weeks that have begun by `now`: the latest MAX_CAMPAIGN_WEEKS of them at most.

    The date rule keeps a campaign within one school year; the cap holds whatever the database
    says (rows written before the rule), so no page ever opens years of weeks.
    """
    last = min(periods.week_of(campaign.end_date), periods.current_week(now))
    first = max(periods.week_of(campaign.start_date), last - timedelta(weeks=MAX_CAMPAIGN_WEEKS - 1))
    return periods.weeks_between(first, last) if first <= last else []


def open_week(session: Session, campaign: Campaign, week_start: date, now: datetime) -> ReportWeek:
    """Record the schools expected to report in a week; a second call changes nothing.

    The active schools under the campaign's region at this moment are snapshotted with their
    county and city, in one INSERT ... SELECT, so later changes never alter this week's figures.
    """
    if week_start not in campaign_weeks(campaign):
        raise ReportError(f"{periods.week_label(week_start)}不在活动“{campaign}”期间。")
    if week_start > periods.current_week(now):
        raise ReportError(f"{periods.week_label(week_start)}尚未开始。")
    found = _report_week(session, campaign.id, week_start)
    if found is not None:
        return found
    region = campaign.region
    with scoped(session, None):  # a system action: the whole campaign, whoever triggered it
        week = ReportWeek(campaign_id=campaign.id, week_start=week_start, opened_at=now)
        session.add(week)
        try:
            session.flush()
        except IntegrityError:
            raise ReportError("该周正在由他人开启，请稍后刷新重试。") from None
        rows = select(
            literal(campaign.id, Integer()), literal(week_start, Date()), School.id, School.county_id, School.city_id
        ).where(School.active, Scope(region.kind, region.id).school_rows_clause())
        session.execute(
            insert(ExpectedReport).from_select(["campaign_id", "week_start", "school_id", "county_id", "city_id"], rows)
        )
        week.expected_count = session.scalar(
            select(func.count(ExpectedReport.id)).where(
                ExpectedReport.campaign_id == campaign.id, ExpectedReport.week_start == week_start
            )
        )
        session.flush()
    return week


def _report_week(session: Session, campaign_id: int, week_start: date) -> ReportWeek | None:
    return session.scalar(
        select(ReportWeek).where(ReportWeek.campaign_id == campaign_id, ReportWeek.week_start == week_start)
    )


def unopened_weeks(session: Session, campaign: Campaign, now: datetime) -> list[date]:
    """The begun weeks whose expected schools are not recorded yet (the Monday job's work)."""
    done = set(session.scalars(select(ReportWeek.week_start).where(ReportWeek.campaign_id == campaign.id)))
    return [week for week in opened_weeks(campaign, now) if week not in done]


def open_due_weeks(session: Session, campaign: Campaign, now: datetime) -> int:
    """Open every week of a campaign that has begun and is not open yet (at most the latest
    MAX_CAMPAIGN_WEEKS, by `opened_weeks`); returns how many."""
    missing = unopened_weeks(session, campaign, now)
    for week in missing:
        open_week(session, campaign, week, now)
    return len(missing)


def is_open(session: Session, campaign: Campaign, week_start: date) -> bool:
    """Has the week been opened (its expected schools recorded)?"""
    return _report_week(session, campaign.id, week_start) is not None


def closed_weeks(campaign: Campaign, now: datetime) -> list[date]:
    """The begun weeks whose deadline has passed, oldest first: the last is the one to read."""
    return [week for week in opened_weeks(campaign, now) if week_deadline(campaign, week) <= now]


def expects_report(session: Session, school_id: int, campaign: Campaign, week_start: date) -> bool:
    """Must the school report this week? As recorded when the week was opened; for a week not
    opened yet, as opening it would record it (an active school under the campaign's region)."""
    if is_open(session, campaign, week_start):
        return is_expected(session, school_id, campaign, week_start)
    school = session.get(School, school_id)
    region = campaign.region
    return school is not None and school.active and Scope(region.kind, region.id).covers_school(school)


def is_expected(session: Session, school_id: int, campaign: Campaign, week_start: date) -> bool:
    return (
        session.scalar(
            select(ExpectedReport.id).where(
                ExpectedReport.school_id == school_id,
                ExpectedReport.campaign_id == campaign.id,
                ExpectedReport.week_start == week_start,
            )
        )
        is not None
    )


def find_report(session: Session, school_id: int, campaign_id: int, week_start: date) -> WeeklyReport | None:
    return session.scalar(
        select(WeeklyReport).where(
            WeeklyReport.school_id == school_id,
            WeeklyReport.campaign_id == campaign_id,
            WeeklyReport.week_start == week_start,
        )
    )


def clean_fields(fields: Mapping[str, str | None], submitting: bool) -> dict[str, str]:
    """The school's text, trimmed and checked; all problems in one message."""
    cleaned = {key: (fields.get(key) or "").strip() for key in FIELDS}
    errors = [f"{FIELDS[key]}不能超过 {limit} 个字" for key, limit in MAX_LENGTH.items() if len(cleaned[key]) > limit]
    if submitting:
        errors += [f"请填写{FIELDS[key]}" for key in REQUIRED_TO_SUBMIT if not cleaned[key]]
    phone = cleaned["contact_phone"]
    if phone and not _PHONE.match(phone):
        errors.append("联系电话格式不正确（只能包含数字、空格和 + - ( )，7 至 30 位）")
    if errors:
        raise ReportError("；".join(errors) + "。")
    return cleaned


def _editable(session: Session, school_id: int, campaign: Campaign, week_start: date, now: datetime) -> WeeklyReport:
    """The school's report of the week, new if none; refused once submitted or approved."""
    open_week(session, campaign, week_start, now)
    if not is_expected(session, school_id, campaign, week_start):
        raise ReportError(f"本校不在{periods.week_label(week_start)}的应报学校名单中。")
    report = find_report(session, school_id, campaign.id, week_start)
    if report is None:
        report = WeeklyReport(
            school_id=school_id, campaign_id=campaign.id, week_start=week_start, state="draft", figures={}
        )
        session.add(report)
    elif report.state == "submitted":
        raise ReportError("本周周报已提交，正在等待审核；如需修改，请联系审核人员退回。")
    elif report.state == "approved":
        raise ReportError("本周周报已审核并锁定；如需修改，请联系教育局管理员解锁。")
    return report


def _flush(session: Session) -> None:
    """Flush; a concurrent second write of the same report becomes the duplicate message."""
    try:
        session.flush()
    except (IntegrityError, StaleDataError):
        raise ReportError(DUPLICATE) from None


def save_draft(
    session: Session,
    school_id: int,
    campaign: Campaign,
    week_start: date,
    fields: Mapping[str, str | None],
    now: datetime,
) -> WeeklyReport:
    """Keep the school's text without submitting it."""
    cleaned = clean_fields(fields, submitting=False)
    report = _editable(session, school_id, campaign, week_start, now)
    for key, value in cleaned.items():
        setattr(report, key, value)
    _flush(session)
    return report


def submit(
    session: Session,
    school_id: int,
    campaign: Campaign,
    week_start: date,
    fields: Mapping[str, str | None],
    now: datetime,
    user: User | None = None,
) -> WeeklyReport:
    """Submit (or resubmit after return): figures filled in now; the first time decides on time."""
    cleaned = clean_fields(fields, submitting=True)
    report = _editable(session, school_id, campaign, week_start, now)
    at = periods.to_the_second(now)
    # Nothing is written before the one flush below, where a concurrent duplicate shows up.
    with session.no_autoflush:
        figures = compute_figures(session, school_id, Period.of(campaign, week_start))
        number = 1 if report.id is None else len(report.versions) + 1
        for key, value in cleaned.items():
            setattr(report, key, value)
        report.figures = figures
        if report.first_submitted_at is None:
            report.first_submitted_at = at
            report.on_time = periods.is_on_time(at, week_deadline(campaign, week_start))
        report.state, report.submitted_at = "submitted", at
        report.reviewed_by_id = report.reviewed_at = None
        session.add(
            WeeklyReportVersion(
                report=report,
                school_id=school_id,
                number=number,
                submitted_at=at,
                submitted_by_id=user.id if user is not None else None,
                figures=dict(figures),
                **cleaned,
            )
        )
    _flush(session)
    return report


def _reviewer(user: User, roles: tuple[str, ...], action: str) -> None:
    if user.role not in roles:
        raise ReportError(f"您没有{action}周报的权限。")


def _reason(reason: str | None, action: str) -> str:
    text = (reason or "").strip()
    if not text:
        raise ReportError(f"请填写{action}原因。")
    if len(text) > 500:
        raise ReportError(f"{action}原因不能超过 500 个字。")
    return text


def return_report(
    session: Session, report: WeeklyReport, reason: str | None, now: datetime, user: User
) -> WeeklyReport:
    """Send a submitted report back to the school with a reason; its timeliness is kept."""
    _reviewer(user, REVIEW_ROLES, "退回")
    text = _reason(reason, "退回")
    if report.state != "submitted":
        raise ReportError("只有已提交、待审核的周报可以退回。")
    report.state, report.return_reason = "returned", text
    report.reviewed_by_id, report.reviewed_at = user.id, now
    _flush(session)
    return report


def approve(session: Session, report: WeeklyReport, now: datetime, user: User) -> WeeklyReport:
    """Approve a submitted report; it is locked from then on."""
    _reviewer(user, REVIEW_ROLES, "审核")
    if report.state != "submitted":
        raise ReportError("只有已提交、待审核的周报可以审核通过。")
    report.state, report.return_reason = "approved", None
    report.reviewed_by_id, report.reviewed_at = user.id, now
    _flush(session)
    return report


def unlock(session: Session, report: WeeklyReport, reason: str | None, now: datetime, user: User) -> WeeklyReport:
    """Reopen an approved report for correction; the reason goes into the audit log."""
    _reviewer(user, UNLOCK_ROLES, "解锁")
    text = _reason(reason, "解锁")
    if report.state != "approved":
        raise ReportError("只有已审核锁定的周报可以解锁。")
    set_reason(session, f"解锁周报：{text}")
    report.state, report.return_reason = "returned", f"已解锁：{text}"
    report.reviewed_by_id, report.reviewed_at = user.id, now
    _flush(session)
    return report
