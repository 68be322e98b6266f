"""Console views of the home-visit campaign: roster, 包保, visit records and review, coverage."""
from __future__ import annotations

import secrets
from datetime import date, time

from flask import abort, current_app, flash, redirect, request, send_file, url_for
from flask_admin import Admin, expose
from flask_admin.actions import action
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import func, select
from wtforms import SelectField
from wtforms.validators import ValidationError

from bureau import clock
from bureau.admin.base import (
    ALL_ROLES,
    CappedAjaxLoader,
    PageView,
    ReadOnlyView,
    ScopedModelView,
    SheetImportView,
    Todo,
    home_todo,
)
from bureau.admin.visit_forms import VisitForm, visit_input
from bureau.exports.visits import coverage_sheet, missed_sheet
from bureau.exports.xlsx import xlsx_response
from bureau.extensions import db
from bureau.params import ids_of, int_arg
from bureau.tenants.guard import current_scope
from bureau.tenants.models import Region
from bureau.tenants.users import UserError, create_user
from bureau.visits.assignments import AssignmentError, hand_over, with_responsible
from bureau.visits.calendar import DateWindowError, check_campaign, check_term
from bureau.visits.coverage import LEVELS, NEXT_LEVEL, coverage_rows, current_term, missed_students, total
from bureau.visits.models import (
    ASSIGNMENT_KINDS,
    CAREGIVERS,
    EMPLOYMENT,
    FOCUS_TYPES,
    HOUSING,
    POSITIONS,
    QUESTIONS,
    VISIT_MODES,
    VISIT_STATUSES,
    VISIT_TARGETS,
    Assignment,
    Campaign,
    SchoolClass,
    Staff,
    Student,
    Term,
    Visit,
    VisitPhoto,
    VisitVersion,
    default_coverage_deadline,
)
from bureau.visits.privacy import shown_phone
from bureau.visits.records import (
    MAX_PHOTO_BYTES,
    VisitError,
    add_photos,
    photo_file,
    photo_files,
    prepare_photos,
    record_visit,
    resubmit,
    review,
)
from bureau.visits.roster import EXAMPLE, HEADERS, STAFF_EXAMPLE, STAFF_HEADERS, import_roster, import_staff

SCHOOL_ADMIN = ("school_admin",)
REGION_READERS = ("leader", "inspector", "region_admin")


def _choice(labels: dict):
    return lambda view, context, model, name: labels.get(getattr(model, name), getattr(model, name))


WEEKDAYS = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")


def _yes_no(view, context, model, name):
    value = getattr(model, name)
    return "" if value is None else ("是" if value else "否")


def _scope():
    return current_scope(db.session)


def _today() -> date:
    return clock.local(clock.now()).date()


class TermView(ScopedModelView):
    roles = ("leader", "inspector", "region_admin", "school_admin")
    write_roles = ("region_admin",)
    column_list = ("name", "start_date", "end_date")
    column_labels = {"name": "学期", "start_date": "开始日期", "end_date": "结束日期"}
    column_default_sort = ("start_date", True)
    form_columns = ("name", "start_date", "end_date")

    def on_model_change(self, form, model: Term, is_created: bool) -> None:
        # The rule the mapper event enforces on every writer, run first to show its message here.
        try:
            check_term(model.start_date, model.end_date)
        except DateWindowError as error:
            raise ValidationError(str(error)) from error


class CampaignView(ScopedModelView):
    roles = ("leader", "inspector", "region_admin", "school_admin")
    write_roles = ("region_admin",)
    column_list = ("name", "region", "term", "start_date", "end_date", "coverage_deadline",
                   "report_weekday", "report_time")
    column_labels = {"name": "活动名称", "region": "组织区域", "term": "学期", "start_date": "开始日期",
                     "end_date": "结束日期", "coverage_deadline": "全覆盖截止日期",
                     "report_weekday": "周调度截止星期", "report_time": "周调度截止时间（北京时间）"}
    column_formatters = {"report_weekday": lambda v, c, m, n: WEEKDAYS[m.report_weekday]}
    form_columns = ("name", "region", "term", "start_date", "end_date", "coverage_deadline",
                    "report_weekday", "report_time")
    form_overrides = {"report_weekday": SelectField}
    form_args = {
        "coverage_deadline": {"description": "留空则为开始日期后两个月（每个班级两个月内全覆盖）"},
        "report_weekday": {"choices": list(enumerate(WEEKDAYS)), "coerce": int, "default": 3,
                           "label": "周调度截止星期"},
        "report_time": {"description": "每周在此时刻（含）之前提交为按时，默认周四 17:00",
                        "formats": ("%H:%M", "%H:%M:%S"), "default_format": "%H:%M",
                        "default": time(17, 0)},
    }
    form_ajax_refs = {"region": CappedAjaxLoader("region", db.session, Region, fields=["name", "code"])}

    def on_model_change(self, form, model: Campaign, is_created: bool) -> None:
        if model.coverage_deadline is None and model.start_date is not None:
            model.coverage_deadline = default_coverage_deadline(model.start_date)
        try:
            check_campaign(model.start_date, model.end_date, model.term.start_date if model.term else None,
                           model.coverage_deadline)
        except DateWindowError as error:
            raise ValidationError(str(error)) from error


class SchoolClassView(ScopedModelView):
    write_roles = SCHOOL_ADMIN
    delete_roles = SCHOOL_ADMIN
    column_list = ("school", "grade", "number", "label")
    column_labels = {"school": "学校", "grade": "年级", "number": "班号", "label": "班级"}
    column_formatters = {"label": lambda v, c, m, n: str(m)}
    column_default_sort = [("grade", False), ("number", False)]
    form_columns = ("grade", "number")


class StaffView(ScopedModelView):
    write_roles = SCHOOL_ADMIN
    column_list = ("school", "name", "position", "phone", "user", "active")
    column_labels = {"school": "学校", "name": "姓名", "position": "岗位", "phone": "联系电话",
                     "user": "登录账号", "active": "在岗"}
    column_searchable_list = ("name",)
    column_filters = ("position", "active")
    column_formatters = {"active": _yes_no, "user": lambda v, c, m, n: m.user.username if m.user else ""}
    form_columns = ("name", "position", "phone", "active")
    form_overrides = {"position": SelectField}
    form_args = {"position": {"choices": [(p, p) for p in POSITIONS], "label": "岗位"}}

    @action("create_logins", "创建教师账号", "为所选教职工创建教师登录账号？初始密码只显示一次，首次登录须修改。")
    def create_logins(self, ids):
        actor = current_user._get_current_object()
        staff = db.session.scalars(select(Staff).where(Staff.id.in_(ids_of(ids)))).all()
        created = []
        try:
            for row in staff:
                if row.user_id is not None:
                    continue
                password = secrets.token_urlsafe(8)
                user = create_user(db.session, username=f"{row.school.code}-{row.id}", password=password,
                                   role="teacher", node=row.school, display_name=row.name, actor=actor,
                                   actor_scope=_scope(), must_change_password=True)
                row.user = user
                created.append(f"{row.name}：{user.username} / {password}")
        except UserError as error:
            db.session.rollback()
            flash(f"未创建任何账号：{error}", "error")
            return
        db.session.commit()
        if created:
            flash("已创建教师账号（请转告本人，首次登录须修改密码）：" + "；".join(created), "success")
        else:
            flash("所选教职工都已有账号。", "info")


def _guardian_phone(view, context, model: Student, name):
    # Teachers do not open the student list, so no row needs its responsible teacher looked up.
    return shown_phone(model.guardian_phone, current_user.role, _scope(), model.school_id, None)


def _focus(view, context, model: Student, name):
    return "、".join(label for key, label in FOCUS_TYPES.items() if getattr(model, key))


class StudentView(ScopedModelView):
    write_roles = SCHOOL_ADMIN
    column_list = ("school", "school_class", "number", "name", "sex", "guardian_name", "guardian_relation",
                   "guardian_phone", "village", "focus", "active")
    column_details_list = column_list + ("address",)
    column_labels = {"school": "学校", "school_class": "班级", "number": "学号", "name": "姓名", "sex": "性别",
                     "guardian_name": "监护人", "guardian_relation": "关系", "guardian_phone": "联系电话",
                     "address": "家庭住址", "village": "村(社区)", "focus": "重点类型", "active": "在籍",
                     **FOCUS_TYPES}
    column_searchable_list = ("number", "name", "guardian_name")
    column_filters = ("active", *FOCUS_TYPES)
    column_formatters = {"guardian_phone": _guardian_phone, "focus": _focus, "active": _yes_no}
    column_formatters_detail = column_formatters
    column_default_sort = "number"
    form_columns = ("school_class", "number", "name", "sex", "guardian_name", "guardian_relation",
                    "guardian_phone", "address", "village", *FOCUS_TYPES, "active")
    form_ajax_refs = {"school_class": CappedAjaxLoader("school_class", db.session, SchoolClass,
                                                       fields=["grade", "number"])}


class AssignmentView(ScopedModelView):
    """包保: rows are never edited; a new row hands the target over and ends the previous one."""

    write_roles = SCHOOL_ADMIN
    can_edit = False
    column_list = ("school", "kind", "target", "staff", "start_date", "end_date", "reason")
    column_labels = {"school": "学校", "kind": "类型", "target": "包保对象", "staff": "责任人",
                     "start_date": "开始日期", "end_date": "结束日期", "reason": "变更原因", "grade": "年级",
                     "school_class": "班级", "student": "学生"}
    column_formatters = {"kind": _choice(ASSIGNMENT_KINDS), "target": lambda v, c, m, n: m.target_label,
                         "end_date": lambda v, c, m, n: m.end_date or "（现任）"}
    column_filters = ("kind", "end_date")
    column_choices = {"kind": list(ASSIGNMENT_KINDS.items())}
    column_default_sort = ("id", True)
    form_columns = ("kind", "staff", "grade", "school_class", "student", "start_date", "reason")
    form_overrides = {"kind": SelectField}
    form_args = {"kind": {"choices": list(ASSIGNMENT_KINDS.items()), "label": "类型"},
                 "reason": {"description": "如：新学年安排、教师调动交接"}}
    form_ajax_refs = {
        "staff": CappedAjaxLoader("staff", db.session, Staff, fields=["name"]),
        "school_class": CappedAjaxLoader("school_class", db.session, SchoolClass, fields=["grade", "number"]),
        "student": CappedAjaxLoader("student", db.session, Student, fields=["name", "number"]),
    }

    def on_model_change(self, form, model: Assignment, is_created: bool) -> None:
        try:
            hand_over(db.session, model)
        except AssignmentError as error:
            raise ValidationError(str(error)) from error


class GapView(PageView):
    """包保缺口: students nobody answers for."""

    roles = ("school_admin", "region_admin")

    @expose("/")
    def index(self):
        stmt, staff_id = with_responsible(select(Student))
        rows = db.session.scalars(
            stmt.where(staff_id.is_(None), Student.active.is_(True))
            .order_by(Student.school_id, Student.class_id, Student.number).limit(500)).all()
        return self.render("admin/visits/gaps.html", rows=rows)


def _status(view, context, model: Visit, name):
    label = VISIT_STATUSES.get(model.status, model.status)
    if view.can_review:
        url = url_for(".review", id=model.id)
        return Markup(f'<a href="{url}">{Markup.escape(label)}（审核）</a>')
    return label


class VisitView(ReadOnlyView):
    """家访记录 for admins and region users; school admins review them (通过 / 退回)."""

    column_list = ("school", "visited_on", "target", "target_label", "visitors", "mode", "is_repeat",
                   "status", "version", "submitted_at")
    column_labels = {"school": "学校", "visited_on": "走访日期", "target": "对象类型", "target_label": "走访对象",
                     "visitors": "走访人", "mode": "方式", "is_repeat": "重复走访", "status": "状态",
                     "version": "版本", "submitted_at": "提交时间"}
    column_formatters = {"target": _choice(VISIT_TARGETS), "mode": _choice(VISIT_MODES), "status": _status,
                         "is_repeat": _yes_no, "target_label": lambda v, c, m, n: m.target_label,
                         "visitors": lambda v, c, m, n: m.visitors}
    column_filters = ("status", "mode", "target", "visited_on", "is_repeat")
    column_choices = {"status": list(VISIT_STATUSES.items()), "mode": list(VISIT_MODES.items()),
                      "target": list(VISIT_TARGETS.items())}
    column_default_sort = ("id", True)
    can_view_details = False

    @property
    def can_review(self) -> bool:
        return current_user.role == "school_admin"

    @expose("/review/", methods=("GET", "POST"))
    def review(self):
        visit = db.session.scalar(select(Visit).where(Visit.id == int_arg("id", 0)))
        if visit is None:
            abort(404)
        if request.method == "POST":
            if not self.can_review:
                abort(403)
            try:
                review(db.session, visit, current_user._get_current_object(),
                       request.form.get("decision") == "approve", request.form.get("note", ""))
            except VisitError as error:
                db.session.rollback()
                flash(str(error), "error")
            else:
                db.session.commit()
                flash(f"已{VISIT_STATUSES[visit.status]}。", "success")
                return redirect(url_for(".index_view"))
        versions = db.session.scalars(select(VisitVersion).where(VisitVersion.visit_id == visit.id)
                                      .order_by(VisitVersion.number)).all()
        return self.render("admin/visits/review.html", visit=visit, versions=versions, **_labels())


def _labels() -> dict:
    return {"modes": VISIT_MODES, "targets": VISIT_TARGETS, "statuses": VISIT_STATUSES, "questions": QUESTIONS,
            "employment": EMPLOYMENT, "caregivers": CAREGIVERS, "housing": HOUSING}


class PhotoView(PageView):
    """A visit photo, read through the guarded session: another school's photo does not exist."""

    roles = ALL_ROLES

    def is_visible(self) -> bool:
        return False

    @expose("/")
    def index(self):
        abort(404)

    @expose("/<int:photo_id>")
    def photo(self, photo_id: int):
        photo = db.session.scalar(select(VisitPhoto).where(VisitPhoto.id == photo_id))
        path = photo_file(photo, current_app.config["UPLOAD_DIR"]) if photo else None
        if path is None or not path.is_file():
            abort(404)
        # The bytes were re-encoded on upload (records.prepare_photo), so inline is safe to send.
        extension = path.suffix if path.suffix in (".jpg", ".png") else ""
        return send_file(path, mimetype=photo.content_type, max_age=0,
                         download_name=f"visit-photo-{photo.id}{extension}")


class MyVisitsView(PageView):
    """教师: record, correct and list one's own visits, on a phone."""

    roles = ("teacher",)

    def _staff(self) -> Staff | None:
        scope = _scope()
        return db.session.get(Staff, scope.staff_id) if scope and scope.staff_id else None

    @expose("/")
    def index(self):
        staff = self._staff()
        visits = db.session.scalars(select(Visit).order_by(Visit.visited_on.desc(), Visit.id.desc())
                                    .limit(100)).all() if staff else []
        return self.render("admin/visits/my_list.html", staff=staff, visits=visits, **_labels())

    @expose("/new", methods=("GET", "POST"))
    def new(self):
        return self._form(None)

    @expose("/<int:visit_id>/edit", methods=("GET", "POST"))
    def edit(self, visit_id: int):
        visit = db.session.scalar(select(Visit).where(Visit.id == visit_id))
        staff = self._staff()
        if visit is None or staff is None or visit.staff_id != staff.id:  # a companion reads it only
            abort(404)
        return self._form(visit)

    def _form(self, visit: Visit | None):
        staff = self._staff()
        if staff is None:
            flash("您的账号未关联教职工信息，请联系学校管理员。", "error")
            return redirect(url_for(".index"))
        form = VisitForm(obj=visit) if request.method == "GET" and visit else VisitForm()
        form.fill_choices(db.session, staff)
        if request.method == "GET" and visit is None:
            form.visited_on.data = _today()
        if form.validate_on_submit():
            # One more byte than allowed is enough to refuse a photo that is too big.
            uploads = [(upload.filename, upload.read(MAX_PHOTO_BYTES + 1))
                       for upload in request.files.getlist(form.photos.name) if upload and upload.filename]
            try:
                # Every photo is checked before the first file is written; files written are
                # removed again if the record, the flush or the commit fails.
                with photo_files() as written:
                    photos = prepare_photos(uploads)
                    data = visit_input(form)
                    saved = record_visit(db.session, staff, data) if visit is None else \
                        resubmit(db.session, visit, data)
                    add_photos(db.session, saved, photos, current_app.config["UPLOAD_DIR"], written)
                    db.session.commit()
            except VisitError as error:
                db.session.rollback()
                flash(str(error), "error")
            else:
                flash("走访记录已提交，等待学校审核。" + ("（该学生本学期已有走访记录，已标记为重复走访）"
                                               if saved.is_repeat else ""), "success")
                return redirect(url_for(".index"))
        return self.render("admin/visits/my_form.html", form=form, visit=visit, **_labels())


class RosterImportView(SheetImportView):
    """Upload a roster sheet: every row checked first, all written or none."""

    roles = SCHOOL_ADMIN
    title = "导入学生名册"
    help_template = "admin/visits/help_roster_import.html"
    sheet_name = "学生名册"
    headers = HEADERS
    example = EXAMPLE

    def run_import(self, stream):
        return import_roster(db.session, current_user.school, stream)


class StaffImportView(SheetImportView):
    """Upload the staff list: every row checked first, all written or none."""

    roles = SCHOOL_ADMIN
    title = "导入教职工"
    help_template = "admin/visits/help_staff_import.html"
    sheet_name = "教职工"
    headers = STAFF_HEADERS
    example = STAFF_EXAMPLE

    def run_import(self, stream):
        return import_staff(db.session, current_user.school, stream)


def _drill() -> tuple[str, dict[str, int]]:
    """The level shown and the units it lies within, from the query string."""
    scope = _scope()
    within = {lv: int_arg(lv) for lv in LEVELS if int_arg(lv)}
    default = NEXT_LEVEL.get(scope.level if scope else "school", "school")
    level = request.args.get("level", default)
    if level not in LEVELS:
        level = default
    return level, within


class CoverageView(PageView):
    """覆盖率 dashboard: a table with drill-down and bars, and the exports."""

    roles = ("leader", "inspector", "region_admin", "school_admin")
    template = "admin/visits/coverage.html"
    order = "coverage"

    def _rows(self):
        term = current_term(db.session, _today())
        if term is None:
            return None, [], "school", {}
        level, within = _drill()
        return term, coverage_rows(db.session, _scope(), term, level, _today(), within,
                                   request.args.get("order", self.order)), level, within

    @expose("/")
    def index(self):
        term, rows, level, within = self._rows()
        return self.render(self.template, term=term, rows=rows, total=total(rows), level=level,
                           within=within, next_level=NEXT_LEVEL.get(level), levels=LEVELS, focus=FOCUS_TYPES)

    @expose("/export.xlsx")
    def export(self):
        term, rows, level, _ = self._rows()
        if term is None:
            abort(404)
        return xlsx_response("覆盖率.xlsx", [coverage_sheet(rows + [total(rows)], level, f"{term.name} 覆盖率")])

    @expose("/missed.xlsx")
    def missed(self):
        term = current_term(db.session, _today())
        if term is None:
            abort(404)
        _, within = _drill()
        result = db.session.execute(missed_students(_scope(), term, within).execution_options(yield_per=500))
        return xlsx_response("漏访名单.xlsx", [missed_sheet(result, current_user.role, _scope(),
                                                         f"{term.name} 漏访名单")])


class RankingView(CoverageView):
    """The live ranking of seed 003: units by records submitted or by coverage, this term."""

    roles = REGION_READERS
    template = "admin/visits/ranking.html"
    order = "visits"


def register(admin: Admin) -> None:
    """Add the visits views to the console."""
    category = "大走访"
    admin.add_view(MyVisitsView(name="我的家访", category=category, endpoint="my_visits"))
    admin.add_view(VisitView(Visit, db.session, name="家访记录", category=category, endpoint="visit"))
    admin.add_view(CoverageView(name="覆盖率", category=category, endpoint="coverage"))
    admin.add_view(RankingView(name="实时排名", category=category, endpoint="ranking"))
    admin.add_view(PhotoView(name="走访照片", endpoint="visit_photo"))
    roster = "名册与包保"
    admin.add_view(StudentView(Student, db.session, name="学生", category=roster, endpoint="student"))
    admin.add_view(RosterImportView(name="导入学生名册", category=roster, endpoint="roster_import"))
    admin.add_view(SchoolClassView(SchoolClass, db.session, name="班级", category=roster, endpoint="school_class"))
    admin.add_view(StaffView(Staff, db.session, name="教职工", category=roster, endpoint="staff"))
    admin.add_view(StaffImportView(name="导入教职工", category=roster, endpoint="staff_import"))
    admin.add_view(AssignmentView(Assignment, db.session, name="包保安排", category=roster, endpoint="assignment"))
    admin.add_view(GapView(name="包保缺口", category=roster, endpoint="assignment_gaps"))
    admin.add_view(TermView(Term, db.session, name="学期", category=category, endpoint="term"))
    admin.add_view(CampaignView(Campaign, db.session, name="活动", category=category, endpoint="campaign"))


@home_todo
def _visit_todos() -> list[Todo]:
    """Visits awaiting the school's review, records returned to a teacher, students without 包保."""
    role, todos = current_user.role, []
    if role == "school_admin":
        pending = db.session.scalar(select(func.count(Visit.id)).where(Visit.status == "pending"))
        if pending:
            todos.append(Todo(f"{pending} 条家访记录待审核", url_for("visit.index_view")))
        stmt, staff_id = with_responsible(select(func.count(Student.id)))
        gaps = db.session.scalar(stmt.where(staff_id.is_(None), Student.active.is_(True)))
        if gaps:
            todos.append(Todo(f"{gaps} 名学生尚未落实包保教师", url_for("assignment_gaps.index")))
    if role == "teacher":
        returned = db.session.scalar(select(func.count(Visit.id)).where(Visit.status == "returned"))
        if returned:
            todos.append(Todo(f"{returned} 条家访记录被退回，请修改后重新提交", url_for("my_visits.index"),
                              urgent=True))
        todos.append(Todo("记录一次家访", url_for("my_visits.new")))
    return todos
