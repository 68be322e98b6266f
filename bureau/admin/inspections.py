"""Console pages of inspection rounds (督学检查): the rounds and a round's page (draw, schedule,
publish), and the helpers the inspections' pages share (`inspection_pages`: 检查安排, 检查日历,
an inspection's findings, the school's own inspections, the exports and the home page's 待办).

Pages display what `inspection.rounds` computes and call it to write. What a school may see is
the guard's read rule (明察暗访: an unannounced inspection only from its date), never a condition
here: every read goes through the guarded session.
"""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_admin import Admin, expose
from flask_login import current_user
from sqlalchemy import select

from bureau.admin.base import (
    REGION_READERS,
    PageView,
    form_date,
    has_role,
    request_scope,
)
from bureau.audit import label_table
from bureau.extensions import db
from bureau.inspection.frames import SCHOOL_STRATA
from bureau.inspection.models import (
    INSPECTION_STATES,
    ROUND_STATES,
    STRATA,
    VERDICTS,
    Inspection,
    InspectionRound,
)
from bureau.inspection.rounds import (
    RoundError,
    RoundInput,
    create_round,
    day_text,
    draw_round,
    name_of,
    publish,
    redraw_round,
    round_inspections,
    schedule,
    size_label,
    state_label,
    state_of,
)
from bureau.params import int_arg
from bureau.tenants.models import Region, User
from bureau.tenants.scope import scope_for_user

WRITER = ("inspector",)

label_table(
    "inspection_round",
    "检查轮次",
    {
        "name": "轮次名称",
        "region_id": "检查范围",
        "start_date": "检查时段起",
        "end_date": "检查时段止",
        "per": "分层方式",
        "size_n": "每层学校数",
        "size_percent": "每层比例(%)",
        "exclude_recent": "排除近几轮已检查学校",
        "unannounced": "明察暗访",
        "state": "状态",
        "draw_id": "抽签记录",
        "published_at": "发布时间",
        "created_by_id": "创建人",
        "created_at": "创建时间",
    },
    {"per": STRATA, "state": ROUND_STATES, "unannounced": {True: "是", False: "否"}},
    page=("inspection_round.show", "id"),
)
label_table(
    "inspection",
    "督学检查",
    {
        "figures": "数据指标",
        "checklist": "检查项目",
        "notes": "检查意见",
        "completed_at": "完成时间",
        "completed_by_id": "记录人",
    },
    {"state": INSPECTION_STATES, "verdict": VERDICTS},
    page=("inspection.show", "id"),
)
label_table(
    "inspection_photo",
    "检查照片",
    {
        "inspection_id": "督学检查",
        "path": "文件",
        "content_type": "格式",
        "size": "大小（字节）",
        "uploaded_at": "上传时间",
    },
)


def may_write() -> None:
    if not has_role(*WRITER):
        abort(403)


def signed_in_user() -> User:
    return current_user._get_current_object()


def _number(value: str | None, label: str) -> int | None:
    value = (value or "").strip()
    if not value:
        return None
    if not value.isdigit() or len(value) > 6:
        raise RoundError(f"{label}须为整数。")
    return int(value)


def round_or_404(round_id: int | None) -> InspectionRound:
    """A round the guard lets the user read, else 404."""
    found = db.session.scalar(select(InspectionRound).where(InspectionRound.id == (round_id or 0)))
    if found is None:
        abort(404)
    return found


def inspection_or_404(inspection_id: int | None) -> Inspection:
    found = db.session.scalar(select(Inspection).where(Inspection.id == (inspection_id or 0)))
    if found is None:
        abort(404)
    return found


def refused(error: Exception) -> None:
    db.session.rollback()
    flash(f"未做任何修改：{error}", "error")


def _regions_in_scope() -> list[Region]:
    """The regions a round may cover: the user's own node and the regions below it."""
    scope = request_scope()
    regions = db.session.scalars(select(Region).order_by(Region.code))
    return [r for r in regions if scope.covers_region(r)]


class RoundView(PageView):
    """检查轮次: the rounds in scope, a new round, and each round's page."""

    roles = REGION_READERS

    @expose("/")
    def index(self):
        rounds = db.session.scalars(
            select(InspectionRound).order_by(InspectionRound.start_date.desc(), InspectionRound.id.desc()).limit(200)
        ).all()
        return self.render(
            "admin/inspection/rounds.html",
            rounds=rounds,
            regions=_regions_in_scope() if has_role(*WRITER) else [],
            strata={key: STRATA[key] for key in SCHOOL_STRATA},
            size_label=size_label,
            state_label=state_label,
            values=request.form,
        )

    @expose("/create", methods=("POST",))
    def create(self):
        may_write()
        form = request.form
        try:
            region_id = _number(form.get("region"), "检查范围")
            region = db.session.scalar(select(Region).where(Region.id == (region_id or 0))) if region_id else None
            by_percent = form.get("size_kind") == "percent"
            size = _number(form.get("size"), "每层抽取数量")
            data = RoundInput(
                name=form.get("name", ""),
                region=region,
                start_date=form_date(form.get("start_date"), "开始日期", RoundError),
                end_date=form_date(form.get("end_date"), "结束日期", RoundError),
                per=form.get("per", "county"),
                size_n=None if by_percent else size,
                size_percent=size if by_percent else None,
                exclude_recent=_number(form.get("exclude_recent"), "排除轮数") or 0,
                unannounced=form.get("unannounced") == "1",
            )
            round_ = create_round(db.session, data, signed_in_user())
        except RoundError as error:
            refused(error)
            return self.index()
        flash(f"已创建检查轮次「{round_.name}」，请抽取学校。", "success")
        return redirect(url_for(".show", id=round_.id))

    @expose("/round/")
    def show(self):
        round_ = round_or_404(int_arg("id"))
        rows = round_inspections(db.session, round_)
        inspectors = []
        if has_role(*WRITER):
            everyone = db.session.scalars(
                select(User).where(User.role == "inspector", User.active.is_(True)).order_by(User.display_name)
            ).all()
            scopes = {u.id: scope_for_user(u) for u in everyone}
            inspectors = {i.id: [u for u in everyone if scopes[u.id].covers_school(i.school)] for i in rows}
        return self.render(
            "admin/inspection/round.html",
            round=round_,
            rows=rows,
            inspectors=inspectors,
            can_write=has_role(*WRITER),
            size_label=size_label,
            state_label=state_label,
            state_of=state_of,
            name_of=name_of,
        )

    def _act(self, action, message: str):
        may_write()
        round_ = round_or_404(int_arg("id", source=request.values))
        try:
            action(round_)
        except RoundError as error:
            refused(error)
        else:
            flash(message, "success")
        return redirect(url_for(".show", id=round_.id))

    def _seed(self) -> str | None:
        return None if request.form.get("seed_kind") == "generate" else request.form.get("seed", "")

    @expose("/round/draw", methods=("POST",))
    def draw(self):
        return self._act(
            lambda r: draw_round(db.session, r, self._seed(), signed_in_user()), "已抽取学校，请安排督学和日期。"
        )

    @expose("/round/redraw", methods=("POST",))
    def redraw(self):
        reason = request.form.get("reason", "")
        return self._act(
            lambda r: redraw_round(db.session, r, self._seed(), reason, signed_in_user()),
            "已重新抽取，原抽取记录仍可查看。",
        )

    @expose("/round/publish", methods=("POST",))
    def publish_round(self):
        return self._act(lambda r: publish(db.session, r), "检查安排已发布。")

    @expose("/round/schedule", methods=("POST",))
    def schedule_one(self):
        """Assign one inspection's inspector, date and companions."""
        may_write()
        inspection = inspection_or_404(int_arg("inspection", source=request.form))
        form = request.form
        try:
            inspector_id = _number(form.get("inspector"), "督学")
            inspector = db.session.scalar(select(User).where(User.id == inspector_id)) if inspector_id else None
            if inspector_id and inspector is None:
                raise RoundError("请选择一名督学。")
            day = form_date(form.get("scheduled_on"), "检查日期", RoundError)
            schedule(db.session, inspection, inspector, day, form.get("companions"), signed_in_user())
        except RoundError as error:
            refused(error)
        else:
            flash(f"已安排：{inspection.school.name} {day_text(day)}。", "success")
        return redirect(url_for(".show", id=inspection.round_id) + f"#inspection-{inspection.id}")


def register(admin: Admin, category: str) -> None:
    """Add the inspection rounds' views to the console (under `category`)."""
    admin.add_view(RoundView(name="检查轮次", category=category, endpoint="inspection_round"))
    # the inspections' own pages: bureau/admin/inspection_pages.py, registered by the 督导检查 menu
