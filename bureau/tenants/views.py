"""Sign-in pages and the per-request setup that puts the signed-in user's scope on the session."""

from __future__ import annotations

import re

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
from bureau.tenants.signin import (
    SignInRefused,
    change_own_password,
    due_for_pruning,
    prune_attempts,
    reserve_attempt,
    safe_next,
    signed_in_user,
    verify_attempt,
)
from bureau.tenants.users import UserError

bp = Blueprint("auth", __name__)

OPEN_ENDPOINTS = {"auth.login", "auth.logout", "auth.change_password", "static"}


class LoginForm(FlaskForm):
    username = StringField("用户名", validators=[DataRequired("请输入用户名")])
    password = PasswordField("密码", validators=[DataRequired("请输入密码")])


class PasswordForm(FlaskForm):
    current = PasswordField("当前密码", validators=[DataRequired("请输入当前密码")])
    new = PasswordField("新密码", validators=[DataRequired("请输入新密码")])
    confirm = PasswordField("确认新密码", validators=[EqualTo("new", "两次输入的新密码不一致")])


SESSION_ID = re.compile(r"([0-9]{1,9}):(.+)")


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """The user of a cookie "id:token", only while the token is the user's current one."""
    match = SESSION_ID.fullmatch(session_id)
    user = db.session.get(User, int(match.group(1))) if match else None
    if user is None or not user.active or not user.has_session_token(match.group(2)):
        return None
    return user


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
        if current_user.is_authenticated:  # signing in as someone else: drop the old user's scope,
            logout_user()  # which would hide the new user's row from the lookup
            set_scope(db.session, None)
        now = clock.now()
        try:
            attempt = reserve_attempt(db.session, form.username.data, request.remote_addr, now)
            # The one commit a view makes: the reservation is its own transaction, so it counts
            # for concurrent attempts before the slow check (the request commits the outcome).
            db.session.commit()
            user = signed_in_user(db.session, attempt, form.password.data)
        except SignInRefused as refused:
            flash(str(refused), "error")
            return render_template("login.html", form=form), 200
        login_user(user)
        if due_for_pruning(attempt):
            prune_attempts(db.session, now)
        return redirect(safe_next(request.args.get("next")) or url_for("admin.index"))
    return render_template("login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    if current_user.is_authenticated:
        current_user.end_sessions()  # a copy of this browser's cookie stops working too
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
            # The current password is a password guess like any other: same limits.
            attempt = reserve_attempt(db.session, user.username, request.remote_addr, clock.now())
            db.session.commit()  # the reservation's own transaction, as in login()
            if verify_attempt(db.session, attempt, form.current.data) is None:
                raise UserError("当前密码不正确")
            change_own_password(user, form.new.data)
        except (SignInRefused, UserError) as error:
            flash(str(error), "error")  # the request keeps the attempt's outcome, nothing else changed
        else:
            db.session.flush()  # the change ends every session: the flush gives the user a new token
            login_user(user)  # this session goes on with it
            flash("密码已修改", "success")
            return redirect(url_for("admin.index"))
    return render_template("password.html", form=form)
