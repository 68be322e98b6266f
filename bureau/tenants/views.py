"""Sign-in pages and the per-request setup that puts the signed-in user's scope on the session."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo

from bureau import clock
from bureau.audit import set_actor
from bureau.extensions import db, login_manager
from bureau.tenants.guard import set_scope
from bureau.tenants.models import User
from bureau.tenants.scope import scope_for_user
from bureau.tenants.signin import SignInRefused, sign_in
from bureau.tenants.users import UserError, check_password_rule

bp = Blueprint("auth", __name__)

OPEN_ENDPOINTS = {"auth.login", "auth.logout", "auth.change_password", "static"}


class LoginForm(FlaskForm):
    username = StringField("用户名", validators=[DataRequired("请输入用户名")])
    password = PasswordField("密码", validators=[DataRequired("请输入密码")])


class PasswordForm(FlaskForm):
    current = PasswordField("当前密码", validators=[DataRequired("请输入当前密码")])
    new = PasswordField("新密码", validators=[DataRequired("请输入新密码")])
    confirm = PasswordField("确认新密码", validators=[EqualTo("new", "两次输入的新密码不一致")])


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
    return user if user is not None and user.active else None


def staff_id_for(user: User) -> int | None:
    """The staff row a teacher's login is linked to; NO_STAFF (matches nothing) if none is."""
    if user.role != "teacher":
        return None
    from bureau.visits.models import Staff
    from bureau.visits.rules import NO_STAFF

    staff_id = db.session.scalar(select(Staff.id).where(Staff.user_id == user.id))
    return staff_id if staff_id is not None else NO_STAFF


@bp.before_app_request
def scope_request() -> None:
    """Put the signed-in user's scope and name on the session before any view reads data."""
    if current_user.is_authenticated:
        set_scope(db.session, scope_for_user(current_user, staff_id_for(current_user)))
        set_actor(db.session, current_user)
        if current_user.must_change_password and request.endpoint not in OPEN_ENDPOINTS:
            return redirect(url_for("auth.change_password"))
    return None


@bp.route("/")
def home():
    return redirect(url_for("admin.index"))


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = sign_in(db.session, form.username.data, form.password.data, clock.now(),
                           request.remote_addr)
        except SignInRefused as refused:
            db.session.commit()  # keep the failed attempt: it counts towards the lockout
            flash(str(refused), "error")
            return render_template("login.html", form=form), 200
        db.session.commit()
        login_user(user)
        return redirect(_safe_next() or url_for("admin.index"))
    return render_template("login.html", form=form)


def _safe_next() -> str | None:
    target = request.args.get("next", "")
    return target if target.startswith("/") and not target.startswith("//") else None


@bp.route("/logout", methods=["POST"])
def logout():
    logout_user()
    flash("您已安全退出", "info")
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = PasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        try:
            if not user.check_password(form.current.data):
                raise UserError("当前密码不正确")
            check_password_rule(form.new.data)
        except UserError as error:
            flash(str(error), "error")
        else:
            user.set_password(form.new.data)
            user.must_change_password = False
            db.session.commit()
            flash("密码已修改", "success")
            return redirect(url_for("admin.index"))
    return render_template("password.html", form=form)
