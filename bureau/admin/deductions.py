"""扣分记录 in the console: the list of a term's deductions (a teacher's own, a school's, a scope's),
recording one (an inspector; a school's admin when the bureau allows it), a deduction's page with
its reversal and objection, its photo, and the term's export. The rules' catalogue and the
settings are in deduction_rules.py."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from flask import abort, current_app, flash, redirect, request, send_file, url_for
from flask_admin import Admin, expose
from flask_login import current_user
from sqlalchemy import or_, select
from sqlalchemy.orm import aliased

from bureau import clock
from bureau.admin.base import ALL_ROLES, PageView, Todo, attempt, home_todo, request_scope, xlsx_response
from bureau.admin.deduction_rules import register as register_rules
from bureau.admin.scoring_common import term_choice
from bureau.audit import label_table
from bureau.exports.scoring import deduction_rows, deductions_sheet, status_of
from bureau.exports.xlsx import Export
from bureau.extensions import db
from bureau.inspection.deductions import (
    MAX_INSTANCES,
    DeductionInput,
    ScoringError,
    decide_objection,
    lodge_objection,
    objection_of,
    record_deduction,
    reversal_of,
    reverse,
    rules_for,
)
from bureau.inspection.scoring_models import (
    APPLIES_TO,
    EVIDENCE_KINDS,
    OBJECTION_DECISIONS,
    Deduction,
    DeductionRule,
    Objection,
)
from bureau.inspection.scoring_rules import school_admin_may_deduct
from bureau.params import int_arg, parse_int
from bureau.tenants.models import School, place_name
from bureau.visits.models import Staff
from bureau.visits.records import MAX_PHOTO_BYTES, VisitError, prepare_photo, store_photo

PAGE = 100
SCHOOL_MATCHES = 20
EVIDENCE_PAGES = {  # where a deduction's evidence is shown: (endpoint, its id parameter)
    "phone_check": ("phone_check.check", "check"),
    "visit": ("visit.review", "id"),
    "inspection": ("inspection.show", "id"),
}

label_table(
    "deduction",
    "扣分记录",
    {
        "staff_id": "教职工",
        "term_id": "学期",
        "rule_id": "扣分细则",
        "rule_code": "细则编号",
        "rule_text": "细则内容",
        "applies_to": "适用对象",
        "points_each": "每次扣分",
        "instances": "次数",
        "points": "扣分",
        "occurred_on": "发生日期",
        "evidence_kind": "依据",
        "evidence_id": "依据编号",
        "note": "情况说明",
        "photo_path": "照片",
        "photo_type": "照片格式",
        "recorded_at": "记录时间",
        "recorded_by_id": "记录人账号",
        "recorded_by_name": "记录人",
        "recorded_by_role": "记录人角色",
        "reverses_id": "撤销的扣分",
        "reason": "撤销原因",
    },
    {"applies_to": APPLIES_TO, "evidence_kind": EVIDENCE_KINDS},
)
label_table(
    "deduction_objection",
    "扣分异议",
    {
        "deduction_id": "扣分记录",
        "text": "异议理由",
        "lodged_at": "提出时间",
        "lodged_by_id": "提出人",
        "decision": "处理结果",
        "decision_note": "处理意见",
        "decided_at": "处理时间",
        "decided_by_id": "处理人账号",
        "row_version": "修改次数",
        "decided_by_name": "处理人",
    },
    {"decision": OBJECTION_DECISIONS},
)


def may_record(school: School | None = None) -> bool:
    """An inspector records deductions; a school's admin when its bureau allows it."""
    if current_user.role == "inspector":
        return True
    if current_user.role != "school_admin":
        return False
    return school_admin_may_deduct(db.session, school or current_user.school)


def _found(deduction_id: int) -> Deduction:
    """A deduction the user may read, else 404 (another school's looks like none)."""
    deduction = db.session.scalar(select(Deduction).where(Deduction.id == deduction_id))
    if deduction is None:
        abort(404)
    return deduction


class DeductionView(PageView):
    """扣分记录: everyone reads what their scope holds (a teacher, their own)."""

    roles = ALL_ROLES

    @expose("/")
    def index(self):
        term, terms = term_choice()
        page = int_arg("page", 0, high=10_000)
        objected = request.args.get("objected") == "1"
        reversal, objection = aliased(Deduction), aliased(Objection)
        statement = (
            select(Deduction, reversal.id, objection, School.name, Staff.name)
            .join(School, School.id == Deduction.school_id)
            .outerjoin(Staff, Staff.id == Deduction.staff_id)
            .outerjoin(reversal, reversal.reverses_id == Deduction.id)
            .outerjoin(objection, objection.deduction_id == Deduction.id)
            .order_by(Deduction.recorded_at.desc(), Deduction.id.desc())
            .offset(page * PAGE)
            .limit(PAGE + 1)
        )
        if term is not None:
            statement = statement.where(Deduction.term_id == term.id)
        if objected:
            statement = statement.where(objection.id.is_not(None), objection.decision.is_(None))
        rows = db.session.execute(statement).all() if term is not None else []
        return self.render(
            "admin/scoring/deductions.html",
            rows=rows[:PAGE],
            more=len(rows) > PAGE,
            page=page,
            term=term,
            terms=terms,
            objected=objected,
            may_record=may_record() if current_user.role in ("inspector", "school_admin") else False,
            status_of=lambda entry, reversed_id: status_of(entry, reversed_id),
            decisions=OBJECTION_DECISIONS,
        )

    @expose("/new", methods=("GET", "POST"))
    def new(self):
        if current_user.role not in ("inspector", "school_admin"):
            abort(403)
        school = self._school()
        if school is None:
            return self._pick_school()
        if not may_record(school):
            abort(403)
        staff = db.session.scalars(
            select(Staff)
            .where(Staff.school_id == school.id, Staff.active.is_(True))
            .order_by(Staff.position != "班主任", Staff.name, Staff.id)
        ).all()
        rules = rules_for(db.session, school)
        form = {
            "staff": request.args.get("staff", ""),
            "rule": request.args.get("rule", ""),
            "instances": "1",
            "occurred_on": clock.today().isoformat(),
            "evidence_kind": request.args.get("evidence_kind", "note"),
            "evidence_id": request.args.get("evidence_id", ""),
            "note": "",
        }
        refusal = None
        if request.method == "POST":
            form.update({key: request.form.get(key, "").strip() for key in form})
            deduction, refusal = attempt(lambda: self._record(school, staff, rules, form), ScoringError, VisitError)
            if refusal is None:
                flash(f"已记录扣分：{deduction.rule_code}，{deduction.points} 分。", "success")
                return redirect(url_for(".item", deduction_id=deduction.id))
        return self.render(
            "admin/scoring/new.html",
            school=school,
            staff=staff,
            rules=rules,
            form=form,
            refusal=refusal,
            applies_to=APPLIES_TO,
            evidence_kinds=EVIDENCE_KINDS,
            max_photo_mb=MAX_PHOTO_BYTES // (1024 * 1024),
        )

    def _school(self) -> School | None:
        if current_user.role == "school_admin":
            return current_user.school
        school_id = int_arg("school", low=1)
        if school_id is None:
            return None
        school = db.session.scalar(select(School).where(School.id == school_id, School.active.is_(True)))
        if school is None:
            abort(404)
        return school

    def _pick_school(self):
        """An inspector first finds the school (by name or code, within the scope)."""
        words = (request.args.get("q") or "").strip()[:50]
        schools = []
        if words:
            found = or_(School.name.contains(words, autoescape=True), School.code.contains(words, autoescape=True))
            schools = db.session.scalars(
                select(School).where(School.active.is_(True), found).order_by(School.code).limit(SCHOOL_MATCHES)
            ).all()
        return self.render(
            "admin/pick_school.html",
            heading="记录扣分",
            prefix="deduction",
            words=words,
            schools=schools,
            limit=SCHOOL_MATCHES,
        )

    @staticmethod
    def _record(school: School, staff: list[Staff], rules: list[DeductionRule], form: dict) -> Deduction:
        """The form as the service's input; a choice not offered is refused like a blank one."""
        chosen_staff = next((s for s in staff if str(s.id) == form["staff"]), None)
        rule = next((r for r in rules if str(r.id) == form["rule"]), None)
        instances = parse_int(form["instances"], 1, MAX_INSTANCES)
        try:
            occurred_on = date.fromisoformat(form["occurred_on"])
        except ValueError:
            occurred_on = None
        evidence_id = parse_int(form["evidence_id"], 1)
        data = DeductionInput(
            school=school,
            staff=chosen_staff,
            rule=rule,
            instances=instances,
            occurred_on=occurred_on,
            evidence_kind=form["evidence_kind"],
            evidence_id=evidence_id,
            note=form["note"],
        )
        upload = request.files.get("photo")
        if upload is not None and upload.filename:
            photo = prepare_photo(upload.read(MAX_PHOTO_BYTES + 1), upload.filename)
            data.photo_path = store_photo(
                db.session, current_app.config["UPLOAD_DIR"], school.id, photo, prefix="deduction-"
            )
            data.photo_type = photo.content_type
        return record_deduction(db.session, data, current_user, clock.now())

    @expose("/item/<int:deduction_id>", methods=("GET", "POST"))
    def item(self, deduction_id: int):
        """A deduction: what, whom, on what evidence; its reversal; its objection and decision."""
        deduction = _found(deduction_id)
        refusal = None
        if request.method == "POST":
            action = request.form.get("action", "")
            _, refusal = attempt(lambda: self._act(deduction, action), ScoringError)
            if refusal is None:
                flash(
                    {"reverse": "已撤销这条扣分。", "object": "已提出异议，等待督学处理。"}.get(action, "已处理异议。"),
                    "success",
                )
                return redirect(url_for(".item", deduction_id=deduction_id))
            deduction = _found(deduction_id)
        reversal = reversal_of(db.session, deduction)
        original = _found(deduction.reverses_id) if deduction.reverses_id else None
        objection = objection_of(db.session, original or deduction)
        standing = not deduction.is_reversal and reversal is None
        scope = request_scope()
        own = scope.staff_id is not None and deduction.staff_id == scope.staff_id
        return self.render(
            "admin/scoring/deduction.html",
            deduction=deduction,
            reversal=reversal,
            original=original,
            objection=objection,
            status=status_of(deduction, reversal),
            evidence_url=self._evidence_url(deduction),
            may_reverse=standing and self._may_reverse(deduction),
            may_object=standing and own and current_user.role == "teacher" and objection is None,
            may_decide=current_user.role == "inspector" and objection is not None and objection.decision is None,
            refusal=refusal,
            form=request.form if refusal else {},
            evidence_kinds=EVIDENCE_KINDS,
            decisions=OBJECTION_DECISIONS,
            applies_to=APPLIES_TO,
            local_text=clock.local_text,
            place=place_name(deduction.school),
        )

    @staticmethod
    def _may_reverse(deduction: Deduction) -> bool:
        if current_user.role == "inspector":
            return True
        return deduction.recorded_by_role == "school_admin" and may_record()

    def _act(self, deduction: Deduction, action: str):
        now = clock.now()
        if action == "reverse":
            if not self._may_reverse(deduction):
                abort(403)
            return reverse(db.session, deduction, request.form.get("reason", ""), current_user, now)
        if action == "object":
            if current_user.role != "teacher":
                abort(403)
            return lodge_objection(db.session, deduction, request.form.get("text", ""), current_user, now)
        if action == "decide":
            objection = objection_of(db.session, deduction)
            if current_user.role != "inspector" or objection is None:
                abort(403)
            decision, note = request.form.get("decision", ""), request.form.get("note", "")
            return decide_objection(db.session, objection, decision, note, current_user, now)
        abort(400)

    @staticmethod
    def _evidence_url(deduction: Deduction) -> str | None:
        page = EVIDENCE_PAGES.get(deduction.evidence_kind)
        if page is None or deduction.evidence_id is None or current_user.role in ("teacher",):
            return None
        if deduction.evidence_kind == "phone_check" and current_user.role == "school_admin":
            return url_for("phone_check.index")
        return url_for(page[0], **{page[1]: deduction.evidence_id})

    @expose("/photo/<int:deduction_id>")
    def photo(self, deduction_id: int):
        deduction = _found(deduction_id)
        if not deduction.photo_path:
            abort(404)
        path = Path(current_app.config["UPLOAD_DIR"]) / deduction.photo_path
        if not path.is_file():
            abort(404)
        return send_file(
            path, mimetype=deduction.photo_type, max_age=0, download_name=f"deduction-{deduction.id}{path.suffix}"
        )

    @expose("/export.xlsx")
    def export(self):
        """The term's deductions by school and teacher, reversals shown, as the user may read them."""
        term, _ = term_choice()
        if term is None:
            abort(404)
        node = current_user.school or current_user.region
        sheet = deductions_sheet(deduction_rows(db.session, term), f"扣分明细 {term.name}")
        return xlsx_response(Export("扣分明细", place_name(node)), [sheet])


@home_todo
def _objection_todos() -> list[Todo]:
    """An inspector's objections awaiting a decision (within the scope)."""
    if current_user.role != "inspector":
        return []
    waiting = db.session.scalar(
        select(Objection.id).where(Objection.decision.is_(None)).order_by(Objection.lodged_at).limit(1)
    )
    if waiting is None:
        return []
    return [Todo("扣分异议待处理", url_for("deduction.index", objected=1), urgent=True)]


def register(admin: Admin, category: str) -> None:
    """Add the deductions and the rules' catalogue to the console (under `category`)."""
    register_rules(admin, category)
    admin.add_view(DeductionView(name="扣分记录", category=category, endpoint="deduction"))
