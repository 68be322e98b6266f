"""扣分细则 in the console: the catalogues a user's schools are scored by (their county's, city's
and province's), kept by each bureau's inspectors — add, change, stop using, seed 篇四's list —
and the bureau's settings (the base score, whether school admins record deductions)."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_admin import Admin, expose
from flask_login import current_user
from sqlalchemy import select

from bureau.admin.base import READ_ROLES, PageView, attempt, request_scope
from bureau.audit import label_table
from bureau.extensions import db
from bureau.inspection.deductions import RuleInput, ScoringError, save_rule, save_setting, seed_default_rules
from bureau.inspection.scoring_models import APPLIES_TO, DEFAULT_BASE, DeductionRule, ScoringSetting
from bureau.tenants.models import Region

label_table(
    "deduction_rule",
    "扣分细则",
    {
        "region_id": "制定单位",
        "code": "细则编号",
        "description": "细则内容",
        "applies_to": "适用对象",
        "points": "每次扣分",
        "active": "启用",
        "created_at": "创建时间",
    },
    {"applies_to": APPLIES_TO},
)
label_table(
    "scoring_setting",
    "量化考核设置",
    {
        "region_id": "单位",
        "base_score": "基础分",
        "school_admin_may_deduct": "允许学校管理员记录扣分",
        "updated_at": "修改时间",
        "updated_by_id": "修改人",
    },
)


def _rule_input(form) -> RuleInput:
    return RuleInput(
        code=form.get("code", ""),
        description=form.get("description", ""),
        applies_to=form.get("applies_to", ""),
        points=form.get("points", ""),
        active=form.get("active", "y") == "y",
    )


class RuleView(PageView):
    """The catalogues in scope; an inspector keeps their own region's."""

    roles = READ_ROLES

    def _region(self) -> Region:
        """The inspector's own region (the catalogue and settings they keep)."""
        if current_user.role != "inspector":
            abort(403)
        return db.session.get(Region, request_scope().node_id)

    @expose("/")
    def index(self):
        rules = db.session.scalars(
            select(DeductionRule)
            .join(Region, Region.id == DeductionRule.region_id)
            .order_by(Region.code, DeductionRule.code)
        ).all()
        settings = db.session.scalars(select(ScoringSetting)).all()
        region = db.session.get(Region, request_scope().node_id) if current_user.role == "inspector" else None
        own = next((s for s in settings if region is not None and s.region_id == region.id), None)
        return self.render(
            "admin/scoring/rules.html",
            rules=rules,
            settings=settings,
            region=region,
            own=own,
            applies_to=APPLIES_TO,
            default_base=DEFAULT_BASE,
            form={"points": "0.5", "applies_to": "teacher"},
            refusal=None,
        )

    @expose("/add", methods=("POST",))
    def add(self):
        region = self._region()
        rule, refusal = attempt(lambda: save_rule(db.session, region, _rule_input(request.form)), ScoringError)
        if refusal is None:
            flash(f"已添加细则 {rule.code}。", "success")
        else:
            flash(refusal, "error")
        return redirect(url_for(".index"))

    @expose("/seed", methods=("POST",))
    def seed(self):
        region = self._region()
        added = seed_default_rules(db.session, region)
        flash(f"已添加篇四的默认细则 {added} 条。" if added else "篇四的默认细则都已在本单位的细则中。", "success")
        return redirect(url_for(".index"))

    @expose("/settings", methods=("POST",))
    def settings(self):
        region = self._region()
        may = request.form.get("school_admin_may_deduct") == "y"
        _, refusal = attempt(
            lambda: save_setting(db.session, region, request.form.get("base_score", ""), may, current_user),
            ScoringError,
        )
        flash(refusal or "已保存量化考核设置。", "error" if refusal else "success")
        return redirect(url_for(".index"))

    @expose("/rule/<int:rule_id>", methods=("GET", "POST"))
    def rule(self, rule_id: int):
        """A rule; its bureau's inspectors change it here (recorded deductions keep their copy)."""
        rule = db.session.scalar(select(DeductionRule).where(DeductionRule.id == rule_id))
        if rule is None:
            abort(404)
        scope = request_scope()
        may_edit = current_user.role == "inspector" and scope.covers_region(rule.region)
        refusal = None
        if request.method == "POST":
            if not may_edit:
                abort(403)
            _, refusal = attempt(
                lambda: save_rule(db.session, rule.region, _rule_input(request.form), rule), ScoringError
            )
            if refusal is None:
                flash(f"已保存细则 {rule.code}。已记录的扣分不受影响。", "success")
                return redirect(url_for(".rule", rule_id=rule_id))
            rule = db.session.get(DeductionRule, rule_id)
        return self.render(
            "admin/scoring/rule.html",
            rule=rule,
            may_edit=may_edit,
            refusal=refusal,
            form=request.form if refusal else {},
            applies_to=APPLIES_TO,
        )


def register(admin: Admin, category: str) -> None:
    admin.add_view(RuleView(name="扣分细则", category=category, endpoint="deduction_rule"))
