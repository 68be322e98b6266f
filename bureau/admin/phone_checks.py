"""电话抽查 in the console: the batches (drawn by inspectors), each batch's call list with the
guardian's phone (in full for the inspector only), a check's page where each try is recorded,
the counts per school (a batch's, or a scope's) with their export, and for a school's admin the
list of its ended checks."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_admin import Admin, expose
from flask_login import current_user
from sqlalchemy import func, select

from bureau import clock
from bureau.admin.base import READ_ROLES, REGION_READERS, PageView, attempt, form_date, request_scope, xlsx_response
from bureau.audit import label_table
from bureau.exports.phone_checks import call_sheet, summary_sheet
from bureau.exports.xlsx import Export
from bureau.extensions import db
from bureau.inspection.models import CALL_OUTCOMES, SATISFACTION, PhoneCall, PhoneCheck, PhoneCheckBatch
from bureau.inspection.phone import (
    MAX_N,
    MAX_TRIES,
    PER,
    BatchInput,
    PhoneCheckError,
    SchoolCount,
    make_batch,
    record_call,
    school_counts,
    total,
)
from bureau.inspection.sampling import DrawError
from bureau.params import int_arg
from bureau.tenants.models import Region, User, place_name
from bureau.visits.models import VISIT_MODES, Campaign, Student, Visit
from bureau.visits.privacy import call_list_phone

PAGE = 100  # checks on a page of the call list; ended checks on a page of the school's list
PER_LABELS = {"village": "每村(社区)", "school": "每校"}
STATES = {"open": "待拨打", "ended": "已结束", "all": "全部"}

label_table(
    "phone_check_batch",
    "电话抽查批次",
    {
        "name": "批次名称",
        "region_id": "抽查范围",
        "campaign_id": "活动",
        "period_start": "走访期间起",
        "period_end": "走访期间止",
        "per": "分层",
        "size_n": "每层户数",
        "allow_repeat": "允许重复抽取",
        "draw_id": "抽取记录",
        "created_by_id": "抽取人",
        "created_at": "抽取时间",
    },
    {"per": PER_LABELS},
    page=("phone_check.batch", "batch"),
)
label_table(
    "phone_check",
    "电话抽查家庭",
    {
        "batch_id": "批次",
        "student_id": "学生",
        "visit_id": "所抽查的家访",
        "outcome": "抽查结果",
        "satisfaction": "满意度",
        "remarks": "备注",
        "closed_at": "结束时间",
        "checked_by_id": "抽查人",
    },
    {"outcome": CALL_OUTCOMES, "satisfaction": SATISFACTION},
    page=("phone_check.check", "check"),
)
label_table(
    "phone_call",
    "电话抽查通话",
    {"check_id": "抽查家庭", "called_at": "通话时间", "outcome": "通话结果", "note": "备注", "called_by_id": "拨打人"},
    {"outcome": CALL_OUTCOMES},
)


def _only(*roles: str) -> None:
    if current_user.role not in roles:
        abort(403)


def _found(model, ident: int | None):
    """A row the user may read, else 404: another school's row is one that does not exist."""
    row = db.session.get(model, ident) if ident is not None else None
    if row is None:
        abort(404)
    return row


def _tries():
    """Each check's tries so far, counted in SQL (a subquery to outer-join)."""
    return select(PhoneCall.check_id, func.count().label("tries")).group_by(PhoneCall.check_id).subquery("tries_so_far")


def _call_rows(batch: PhoneCheckBatch, state: str, offset: int | None, limit: int | None):
    """The call list: each check with its family, the visit called about and the tries so far."""
    tries = _tries()
    statement = (
        select(PhoneCheck, func.coalesce(tries.c.tries, 0))
        .join(Student, Student.id == PhoneCheck.student_id)
        .outerjoin(tries, tries.c.check_id == PhoneCheck.id)
        .where(PhoneCheck.batch_id == batch.id)
        .order_by(PhoneCheck.school_id, Student.number, PhoneCheck.id)
    )
    if state == "open":
        statement = statement.where(PhoneCheck.outcome.is_(None))
    elif state == "ended":
        statement = statement.where(PhoneCheck.outcome.is_not(None))
    if offset is not None:
        statement = statement.offset(offset).limit(limit)
    visits = {}
    rows = db.session.execute(statement).all()
    ids = {check.visit_id for check, _ in rows}
    if ids:
        visits = {v.id: v for v in db.session.scalars(select(Visit).where(Visit.id.in_(ids)))}
    return [(check, tries_so_far, visits.get(check.visit_id)) for check, tries_so_far in rows]


class PhoneCheckView(PageView):
    """电话抽查: region roles read the batches and counts, inspectors draw and call; a school's admin
    reads its ended checks."""

    roles = READ_ROLES

    @expose("/")
    def index(self):
        if current_user.role == "school_admin":
            return self._school_list()
        tries = db.session.execute(
            select(
                PhoneCheck.batch_id,
                func.count(),
                func.count().filter(PhoneCheck.outcome.is_not(None)),
                func.count().filter(PhoneCheck.outcome == "contradicted"),
            ).group_by(PhoneCheck.batch_id)
        )
        progress = {batch_id: (drawn, ended, contradicted) for batch_id, drawn, ended, contradicted in tries}
        batches = db.session.scalars(select(PhoneCheckBatch).order_by(PhoneCheckBatch.id.desc())).all()
        return self.render(
            "admin/phone/index.html",
            batches=batches,
            progress=progress,
            per_labels=PER_LABELS,
            may_draw=current_user.role == "inspector",
        )

    def _school_list(self):
        """The school's ended checks, newest first (the guard hides the open ones and the calls)."""
        page = int_arg("page", 0, high=10_000)
        checks = db.session.scalars(
            select(PhoneCheck)
            .order_by(PhoneCheck.closed_at.desc(), PhoneCheck.id.desc())
            .offset(page * PAGE)
            .limit(PAGE + 1)
        ).all()
        return self.render(
            "admin/phone/school.html",
            checks=checks[:PAGE],
            page=page,
            more=len(checks) > PAGE,
            outcomes=CALL_OUTCOMES,
            satisfaction=SATISFACTION,
            local_date=lambda value: clock.local(value).date() if value else "",
        )

    @expose("/new", methods=("GET", "POST"))
    def new(self):
        _only("inspector")
        scope = request_scope()
        regions = db.session.scalars(select(Region).where(Region.id.in_(scope.regions())).order_by(Region.code)).all()
        campaigns = db.session.scalars(select(Campaign).order_by(Campaign.start_date.desc(), Campaign.id)).all()
        form = {
            "name": "",
            "region": str(scope.node_id),
            "campaign": "",
            "period_start": "",
            "period_end": "",
            "per": "village",
            "n": "",
            "allow_repeat": "",
            "seed": "",
        }
        refusal = None
        if request.method == "POST":
            form.update({key: request.form.get(key, "").strip() for key in form})
            batch, refusal = attempt(
                lambda: make_batch(db.session, self._input(form, regions, campaigns), current_user),
                PhoneCheckError,
                DrawError,
            )
            if refusal is None:
                flash(
                    f"已抽取 {batch.draw.sample_size} 户家庭（随机种子 {batch.draw.seed}），见本批次的电话抽查清单。",
                    "success",
                )
                return redirect(url_for(".batch", batch=batch.id))
        return self.render(
            "admin/phone/new.html",
            form=form,
            regions=regions,
            campaigns=campaigns,
            per_defaults=PER,
            per_labels=PER_LABELS,
            max_n=MAX_N,
            refusal=refusal,
        )

    @staticmethod
    def _input(form: dict, regions: list[Region], campaigns: list[Campaign]) -> BatchInput:
        """The form as the service's input; a choice not offered is refused like a blank one."""
        region = next((r for r in regions if str(r.id) == form["region"]), None)
        if region is None:
            raise PhoneCheckError("请选择抽查范围（本人管辖的区域）。")
        campaign = next((c for c in campaigns if str(c.id) == form["campaign"]), None)
        if form["campaign"] and campaign is None:
            raise PhoneCheckError("请选择列表中的活动。")
        n = None
        if form["n"]:
            if not (form["n"].isascii() and form["n"].isdigit() and len(form["n"]) <= 4):
                raise PhoneCheckError(f"每层抽取户数请填写 1 到 {MAX_N} 之间的整数。")
            n = int(form["n"])
        return BatchInput(
            name=form["name"],
            region=region,
            period_start=form_date(form["period_start"], "走访期间的开始日期", PhoneCheckError),
            period_end=form_date(form["period_end"], "走访期间的结束日期", PhoneCheckError),
            per=form["per"],
            n=n,
            campaign=campaign,
            allow_repeat=form["allow_repeat"] == "y",
            seed=form["seed"] or None,
        )

    @expose("/batch")
    def batch(self):
        """A batch's facts and its call list, a page at a time; the phone in full for inspectors."""
        _only(*REGION_READERS)
        batch = _found(PhoneCheckBatch, int_arg("batch", low=1))
        state = request.args.get("state", "open")
        state = state if state in STATES else "open"
        page = int_arg("page", 0, high=10_000)
        rows = _call_rows(batch, state, page * PAGE, PAGE + 1)
        return self.render(
            "admin/phone/batch.html",
            batch=batch,
            rows=rows[:PAGE],
            more=len(rows) > PAGE,
            page=page,
            state=state,
            states=STATES,
            phone=lambda check: call_list_phone(check.student.guardian_phone, current_user.role),
            modes=VISIT_MODES,
            outcomes=CALL_OUTCOMES,
            per_labels=PER_LABELS,
            max_tries=MAX_TRIES,
        )

    @expose("/check", methods=("GET", "POST"))
    def check(self):
        """One family: the visit called about, its calls so far, and (inspectors) a new call."""
        _only(*REGION_READERS)
        check_id = int_arg("check", low=1)
        check = _found(PhoneCheck, check_id)
        refusal = None
        if request.method == "POST":
            _only("inspector")
            try:
                record_call(
                    db.session,
                    check.id,
                    outcome=request.form.get("outcome", ""),
                    satisfaction=request.form.get("satisfaction"),
                    remarks=request.form.get("remarks"),
                    caller=current_user,
                    now=clock.now(),
                )
            except PhoneCheckError as error:
                db.session.rollback()
                refusal = str(error)
                check = _found(PhoneCheck, check_id)
            else:
                flash(f"已记录：{CALL_OUTCOMES[request.form['outcome']]}。", "success")
                following = db.session.scalar(
                    select(PhoneCheck.id)
                    .where(
                        PhoneCheck.batch_id == check.batch_id, PhoneCheck.outcome.is_(None), PhoneCheck.id > check.id
                    )
                    .order_by(PhoneCheck.id)
                    .limit(1)
                )
                if check.outcome is None:  # 未接通, tries left: the family stays on the list
                    return redirect(url_for(".check", check=check.id))
                if following is not None:
                    return redirect(url_for(".check", check=following))
                return redirect(url_for(".batch", batch=check.batch_id))
        calls = db.session.scalars(
            select(PhoneCall).where(PhoneCall.check_id == check.id).order_by(PhoneCall.called_at, PhoneCall.id)
        ).all()
        callers = _names({c.called_by_id for c in calls})
        return self.render(
            "admin/phone/check.html",
            check=check,
            visit=db.session.get(Visit, check.visit_id),
            calls=calls,
            callers=callers,
            phone=call_list_phone(check.student.guardian_phone, current_user.role),
            may_call=current_user.role == "inspector" and check.outcome is None,
            refusal=refusal,
            form=request.form if refusal else {},
            outcomes=CALL_OUTCOMES,
            satisfaction=SATISFACTION,
            modes=VISIT_MODES,
            max_tries=MAX_TRIES,
            local_text=clock.local_text,
        )

    @expose("/calls.xlsx")
    def calls_export(self):
        """The call list as a sheet: the phone in full only when an inspector exports it."""
        _only(*REGION_READERS)
        batch = _found(PhoneCheckBatch, int_arg("batch", low=1))
        sheet = call_sheet(_call_rows(batch, "all", None, None), current_user.role, f"电话抽查清单 {batch.name}")
        return xlsx_response(Export("电话抽查清单", place_name(batch.region)), [sheet])

    def _summary_of(self) -> tuple[Region, PhoneCheckBatch | None, list[SchoolCount]]:
        _only(*REGION_READERS)
        scope = request_scope()
        batch_id = int_arg("batch", low=1)
        if batch_id is not None:
            batch = _found(PhoneCheckBatch, batch_id)
            region = batch.region
        else:
            batch = None
            region_id = int_arg("region", scope.node_id, low=1)
            region = db.session.get(Region, region_id)
            if region is None or not scope.covers_region(region):
                abort(404)
        return region, batch, school_counts(db.session, scope, region, batch)

    @expose("/summary")
    def summary(self):
        """Per school: drawn, 属实, 不属实, 未接通, 拒访, open, and the 属实 rate among the families
        reached — every active school of the scope listed, a school with no checks too."""
        region, batch, rows = self._summary_of()
        scope = request_scope()
        regions = db.session.scalars(select(Region).where(Region.id.in_(scope.regions())).order_by(Region.code)).all()
        return self.render(
            "admin/phone/summary.html",
            region=region,
            batch=batch,
            rows=rows,
            total=total(rows, "合计"),
            regions=regions,
            place=place_name(region),
        )

    @expose("/summary.xlsx")
    def summary_export(self):
        region, batch, rows = self._summary_of()
        what = "电话抽查汇总"
        sheet = summary_sheet([*rows, total(rows, "合计")], f"{what} {batch.name}" if batch else what)
        return xlsx_response(Export(what, place_name(region)), [sheet])


def _names(user_ids: set) -> dict[int, str]:
    ids = user_ids - {None}
    if not ids:
        return {}
    users = db.session.execute(select(User.id, User.display_name, User.username).where(User.id.in_(ids)))
    return {i: display or name for i, display, name in users}


def register(admin: Admin, category: str) -> None:
    """Add the phone checks to the console (under `category`)."""
    admin.add_view(PhoneCheckView(name="电话抽查", category=category, endpoint="phone_check"))
