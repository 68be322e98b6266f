"""Console pages of inspections: 检查安排 (the list) and 检查日历 (a month, and its calendar feed),
an inspection's page (figures, checklist, photos, verdict; the findings form for inspectors), the
school's own inspections, the schedule and findings exports, and the 待办 of the home page.

Pages display what `inspection.rounds` and `inspection.findings` compute and call them to write.
What a school may see is the guard's read rule (明察暗访: an unannounced inspection only from its
date), never a condition here: every read goes through the guarded session.
"""

from __future__ import annotations

from datetime import date, timedelta

from flask import abort, current_app, flash, redirect, request, send_file, url_for
from flask_admin import Admin, expose
from flask_admin.contrib.sqla.filters import FilterEqual
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from bureau import clock
from bureau.admin.base import (
    READ_ROLES,
    REGION_READERS,
    PageView,
    ReadOnlyView,
    Todo,
    has_role,
    home_todo,
    xlsx_response,
)
from bureau.admin.inspections import WRITER, inspection_or_404, may_write, refused, round_or_404, signed_in_user
from bureau.exports.xlsx import Column, Export, Sheet
from bureau.extensions import db
from bureau.inspection.findings import (
    CHECKLIST,
    FIGURES,
    PERCENT_FIGURES,
    Findings,
    add_photos,
    figure_text,
    findings_row,
    live_figures,
    photo_path,
    record_findings,
)
from bureau.inspection.models import INSPECTION_STATES, VERDICTS, Inspection, InspectionPhoto, InspectionRound
from bureau.inspection.rounds import (
    RoundError,
    day_text,
    in_month,
    inspector_names,
    month_days,
    name_of,
    round_inspections,
    schedule_rows,
    state_of,
    upcoming,
)
from bureau.params import int_arg
from bureau.progress.periods import WEEKDAYS
from bureau.tenants.models import School, place_name
from bureau.visits.records import MAX_PHOTO_BYTES, VisitError, prepare_photos

SCHEDULE_COLUMNS = [
    Column("日期", "date"),
    Column("学校"),
    Column("县区"),
    Column("督学"),
    Column("同行人员"),
    Column("状态"),
]


def _school_link(view, context, model: Inspection, name) -> Markup:
    return Markup('<a class="inspection-link" href="{}">{}</a>').format(
        url_for("inspection.show", id=model.id), model.school.name if model.school else "查看"
    )


STATE_IS = FilterEqual(Inspection.state, "状态", options=list(INSPECTION_STATES.items()))


class InspectionView(ReadOnlyView):
    """检查安排: the inspections in scope (the guard hides a school's unannounced ones until their
    day), filtered by round, date, inspector and state; each opens its page."""

    roles = READ_ROLES
    can_view_details = False
    column_display_actions = False
    column_list = ("scheduled_on", "school", "county", "round", "inspector", "companions", "state", "verdict")
    column_labels = {
        "scheduled_on": "日期",
        "school": "学校",
        "county": "县区",
        "round": "检查轮次",
        "round.name": "检查轮次",
        "inspector": "督学",
        "inspector.display_name": "督学",
        "companions": "同行人员",
        "state": "状态",
        "verdict": "结论",
    }
    column_formatters = {
        "school": _school_link,
        "county": lambda v, c, m, n: m.school.county.name if m.school else "",
        "inspector": lambda v, c, m, n: name_of(m.inspector),
        "state": lambda v, c, m, n: state_of(m),
        "verdict": lambda v, c, m, n: VERDICTS.get(m.verdict, "") if m.verdict else "",
    }
    column_filters = ("round.name", "scheduled_on", "inspector.display_name", STATE_IS)
    column_default_sort = ("scheduled_on", False)
    column_sortable_list = ("scheduled_on",)

    def is_visible(self) -> bool:
        return has_role(*REGION_READERS)

    @expose("/show/", methods=("GET", "POST"))
    def show(self):
        """An inspection: its figures (live until completed, then as stored), checklist, notes,
        photos and verdict; the findings form for inspectors, read-only for everyone else."""
        inspection = inspection_or_404(int_arg("id"))
        now = clock.now()
        if request.method == "POST":
            may_write()
            done = self._save(inspection, now)
            if done is not None:
                return done
        completed = inspection.state == "completed"
        may_record = (
            has_role(*WRITER)
            and not completed
            and inspection.round.state == "published"
            and inspection.scheduled_on is not None
            and inspection.scheduled_on <= clock.local(now).date()
        )
        figures = inspection.figures if completed else None
        if figures is None and has_role(*REGION_READERS):
            figures = live_figures(db.session, inspection, now)
        photos = db.session.scalars(
            select(InspectionPhoto).where(InspectionPhoto.inspection_id == inspection.id).order_by(InspectionPhoto.id)
        ).all()
        return self.render(
            "admin/inspection/inspection.html",
            inspection=inspection,
            figures=figures,
            figure_labels=FIGURES,
            figure_text=figure_text,
            checklist=CHECKLIST,
            verdicts=VERDICTS,
            photos=photos,
            may_record=may_record,
            state_of=state_of,
            inspector=inspector_names(db.session, [inspection]).get(inspection.id, ""),
            local_text=clock.local_text,
            back=url_for("my_inspections.index") if has_role("school_admin") else url_for(".index_view"),
        )

    def _save(self, inspection: Inspection, now):
        form = request.form
        answers = {"1": True, "0": False}
        findings = Findings(
            items={key: (answers.get(form.get(f"item_{key}")), form.get(f"remark_{key}", "")) for key in CHECKLIST},
            notes=form.get("notes", ""),
            verdict=form.get("verdict") or None,
        )
        uploads = [
            (upload.filename, upload.read(MAX_PHOTO_BYTES + 1))
            for upload in request.files.getlist("photos")
            if upload and upload.filename
        ]
        complete = form.get("action") == "complete"
        try:
            photos = prepare_photos(uploads)
            add_photos(db.session, inspection, photos, current_app.config["UPLOAD_DIR"], now)  # before it is final
            record_findings(db.session, inspection, findings, signed_in_user(), now, complete=complete)
        except (RoundError, VisitError) as error:
            refused(error)
            return None
        flash("检查已完成，结果已保存。" if complete else "检查记录已保存（尚未完成）。", "success")
        return redirect(url_for(".show", id=inspection.id))


class ScheduleView(PageView):
    """检查日历 (a month of inspections; an inspector's own by default) and the exports."""

    roles = READ_ROLES

    def is_visible(self) -> bool:
        return has_role(*REGION_READERS)

    def _month(self) -> date:
        raw = request.args.get("month", "")
        try:
            return date.fromisoformat(f"{raw}-01") if raw else clock.today().replace(day=1)
        except ValueError:
            flash("月份格式不对，已显示本月。", "error")
            return clock.today().replace(day=1)

    def _mine(self) -> int | None:
        """An inspector sees their own schedule unless asked for everyone's (?all=1)."""
        return current_user.id if has_role("inspector") and request.args.get("all") != "1" else None

    @expose("/")
    def index(self):
        month = self._month()
        days = in_month(db.session, month, self._mine())
        after, before = (month + timedelta(days=32)).replace(day=1), (month - timedelta(days=1)).replace(day=1)
        return self.render(
            "admin/inspection/calendar.html",
            month=month,
            weeks=month_days(month),
            days=days,
            mine=self._mine() is not None,
            previous=before.strftime("%Y-%m"),
            following=after.strftime("%Y-%m"),
            today=clock.today(),
            weekdays=WEEKDAYS,
            name_of=name_of,
            state_of=state_of,
        )

    @expose("/events.json")
    def events(self):
        """The month's inspections as JSON (a calendar feed): only what the guard lets the user read."""
        month = self._month()
        return {
            "month": month.strftime("%Y-%m"),
            "events": [
                {
                    "id": i.id,
                    "date": day.isoformat(),
                    "school": i.school.name,
                    "round": i.round.name,
                    "state": state_of(i),
                    "url": url_for("inspection.show", id=i.id),
                }
                for day, items in in_month(db.session, month, self._mine()).items()
                for i in items
            ],
        }

    def _place(self, round_: InspectionRound | None) -> str:
        if has_role("school_admin", "teacher"):
            return current_user.school.name
        return place_name(round_.region) if round_ is not None else place_name(current_user.region)

    @expose("/schedule.xlsx")
    def schedule_export(self):
        """The round's schedule: 日期, 学校, 县区, 督学, 同行人员, 状态."""
        round_ = round_or_404(int_arg("round"))
        rows = schedule_rows(round_inspections(db.session, round_))
        export = Export(f"检查安排_{round_.name}", self._place(round_), clock.now())
        return xlsx_response(export, [Sheet("检查安排", SCHEDULE_COLUMNS, rows)])

    @expose("/findings.xlsx")
    def findings_export(self):
        """One row per inspection (of a round, or every one the user reads): figures, items, verdict."""
        round_id = int_arg("round")
        round_ = round_or_404(round_id) if round_id is not None else None
        query = select(Inspection).join(School, School.id == Inspection.school_id)
        if round_ is not None:
            query = query.where(Inspection.round_id == round_.id)
        query = query.order_by(Inspection.scheduled_on, School.code).execution_options(yield_per=500)
        columns = [
            Column("检查轮次"),
            Column("日期", "date"),
            Column("学校"),
            Column("县区"),
            Column("督学"),
            Column("状态"),
            *[Column(label, "percent" if key in PERCENT_FIGURES else "int") for key, label in FIGURES.items()],
            *[c for label in CHECKLIST.values() for c in (Column(label), Column(f"{label}说明"))],
            Column("检查记录"),
            Column("结论"),
            Column("完成时间", "datetime"),
        ]
        rows = (findings_row(i) for i in db.session.scalars(query))
        what = f"检查结果_{round_.name}" if round_ is not None else "检查结果"
        return xlsx_response(Export(what, self._place(round_), clock.now()), [Sheet("检查结果", columns, rows)])


class SchoolInspectionView(PageView):
    """本校督学检查: the school's inspections it may see (the guard decides which), read-only."""

    roles = ("school_admin",)

    @expose("/")
    def index(self):
        rows = db.session.scalars(
            select(Inspection)
            .options(selectinload(Inspection.round))
            .order_by(Inspection.scheduled_on.desc(), Inspection.id.desc())
            .limit(100)
        ).all()
        return self.render(
            "admin/inspection/school.html",
            rows=rows,
            inspectors=inspector_names(db.session, rows),
            today=clock.today(),
            state_of=state_of,
            verdicts=VERDICTS,
            day_text=day_text,
        )


class InspectionPhotoView(PageView):
    """An inspection photo, read through the guarded session (a school sees it with its inspection)."""

    roles = READ_ROLES

    def is_visible(self) -> bool:
        return False

    @expose("/")
    def index(self):
        photo = db.session.scalar(select(InspectionPhoto).where(InspectionPhoto.id == (int_arg("id") or 0)))
        path = photo_path(photo, current_app.config["UPLOAD_DIR"]) if photo else None
        if path is None or not path.is_file():
            abort(404)
        return send_file(
            path, mimetype=photo.content_type, max_age=0, download_name=f"inspection-photo-{photo.id}{path.suffix}"
        )


@home_todo
def _inspection_todos() -> list[Todo]:
    """督学检查 for the school admin (the visible ones to come); 我的检查安排 for an inspector."""
    today = clock.today()
    if has_role("school_admin"):
        return [
            Todo(f"督学检查：{day_text(i.scheduled_on)}", url_for("my_inspections.index"))
            for i in upcoming(db.session, today)
        ]
    if has_role("inspector"):
        return [
            Todo(f"我的检查安排：{day_text(i.scheduled_on)} {i.school.name}", url_for("inspection.show", id=i.id))
            for i in upcoming(db.session, today, inspector_id=current_user.id)
        ]
    return []


def register(admin: Admin, category: str) -> None:
    """Add the inspections' pages to the console (under `category`)."""
    admin.add_view(InspectionView(Inspection, db.session, name="检查安排", category=category, endpoint="inspection"))
    admin.add_view(ScheduleView(name="检查日历", category=category, endpoint="inspection_calendar"))
    admin.add_view(SchoolInspectionView(name="本校督学检查", category=category, endpoint="my_inspections"))
    admin.add_view(InspectionPhotoView(name="检查照片", endpoint="inspection_photo"))
