"""Console pages of what is owed in 周调度: 催报提醒 (with the text for the county's work group and
its export), the reports awaiting review, and the 待办 they put on the home page."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from flask import abort, url_for
from flask_admin import expose
from flask_login import current_user

from bureau import clock
from bureau.admin.base import PageView, Todo, home_todo, xlsx_response
from bureau.admin.progress import BUREAU_ROLES, HELPERS, chosen_campaign, chosen_week
from bureau.exports.xlsx import Export
from bureau.extensions import db
from bureau.progress import periods
from bureau.progress.export import reminder_sheet
from bureau.progress.overdue import awaiting_review, overdue_count, reports_awaiting_review, school_weeks
from bureau.progress.reminders import Reminder, reminder, reminder_week, visible_campaigns
from bureau.progress.service import REVIEW_ROLES, opened_weeks, unopened_weeks
from bureau.tenants.guard import current_scope
from bureau.tenants.models import place_name
from bureau.visits.models import Campaign

REVIEW_QUEUE_LIMIT = 200


class DueView(PageView):
    """催报提醒: who owes the week's report (this week until its deadline, then the week just
    closed) and who is overdue from earlier weeks, by county, with a text to paste."""

    roles = BUREAU_ROLES

    def _reminder(self, campaign: Campaign | None) -> tuple[Reminder | None, list[date]]:
        now = clock.now()
        weeks = opened_weeks(campaign, now) if campaign is not None else []
        if not weeks:
            return None, []
        week = chosen_week(weeks, reminder_week(campaign, now))
        found = reminder(db.session, campaign, week, now, current_scope(db.session), current_user.region)
        return found, weeks

    @expose("/")
    def index(self):
        campaign = chosen_campaign()
        found, weeks = self._reminder(campaign)
        return self.render(
            "progress/due.html",
            reminder=found,
            campaign=campaign,
            campaigns=visible_campaigns(db.session),
            weeks=weeks,
            unopened=found is not None and found.week in unopened_weeks(db.session, campaign, found.now),
            fmt=HELPERS,
        )

    @expose("/export.xlsx")
    def export(self):
        found, _ = self._reminder(chosen_campaign())
        if found is None:
            abort(404)
        export = Export(f"周调度催报名单{periods.week_name(found.week)}", place_name(current_user.region), found.now)
        return xlsx_response(export, [reminder_sheet(found)])


class ReviewQueueView(PageView):
    """待审核周报: reports submitted and not yet reviewed, the longest waiting first."""

    roles = BUREAU_ROLES

    @expose("/")
    def index(self):
        scope = current_scope(db.session)
        return self.render(
            "progress/review_queue.html",
            reports=reports_awaiting_review(db.session, scope, REVIEW_QUEUE_LIMIT),
            waiting=awaiting_review(db.session, scope),
            limit=REVIEW_QUEUE_LIMIT,
            can_review=current_user.role in REVIEW_ROLES,
            fmt=HELPERS,
        )


def _school_todos(now: datetime) -> list[Todo]:
    """Every week the school still owes, in every campaign: returned, overdue, or due."""
    todos = []
    for campaign in visible_campaigns(db.session):
        for row in school_weeks(db.session, current_user.school_id, campaign, now):
            if not row.owed:
                continue
            due = clock.local_text(row.deadline)
            if row.status == "returned":
                what, urgent = "被退回，请修改后重新提交", True
            elif row.overdue(now):
                what, urgent = f"逾期未提交（截止 {due}），请尽快补报", True
            else:
                what, urgent = f"未提交，截止 {due}", row.deadline - now < timedelta(hours=24)
            url = url_for("progress.form", campaign=campaign.id, week=periods.week_code(row.week))
            todos.append(Todo(f"{campaign.name}：{periods.week_label(row.week)}周调度{what}", url, urgent))
    return todos


def _bureau_todos(now: datetime) -> list[Todo]:
    """Schools overdue in each campaign (to chase); reports awaiting review (for reviewers)."""
    scope, todos = current_scope(db.session), []
    for campaign in visible_campaigns(db.session):
        overdue = overdue_count(db.session, campaign, now, scope, current_user.region)
        if overdue:
            url = url_for("progress_due.index", campaign=campaign.id)
            todos.append(Todo(f"{campaign.name}：{overdue} 所学校周调度逾期未报，请催报", url, urgent=True))
    if current_user.role in REVIEW_ROLES:
        waiting = awaiting_review(db.session, scope)
        if waiting:
            todos.append(Todo(f"{waiting} 份周报待审核", url_for("progress_review.index")))
    return todos


@home_todo
def _report_todos() -> list[Todo]:
    now = clock.now()
    if current_user.role == "school_admin":
        return _school_todos(now)
    if current_user.role in BUREAU_ROLES:
        return _bureau_todos(now)
    return []
