"""The console's base views: role-based access, Chinese defaults, no whole-table counts.

Tenant scoping is not done here: the tenant guard filters every query these views run.
"""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from flask import Response, abort, flash, redirect, request, send_file, url_for
from flask_admin import BaseView, expose
from flask_admin.contrib.sqla import ModelView
from flask_admin.contrib.sqla.ajax import QueryAjaxModelLoader
from flask_admin.helpers import get_redirect_target
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import HTTPException

from bureau.exports.xlsx import Column, Export, Sheet, write_workbook
from bureau.extensions import db
from bureau.params import check_request_ints, ids_of, parse_int
from bureau.sheets import SheetError
from bureau.tenants.guard import TenantViolation, current_scope
from bureau.tenants.scope import Scope
from bureau.tenants.users import UserError
from bureau.visits.assignments import AssignmentError
from bureau.visits.calendar import DateWindowError
from bureau.visits.records import VisitError

# A service's refusal of a change: its message is for the user, and nothing was changed.
REFUSALS = (UserError, VisitError, AssignmentError, DateWindowError)

AJAX_LIMIT = 20
ALL_ROLES = ("leader", "inspector", "region_admin", "school_admin", "teacher")
READ_ROLES = ("leader", "inspector", "region_admin", "school_admin")
REGION_READERS = ("leader", "inspector", "region_admin")
SCHOOL_ADMIN = ("school_admin",)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def has_role(*roles: str) -> bool:
    return current_user.is_authenticated and current_user.role in roles


def request_scope() -> Scope | None:
    """The signed-in user's scope, set on the session for this request."""
    return current_scope(db.session)


def xlsx_response(export: Export, sheets: Iterable[Sheet]) -> Response:
    """A download of the workbook named and titled by `export`; written to a temporary file, then
    streamed to the client."""
    handle = tempfile.NamedTemporaryFile(suffix=".xlsx", delete=False)  # noqa: SIM115
    try:
        handle.close()
        write_workbook(handle.name, sheets, export)
        stream = open(handle.name, "rb")  # noqa: SIM115 - closed by the response
    finally:
        os.unlink(handle.name)  # the open stream keeps the data until it is closed
    return send_file(stream, mimetype=XLSX, as_attachment=True, download_name=export.filename, max_age=0)


def form_date(text: str | None, label: str, refusal: type[Exception]) -> date | None:
    """A date typed in a form (YYYY-MM-DD): None when blank; a bad one raises `refusal` (the
    page's service error) with the message the form shows."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise refusal(f"{label}格式应为 2026-11-01。") from None


def attempt(call: Callable[[], object], *refusals: type[Exception]) -> tuple[object, str | None]:
    """Run a page's write: (its result, None), or — refused by one of `refusals` — (None, the
    message for the form) after a rollback, so nothing is written. A row outside the user's
    scope (the guard's refusal) answers 404, as a row that does not exist."""
    try:
        return call(), None
    except refusals as error:
        db.session.rollback()
        return None, str(error)
    except TenantViolation:
        db.session.rollback()
        abort(404)


class RoleAccess:
    """Who may open a view. Anonymous users are sent to sign in; others get 403."""

    roles: tuple[str, ...] = READ_ROLES

    def is_accessible(self) -> bool:
        return has_role(*self.roles)

    def _handle_view(self, name, **kwargs):
        """Before any view method: the role check, then every integer parameter checked."""
        refused = super()._handle_view(name, **kwargs)
        if refused is None:
            check_request_ints(route_args=kwargs)
        return refused

    def inaccessible_callback(self, name, **kwargs):
        if not current_user.is_authenticated:
            return redirect(url_for("auth.login", next=request.full_path))
        abort(403)


def choice(labels: dict):
    """A list column shown by its label (a code's Chinese name)."""
    return lambda view, context, model, name: labels.get(getattr(model, name), getattr(model, name))


def yes_no(view, context, model, name) -> str:
    """A yes/no column: 是 / 否, blank when not answered."""
    value = getattr(model, name)
    return "" if value is None else ("是" if value else "否")


class CappedAjaxLoader(QueryAjaxModelLoader):
    """A relation picker: at most AJAX_LIMIT rows whatever the client asks, optional `where`."""

    def __init__(self, name, session, model, where=None, **options):
        options.setdefault("page_size", AJAX_LIMIT)
        options.setdefault("placeholder", "输入名称或代码搜索")
        super().__init__(name, session, model, **options)
        self.where = where

    def get_query(self):
        query = super().get_query()
        return query if self.where is None else query.filter(self.where)

    def get_list(self, term: str, offset: int = 0, limit: int = AJAX_LIMIT):
        return super().get_list(term or "", max(offset or 0, 0), min(max(limit or 1, 1), AJAX_LIMIT))


class ScopedModelView(RoleAccess, ModelView):
    """Every console list: scoped by the guard, paged without COUNT(*), editable by `write_roles`."""

    write_roles: tuple[str, ...] = ()
    delete_roles: tuple[str, ...] = ()
    simple_list_pager = True
    page_size = 50
    can_set_page_size = False
    can_view_details = True
    can_export = False
    details_modal = False
    create_modal = False
    edit_modal = False

    @property
    def can_create(self) -> bool:
        return has_role(*self.write_roles)

    @property
    def can_edit(self) -> bool:
        return has_role(*self.write_roles)

    @property
    def can_delete(self) -> bool:
        return has_role(*self.delete_roles)

    def get_one(self, id):
        """A record by id; an id that is no valid number is simply not found."""
        number = parse_int(id, 1)
        return None if number is None else super().get_one(str(number))

    def is_action_allowed(self, name: str) -> bool:
        """Bulk actions are edits (or deletes): offered only to those who may make them."""
        allowed = self.can_delete if name == "delete" else self.can_edit
        return allowed and super().is_action_allowed(name)

    def handle_action(self, return_view=None):
        """A bulk action is all or nothing: a refusal (a service's or the tenant guard's, flushed
        here inside the action) becomes a message and nothing changes, never a server error."""
        try:
            response = super().handle_action(return_view)
            db.session.flush()
        except HTTPException:
            raise
        except Exception as refused:  # noqa: BLE001 - handle_view_exception sorts and logs them
            db.session.rollback()
            self.handle_view_exception(refused)
            return redirect(get_redirect_target() or self.get_url(".index_view"))
        return response

    def handle_view_exception(self, exc: Exception) -> bool:
        """Refusals become Chinese messages; another tenant's row reads as missing."""
        if isinstance(exc, TenantViolation):
            flash("记录不存在。", "error")
            return True
        if isinstance(exc, REFUSALS):
            flash(f"未做任何修改：{exc}", "error")
            return True
        if isinstance(exc, SheetError):
            for error in exc.errors:
                flash(str(error), "error")
            return True
        if isinstance(exc, IntegrityError):
            flash("保存失败：代码或名称与已有记录重复，或缺少必填项。", "error")
            return True
        if super().handle_view_exception(exc):
            return True
        logging.getLogger("bureau").exception("console action failed")
        flash("操作失败，请稍后重试；问题已记录。", "error")
        return True


def set_active_rows(model, ids, active: bool, noun: str, switch=None) -> None:
    """停用 / 启用 the rows of a bulk action: `switch(row, active)` (default: the flag itself)."""
    rows = db.session.scalars(select(model).where(model.id.in_(ids_of(ids)))).all()
    for row in rows:
        if switch is None:
            row.active = active
        else:
            switch(row, active)
    db.session.flush()  # a refusal of the guard shows before any success is announced
    flash(f"已{'启用' if active else '停用'} {len(rows)} {noun}。", "success")


class ReadOnlyView(ScopedModelView):
    """A list nobody edits from the console (the audit log, derived records)."""

    can_create = False
    can_edit = False
    can_delete = False


@dataclass(frozen=True)
class Todo:
    """One line of the home page's 待办: what needs doing, and where."""

    text: str
    url: str
    urgent: bool = False


_todo_sources: list[Callable[[], list[Todo]]] = []


def home_todo(source: Callable[[], list[Todo]]):
    """Register a source of 待办 for the signed-in user (each domain adds its own; keep it cheap)."""
    _todo_sources.append(source)
    return source


def current_todos() -> list[Todo]:
    """The signed-in user's 待办, from every registered source (shown on the home page)."""
    return [todo for source in _todo_sources for todo in source()]


class PageView(RoleAccess, BaseView):
    """A console page of our own (imports, dashboards)."""


class SheetImportView(PageView):
    """An upload page for an all-or-nothing .xlsx import, with its template to download.

    A subclass names its sheet and runs the import service in `run_import`, which raises
    SheetError with every bad row and column, or returns a result with a `summary()`.
    """

    title = ""
    help_template = ""  # explains the columns, included in the page
    sheet_name = ""
    headers: list[str] = []
    example: list[tuple] = []

    def run_import(self, stream):
        raise NotImplementedError

    @expose("/", methods=("GET", "POST"))
    def index(self):
        refused = None
        if request.method == "POST":
            upload = request.files.get("file")
            if upload is None or not upload.filename:
                flash("请选择要上传的 .xlsx 文件。", "error")
            else:
                try:
                    result = self.run_import(upload.stream)
                except SheetError as error:
                    db.session.rollback()
                    refused = error
                else:
                    flash(f"导入成功：{result.summary()}。", "success")
        # At most MAX_SHOWN_ERRORS lines, and the total: a refused sheet never makes a huge page.
        return self.render("admin/sheet_import.html", refused=refused, view=self)

    @expose("/template.xlsx")
    def template(self):
        sheet = Sheet(self.sheet_name, [Column(h) for h in self.headers], self.example)
        return xlsx_response(Export(f"{self.sheet_name}导入模板", title_line=False), [sheet])
