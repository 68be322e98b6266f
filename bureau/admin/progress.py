"""Console pages of the 周调度 weekly reports: the bureau's rates, the school's form, review.

The pages only display what bureau.progress computes; every write goes through its services,
and each request commits once. Another school's report reads as "not found".
"""

from __future__ import annotations

from datetime import date, datetime
from types import SimpleNamespace

from flask import abort, flash, redirect, request, url_for
from flask_admin import Admin, expose
from flask_admin.helpers import get_redirect_target
from flask_login import current_user
from sqlalchemy import select

from bureau import clock
from bureau.admin.base import PageView, xlsx_response
from bureau.admin.charts import percent, rate_lines
from bureau.exports.xlsx import Export
from bureau.extensions import db
from bureau.params import int_arg
from bureau.progress import periods
from bureau.progress.export import week_sheets
from bureau.progress.figures import FIGURES, label_of
from bureau.progress.models import WeeklyReport
from bureau.progress.overdue import school_weeks
from bureau.progress.rates import breakdown, child_level, school_statuses, total, trend
from bureau.progress.reminders import default_campaign, visible_campaigns
from bureau.progress.service import (
    FIELDS,
    REVIEW_ROLES,
    STATUS_LABELS,
    UNLOCK_ROLES,
    ReportError,
    approve,
    closed_weeks,
    expects_report,
    find_report,
    is_open,
    open_due_weeks,
    opened_weeks,
    report_status,
    return_report,
    save_draft,
    submit,
    unlock,
    week_deadline,
)
from bureau.tenants.guard import current_scope
from bureau.tenants.models import Region, place_name
from bureau.visits.models import Campaign

BUREAU_ROLES = ("leader", "inspector", "region_admin")


def _local(value: datetime | None) -> str:
    return clock.local_text(value)


def chosen_campaign() -> Campaign | None:
    """The campaign asked for (?campaign=id, 404 if not visible), else the one begun latest."""
    campaigns = visible_campaigns(db.session)
    wanted = int_arg("campaign", source=request.values)
    chosen = next((c for c in campaigns if c.id == wanted), None)
    if wanted is not None and chosen is None:
        abort(404)
    return chosen or default_campaign(campaigns, clock.now())


def chosen_week(weeks: list[date], default: date) -> date:
    """The week asked for (?week=2026-W05) among `weeks`, else `default`; a bad one is a message."""
    code = request.args.get("week")
    if code:
        try:
            week = periods.parse_week(code)
        except periods.PeriodError as error:
            flash(str(error), "error")
        else:
            if week in weeks:
                return week
            flash(f"{periods.week_label(week)}不在本活动已开始的周次中。", "error")
    return default


HELPERS = SimpleNamespace(
    local=_local,
    pct=percent,
    week_short=periods.week_short,
    moment=periods.moment_text,
    week_label=periods.week_label,
    week_code=periods.week_code,
    status_labels=STATUS_LABELS,
    fields=FIELDS,
    figures=FIGURES,
    label_of=label_of,
)


class ProgressView(PageView):
    """周调度: rates for the bureau, history and form for a school, review for reviewers."""

    roles = BUREAU_ROLES + ("school_admin",)

    def _campaign(self) -> Campaign | None:
        return chosen_campaign()

    def _render(self, template: str, **context):
        return self.render(template, fmt=HELPERS, **context)

    @expose("/")
    def index(self):
        now = clock.now()
        campaign = self._campaign()
        if campaign is None:
            return self._render("progress/empty.html")
        campaigns = visible_campaigns(db.session)
        if current_user.role == "school_admin":
            return self._school_page(campaign, campaigns, now)
        return self._bureau_page(campaign, campaigns, now)

    def _school_page(self, campaign: Campaign, campaigns: list[Campaign], now: datetime):
        history = school_weeks(db.session, current_user.school_id, campaign, now)
        return self._render(
            "progress/school.html",
            campaign=campaign,
            campaigns=campaigns,
            history=history,
            due=[row for row in history if row.owed],
            now=now,
            current=periods.current_week(now),
        )

    def _region(self) -> Region:
        """The region asked for (?region=id) inside the user's scope, else the user's own."""
        wanted = int_arg("region", source=request.values)
        if wanted is None:
            return current_user.region
        region = db.session.scalar(select(Region).where(Region.id == wanted))
        if region is None or not current_scope(db.session).covers_region(region):
            abort(404)
        return region

    def _week(self, campaign: Campaign, weeks: list[date], now: datetime) -> date:
        """The week asked for, else the latest whose deadline has passed."""
        past = closed_weeks(campaign, now)
        return chosen_week(weeks, past[-1] if past else weeks[-1])

    def _trail(self, region: Region) -> list[Region]:
        """The regions from the user's own down to `region`, for the breadcrumb."""
        trail, node = [region], region
        while node.id != current_user.region_id and node.parent_id:
            node = db.session.get(Region, node.parent_id)
            trail.insert(0, node)
        return trail

    def _bureau_page(self, campaign: Campaign, campaigns: list[Campaign], now: datetime):
        weeks = opened_weeks(campaign, now)
        if not weeks:
            return self._render("progress/empty.html", campaign=campaign, campaigns=campaigns)
        region, week = self._region(), self._week(campaign, weeks, now)
        scope = current_scope(db.session)
        rows = breakdown(db.session, campaign.id, week, scope, region)
        statuses = school_statuses(db.session, campaign.id, week, scope, region)
        due = week_deadline(campaign, week)
        closed = closed_weeks(campaign, now)  # a week still open is not 0 %
        trend_rows = [r for r in trend(db.session, campaign.id, scope, region) if r.key in closed]
        return self._render(
            "progress/bureau.html",
            campaign=campaign,
            campaigns=campaigns,
            weeks=weeks,
            week=week,
            region=region,
            trail=self._trail(region),
            level=child_level(region),
            rows=rows,
            overall=total(rows, region.name),
            statuses=statuses,
            missing=[s for s in statuses if s.status == "missing"],
            deadline=due,
            overdue=periods.hours_overdue(due, now),
            now=now,
            week_open=is_open(db.session, campaign, week),
            trend=trend_rows,
            chart=rate_lines(trend_rows),
        )

    @expose("/export.xlsx")
    def export(self):
        if current_user.role not in BUREAU_ROLES:
            abort(403)
        now = clock.now()
        campaign = self._campaign()
        weeks = opened_weeks(campaign, now) if campaign else []
        if not weeks:
            abort(404)
        region, week = self._region(), self._week(campaign, weeks, now)
        sheets = week_sheets(db.session, campaign, week, current_scope(db.session), region)
        export = Export(f"周调度{periods.week_name(week)}", place_name(region), as_of=now)
        return xlsx_response(export, sheets)

    @expose("/form", methods=("GET", "POST"))
    def form(self):
        if current_user.role != "school_admin":
            abort(403)
        campaign, now = self._campaign(), clock.now()
        try:
            week = periods.parse_week(request.values.get("week", ""))
        except periods.PeriodError:
            abort(404)
        if campaign is None or week not in opened_weeks(campaign, now):
            abort(404)
        school_id = current_user.school_id
        if not expects_report(db.session, school_id, campaign, week):
            abort(404)
        report = find_report(db.session, school_id, campaign.id, week)
        values = (
            {key: getattr(report, key) for key in FIELDS}
            if report
            else {
                **dict.fromkeys(FIELDS, ""),
                "contact_name": current_user.school.contact_name or "",
                "contact_phone": current_user.school.contact_phone or "",
            }
        )
        if request.method == "POST":
            values = {key: request.form.get(key, "") for key in FIELDS}
            done = self._save(campaign, week, values, request.form.get("action"))
            if done is not None:
                return done
        return self._render(
            "progress/form.html",
            campaign=campaign,
            week=week,
            report=report,
            values=values,
            deadline=week_deadline(campaign, week),
            status=report_status(report),
        )

    def _save(self, campaign: Campaign, week: date, values: dict, action: str | None):
        """Save a draft or submit; a redirect on success, None (form shown again) on refusal."""
        now = clock.now()
        try:
            if action == "submit":
                submit(db.session, current_user.school_id, campaign, week, values, now, current_user)
                message = f"已提交（{_local(periods.to_the_second(now))}）。"
            elif action == "draft":
                save_draft(db.session, current_user.school_id, campaign, week, values, now)
                message = "草稿已保存，尚未提交。"
            else:
                raise ReportError("请选择“保存草稿”或“提交”。")
        except ReportError as refused:
            db.session.rollback()
            flash(str(refused), "error")
            return None
        flash(message, "success")
        return redirect(url_for(".index", campaign=campaign.id))

    def _report(self, report_id: int) -> WeeklyReport:
        """A report in the user's scope (the tenant guard filters the SELECT), else 404."""
        report = db.session.scalar(select(WeeklyReport).where(WeeklyReport.id == report_id))
        if report is None:
            abort(404)
        return report

    @expose("/report/<int:report_id>")
    def report(self, report_id: int):
        report = self._report(report_id)
        role = current_user.role
        return self._render(
            "progress/report.html",
            report=report,
            deadline=week_deadline(report.campaign, report.week_start),
            status=report_status(report),
            can_review=role in REVIEW_ROLES and report.state == "submitted",
            can_unlock=role in UNLOCK_ROLES and report.state == "approved",
        )

    @expose("/report/<int:report_id>/review", methods=("POST",))
    def review(self, report_id: int):
        report = self._report(report_id)
        action, reason, now = request.form.get("action"), request.form.get("reason"), clock.now()
        user = current_user._get_current_object()
        try:
            if action == "return":
                return_report(db.session, report, reason, now, user)
                message = "已退回学校修改。"
            elif action == "approve":
                approve(db.session, report, now, user)
                message = "已审核通过，周报已锁定。"
            elif action == "unlock":
                unlock(db.session, report, reason, now, user)
                message = "已解锁，学校可以修改后重新提交；解锁原因已记入操作日志。"
            else:
                raise ReportError("未知的操作。")
        except ReportError as refused:
            db.session.rollback()
            flash(str(refused), "error")
        else:
            flash(message, "success")
        return redirect(url_for(".report", report_id=report_id))

    @expose("/open", methods=("POST",))
    def open_weeks(self):
        """Record the expected schools of the weeks that have begun, now rather than at the
        Monday job (`bureau open-weeks`): a page never does it as a side effect of reading."""
        if current_user.role not in BUREAU_ROLES:
            abort(403)
        campaign = self._campaign()
        if campaign is None:
            abort(404)
        try:
            opened = open_due_weeks(db.session, campaign, clock.now())
        except ReportError as refused:
            db.session.rollback()
            flash(str(refused), "error")
        else:
            flash(f"已记录 {opened} 个周次的应报学校。", "success")
        return redirect(get_redirect_target() or url_for(".index", campaign=campaign.id))


def register(admin: Admin) -> None:
    """Add the weekly-report views to the console."""
    from bureau.admin.progress_due import DueView, ReviewQueueView

    admin.add_view(ProgressView(name="周调度", category="周调度", endpoint="progress"))
    admin.add_view(DueView(name="催报提醒", category="周调度", endpoint="progress_due"))
    admin.add_view(ReviewQueueView(name="待审核周报", category="周调度", endpoint="progress_review"))
