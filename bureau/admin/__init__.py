"""The console: one Admin per app, views registered by domain, menus filtered by role."""

from __future__ import annotations

from datetime import datetime

from flask import Flask
from flask_admin import Admin
from flask_admin.model import typefmt
from flask_admin.theme import Bootstrap4Theme

from bureau import clock
from bureau.admin.base import ScopedModelView
from bureau.admin.home import HomeView
from bureau.extensions import db


def _local_time(view, value: datetime, name: str) -> str:
    return clock.local_text(value)


# Instants are stored in UTC and always shown in Beijing time.
ScopedModelView.column_type_formatters = {**typefmt.BASE_FORMATTERS, datetime: _local_time}
ScopedModelView.column_type_formatters_detail = {**typefmt.DETAIL_FORMATTERS, datetime: _local_time}


def _favicon(app: Flask) -> None:
    """The site's icon (static/favicon.ico; the pages link the SVG too), also where browsers ask
    for it without a link: /favicon.ico, before sign-in and on error pages."""
    app.add_url_rule("/favicon.ico", "favicon", lambda: app.send_static_file("favicon.ico"))


def init_admin(app: Flask) -> Admin:
    from bureau.admin.audit import AuditLogView
    from bureau.admin.checks import register as register_checks
    from bureau.admin.ledger import register as register_ledger
    from bureau.admin.org import OrgImportView, RegionView, SchoolView, UserView
    from bureau.admin.progress import register as register_progress
    from bureau.admin.visits import register as register_visits
    from bureau.audit import AuditLog
    from bureau.tenants.models import Region, School, User

    admin = Admin(
        app,
        name="大走访工作平台",
        index_view=HomeView(name="首页", template="admin/home.html"),
        theme=Bootstrap4Theme(base_template="admin/bureau_base.html", swatch="cerulean", fluid=True),
    )
    # Menu order: the daily work first, the organisation and the system last.
    register_visits(admin)
    register_progress(admin)
    register_checks(admin)
    register_ledger(admin)
    admin.add_view(SchoolView(School, db.session, name="学校", category="组织机构", endpoint="school"))
    admin.add_view(RegionView(Region, db.session, name="区域", category="组织机构", endpoint="region"))
    admin.add_view(OrgImportView(name="导入区域和学校", category="组织机构", endpoint="org_import"))
    admin.add_view(UserView(User, db.session, name="用户", category="系统", endpoint="user"))
    admin.add_view(AuditLogView(AuditLog, db.session, name="操作日志", category="系统", endpoint="audit"))
    app.extensions["bureau_admin"] = admin
    _favicon(app)
    return admin
