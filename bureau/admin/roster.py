"""Console views of a school's roster: classes, staff and their logins, students, 包保, imports."""

from __future__ import annotations

from flask import flash
from flask_admin import expose
from flask_admin.actions import action
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectField
from wtforms.validators import ValidationError

from bureau.admin.base import (
    SCHOOL_ADMIN,
    CappedAjaxLoader,
    PageView,
    ScopedModelView,
    SheetImportView,
    choice,
    request_scope,
    yes_no,
)
from bureau.admin.login_slips import slips_response
from bureau.extensions import db
from bureau.params import ids_of
from bureau.visits.assignments import AssignmentError, hand_over, without_responsible
from bureau.visits.logins import create_teacher_logins
from bureau.visits.models import (
    ASSIGNMENT_KINDS,
    FOCUS_TYPES,
    POSITIONS,
    Assignment,
    SchoolClass,
    Staff,
    Student,
)
from bureau.visits.privacy import shown_phone
from bureau.visits.roster import EXAMPLE, HEADERS, STAFF_EXAMPLE, STAFF_HEADERS, import_roster, import_staff


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
    column_labels = {
        "school": "学校",
        "name": "姓名",
        "position": "岗位",
        "phone": "联系电话",
        "user": "登录账号",
        "active": "在岗",
    }
    column_searchable_list = ("name",)
    column_filters = ("position", "active")
    column_formatters = {"active": yes_no, "user": lambda v, c, m, n: m.user.username if m.user else ""}
    form_columns = ("name", "position", "phone", "active")
    form_overrides = {"position": SelectField}
    form_args = {"position": {"choices": [(p, p) for p in POSITIONS], "label": "岗位"}}

    @action(
        "create_logins",
        "创建教师账号",
        "为所选教职工创建教师登录账号？将生成账号通知单（初始密码只显示一次，首次登录须修改）。",
    )
    def create_logins(self, ids):
        """The slip sheet is this POST's own answer: the passwords are never kept to show later."""
        staff = db.session.scalars(select(Staff).where(Staff.id.in_(ids_of(ids)))).all()
        created = create_teacher_logins(db.session, staff, request_scope())  # a refusal: see handle_action
        if created:
            return slips_response(self, created, already=len(staff) - len(created))
        flash(
            "所选教职工都已有账号，未创建新账号。初始密码只在创建时显示一次；如有遗忘，请在「用户」中重置密码。", "info"
        )
        return None


def _guardian_phone(view, context, model: Student, name):
    return shown_phone(model.guardian_phone, current_user.role, request_scope(), model.school_id)


def _focus(view, context, model: Student, name):
    return "、".join(label for key, label in FOCUS_TYPES.items() if getattr(model, key))


class StudentView(ScopedModelView):
    write_roles = SCHOOL_ADMIN
    column_list = (
        "school",
        "school_class",
        "number",
        "name",
        "sex",
        "guardian_name",
        "guardian_relation",
        "guardian_phone",
        "village",
        "focus",
        "active",
    )
    column_details_list = column_list + ("address",)
    column_labels = {
        "school": "学校",
        "school_class": "班级",
        "number": "学号",
        "name": "姓名",
        "sex": "性别",
        "guardian_name": "监护人",
        "guardian_relation": "关系",
        "guardian_phone": "联系电话",
        "address": "家庭住址",
        "village": "村(社区)",
        "focus": "重点类型",
        "active": "在籍",
        **FOCUS_TYPES,
    }
    column_searchable_list = ("number", "name", "guardian_name")
    column_filters = ("active", *FOCUS_TYPES)
    column_formatters = {"guardian_phone": _guardian_phone, "focus": _focus, "active": yes_no}
    column_formatters_detail = column_formatters
    column_default_sort = "number"
    form_columns = (
        "school_class",
        "number",
        "name",
        "sex",
        "guardian_name",
        "guardian_relation",
        "guardian_phone",
        "address",
        "village",
        *FOCUS_TYPES,
        "active",
    )
    form_ajax_refs = {
        "school_class": CappedAjaxLoader("school_class", db.session, SchoolClass, fields=["grade", "number"])
    }


class AssignmentView(ScopedModelView):
    """包保: rows are never edited; a new row hands the target over and ends the previous one."""

    write_roles = SCHOOL_ADMIN
    can_edit = False
    column_list = ("school", "kind", "target", "staff", "start_date", "end_date", "reason")
    column_labels = {
        "school": "学校",
        "kind": "类型",
        "target": "包保对象",
        "staff": "责任人",
        "start_date": "开始日期",
        "end_date": "结束日期",
        "reason": "变更原因",
        "grade": "年级",
        "school_class": "班级",
        "student": "学生",
    }
    column_formatters = {
        "kind": choice(ASSIGNMENT_KINDS),
        "target": lambda v, c, m, n: m.target_label,
        "end_date": lambda v, c, m, n: m.end_date or "（现任）",
    }
    column_filters = ("kind", "end_date")
    column_choices = {"kind": list(ASSIGNMENT_KINDS.items())}
    column_default_sort = ("id", True)
    form_columns = ("kind", "staff", "grade", "school_class", "student", "start_date", "reason")
    form_overrides = {"kind": SelectField}
    form_args = {
        "kind": {"choices": list(ASSIGNMENT_KINDS.items()), "label": "类型"},
        "reason": {"description": "如：新学年安排、教师调动交接"},
    }
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
        rows = db.session.scalars(
            without_responsible(select(Student))
            .order_by(Student.school_id, Student.class_id, Student.number)
            .limit(500)
        ).all()
        return self.render("admin/visits/gaps.html", rows=rows)


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
