"""The audit log as people read it: Chinese names of tables, fields and values, Beijing time, who by
name, the record's number with a link to its page, and phones masked as the viewer's lists mask them.

A page of log rows is one statement; the names it mentions (users, schools, students …) are then
loaded in one statement per kind of row, however many log rows the page holds.
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from functools import cache, cached_property

from flask import g, url_for
from flask_admin.contrib.sqla import ModelView
from flask_admin.contrib.sqla.filters import BaseSQLAFilter, FilterEqual, FilterLike
from flask_admin.model.filters import BaseDateFilter
from flask_babel import LazyString
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import inspect, select

from bureau import clock
from bureau.admin.audit_labels import COMMON_FIELDS
from bureau.admin.base import ReadOnlyView
from bureau.audit import ACTIONS, LABELS, SECRET_COLUMNS, AuditLog, label_table, table_label
from bureau.db_types import UTCDateTime
from bureau.extensions import db
from bureau.tenants.guard import current_scope
from bureau.tenants.models import Region, School, User
from bureau.visits.models import Campaign, SchoolClass, Staff, Student, Term
from bureau.visits.privacy import shown_changes

# Rows a change may point at that are shown by name; each one's str() needs no further query.
NAMED = (Region, School, User, Term, Campaign, SchoolClass, Staff, Student)
EMPTY = "—"
LIST_LINES = 6  # changes shown in the list; the details page shows them all
LIST_CHARS = 60  # of a value in the list


@cache
def _models() -> dict[str, type]:
    return {mapper.class_.__tablename__: mapper.class_ for mapper in db.Model.registry.mappers}


@cache
def _column(table: str, key: str):
    model = _models().get(table)
    return inspect(model).columns.get(key) if model is not None else None


@cache
def _reference(table: str, key: str) -> type | None:
    """The model a foreign-key field points at."""
    column = _column(table, key)
    if column is None or not column.foreign_keys:
        return None
    return _models().get(next(iter(column.foreign_keys)).column.table.name)


def _is_instant(table: str, key: str) -> bool:
    column = _column(table, key)
    return column is not None and isinstance(column.type, UTCDateTime)


def field_label(table: str, key: str) -> str:
    labels = LABELS.get(table)
    return (labels.fields.get(key) if labels else None) or COMMON_FIELDS.get(key) or key


def _columns_of(mapper, key: str) -> list[str]:
    """The stored fields a console column shows: itself, or the key of a many-to-one."""
    if key in mapper.column_attrs:
        return [key]
    if key in mapper.relationships and len(mapper.relationships[key].local_columns) == 1:
        column = next(iter(mapper.relationships[key].local_columns))
        return [mapper.get_property_by_column(column).key]
    return []


def learn_console_labels(views) -> None:
    """The console's lists name their tables, columns and choices: the audit log uses the same words
    (and these win over a domain's own, `label_table`)."""
    for view in views:
        if not isinstance(view, ModelView):
            continue
        mapper = inspect(view.model)
        labels = label_table(view.model.__tablename__)
        labels.name = str(view.name)
        for key, text in (view.column_labels or {}).items():
            for name in _columns_of(mapper, key):
                labels.fields[name] = str(text)
        for key, choices in (view.column_choices or {}).items():
            for name in _columns_of(mapper, key):
                labels.values[name] = dict(choices)


def _short(text: str, limit: int | None) -> str:
    return text if limit is None or len(text) <= limit else text[:limit] + "…"


class AuditPage:
    """One page of log rows as the viewer may read them, and every name the rows mention."""

    def __init__(self, view: AuditLogView, rows: list[AuditLog]):
        self.view = view
        role, scope = current_user.role, current_scope(db.session)
        self.changes = {
            row.id: shown_changes(row.table_name, row.changes or {}, role, scope, row.school_id) for row in rows
        }
        wanted: dict[type, set[int]] = defaultdict(set)
        for row in rows:
            if row.actor_id is not None:
                wanted[User].add(row.actor_id)
            if row.school_id is None and row.region_id is not None:
                wanted[Region].add(row.region_id)
            for key, pair in self.changes[row.id].items():
                model = _reference(row.table_name, key)
                if model in NAMED:
                    wanted[model].update(v for v in pair if isinstance(v, int) and not isinstance(v, bool))
        # Read through the guarded session: a row outside the viewer's scope stays a bare number.
        self.named = {
            model: {obj.id: obj for obj in db.session.scalars(select(model).where(model.id.in_(ids)))}
            for model, ids in wanted.items()
        }

    def _ref(self, model: type, number: int, limit: int | None) -> Markup | str:
        obj = self.named.get(model, {}).get(number)
        if obj is None:
            return f"#{number}"
        url = self.view.page_url(model.__tablename__, number)
        text = _short(str(obj), limit)
        return Markup('<a href="{}">{}</a>').format(url, text) if url else text

    def value(self, table: str, key: str, value, limit: int | None = None) -> Markup | str:
        """A stored value as people say it: 待审核, 是, 甲一区实验小学, Beijing time; — for nothing."""
        if value is None or value == "":
            return EMPTY
        labels = LABELS.get(table)
        choices = labels.values.get(key) if labels else None
        if choices is not None and not isinstance(value, dict | list):
            return str(choices.get(value, value))
        if isinstance(value, bool):
            return "是" if value else "否"
        model = _reference(table, key)
        if model is not None and isinstance(value, int):
            return self._ref(model, value, limit)
        if _is_instant(table, key) and isinstance(value, str):
            try:
                return clock.local_text(datetime.fromisoformat(value))
            except ValueError:
                pass
        text = json.dumps(value, ensure_ascii=False) if isinstance(value, dict | list) else str(value)
        return _short(text, limit)

    def lines(self, row: AuditLog, limit: int | None = None) -> list[tuple[str, Markup | str | None, Markup | str]]:
        """(field, before, after) of each change shown; before is None for a new or a removed row's value."""
        out = []
        for key, pair in self.changes[row.id].items():
            before, after = pair if isinstance(pair, list) and len(pair) == 2 else (None, pair)
            label = field_label(row.table_name, key)
            if key == "id":
                continue
            if key in SECRET_COLUMNS:
                out.append((label, None, "已修改" if row.action == "update" else "已设置"))
            elif row.action == "update":
                shown = (self.value(row.table_name, key, value, limit) for value in (before, after))
                out.append((label, *shown))
            else:
                kept = after if row.action == "insert" else before
                if kept not in (None, "", False):
                    out.append((label, None, self.value(row.table_name, key, kept, limit)))
        return out

    def actor(self, row: AuditLog) -> Markup | str:
        user = self.named.get(User, {}).get(row.actor_id)
        if user is None:  # a process (命令行), or a user outside the viewer's scope: the name as recorded
            return row.actor_name
        return Markup('<span title="用户名：{0}">{1}</span><br><small class="text-muted">{0}</small>').format(
            user.username, user.display_name or user.username
        )

    def record(self, row: AuditLog) -> Markup | str:
        if row.row_id is None:
            return table_label(row.table_name)
        text = f"{table_label(row.table_name)} #{row.row_id}"
        url = self.view.page_url(row.table_name, row.row_id) if row.action != "delete" else None
        return Markup('<a href="{}">{}</a>').format(url, text) if url else text

    def unit(self, row: AuditLog) -> str:
        if row.school is not None:
            return row.school.name
        region = self.named.get(Region, {}).get(row.region_id)
        return region.name if region is not None else ""


def _page(view: AuditLogView) -> AuditPage:
    return g.audit_page


def _changes_list(view, context, model: AuditLog, name):
    lines = _page(view).lines(model, LIST_CHARS)
    shown = [
        Markup("<div>{}：{} → {}</div>").format(label, before, after)
        if before is not None
        else Markup("<div>{}：{}</div>").format(label, after)
        for label, before, after in lines[:LIST_LINES]
    ]
    if len(lines) > LIST_LINES:
        shown.append(Markup('<div class="text-muted">…共 {} 项，见详情</div>').format(len(lines)))
    return Markup('<div class="audit-changes" style="white-space: normal; min-width: 14em">{}</div>').format(
        Markup("").join(shown)
    )


def _row(tag: str, cells) -> Markup:
    return Markup("<tr>{}</tr>").format(Markup("").join(Markup(f"<{tag}>{{}}</{tag}>").format(c) for c in cells))


def _changes_detail(view, context, model: AuditLog, name):
    """Every change: field, before and after (field and value for a new or removed row)."""
    update = model.action == "update"
    head = _row("th", ("字段", "修改前", "修改后") if update else ("字段", "内容"))
    rows = [
        _row("td", (label, before, after) if update else (label, after))
        for label, before, after in _page(view).lines(model)
    ]
    table = '<div class="table-responsive"><table class="table table-sm audit-changes">{}{}</table></div>'
    return Markup(table).format(head, Markup("").join(rows))


def _day_start(day: date) -> datetime:
    """The instant a Beijing date begins."""
    return datetime.combine(day, time(), clock.LOCAL)


class FromDay(BaseSQLAFilter, BaseDateFilter):
    """On or after a Beijing date."""

    def apply(self, query, value, alias=None):
        return query.filter(self.get_column(alias) >= _day_start(value))

    def operation(self):
        return "从（含）"


class ToDay(BaseSQLAFilter, BaseDateFilter):
    """On or before a Beijing date."""

    def apply(self, query, value, alias=None):
        return query.filter(self.get_column(alias) < _day_start(value + timedelta(days=1)))

    def operation(self):
        return "至（含）"


def _table_options() -> list[tuple[str, LazyString]]:
    """Every audited table, by its Chinese name (known once the console has been built)."""
    tables = [t.name for t in db.metadata.sorted_tables if t.name not in ("audit_log", "login_attempt", "login_lock")]
    return [(table, LazyString(table_label, table)) for table in tables]


class AuditLogView(ReadOnlyView):
    roles = ("leader", "inspector", "region_admin", "school_admin")
    column_list = ("at", "actor", "action", "record", "unit", "changes", "reason")
    column_details_list = column_list
    column_labels = {
        "at": "时间（北京时间）",
        "actor": "操作人",
        "action": "操作",
        "record": "记录",
        "unit": "单位",
        "changes": "变更内容",
        "reason": "原因",
    }
    column_choices = {"action": list(ACTIONS.items())}
    column_sortable_list = ()
    column_filters = (
        FilterEqual(AuditLog.table_name, "数据类别", options=_table_options),
        FilterEqual(AuditLog.action, "操作", options=list(ACTIONS.items())),
        FromDay(AuditLog.at, "日期"),
        ToDay(AuditLog.at, "日期"),
        FilterLike(AuditLog.actor_name, "操作人"),
    )
    column_formatters = {
        "actor": lambda v, c, m, n: _page(v).actor(m),
        "record": lambda v, c, m, n: _page(v).record(m),
        "unit": lambda v, c, m, n: _page(v).unit(m),
        "changes": _changes_list,
    }
    column_formatters_detail = {**column_formatters, "changes": _changes_detail}
    column_default_sort = ("id", True)

    @cached_property
    def _console(self) -> tuple[dict, dict]:
        """The console's views by endpoint and by table; their labels learnt once."""
        views = self.admin._views
        learn_console_labels(views)
        by_table = {v.model.__tablename__: v for v in views if isinstance(v, ModelView) and v is not self}
        return {v.endpoint: v for v in views}, by_table

    def page_url(self, table: str, number: int) -> str | None:
        """The page of a row, if there is one and the viewer may open it."""
        by_endpoint, by_table = self._console
        labels = LABELS.get(table)
        if labels is not None and labels.page is not None:
            endpoint, argument = labels.page
        elif table in by_table:
            view = by_table[table]
            if not (view.can_view_details or view.can_edit):
                return None
            endpoint, argument = f"{view.endpoint}.{'details_view' if view.can_view_details else 'edit_view'}", "id"
        else:
            return None
        view = by_endpoint.get(endpoint.split(".")[0])
        if view is None or not view.is_accessible():
            return None
        return url_for(endpoint, **{argument: number})

    def _read(self, rows: list[AuditLog]) -> None:
        self._console  # noqa: B018 - the labels are learnt before the first row is shown
        g.audit_page = AuditPage(self, rows)

    def get_list(self, *args, **kwargs):
        count, rows = super().get_list(*args, **kwargs)
        self._read(list(rows))
        return count, rows

    def get_one(self, id):
        row = super().get_one(id)
        if row is not None:
            self._read([row])
        return row
