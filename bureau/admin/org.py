"""Console views for regions, schools, users and the org-sheet upload (the audit log: admin/audit.py)."""

from __future__ import annotations

from flask_admin.actions import action
from wtforms import PasswordField, SelectField
from wtforms.validators import Optional, ValidationError

from bureau.admin.base import CappedAjaxLoader, ScopedModelView, SheetImportView, set_active_rows, yes_no
from bureau.extensions import db
from bureau.tenants.guard import current_scope
from bureau.tenants.models import REGION_KINDS, ROLES, STAGES, Region, School, User
from bureau.tenants.orgimport import HEADERS, OPTIONAL, import_org
from bureau.tenants.tree import region_write_error
from bureau.tenants.users import (
    check_password_rule,
    place_user,
    reset_password,
    set_active,
    user_write_error,
)


class RegionView(ScopedModelView):
    roles = ("leader", "inspector", "region_admin")
    write_roles = ("region_admin",)
    column_list = ("code", "name", "kind", "parent")
    column_labels = {"code": "代码", "name": "名称", "kind": "类型", "parent": "上级"}
    column_searchable_list = ("code", "name")
    column_filters = ("kind",)
    column_choices = {"kind": list(REGION_KINDS.items())}
    column_default_sort = "code"
    form_columns = ("code", "name", "kind", "parent")
    form_overrides = {"kind": SelectField}
    form_args = {"kind": {"choices": list(REGION_KINDS.items()), "label": "类型"}}
    form_ajax_refs = {
        "parent": CappedAjaxLoader(
            "parent", db.session, Region, fields=["name", "code"], where=Region.kind.in_(("province", "city"))
        )
    }

    def on_model_change(self, form, model: Region, is_created: bool) -> None:
        error = region_write_error(db.session, current_scope(db.session), model)
        if error:
            raise ValidationError(str(error))


class SchoolView(ScopedModelView):
    roles = ("leader", "inspector", "region_admin", "school_admin")
    write_roles = ("region_admin",)
    column_list = ("code", "name", "stage", "county", "active", "contact_name", "contact_phone")
    column_labels = {
        "code": "代码",
        "name": "名称",
        "stage": "学段",
        "county": "所属县(市、区)",
        "active": "在用",
        "address": "地址",
        "contact_name": "联系人",
        "contact_phone": "联系电话",
        "county.name": "所属县(市、区)",
    }
    column_searchable_list = ("code", "name")
    column_filters = ("stage", "active", "county.name")
    column_formatters = {"active": yes_no}
    column_default_sort = "code"
    form_columns = ("code", "name", "stage", "county", "active", "address", "contact_name", "contact_phone")
    form_overrides = {"stage": SelectField}
    form_args = {"stage": {"choices": [("", "")] + [(s, s) for s in STAGES], "label": "学段"}}
    form_ajax_refs = {
        "county": CappedAjaxLoader(
            "county", db.session, Region, fields=["name", "code"], where=Region.kind.in_(("county", "direct_county"))
        )
    }

    @action("deactivate", "停用", "确定停用所选学校？停用后不再计入以后各周的应报学校。")
    def deactivate(self, ids):
        self._set_active(ids, False)

    @action("activate", "启用", "确定启用所选学校？")
    def activate(self, ids):
        self._set_active(ids, True)

    def _set_active(self, ids, active: bool) -> None:
        set_active_rows(School, ids, active, "所学校")


def _scope_node(view, context, model: User, name):
    return model.scope_label


class UserView(ScopedModelView):
    roles = ("region_admin", "school_admin")
    write_roles = ("region_admin", "school_admin")
    column_list = ("username", "display_name", "role", "scope", "active", "must_change_password", "created_at")
    column_labels = {
        "username": "用户名",
        "display_name": "姓名",
        "role": "角色",
        "scope": "管辖范围",
        "active": "在用",
        "must_change_password": "需改密码",
        "created_at": "创建时间",
        "region": "所属区域",
        "school": "所属学校",
        "password": "密码",
    }
    column_searchable_list = ("username", "display_name")
    column_filters = ("role", "active")
    column_choices = {"role": list(ROLES.items())}
    column_formatters = {"scope": _scope_node, "active": yes_no, "must_change_password": yes_no}
    column_default_sort = ("id", True)
    form_columns = (
        "username",
        "display_name",
        "role",
        "region",
        "school",
        "password",
        "active",
        "must_change_password",
    )
    form_overrides = {"role": SelectField}
    form_args = {"role": {"choices": list(ROLES.items()), "label": "角色"}}
    form_extra_fields = {"password": PasswordField("密码（新建必填；编辑时留空表示不修改）", validators=[Optional()])}
    form_ajax_refs = {
        "region": CappedAjaxLoader("region", db.session, Region, fields=["name", "code"]),
        "school": CappedAjaxLoader("school", db.session, School, fields=["name", "code"]),
    }
    column_details_exclude_list = ("password_hash",)

    def on_model_change(self, form, model: User, is_created: bool) -> None:
        node = model.school or model.region
        if node is None:
            raise ValidationError("请选择所属区域或学校")
        place_user(model, node)
        scope = current_scope(db.session)
        error = user_write_error(db.session, scope, model)
        if error:
            raise ValidationError(error)
        if is_created:
            if not form.password.data:
                raise ValidationError("新建用户必须设置密码")
            check_password_rule(form.password.data)
            model.set_password(form.password.data)
        elif form.password.data:
            reset_password(db.session, model, form.password.data, scope)

    @action("deactivate", "停用", "确定停用所选账号？停用后无法登录。")
    def deactivate(self, ids):
        self._set_active(ids, False)

    @action("activate", "启用", "确定启用所选账号？")
    def activate(self, ids):
        self._set_active(ids, True)

    def _set_active(self, ids, active: bool) -> None:
        # set_active refuses what the actor may not do: a message, and nothing changes (handle_action).
        set_active_rows(
            User, ids, active, "个账号", lambda user, on: set_active(db.session, user, on, current_scope(db.session))
        )


class OrgImportView(SheetImportView):
    """Upload an org sheet: every row checked first, all written or none."""

    roles = ("region_admin",)
    title = "导入区域和学校"
    help_template = "admin/help_org_import.html"
    sheet_name = "区域和学校"
    headers = HEADERS + list(OPTIONAL)
    example = [
        ("360000", "示例省", "省", "", ""),
        ("360100", "示例市", "设区市", "360000", ""),
        ("360102", "示例区", "县区", "360100", ""),
        ("36010201", "示例区第一小学", "学校", "360102", "小学"),
    ]

    def run_import(self, stream):
        return import_org(db.session, stream, current_scope(db.session))
