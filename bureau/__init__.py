"""bureau: the back-office of a regional education bureau's teacher home-visit campaign."""
from __future__ import annotations

import logging
from pathlib import Path

from flask import Flask, render_template
from werkzeug.exceptions import HTTPException

from bureau import config as config_module
from bureau.extensions import babel, csrf, db, login_manager, migrate

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_path=str(ROOT / "instance"),
        template_folder=str(ROOT / "templates"),
    )
    app.config.update(config_module.load(app.instance_path))
    if config:
        app.config.update(config)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    babel.init_app(app, locale_selector=lambda: "zh_Hans_CN")
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "请先登录"
    login_manager.login_message_category = "info"

    import bureau.models  # noqa: F401 - every model registered before mappers configure
    from bureau.tenants.views import bp as auth_bp

    app.register_blueprint(auth_bp)

    from bureau.admin import init_admin

    init_admin(app)

    from bureau.cli import bureau_cli

    app.cli.add_command(bureau_cli)
    _error_pages(app)
    return app


def _error_pages(app: Flask) -> None:
    """Chinese error pages; a user never sees a stack trace."""
    messages = {
        400: "请求无效或页面已过期，请刷新后重试。",
        403: "您没有访问此页面的权限。",
        404: "页面或记录不存在。",
        413: "上传的文件太大。",
        500: "系统出错了，请稍后重试；问题已记录。",
    }
    for code, message in messages.items():
        app.register_error_handler(
            code,
            lambda e, c=code, m=message: (render_template("error.html", code=c, message=m), c),
        )

    @app.errorhandler(Exception)
    def _unexpected(error):
        if isinstance(error, HTTPException):
            message = messages.get(error.code, "请求无法完成。")
            return render_template("error.html", code=error.code, message=message), error.code
        logging.getLogger("bureau").exception("unhandled error")
        db.session.rollback()
        return render_template("error.html", code=500, message=messages[500]), 500
