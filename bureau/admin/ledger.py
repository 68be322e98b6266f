"""问题整改台账 in the console: the ledger list (a school's, a scope's), registering a problem —
by hand or filled in from the record it came from, likely duplicates offered first —, a problem's
page (ledger_pages.py), the ledger and its 公示 list as .xlsx, the county's queue and the counts
(ledger_pages.py), under the menu 问题整改."""

from __future__ import annotations

from datetime import timedelta

from flask import abort, flash, redirect, request, url_for
from flask_admin import Admin, expose
from flask_login import current_user
from sqlalchemy import or_, select

from bureau import clock
from bureau.admin.base import PageView, attempt, form_date, xlsx_response
from bureau.admin.ledger_categories import view as category_view
from bureau.admin.ledger_pages import CountsView, QueueView, item_page
from bureau.audit import label_table
from bureau.exports.ledger import OVERDUE, ledger_clauses, ledger_rows, ledger_sheet, state_text
from bureau.exports.xlsx import Export
from bureau.extensions import db
from bureau.ledger.models import FOLLOW_UP_MODES, PRIORITIES, SOURCES, STATES, Problem, ProblemCategory
from bureau.ledger.queries import likely_duplicates
from bureau.ledger.service import LedgerError, ProblemInput, check_problem, is_overdue
from bureau.ledger.service import register as register_problem
from bureau.ledger.sources import MODELS, prefill
from bureau.params import int_arg
from bureau.tenants.models import School, place_name
from bureau.visits.models import Staff, Student

CATEGORY = "问题整改"
PAGE = 100
SCHOOL_OPTIONS = 300  # a region user's school picker lists at most this many (then: search)
PICK_MATCHES = 20  # an inspector's school search for a new problem
SHORT = 40  # characters of a description the list shows
DEFAULT_DAYS = 7  # a new problem's deadline, unless changed
LEDGER_ROLES = ("leader", "inspector", "region_admin", "school_admin")
YES_NO = {True: "是", False: "否"}

label_table(
    "problem",
    "问题台账",
    {
        "number": "序号",
        "source": "来源",
        "source_id": "来源记录编号",
        "student_id": "学生",
        "category_id": "问题类别",
        "description": "问题描述",
        "raised_by": "反映人",
        "raised_phone": "反映人电话",
        "owner_staff_id": "责任人",
        "owner_department": "责任部门",
        "deadline": "整改时限",
        "priority": "紧急程度",
        "state": "状态",
        "measures": "整改措施",
        "fixed_at": "整改完成时间",
        "fixed_by_id": "整改完成人",
        "closed_at": "销号时间",
        "closed_by_id": "销号人账号",
        "closed_by_name": "销号人",
        "verification": "销号核实情况",
        "explanation": "向家长所作的解释",
        "county_answer": "县(市、区)的答复",
        "merged_into_id": "合并到",
        "created_at": "登记时间",
        "created_by_id": "登记人",
        "row_version": "版本",
    },
    {"source": SOURCES, "state": STATES, "priority": PRIORITIES},
    page=("problem.item", "problem_id"),
)
label_table(
    "problem_event",
    "问题处理记录",
    {
        "problem_id": "问题",
        "from_state": "原状态",
        "to_state": "新状态",
        "note": "说明",
        "at": "时间",
        "by_id": "办理人账号",
        "by_name": "办理人",
    },
    {"from_state": STATES, "to_state": STATES},
)
label_table(
    "problem_follow_up",
    "问题回访",
    {
        "problem_id": "问题",
        "visited_on": "回访日期",
        "mode": "回访方式",
        "said": "家长的意见",
        "satisfied": "家长是否满意",
        "recorded_at": "记录时间",
        "recorded_by_id": "记录人账号",
        "recorded_by_name": "记录人",
    },
    {"mode": FOLLOW_UP_MODES, "satisfied": YES_NO},
)
label_table("problem_category", "问题类别", {"name": "类别名称", "position": "排序", "active": "在用"})


def _school_arg() -> School | None:
    """The school asked for with ?school= (within the scope, else 404); a school's users: none
    (the guard keeps them in their school)."""
    school_id = int_arg("school", low=1)
    if school_id is None or current_user.role == "school_admin":
        return None
    school = db.session.scalar(select(School).where(School.id == school_id))
    if school is None:
        abort(404)
    return school


def _schools(words: str, limit: int) -> list[School]:
    """Active schools of the scope (the guard's), by code; with `words`, those whose name or code
    contains them."""
    statement = select(School).where(School.active.is_(True)).order_by(School.code).limit(limit)
    if words:
        like = or_(School.name.contains(words, autoescape=True), School.code.contains(words, autoescape=True))
        statement = statement.where(like)
    return db.session.scalars(statement).all()


def _filters():
    state = request.args.get("state") or None
    if state is not None and state not in STATES and state != OVERDUE:
        abort(404)
    return state, int_arg("category", low=1), _school_arg()


def _region_user() -> bool:
    return current_user.school_id is None


class ProblemView(PageView):
    """问题台账: the list, a new problem, a problem's page, the exports."""

    roles = LEDGER_ROLES

    @expose("/")
    def index(self):
        state, category_id, school = _filters()
        page, today = int_arg("page", 0, high=10_000), clock.today()
        clauses = ledger_clauses(state, category_id, school.id if school else None, today)
        rows = db.session.execute(
            select(Problem, School.name)
            .join(School, School.id == Problem.school_id)
            .where(*clauses)
            .order_by(Problem.created_at.desc(), Problem.id.desc())
            .offset(page * PAGE)
            .limit(PAGE + 1)
        ).all()
        words = (request.args.get("q") or "").strip()[:50]
        schools = _schools(words, SCHOOL_OPTIONS) if _region_user() else []
        args = {"state": state, "category": category_id, "school": school.id if school else None}
        return self.render(
            "admin/ledger/problems.html",
            rows=rows[:PAGE],
            more=len(rows) > PAGE,
            page=page,
            args=args,
            words=words,
            school=school,
            schools=schools,
            school_limit=SCHOOL_OPTIONS,
            region_user=_region_user(),
            categories=db.session.scalars(select(ProblemCategory).order_by(ProblemCategory.position)).all(),
            states=STATES,
            overdue_state=OVERDUE,
            sources=SOURCES,
            short=SHORT,
            is_overdue=lambda p: is_overdue(p, today),
            state_text=lambda p: state_text(p.state, p.deadline, today),
            may_register=current_user.role in ("school_admin", "inspector"),
        )

    @expose("/new", methods=("GET", "POST"))
    def new(self):
        if current_user.role not in ("school_admin", "inspector"):
            abort(403)
        fill = self._prefill()
        school = current_user.school if current_user.role == "school_admin" else _school_arg()
        if school is None and fill is not None:
            school = db.session.scalar(select(School).where(School.id == fill.school_id))
        if school is None:
            return self._pick_school()
        if not school.active or (fill is not None and fill.school_id != school.id):
            abort(404)
        categories = db.session.scalars(
            select(ProblemCategory).where(ProblemCategory.active.is_(True)).order_by(ProblemCategory.position)
        ).all()
        staff = db.session.scalars(
            select(Staff).where(Staff.school_id == school.id, Staff.active.is_(True)).order_by(Staff.name, Staff.id)
        ).all()
        form = self._blank(fill, categories)
        errors, duplicates = [], []
        if request.method == "POST":
            form.update({key: request.form.get(key, "").strip() for key in form})
            form["not_duplicate"] = request.form.get("not_duplicate", "")
            data, errors = self._input(school, fill, categories, staff, form)
            if not errors:
                duplicates = likely_duplicates(
                    db.session,
                    school.id,
                    data.student.id if data.student else None,
                    data.category.id,
                    data.description,
                    clock.now(),
                )
                if not duplicates or form["not_duplicate"] == "1":
                    made, refusal = attempt(
                        lambda: register_problem(db.session, data, current_user, clock.now()), LedgerError
                    )
                    if refusal is None:
                        flash(f"已登记：{made}。", "success")
                        return redirect(url_for(".item", problem_id=made.id))
                    errors = [refusal]
        return self.render(
            "admin/ledger/new.html",
            school=school,
            fill=fill,
            form=form,
            errors=errors,
            duplicates=duplicates,
            categories=categories,
            staff=staff,
            priorities=PRIORITIES,
            states=STATES,
        )

    @staticmethod
    def _prefill():
        source = request.args.get("source") or None
        if source is None:
            return None
        if source not in MODELS:
            abort(404)
        fill = prefill(db.session, source, int_arg("source_id", low=1))
        if fill is None:
            abort(404)
        return fill

    @staticmethod
    def _blank(fill, categories) -> dict:
        category = next((c for c in categories if fill is not None and c.name == fill.category), None)
        return {
            "category": str(category.id) if category else "",
            "description": fill.description if fill else "",
            "student": fill.student.number if fill and fill.student else "",
            "raised_by": fill.raised_by if fill else "",
            "raised_phone": fill.raised_phone if fill else "",
            "owner": "",
            "owner_department": "",
            "deadline": (clock.today() + timedelta(days=DEFAULT_DAYS)).isoformat(),
            "priority": "normal",
            "not_duplicate": "",
        }

    @staticmethod
    def _input(school, fill, categories, staff, form) -> tuple[ProblemInput, list[str]]:
        """The form as the service's input, and every reason to refuse it (a choice not offered
        is refused like a blank one; a 学号 is looked up within the school)."""
        errors, student = [], None
        if form["student"]:
            student = db.session.scalar(
                select(Student).where(Student.school_id == school.id, Student.number == form["student"][:32])
            )
            if student is None:
                errors.append(f"本校名册中没有学号为“{form['student'][:32]}”的学生。")
        try:
            deadline = form_date(form["deadline"], "整改时限", LedgerError)
        except LedgerError as error:
            errors.append(str(error))
            deadline = clock.today()
        data = ProblemInput(
            school=school,
            category=next((c for c in categories if str(c.id) == form["category"]), None),
            description=form["description"],
            deadline=deadline,
            priority=form["priority"],
            source=fill.source if fill else "manual",
            source_id=fill.source_id if fill else None,
            student=student,
            raised_by=form["raised_by"],
            raised_phone=form["raised_phone"],
            owner=next((s for s in staff if str(s.id) == form["owner"]), None),
            owner_department=form["owner_department"],
        )
        if form["owner"] and data.owner is None:
            errors.append("责任人须为本校在职教职工。")
        return data, errors + [e for e in check_problem(data, clock.today()) if e not in errors]

    def _pick_school(self):
        """An inspector first finds the school (by name or code, within the scope)."""
        words = (request.args.get("q") or "").strip()[:50]
        schools = _schools(words, PICK_MATCHES) if words else []
        return self.render(
            "admin/pick_school.html",
            heading="登记问题",
            prefix="problem",
            words=words,
            schools=schools,
            limit=PICK_MATCHES,
        )

    @expose("/item/<int:problem_id>", methods=("GET", "POST"))
    def item(self, problem_id: int):
        return item_page(self, problem_id)

    @expose("/export.xlsx")
    def export(self):
        """The ledger of the school shown (or the scope) in the layout schools submit."""
        return self._sheet(public=False)

    @expose("/public.xlsx")
    def public(self):
        """The 公示 list: the ledger without anyone's name or phone."""
        return self._sheet(public=True)

    def _sheet(self, public: bool):
        state, category_id, school = _filters()
        today = clock.today()
        clauses = ledger_clauses(state, category_id, school.id if school else None, today)
        node = school or current_user.school or current_user.region
        what = "问题整改公示清单" if public else "问题整改台账"
        rows = ledger_rows(db.session, clauses, public=public)
        sheet = ledger_sheet(rows, today, _region_user(), what, public=public)
        return xlsx_response(Export(what, place_name(node)), [sheet])


def register(admin: Admin) -> None:
    """The ledger's pages under the menu 问题整改."""
    admin.add_view(ProblemView(name="问题台账", category=CATEGORY, endpoint="problem"))
    admin.add_view(QueueView(name="上报问题", category=CATEGORY, endpoint="problem_queue"))
    admin.add_view(CountsView(name="问题统计", category=CATEGORY, endpoint="problem_counts"))
    admin.add_view(category_view(CATEGORY))
