"""Console pages of inspection rounds (督学检查): the rounds and a round's page (draw, schedule,
publish), 检查安排 as a list and as a month calendar, an inspection's page (findings), the
school's own inspections, the exports, and the 待办 they put on the home page.

Pages display what `inspection.rounds` computes and call it to write. What a school may see is
the guard's read rule (明察暗访: an unannounced inspection only from its date), never a condition
here: every read goes through the guarded session.
"""

from __future__ import annotations

from datetime import date, timedelta

from flask import abort, current_app, flash, redirect, request, send_file, url_for
from flask_admin import Admin, expose
from flask_admin.contrib.sqla.filters import FilterEqual
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select

from bureau import clock
from bureau.admin.base import (
    READ_ROLES,
    REGION_READERS,
    PageView,
    ReadOnlyView,
    Todo,
    has_role,
    home_todo,
    request_scope,
    xlsx_response,
)
from bureau.audit import label_table
from bureau.exports.xlsx import Column, Export, Sheet
from bureau.extensions import db
from bureau.inspection.frames import SCHOOL_STRATA
from bureau.inspection.models import (
    INSPECTION_STATES,
    ROUND_STATES,
    STRATA,
    VERDICTS,
    Inspection,
    InspectionPhoto,
    InspectionRound,
)
from bureau.inspection.rounds import (
    CHECKLIST,
    FIGURES,
    PERCENT_FIGURES,
    Findings,
    RoundError,
    RoundInput,
    add_photos,
    create_round,
    day_text,
    draw_round,
    figure_text,
    findings_row,
    in_month,
    inspector_names,
    live_figures,
    month_days,
    name_of,
    photo_path,
    publish,
    record_findings,
    redraw_round,
    round_inspections,
    schedule,
    schedule_rows,
    size_label,
    state_label,
    state_of,
    upcoming,
)
from bureau.params import int_arg
from bureau.tenants.models import Region, School, User, place_name
from bureau.tenants.scope import scope_for_user
from bureau.visits.records import MAX_PHOTO_BYTES, VisitError, prepare_photos

WRITER = ("inspector",)

label_table(
    "inspection_round",
    "检查轮次",
    {
        "name": "轮次名称",
        "region_id": "检查范围",
        "start_date": "检查时段起",
        "end_date": "检查时段止",
        "per": "分层方式",
        "size_n": "每层学校数",
        "size_percent": "每层比例(%)",
        "exclude_recent": "排除近几轮已检查学校",
        "unannounced": "明察暗访",
        "state": "状态",
        "draw_id": "抽签记录",
        "published_at": "发布时间",
        "created_by_id": "创建人",
        "created_at": "创建时间",
    },
    {"per": STRATA, "state": ROUND_STATES, "unannounced": {True: "是", False: "否"}},
    page=("inspection_round.show", "id"),
)
label_table(
    "inspection",
    "督学检查",
    {
        "figures": "数据指标",
        "checklist": "检查项目",
        "notes": "检查意见",
        "completed_at": "完成时间",
        "completed_by_id": "记录人",
    },
    {"state": INSPECTION_STATES, "verdict": VERDICTS},
    page=("inspection.show", "id"),
)
label_table(
    "inspection_photo",
    "检查照片",
    {
        "inspection_id": "督学检查",
        "path": "文件",
        "content_type": "格式",
        "size": "大小（字节）",
        "uploaded_at": "上传时间",
    },
)
SCHEDULE_COLUMNS = [
    Column("日期", "date"),
    Column("学校"),
    Column("县区"),
    Column("督学"),
    Column("同行人员"),
    Column("状态"),
]
WEEKDAYS = "一二三四五六日"


def _may_write() -> None:
    if not has_role(*WRITER):
        abort(403)


def _user() -> User:
    return current_user._get_current_object()


def _date(value: str | None, label: str) -> date | None:
    """A date typed in a form (YYYY-MM-DD), None when blank; a bad one is a RoundError."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise RoundError(f"{label}格式不对，请按 2026-12-01 的格式填写。") from error


def _number(value: str | None, label: str) -> int | None:
    value = (value or "").strip()
    if not value:
        return None
    if not value.isdigit() or len(value) > 6:
        raise RoundError(f"{label}须为整数。")
    return int(value)


def _round(round_id: int | None) -> InspectionRound:
    """A round the guard lets the user read, else 404."""
    found = db.session.scalar(select(InspectionRound).where(InspectionRound.id == (round_id or 0)))
    if found is None:
        abort(404)
    return found


def _inspection(inspection_id: int | None) -> Inspection:
    found = db.session.scalar(select(Inspection).where(Inspection.id == (inspection_id or 0)))
    if found is None:
        abort(404)
    return found


def _refused(error: Exception) -> None:
    db.session.rollback()
    flash(f"未做任何修改：{error}", "error")


def _regions_in_scope() -> list[Region]:
    """The regions a round may cover: the user's own node and the regions below it."""
    scope = request_scope()
    regions = db.session.scalars(select(Region).order_by(Region.code))
    return [r for r in regions if scope.covers_region(r)]


class RoundView(PageView):
    """检查轮次: the rounds in scope, a new round, and each round's page."""

    roles = REGION_READERS

    @expose("/")
    def index(self):
        rounds = db.session.scalars(
            select(InspectionRound).order_by(InspectionRound.start_date.desc(), InspectionRound.id.desc()).limit(200)
        ).all()
        return self.render(
            "admin/inspection/rounds.html",
            rounds=rounds,
            regions=_regions_in_scope() if has_role(*WRITER) else [],
            strata={key: STRATA[key] for key in SCHOOL_STRATA},
            size_label=size_label,
            state_label=state_label,
            values=request.form,
        )

    @expose("/create", methods=("POST",))
    def create(self):
        _may_write()
        form = request.form
        try:
            region_id = _number(form.get("region"), "检查范围")
            region = db.session.scalar(select(Region).where(Region.id == (region_id or 0))) if region_id else None
            by_percent = form.get("size_kind") == "percent"
            size = _number(form.get("size"), "每层抽取数量")
            data = RoundInput(
                name=form.get("name", ""),
                region=region,
                start_date=_date(form.get("start_date"), "开始日期"),
                end_date=_date(form.get("end_date"), "结束日期"),
                per=form.get("per", "county"),
                size_n=None if by_percent else size,
                size_percent=size if by_percent else None,
                exclude_recent=_number(form.get("exclude_recent"), "排除轮数") or 0,
                unannounced=form.get("unannounced") == "1",
            )
            round_ = create_round(db.session, data, _user())
        except RoundError as error:
            _refused(error)
            return self.index()
        flash(f"已创建检查轮次「{round_.name}」，请抽取学校。", "success")
        return redirect(url_for(".show", id=round_.id))

    @expose("/round/")
    def show(self):
        round_ = _round(int_arg("id"))
        rows = round_inspections(db.session, round_)
        inspectors = []
        if has_role(*WRITER):
            everyone = db.session.scalars(
                select(User).where(User.role == "inspector", User.active.is_(True)).order_by(User.display_name)
            ).all()
            scopes = {u.id: scope_for_user(u) for u in everyone}
            inspectors = {i.id: [u for u in everyone if scopes[u.id].covers_school(i.school)] for i in rows}
        return self.render(
            "admin/inspection/round.html",
            round=round_,
            rows=rows,
            inspectors=inspectors,
            can_write=has_role(*WRITER),
            size_label=size_label,
            state_label=state_label,
            state_of=state_of,
            name_of=name_of,
        )

    def _act(self, action, message: str):
        _may_write()
        round_ = _round(int_arg("id", source=request.values))
        try:
            action(round_)
        except RoundError as error:
            _refused(error)
        else:
            flash(message, "success")
        return redirect(url_for(".show", id=round_.id))

    def _seed(self) -> str | None:
        return None if request.form.get("seed_kind") == "generate" else request.form.get("seed", "")

    @expose("/round/draw", methods=("POST",))
    def draw(self):
        return self._act(lambda r: draw_round(db.session, r, self._seed(), _user()), "已抽取学校，请安排督学和日期。")

    @expose("/round/redraw", methods=("POST",))
    def redraw(self):
        reason = request.form.get("reason", "")
        return self._act(
            lambda r: redraw_round(db.session, r, self._seed(), reason, _user()), "已重新抽取，原抽取记录仍可查看。"
        )

    @expose("/round/publish", methods=("POST",))
    def publish_round(self):
        return self._act(lambda r: publish(db.session, r), "检查安排已发布。")

    @expose("/round/schedule", methods=("POST",))
    def schedule_one(self):
        """Assign one inspection's inspector, date and companions."""
        _may_write()
        inspection = _inspection(int_arg("inspection", source=request.form))
        form = request.form
        try:
            inspector_id = _number(form.get("inspector"), "督学")
            inspector = db.session.scalar(select(User).where(User.id == inspector_id)) if inspector_id else None
            if inspector_id and inspector is None:
                raise RoundError("请选择一名督学。")
            day = _date(form.get("scheduled_on"), "检查日期")
            schedule(db.session, inspection, inspector, day, form.get("companions"), _user())
        except RoundError as error:
            _refused(error)
        else:
            flash(f"已安排：{inspection.school.name} {day_text(day)}。", "success")
        return redirect(url_for(".show", id=inspection.round_id) + f"#inspection-{inspection.id}")


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
        inspection = _inspection(int_arg("id"))
        now = clock.now()
        if request.method == "POST":
            _may_write()
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
            record_findings(db.session, inspection, findings, _user(), now, complete=complete)
        except (RoundError, VisitError) as error:
            _refused(error)
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
        round_ = _round(int_arg("round"))
        rows = schedule_rows(round_inspections(db.session, round_))
        export = Export(f"检查安排_{round_.name}", self._place(round_), clock.now())
        return xlsx_response(export, [Sheet("检查安排", SCHEDULE_COLUMNS, rows)])

    @expose("/findings.xlsx")
    def findings_export(self):
        """One row per inspection (of a round, or every one the user reads): figures, items, verdict."""
        round_id = int_arg("round")
        round_ = _round(round_id) if round_id is not None else None
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
            select(Inspection).order_by(Inspection.scheduled_on.desc(), Inspection.id.desc()).limit(100)
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
    """Add the inspection rounds' views to the console (under `category`)."""
    admin.add_view(RoundView(name="检查轮次", category=category, endpoint="inspection_round"))
    admin.add_view(InspectionView(Inspection, db.session, name="检查安排", category=category, endpoint="inspection"))
    admin.add_view(ScheduleView(name="检查日历", category=category, endpoint="inspection_calendar"))
    admin.add_view(SchoolInspectionView(name="本校督学检查", category=category, endpoint="my_inspections"))
    admin.add_view(InspectionPhotoView(name="检查照片", endpoint="inspection_photo"))
