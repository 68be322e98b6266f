"""覆盖率 and the live ranking: the coverage dashboard with drill-down, and its exports."""

from __future__ import annotations

from flask import abort, request
from flask_admin import expose
from flask_login import current_user

from bureau import clock
from bureau.admin.base import (
    REGION_READERS,
    PageView,
    request_scope,
    xlsx_response,
)
from bureau.exports.visits import coverage_sheet, missed_sheet
from bureau.exports.xlsx import Export
from bureau.extensions import db
from bureau.params import int_arg
from bureau.tenants.models import Region, School, place_name
from bureau.visits.coverage import LEVELS, NEXT_LEVEL, coverage_rows, current_term, missed_students, total
from bureau.visits.models import (
    FOCUS_TYPES,
)


def _drill() -> tuple[str, dict[str, int]]:
    """The level shown and the units it lies within, from the query string."""
    scope = request_scope()
    within = {lv: int_arg(lv) for lv in LEVELS if int_arg(lv)}
    default = NEXT_LEVEL.get(scope.level if scope else "school", "school")
    level = request.args.get("level", default)
    if level not in LEVELS:
        level = default
    return level, within


def _place(within: dict[str, int]) -> str:
    """The unit a page or export shows: the deepest unit drilled into, else the user's own node."""
    if "school" in within or "grade" in within or "class" in within:
        school_id = within.get("school") or (request_scope().school_id if request_scope() else None)
        return place_name(db.session.get(School, school_id)) if school_id else ""
    for level in ("county", "city", "province"):
        if level in within:
            return place_name(db.session.get(Region, within[level]))
    return place_name(current_user.school or current_user.region)


class CoverageView(PageView):
    """覆盖率 dashboard: a table with drill-down and bars, and the exports."""

    roles = ("leader", "inspector", "region_admin", "school_admin")
    template = "admin/visits/coverage.html"
    order = "coverage"

    def _rows(self):
        term = current_term(db.session, clock.today())
        if term is None:
            return None, [], "school", {}
        level, within = _drill()
        return (
            term,
            coverage_rows(
                db.session, request_scope(), term, level, clock.today(), within, request.args.get("order", self.order)
            ),
            level,
            within,
        )

    @expose("/")
    def index(self):
        term, rows, level, within = self._rows()
        return self.render(
            self.template,
            term=term,
            rows=rows,
            total=total(rows),
            level=level,
            within=within,
            next_level=NEXT_LEVEL.get(level),
            levels=LEVELS,
            focus=FOCUS_TYPES,
        )

    @expose("/export.xlsx")
    def export(self):
        term, rows, level, within = self._rows()
        if term is None:
            abort(404)
        export = Export("覆盖率", _place(within))
        return xlsx_response(export, [coverage_sheet(rows + [total(rows)], level, f"{term.name} 覆盖率")])

    @expose("/missed.xlsx")
    def missed(self):
        term = current_term(db.session, clock.today())
        if term is None:
            abort(404)
        _, within = _drill()
        result = db.session.execute(missed_students(request_scope(), term, within).execution_options(yield_per=500))
        return xlsx_response(
            Export("漏访名单", _place(within)),
            [missed_sheet(result, current_user.role, request_scope(), f"{term.name} 漏访名单")],
        )


class RankingView(CoverageView):
    """The live ranking of seed 003: units by records submitted or by coverage, this term."""

    roles = REGION_READERS
    template = "admin/visits/ranking.html"
    order = "visits"
