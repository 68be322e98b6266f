"""问题反映: the visits in which a family reported a problem with a teacher, by kind, for the bureau
and the school (scoped by the tenant guard), each leading to its record."""

from __future__ import annotations

from flask import abort, request
from flask_admin import expose
from sqlalchemy import select

from bureau import clock
from bureau.admin.base import READ_ROLES, PageView
from bureau.admin.coverage import drilled, place_of
from bureau.extensions import db
from bureau.params import int_arg
from bureau.visits.coverage import current_term
from bureau.visits.models import Term
from bureau.visits.problems import PROBLEM_QUESTIONS, raised
from bureau.visits.record_lists import ALL_RECORDS, problem_visits

PAGE_SIZE = 50


class ProblemView(PageView):
    """The problem list: one line per visit, the problems it reports, paged without a count."""

    roles = READ_ROLES

    @expose("/")
    def index(self):
        kind = request.args.get("kind") or None
        if kind is not None and kind not in PROBLEM_QUESTIONS and kind != ALL_RECORDS:
            abort(404)
        terms = db.session.scalars(select(Term).order_by(Term.start_date.desc())).all()
        chosen = int_arg("term")
        term = next((t for t in terms if t.id == chosen), None) if chosen else current_term(db.session, clock.today())
        if chosen and term is None:
            abort(404)
        page = int_arg("page", 1, low=1)
        within, visits = drilled(), []
        if term is not None:
            stmt = problem_visits(term, clock.today(), kind, within)
            # One row more than a page says whether there is a next one: the table is never counted.
            visits = db.session.execute(stmt.offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1)).all()
        return self.render(
            "admin/visits/problems.html",
            term=term,
            terms=terms,
            kind=kind,
            kinds=PROBLEM_QUESTIONS,
            all_records=kind == ALL_RECORDS,
            rows=visits[:PAGE_SIZE],
            page=page,
            has_next=len(visits) > PAGE_SIZE,
            within=within,
            place=place_of(within),
            raised=raised,
        )
