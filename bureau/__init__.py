"""bureau: the back-office of a regional education bureau's teacher home-visit campaign."""

from __future__ import annotations

import logging
from pathlib import Path

from flask import Flask, Response, render_template, request
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from bureau import config as config_module
from bureau.extensions import babel, csrf, db, login_manager, migrate

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: dict | None = None) -> Flask:
    app = BureauFlask(
        __name__,
        instance_path=str(ROOT / "instance"),
        template_folder=str(ROOT / "templates"),
    )
    app.config.update(config_module.load(app.instance_path))
    if config:
        app.config.update(config)
    secure = config_module.cookies_secure(app.config.get("SECURE_COOKIES"), app.debug, app.testing)
    app.config["SESSION_COOKIE_SECURE"] = app.config["REMEMBER_COOKIE_SECURE"] = secure
    if app.config.get("PROXY_COUNT"):
        # Behind N proxies the client's address and scheme are what the proxies saw, not theirs.
        count = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count)

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
    _limit_sign_in(app)
    _error_pages(app)
    app.after_request(_security_headers)
    return app


SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class BureauFlask(Flask):
    """Flask with one commit per request, made here: services flush, views never commit."""

    def dispatch_request(self):
        """After the view has answered, and inside the error handling of the request: a state-
        changing request (POST) that succeeded is committed; a read (GET) never writes and an
        error answer writes nothing, so both are rolled back. A failing commit raises here, so the
        error page replaces the answer: nobody is told of success for work that was not saved."""
        response = self.make_response(super().dispatch_request())
        if request.method in SAFE_METHODS or response.status_code >= 400:
            db.session.rollback()
        else:
            db.session.commit()
        return response


def _limit_sign_in(app: Flask) -> None:
    """A request rate per client address on POST /login, before any password is looked at.

    The database limits (bureau.tenants.signin) count wrong passwords; this caps the number of
    requests, so no address makes the server hash passwords without end. Off in tests, which
    sign in hundreds of times from 127.0.0.1, unless a test switches it on.
    """
    from flask import request
    from flask_limiter import Limiter

    from bureau.tenants.signin import client_key

    app.config.setdefault("RATELIMIT_ENABLED", not app.testing)
    limiter = Limiter(lambda: client_key(request.remote_addr), app=app, storage_uri=app.config["RATELIMIT_STORAGE_URI"])
    app.extensions["bureau_limiter"] = limiter  # the limit below holds it only weakly
    endpoint = "auth.login"
    app.view_functions[endpoint] = limiter.limit(app.config["LOGIN_RATE_LIMIT"], methods=["POST"])(
        app.view_functions[endpoint]
    )


# Scripts and styles only from this site. 'unsafe-inline' stays for both: Flask-Admin's own
# templates use inline event handlers (the delete confirmation, filters) and style attributes,
# which a nonce cannot allow; autoescaping remains the defence against injected markup.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self' 'unsafe-inline'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


def _security_headers(response: Response) -> Response:
    """On every response: pages, errors, redirects, static files, photos and exports."""
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def _error_pages(app: Flask) -> None:
    """Chinese error pages; a user never sees a stack trace."""
    messages = {
        400: "请求无效或页面已过期，请刷新后重试。",
        403: "您没有访问此页面的权限。",
        404: "页面或记录不存在。",
        413: "上传的文件太大。",
        429: "尝试过于频繁，请稍后再试。",
        500: "系统出错了，请稍后重试；问题已记录。",
    }
    for code, message in messages.items():
        app.register_error_handler(
            code,
            lambda e, c=code, m=message: (render_template("error.html", code=c, message=m), c),
        )

    from bureau.tenants.guard import TenantViolation

    @app.errorhandler(Exception)
    def _unexpected(error):
        if isinstance(error, HTTPException):
            message = messages.get(error.code, "请求无法完成。")
            return render_template("error.html", code=error.code, message=message), error.code
        db.session.rollback()
        if isinstance(error, TenantViolation):  # another tenant's row looks like a missing one
            return render_template("error.html", code=404, message=messages[404]), 404
        logging.getLogger("bureau").exception("unhandled error")
        return render_template("error.html", code=500, message=messages[500]), 500
