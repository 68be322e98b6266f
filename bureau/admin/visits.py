"""Console views of visit records: the teacher's phone form, review, photos, and the menu of the campaign."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, request, send_file, url_for
from flask_admin import Admin, expose
from flask_admin.actions import action
from flask_admin.contrib.sqla.filters import FilterEqual, FilterNotEqual
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import func, select

from bureau.admin.base import (
    ALL_ROLES,
    PageView,
    ReadOnlyView,
    Todo,
    choice,
    has_role,
    home_todo,
    yes_no,
)
from bureau.admin.calendar import CampaignView, TermView
from bureau.admin.coverage import CoverageView, RankingView
from bureau.admin.my_visits import MyVisitsView
from bureau.admin.problems import ProblemView
from bureau.admin.roster import (
    AssignmentView,
    GapView,
    RosterImportView,
    SchoolClassView,
    StaffImportView,
    StaffView,
    StudentView,
)
from bureau.admin.visit_record import record_context
from bureau.extensions import db
from bureau.params import check_request_ints, ids_of, int_arg
from bureau.visits.assignments import without_responsible
from bureau.visits.models import (
    VISIT_MODES,
    VISIT_STATUSES,
    VISIT_TARGETS,
    Assignment,
    Campaign,
    SchoolClass,
    Staff,
    Student,
    Term,
    Visit,
    VisitPhoto,
)
from bureau.visits.problems import raised
from bureau.visits.records import (
    VisitError,
    approve_all,
    may_review,
    next_pending,
    photo_file,
    review,
)

# The status filters of the list; the first is the link to the records awaiting review.
STATUS_IS = FilterEqual(Visit.status, "状态", options=list(VISIT_STATUSES.items()))
STATUS_FILTERS = (STATUS_IS, FilterNotEqual(Visit.status, "状态", options=list(VISIT_STATUSES.items())))


def _status(view, context, model: Visit, name):
    label = VISIT_STATUSES.get(model.status, model.status)
    if view.can_review and model.status == "pending":
        return Markup('<a href="{}">{}（审核）</a>').format(url_for(".review", id=model.id), label)
    return label


def _record_link(view, context, model: Visit, name):
    """Each row opens its record, for every role that reads the list."""
    return Markup('<a class="visit-record" href="{}">{}</a>').format(
        url_for(".review", id=model.id), model.target_label or "查看记录"
    )


def _problems(view, context, model: Visit, name):
    """The problems the family reported, in red (the record page says which answers)."""
    return Markup("").join(
        Markup('<span class="badge badge-danger mr-1 problem-flag">{}</span>').format(label) for label in raised(model)
    )


class VisitView(ReadOnlyView):
    """家访记录 for admins and region users, each row opening its record; school admins review them
    (通过 / 退回, one by one or several checked at once). Teachers open the records of their own
    visits (the guard shows them no other) but not the list."""

    column_list = (
        "school",
        "visited_on",
        "target",
        "target_label",
        "visitors",
        "mode",
        "is_repeat",
        "status",
        "problems",
        "version",
        "submitted_at",
    )
    column_labels = {
        "school": "学校",
        "visited_on": "走访日期",
        "target": "对象类型",
        "target_label": "走访对象",
        "visitors": "走访人",
        "mode": "方式",
        "is_repeat": "重复走访",
        "status": "状态",
        "problems": "问题反映",
        "version": "版本",
        "submitted_at": "提交时间",
    }
    column_formatters = {
        "target": choice(VISIT_TARGETS),
        "mode": choice(VISIT_MODES),
        "status": _status,
        "is_repeat": yes_no,
        "target_label": _record_link,
        "problems": _problems,
        "visitors": lambda v, c, m, n: m.visitors,
    }
    column_filters = (*STATUS_FILTERS, "mode", "target", "visited_on", "is_repeat")
    column_choices = {
        "status": list(VISIT_STATUSES.items()),
        "mode": list(VISIT_MODES.items()),
        "target": list(VISIT_TARGETS.items()),
    }
    column_default_sort = ("id", True)
    column_display_actions = False  # the record opens from its row's link
    can_view_details = False

    @property
    def can_review(self) -> bool:
        return may_review(current_user)

    def _handle_view(self, name, **kwargs):
        """The record page is open to teachers too: the guard lets them load only their own visits."""
        if name == "review" and has_role("teacher"):
            check_request_ints(route_args=kwargs)
            return None
        return super()._handle_view(name, **kwargs)

    def is_action_allowed(self, name: str) -> bool:
        if name == "approve":
            return self.can_review
        return super().is_action_allowed(name)

    def status_url(self, status: str) -> str:
        """The records in `status`, the longest waiting first (the order `next_pending` follows).
        Flask-Admin names its filters by position, so the position is looked up."""
        index = self._filters.index(STATUS_IS)
        sort = [column for column, _ in self._list_columns].index("submitted_at")
        chosen = {f"flt0_{self.get_filter_arg(index, STATUS_IS)}": status}
        return url_for(f"{self.endpoint}.index_view", sort=sort, **chosen)

    def pending_url(self) -> str:
        return self.status_url("pending")

    @action("approve", "审核通过", "确定将勾选的家访记录全部审核通过吗？有一条不能通过则全部不通过。")
    def action_approve(self, ids):
        approved = approve_all(db.session, ids_of(ids), current_user._get_current_object())
        flash(f"已审核通过 {len(approved)} 条家访记录。", "success")

    @expose("/review/", methods=("GET", "POST"))
    def review(self):
        """The record (read-only) and, for the school's reviewers, 通过 / 退回; after a decision the
        next record awaiting review opens, or the pending list when none is left."""
        visit = db.session.scalar(select(Visit).where(Visit.id == int_arg("id", 0)))
        if visit is None:
            abort(404)
        if request.method == "POST":
            if not self.can_review:
                abort(403)
            try:
                review(
                    db.session,
                    visit,
                    current_user._get_current_object(),
                    request.form.get("decision") == "approve",
                    request.form.get("note", ""),
                )
            except VisitError as error:
                db.session.rollback()
                flash(str(error), "error")
            else:
                flash(f"已{VISIT_STATUSES[visit.status]}：{visit}。", "success")
                following = next_pending(db.session, visit)
                if following is not None:
                    return redirect(url_for(".review", id=following.id))
                flash("待审核的家访记录已全部处理完。", "info")
                return redirect(self.pending_url())
        following = next_pending(db.session, visit) if self.can_review and visit.status == "pending" else None
        back = url_for("my_visits.index") if has_role("teacher") else url_for(".index_view")
        return self.render(
            "admin/visits/record.html", following=following, back=back, **record_context(db.session, visit)
        )


class PhotoView(PageView):
    """A visit photo, read through the guarded session: another school's photo does not exist."""

    roles = ALL_ROLES

    def is_visible(self) -> bool:
        return False

    @expose("/")
    def index(self):
        abort(404)

    @expose("/<int:photo_id>")
    def photo(self, photo_id: int):
        photo = db.session.scalar(select(VisitPhoto).where(VisitPhoto.id == photo_id))
        path = photo_file(photo, current_app.config["UPLOAD_DIR"]) if photo else None
        if path is None or not path.is_file():
            abort(404)
        # The bytes were re-encoded on upload (records.prepare_photo), so inline is safe to send.
        extension = path.suffix if path.suffix in (".jpg", ".png") else ""
        return send_file(
            path, mimetype=photo.content_type, max_age=0, download_name=f"visit-photo-{photo.id}{extension}"
        )


def register(admin: Admin) -> None:
    """Add the visits views to the console."""
    category = "大走访"
    admin.add_view(MyVisitsView(name="我的家访", category=category, endpoint="my_visits"))
    admin.add_view(VisitView(Visit, db.session, name="家访记录", category=category, endpoint="visit"))
    admin.add_view(CoverageView(name="覆盖率", category=category, endpoint="coverage"))
    admin.add_view(RankingView(name="实时排名", category=category, endpoint="ranking"))
    admin.add_view(ProblemView(name="问题反映", category=category, endpoint="problems"))
    admin.add_view(PhotoView(name="走访照片", endpoint="visit_photo"))
    roster = "名册与包保"
    admin.add_view(StudentView(Student, db.session, name="学生", category=roster, endpoint="student"))
    admin.add_view(RosterImportView(name="导入学生名册", category=roster, endpoint="roster_import"))
    admin.add_view(SchoolClassView(SchoolClass, db.session, name="班级", category=roster, endpoint="school_class"))
    admin.add_view(StaffView(Staff, db.session, name="教职工", category=roster, endpoint="staff"))
    admin.add_view(StaffImportView(name="导入教职工", category=roster, endpoint="staff_import"))
    admin.add_view(AssignmentView(Assignment, db.session, name="包保安排", category=roster, endpoint="assignment"))
    admin.add_view(GapView(name="包保缺口", category=roster, endpoint="assignment_gaps"))
    admin.add_view(TermView(Term, db.session, name="学期", category=category, endpoint="term"))
    admin.add_view(CampaignView(Campaign, db.session, name="活动", category=category, endpoint="campaign"))


def visit_list_url(status: str = "pending") -> str:
    """The list of the records in `status` in the user's scope, the longest waiting first: where
    "N 条家访记录待审核" (and 退回) leads, wherever it is shown."""
    view = next(v for v in current_app.extensions["bureau_admin"]._views if isinstance(v, VisitView))
    return view.status_url(status)


@home_todo
def _visit_todos() -> list[Todo]:
    """Visits awaiting the school's review, records returned to a teacher, students without 包保."""
    role, todos = current_user.role, []
    if role == "school_admin":
        pending = db.session.scalar(select(func.count(Visit.id)).where(Visit.status == "pending"))
        if pending:
            todos.append(Todo(f"{pending} 条家访记录待审核", visit_list_url()))
        gaps = db.session.scalar(without_responsible(select(func.count(Student.id))))
        if gaps:
            todos.append(Todo(f"{gaps} 名学生尚未落实包保教师", url_for("assignment_gaps.index")))
    if role == "teacher":
        returned = db.session.scalar(select(func.count(Visit.id)).where(Visit.status == "returned"))
        if returned:
            todos.append(
                Todo(f"{returned} 条家访记录被退回，请修改后重新提交", url_for("my_visits.index"), urgent=True)
            )
        todos.append(Todo("记录一次家访", url_for("my_visits.new")))
    return todos
