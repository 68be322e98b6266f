"""通报 in the console: the list (a region's notices, drafts marked; for a school, the published
notices that name it — the guard decides which), an inspector's new draft composed from the
figures, a notice's page (its text, its figures, the schools it names; for an inspector and a
draft, the edit form and 发布), a page to print and the notice as .xlsx, built from what the
notice stores."""

from __future__ import annotations

from datetime import timedelta

from flask import abort, flash, redirect, request, url_for
from flask_admin import Admin, expose
from flask_login import current_user
from sqlalchemy import select

from bureau import clock
from bureau.admin.base import (
    ALL_ROLES,
    PageView,
    Todo,
    attempt,
    form_date,
    home_todo,
    request_scope,
    xlsx_response,
)
from bureau.audit import label_table
from bureau.exports.notices import figure_rows, notice_sheets, paragraphs, section_title
from bureau.exports.xlsx import Export
from bureau.extensions import db
from bureau.inspection.notices import (
    LOWEST,
    MAX_LOWEST,
    SECTIONS,
    NoticeError,
    NoticeInput,
    create_notice,
    edit_notice,
    named_schools,
    publish_notice,
)
from bureau.inspection.scoring_models import NOTICE_STATES, Notice
from bureau.inspection.survey_rates import DEFAULT_THRESHOLD
from bureau.params import int_arg
from bureau.tenants.models import Region, place_name
from bureau.visits.models import Term

PAGE = 50  # notices on a page of the list

label_table(
    "notice",
    "通报",
    {
        "region_id": "通报范围",
        "term_id": "学期",
        "period_start": "通报期间起",
        "period_end": "通报期间止",
        "title": "标题",
        "body": "正文",
        "figures": "通报数据",
        "state": "状态",
        "created_at": "起草时间",
        "created_by_id": "起草人",
        "published_at": "发布时间",
        "published_by_name": "发布人",
    },
    {"state": NOTICE_STATES},
    page=("notice.item", "notice_id"),
)
label_table("notice_school", "通报点名学校", {"notice_id": "通报", "school_id": "学校", "reasons": "点名原因"})


def _only(*roles: str) -> None:
    if current_user.role not in roles:
        abort(403)


def _found(notice_id: int) -> Notice:
    """A notice the user may read, else 404 (selected, so the guard's criteria apply)."""
    notice = db.session.scalar(select(Notice).where(Notice.id == notice_id))
    if notice is None:
        abort(404)
    return notice


def _may_write(notice: Notice) -> bool:
    """An inspector of the notice's region, while it is a draft (the guard's rule, for the page)."""
    scope = request_scope()
    return (
        current_user.role == "inspector"
        and notice.state == "draft"
        and scope is not None
        and scope.covers_region(notice.region)
    )


def _sections(notice: Notice) -> list[tuple[str, str, list[list]]]:
    """Each section of the stored figures: (key, heading, rows as on the page and in the file)."""
    figures = notice.figures or {}
    return [(key, section_title(figures, key), figure_rows(figures, key)) for key in SECTIONS]


class NoticeView(PageView):
    """通报: region users read their scope's notices, inspectors compose, edit and publish them;
    a school's users read the published ones that name the school."""

    roles = ALL_ROLES

    @expose("/")
    def index(self):
        page = int_arg("page", 0, high=10_000)
        notices = db.session.scalars(
            select(Notice).order_by(Notice.created_at.desc(), Notice.id.desc()).offset(page * PAGE).limit(PAGE + 1)
        ).all()
        return self.render(
            "admin/notice/index.html",
            notices=notices[:PAGE],
            page=page,
            more=len(notices) > PAGE,
            may_compose=current_user.role == "inspector",
            school_user=current_user.school_id is not None,
            states=NOTICE_STATES,
            local_text=clock.local_text,
        )

    @expose("/new", methods=("GET", "POST"))
    def new(self):
        _only("inspector")
        scope = request_scope()
        regions = db.session.scalars(select(Region).where(Region.id.in_(scope.regions())).order_by(Region.code)).all()
        terms = db.session.scalars(select(Term).order_by(Term.start_date.desc(), Term.id.desc())).all()
        today = clock.today()
        current = next((t for t in terms if t.start_date <= today <= t.end_date), terms[0] if terms else None)
        form = {
            "region": str(scope.node_id),
            "term": str(current.id) if current else "",
            "period_start": "",
            "period_end": "",
            "lowest": str(LOWEST),
            "threshold": str(DEFAULT_THRESHOLD),
            "title": "",
        }
        refusal = None
        if request.method == "POST":
            form.update({key: request.form.get(key, "").strip() for key in form})
            notice, refusal = attempt(
                lambda: create_notice(db.session, scope, _input(form, regions, terms), current_user), NoticeError
            )
            if refusal is None:
                flash("已按当前数据生成通报草稿。请核对、修改正文后发布；发布后不能再修改。", "success")
                return redirect(url_for(".item", notice_id=notice.id))
        return self.render(
            "admin/notice/new.html",
            form=form,
            regions=regions,
            terms=terms,
            refusal=refusal,
            max_lowest=MAX_LOWEST,
            sections=SECTIONS,
        )

    @expose("/item/<int:notice_id>", methods=("GET", "POST"))
    def item(self, notice_id: int):
        notice = _found(notice_id)
        form = {"title": notice.title, "body": notice.body}
        refusal = None
        if request.method == "POST":
            _only("inspector")
            scope = request_scope()
            if scope is None or not scope.covers_region(notice.region):
                abort(403)  # a notice of a region above: read, never written
            action = request.form.get("action", "")
            if action == "save":
                body = request.form.get("body", "").replace("\r\n", "\n")  # a browser's textarea sends CRLF
                form = {"title": request.form.get("title", ""), "body": body}
                _, refusal = attempt(lambda: edit_notice(db.session, notice, form["title"], form["body"]), NoticeError)
                done = "已保存通报草稿。"
            elif action == "publish":
                _, refusal = attempt(lambda: publish_notice(db.session, notice, current_user, clock.now()), NoticeError)
                done = "通报已发布，被点名的学校现在可以看到。"
            else:
                abort(400)
            if refusal is None:
                flash(done, "success")
                return redirect(url_for(".item", notice_id=notice_id))
            notice = _found(notice_id)  # as stored: the refused change was rolled back
            if notice.state != "draft":
                form = {"title": notice.title, "body": notice.body}
        return self.render(
            "admin/notice/notice.html",
            notice=notice,
            place=place_name(notice.region),
            states=NOTICE_STATES,
            sections=_sections(notice),
            named=named_schools(db.session, notice),
            may_write=_may_write(notice),
            form=form,
            refusal=refusal,
            local_text=clock.local_text,
        )

    @expose("/print/<int:notice_id>")
    def print_view(self, notice_id: int):
        notice = _found(notice_id)
        published = clock.local(notice.published_at).date() if notice.published_at else None
        return self.render(
            "admin/notice/print.html",
            notice=notice,
            place=place_name(notice.region),
            paragraphs=paragraphs(notice),
            sections=_sections(notice),
            published=f"{published:%Y年%-m月%-d日}" if published else "",
        )

    @expose("/export/<int:notice_id>")
    def export(self, notice_id: int):
        """The notice as stored: its text and the figures it was composed from, never recomputed."""
        notice = _found(notice_id)
        what = "通报" if notice.state == "published" else "通报（草稿）"
        export = Export(what, place_name(notice.region), notice.published_at)
        return xlsx_response(export, notice_sheets(notice, named_schools(db.session, notice)))


def _input(form: dict, regions: list[Region], terms: list[Term]) -> NoticeInput:
    """The form as the service's input; a choice not offered is refused like a blank one."""
    region = next((r for r in regions if str(r.id) == form["region"]), None)
    if region is None:
        raise NoticeError("请选择通报范围（本人管辖的区域）。")
    term = next((t for t in terms if str(t.id) == form["term"]), None)
    if form["term"] and term is None:
        raise NoticeError("请选择列表中的学期。")
    return NoticeInput(
        region=region,
        term=term,
        period_start=form_date(form["period_start"], "通报期间的开始日期", NoticeError),
        period_end=form_date(form["period_end"], "通报期间的结束日期", NoticeError),
        title=form["title"],
        lowest=_whole(form["lowest"], f"排名靠后的学校数请填写 1 到 {MAX_LOWEST}。"),
        threshold=_whole(form["threshold"], "满意度标准请填写 1 到 100 之间的百分数。"),
    )


def _whole(text: str, message: str) -> int:
    if not (text.isascii() and text.isdigit() and len(text) <= 4):
        raise NoticeError(message)
    return int(text)


RECENT_DAYS = 30  # a school's 待办 lists the notices naming it published this many days back


@home_todo
def _notice_todos() -> list[Todo]:
    """A school's users: the notices published in the last RECENT_DAYS days that name the school
    (the guard shows a school only those)."""
    if current_user.school_id is None:
        return []
    since = clock.now() - timedelta(days=RECENT_DAYS)
    recent = db.session.scalars(
        select(Notice)
        .where(Notice.state == "published", Notice.published_at >= since)
        .order_by(Notice.published_at.desc())
        .limit(3)
    ).all()
    return [Todo(f"通报：{n.title}", url_for("notice.item", notice_id=n.id), urgent=True) for n in recent]


def register(admin: Admin, category: str) -> None:
    """Add the notices to the console (under `category`)."""
    admin.add_view(NoticeView(name="通报", category=category, endpoint="notice"))
