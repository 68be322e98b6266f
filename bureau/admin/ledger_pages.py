"""问题整改 in the console, continued: a problem's page (its facts, history, follow-ups and the
actions the user may take now), the county's queue of escalated problems, the counts by school
and category with the overdue list, and the home page's 待办. The ledger list, the new-problem
form and the exports are in ledger.py."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_admin import expose
from flask_login import current_user
from sqlalchemy import func, select

from bureau import clock
from bureau.admin.base import (
    READ_ROLES,
    REGION_READERS,
    PageView,
    Todo,
    attempt,
    form_date,
    home_todo,
    request_scope,
    xlsx_response,
)
from bureau.exports.ledger import OVERDUE, category_counts_sheet, school_counts_sheet
from bureau.exports.xlsx import Export
from bureau.extensions import db
from bureau.ledger.models import ENDED, FOLLOW_UP_MODES, PRIORITIES, SOURCES, STATES, FollowUp, Problem, ProblemEvent
from bureau.ledger.queries import category_counts, overdue_problems, school_counts
from bureau.ledger.rules import reporter_visible
from bureau.ledger.service import (
    ACTIONS,
    COUNTY_ROLES,
    FROM,
    FollowUpInput,
    LedgerError,
    act,
    follow_up,
    is_overdue,
    merge,
)
from bureau.params import int_arg, parse_int
from bureau.tenants.models import Region, School, place_name

PAGE = 100
OVERDUE_SHOWN = 200
TODO_CAP = 1000  # the home page counts at most this many (shown as "1000+")
NOTE_LABELS = {
    "start": "整改安排（可不填）",
    "fix": "整改措施",
    "close": "核实情况（整改是否到位）",
    "escalate": "上报理由（学校无法解决的原因）",
    "send_back": "县(市、区)的答复",
    "explain": "向家长所作的解释",
}
DONE = {
    "start": "已开始整改。",
    "fix": "已标记整改完成，请另一位人员核实后销号。",
    "close": "已销号。",
    "escalate": "已上报县(市、区)教育局。",
    "send_back": "已答复并退回学校。",
    "explain": "已记录向家长所作的解释。",
    "follow_up": "已记录回访。",
    "merge": "已合并。",
}
SOURCE_PAGES = {  # where a problem's source record is shown: (endpoint, its id parameter)
    "visit": ("visit.review", "id"),
    "phone_check": ("phone_check.check", "check"),
    "inspection": ("inspection.show", "id"),
}


def found(problem_id: int) -> Problem:
    """A problem the user may read, else 404: a SELECT (the guard filters statements, never the
    identity map), so another school's problem looks like none."""
    problem = db.session.scalar(select(Problem).where(Problem.id == problem_id))
    if problem is None:
        abort(404)
    return problem


def is_county() -> bool:
    return current_user.role in COUNTY_ROLES and current_user.school_id is None


def actions_for(problem: Problem) -> list[str]:
    """The workflow's actions the signed-in user may take on `problem` now (act's own rules)."""
    state, role, out = problem.state, current_user.role, []
    for action in ACTIONS:
        if state not in FROM[action]:
            continue
        if action == "close":
            if role in ("school_admin", *COUNTY_ROLES) and problem.fixed_by_id != current_user.id:
                out.append(action)
        elif action == "send_back" or (state == "escalated" and action in ("fix", "explain")):
            if is_county():
                out.append(action)
        elif role == "school_admin":
            out.append(action)
    return out


def may_follow_up(problem: Problem) -> bool:
    writer = current_user.role == "school_admin" or current_user.role in COUNTY_ROLES
    return problem.student_id is not None and problem.state not in ("closed", "merged") and writer


def may_merge(problem: Problem) -> bool:
    return current_user.role == "school_admin" and problem.state not in ENDED


def source_url(problem: Problem) -> str | None:
    page = SOURCE_PAGES.get(problem.source)
    if page is None or problem.source_id is None:
        return None
    if problem.source == "phone_check" and current_user.role == "school_admin":
        return url_for("phone_check.index")  # a school reads its checks in the list only
    return url_for(page[0], **{page[1]: problem.source_id})


def _do(problem: Problem, action: str):
    now, form = clock.now(), request.form
    if action in ACTIONS:
        return act(db.session, problem, action, form.get("note", ""), current_user, now)
    if action == "follow_up":
        satisfied = {"1": True, "0": False}.get(form.get("satisfied", ""))
        visited_on = form_date(form.get("visited_on"), "回访日期", LedgerError)
        data = FollowUpInput(visited_on, form.get("mode", ""), form.get("said", ""), satisfied)
        return follow_up(db.session, problem, data, current_user, now)
    number = parse_int((form.get("into") or "").strip(), 1)
    if number is None:
        raise LedgerError("请填写与之重复的本校问题的序号。")
    into = db.session.scalar(select(Problem).where(Problem.school_id == problem.school_id, Problem.number == number))
    if into is None:
        raise LedgerError(f"本校没有第 {number} 号问题。")
    return merge(db.session, problem, into, current_user, now)


def item_page(view, problem_id: int):
    """A problem: facts, source, history, follow-ups; POST takes an action (refusal: the message)."""
    problem = found(problem_id)
    refusal = None
    if request.method == "POST":
        action = request.form.get("action", "")
        if action not in (*ACTIONS, "follow_up", "merge"):
            abort(400)
        _, refusal = attempt(lambda: _do(problem, action), LedgerError)
        if refusal is None:
            flash(DONE[action], "success")
            return redirect(url_for(".item", problem_id=problem_id))
        problem = found(problem_id)
    events = db.session.scalars(
        select(ProblemEvent).where(ProblemEvent.problem_id == problem.id).order_by(ProblemEvent.at, ProblemEvent.id)
    ).all()
    visits = db.session.scalars(
        select(FollowUp).where(FollowUp.problem_id == problem.id).order_by(FollowUp.recorded_at, FollowUp.id)
    ).all()
    linked = db.session.execute(
        select(Problem.id, Problem.number, Problem.merged_into_id).where(
            (Problem.merged_into_id == problem.id) | (Problem.id == (problem.merged_into_id or 0))
        )
    ).all()
    return view.render(
        "admin/ledger/item.html",
        problem=problem,
        school=problem.school,
        overdue=is_overdue(problem, clock.today()),
        show_reporter=reporter_visible(current_user.role),
        source_url=source_url(problem),
        events=events,
        visits=visits,
        merged_into=next((r for r in linked if r.id == problem.merged_into_id), None),
        merged_from=[r for r in linked if r.merged_into_id == problem.id],
        actions=actions_for(problem),
        may_follow_up=may_follow_up(problem),
        may_merge=may_merge(problem),
        refusal=refusal,
        form=request.form if refusal else {},
        today=clock.today().isoformat(),
        labels={"states": STATES, "sources": SOURCES, "priorities": PRIORITIES, "modes": FOLLOW_UP_MODES},
        action_labels=ACTIONS,
        note_labels=NOTE_LABELS,
        local_text=clock.local_text,
    )


class QueueView(PageView):
    """上报问题: the escalated problems of the scope, oldest first, for the county to answer."""

    roles = REGION_READERS

    @expose("/")
    def index(self):
        page = int_arg("page", 0, high=10_000)
        rows = db.session.execute(
            select(Problem, School.name)
            .join(School, School.id == Problem.school_id)
            .where(Problem.state == "escalated")
            .order_by(Problem.created_at, Problem.id)
            .offset(page * PAGE)
            .limit(PAGE + 1)
        ).all()
        return self.render(
            "admin/ledger/queue.html",
            rows=rows[:PAGE],
            more=len(rows) > PAGE,
            page=page,
            today=clock.today(),
            may_answer=is_county(),
            local_text=clock.local_text,
        )


def counts_region() -> Region:
    """The region counted: a school's admin, their county (their own line only, by the scope);
    a region user, the one asked for at or below their node (default the node)."""
    if current_user.role == "school_admin":
        return current_user.school.county
    scope = request_scope()
    region_id = int_arg("region", scope.node_id, low=1)
    region = db.session.scalar(select(Region).where(Region.id == region_id))
    if region is None or not scope.covers_region(region):
        abort(404)
    return region


class CountsView(PageView):
    """问题统计: every school of a region with its problems by state, overdue and all; the
    categories; the export; and the overdue list (its own page)."""

    roles = READ_ROLES

    @expose("/")
    def index(self):
        region, scope, today = counts_region(), request_scope(), clock.today()
        regions = []
        if current_user.role != "school_admin":
            regions = db.session.scalars(
                select(Region).where(Region.id.in_(scope.regions())).order_by(Region.code)
            ).all()
        return self.render(
            "admin/ledger/counts.html",
            region=region,
            regions=regions,
            place=place_name(region) if current_user.role != "school_admin" else current_user.school.name,
            rows=school_counts(db.session, scope, region, today),
            categories=category_counts(db.session, scope, region),
            states=STATES,
            overdue_state=OVERDUE,
        )

    @expose("/export.xlsx")
    def export(self):
        region, scope = counts_region(), request_scope()
        place = current_user.school.name if current_user.role == "school_admin" else place_name(region)
        rows = school_counts(db.session, scope, region, clock.today())
        return xlsx_response(
            Export("问题整改统计", place),
            [
                school_counts_sheet(rows, "各校问题整改情况"),
                category_counts_sheet(category_counts(db.session, scope, region), "问题分类统计"),
            ],
        )

    @expose("/overdue")
    def overdue(self):
        """The overdue problems of the scope, longest overdue first (at most OVERDUE_SHOWN)."""
        today = clock.today()
        problems = overdue_problems(db.session, today, limit=OVERDUE_SHOWN + 1)
        shown = problems[:OVERDUE_SHOWN]
        ids = {p.school_id for p in shown}
        names = dict(db.session.execute(select(School.id, School.name).where(School.id.in_(ids))).tuples().all())
        return self.render(
            "admin/ledger/overdue.html",
            problems=shown,
            more=len(problems) > OVERDUE_SHOWN,
            limit=OVERDUE_SHOWN,
            names=names,
            today=today,
            states=STATES,
        )


def _capped_count(*clauses) -> int:
    """How many problems of the scope match (at most TODO_CAP): the scope is applied here too, not
    left to the guard's criteria on a subquery."""
    scope = request_scope()
    inner = select(Problem.id).where(scope.school_clause(Problem.school_id), *clauses).limit(TODO_CAP).subquery()
    return db.session.scalar(select(func.count()).select_from(inner)) or 0


def _many(n: int) -> str:
    return f"{TODO_CAP}+" if n >= TODO_CAP else str(n)


@home_todo
def ledger_todos() -> list[Todo]:
    """A school's admin: its overdue and new problems; a county user: the escalated problems."""
    if current_user.role == "school_admin":
        today, todos = clock.today(), []
        late = _capped_count(Problem.state.not_in(ENDED), Problem.deadline < today)
        if late:
            todos.append(Todo(f"{_many(late)} 条问题已逾期", url_for("problem.index", state=OVERDUE), urgent=True))
        waiting = _capped_count(Problem.state == "open")
        if waiting:
            todos.append(Todo(f"{_many(waiting)} 条问题待处理", url_for("problem.index", state="open")))
        return todos
    if is_county():
        escalated = _capped_count(Problem.state == "escalated")
        if escalated:
            return [Todo(f"{_many(escalated)} 条上报问题待处理", url_for("problem_queue.index"), urgent=True)]
    return []
