"""The home page: each role's figures first, each a link to the page behind it, then its 待办.

Every figure comes from the service that computes it for its own page (coverage, the 周调度
rates, the visit counts), so the home page and the page behind a figure always agree. The
statements a home page runs do not depend on the number of schools, and reading it writes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask import url_for
from flask_admin import AdminIndexView, expose
from flask_login import current_user

from bureau import clock
from bureau.admin.base import ALL_ROLES, RoleAccess, current_todos, request_scope
from bureau.admin.charts import BarChart, LineChart, coverage_bars, percent, rate_lines
from bureau.admin.visits import visit_list_url
from bureau.extensions import db
from bureau.progress import periods
from bureau.progress.overdue import awaiting_review, overdue_count, school_weeks
from bureau.progress.rates import Rates, trend
from bureau.progress.reminders import default_campaign, reminder_week, visible_campaigns
from bureau.progress.service import REVIEW_ROLES, STATUS_LABELS, closed_weeks, week_deadline
from bureau.tenants.scope import Scope
from bureau.visits.coverage import LEVELS, NEXT_LEVEL, coverage_rows, current_term, total
from bureau.visits.figures import review_counts, teacher_figures
from bureau.visits.models import Campaign, Term

TREND_WEEKS = 8
CHANGE_DAYS = 7


@dataclass(frozen=True)
class Tile:
    """One figure: what it is, its value, a line of context, and the page behind it."""

    key: str  # the element's id: fig-<key>
    label: str
    value: str
    note: str = ""
    url: str | None = None
    warn: bool = False


@dataclass
class Home:
    tiles: list[Tile] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    bars: BarChart | None = None
    bars_caption: str = ""
    lines: LineChart | None = None
    lines_caption: str = ""


def _change(now: float | None, before: float | None) -> str:
    if now is None or before is None:
        return ""
    points = round((now - before) * 100, 1)
    return "与7天前持平" if points == 0 else f"较7天前 {points:+.1f} 个百分点"


def _coverage(home: Home, scope: Scope, term: Term | None, today: date, unit: str) -> None:
    """The term's coverage in the scope, its change over 7 days, and the units below as bars."""
    if term is None:
        home.notices.append("尚未设置学期，暂无覆盖率。")
        return
    level = NEXT_LEVEL[scope.level]
    rows = coverage_rows(db.session, scope, term, level, today)
    now, before = total(rows), total(coverage_rows(db.session, scope, term, level, today - timedelta(CHANGE_DAYS)))
    notes = [f"已走访 {now.visited}/{now.students} 名学生", _change(now.coverage, before.coverage)]
    if now.no_roster:
        notes.append(f"{now.no_roster} 所学校未导入名册")
    home.tiles.append(
        Tile(
            "coverage",
            f"{unit}覆盖率（{term.name}）",
            percent(now.coverage),
            "，".join(note for note in notes if note),
            url_for("coverage.index"),
        )
    )
    drill = NEXT_LEVEL.get(level)
    home.bars = coverage_bars(
        rows,
        lambda row: url_for("coverage.index", level=drill, **{level: row.key}) if drill else url_for("coverage.index"),
        drop=f"{current_user.school.name} " if current_user.school else "",  # a school's grades: 五年级
    )
    home.bars_caption = f"各{LEVELS[level]}覆盖率"


def _visits(home: Home, scope: Scope) -> None:
    counts = review_counts(db.session, scope)
    pending = visit_list_url("pending")  # the review queue, the longest waiting first
    home.tiles += [
        Tile("pending", "待审核家访记录", f"{counts.pending} 条", "最早提交的排在前面", pending),
        Tile(
            "returned",
            "退回待改家访记录",
            f"{counts.returned} 条",
            "教师修改后重新提交",
            visit_list_url("returned"),
        ),
    ]


def _this_week(rows: list[Rates], week: date) -> Rates | None:
    return next((row for row in rows if row.key == week), None)


def _weekly(home: Home, scope: Scope, campaign: Campaign, now: datetime) -> None:
    """This week's reporting and on-time rates, schools overdue, the last weeks as lines."""
    region = current_user.region
    week = reminder_week(campaign, now)
    if week is None:
        return
    rows = trend(db.session, campaign.id, scope, region)
    this = _this_week(rows, week)
    page = url_for("progress.index", campaign=campaign.id, week=periods.week_code(week))
    due = periods.moment_text(week_deadline(campaign, week))
    when = (
        f"{periods.week_short(week)}，{'已于' + due + '截止' if week in closed_weeks(campaign, now) else '截止 ' + due}"
    )
    if this is None:
        home.notices.append(f"{campaign.name}：{periods.week_label(week)}的应报学校尚未记录。")
    else:
        home.tiles += [
            Tile(
                "reporting",
                "本周周调度上报率",
                percent(this.reporting_rate),
                f"{when}，已报 {this.submitted}/{this.expected}",
                page,
            ),
            Tile(
                "on-time",
                "本周周调度按时率",
                percent(this.on_time_rate),
                f"按时 {this.on_time} 所，逾期 {this.late} 所",
                page,
            ),
        ]
    overdue = overdue_count(db.session, campaign, now, scope, region)
    home.tiles.append(
        Tile(
            "overdue",
            "周调度逾期未报学校",
            f"{overdue} 所",
            "截止时间已过仍未提交（含往周）",
            url_for("progress_due.index", campaign=campaign.id),
            warn=overdue > 0,
        )
    )
    closed = set(closed_weeks(campaign, now))
    home.lines = rate_lines([row for row in rows if row.key in closed][-TREND_WEEKS:])
    home.lines_caption = f"{campaign.name}：近{TREND_WEEKS}周上报率与按时率"


def _region_home(now: datetime) -> Home:
    home, scope = Home(), request_scope()
    today = clock.local(now).date()
    _coverage(home, scope, current_term(db.session, today), today, "")
    campaign = default_campaign(visible_campaigns(db.session), now)
    if campaign is not None:
        _weekly(home, scope, campaign, now)
    _visits(home, scope)
    if current_user.role in REVIEW_ROLES:
        waiting = awaiting_review(db.session, scope)
        home.tiles.append(
            Tile("review", "待审核周报", f"{waiting} 份", "学校已提交、尚未审核", url_for("progress_review.index"))
        )
    return home


def _school_home(now: datetime) -> Home:
    home, scope = Home(), request_scope()
    today = clock.local(now).date()
    _coverage(home, scope, current_term(db.session, today), today, "本校")
    _visits(home, scope)
    campaign = default_campaign(visible_campaigns(db.session), now)
    if campaign is None:
        return home
    weeks = school_weeks(db.session, current_user.school_id, campaign, now)
    if weeks:
        latest, overdue = weeks[0], [w for w in weeks if w.overdue(now)]
        url = (
            url_for("progress.form", campaign=campaign.id, week=periods.week_code(latest.week))
            if latest.owed
            else url_for("progress.report", report_id=latest.report.id)
        )
        home.tiles += [
            Tile(
                "weekly",
                "本周周调度",
                STATUS_LABELS[latest.status],
                f"{periods.week_label(latest.week)}，截止 {periods.moment_text(latest.deadline)}",
                url,
                warn=latest.owed,
            ),
            Tile(
                "overdue",
                "逾期未报周次",
                f"{len(overdue)} 周",
                "、".join(periods.week_short(w.week) for w in overdue[:6]),
                url_for("progress.index", campaign=campaign.id),
                warn=bool(overdue),
            ),
        ]
    return home


def _teacher_home(now: datetime) -> Home:
    home, scope = Home(), request_scope()
    term = current_term(db.session, clock.local(now).date())
    mine = teacher_figures(db.session, scope, term)
    own = url_for("my_visits.index")
    home.tiles += [
        Tile("visits", "本学期我的家访", f"{mine.visits} 条", f"其中待审核 {mine.pending} 条", own),
        Tile(
            "returned",
            "被退回的记录",
            f"{mine.returned} 条",
            "请修改后重新提交" if mine.returned else "没有需要修改的记录",
            own,
            warn=mine.returned > 0,
        ),
        Tile(
            "unvisited",
            "包保学生尚未走访",
            f"{mine.unvisited} 名",
            f"共负责 {mine.students} 名学生",
            url_for("my_visits.new"),
            warn=mine.unvisited > 0,
        ),
    ]
    if term is None:
        home.notices.append("尚未设置学期。")
    return home


FIGURES: dict[str, Callable[[datetime], Home]] = {
    "leader": _region_home,
    "inspector": _region_home,
    "region_admin": _region_home,
    "school_admin": _school_home,
    "teacher": _teacher_home,
}


class HomeView(RoleAccess, AdminIndexView):
    """首页: the signed-in user's figures and 待办."""

    roles = ALL_ROLES

    @expose("/")
    def index(self):
        home = FIGURES[current_user.role](clock.now())
        return self.render(self._template, home=home, todos=current_todos())
