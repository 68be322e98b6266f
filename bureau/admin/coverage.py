"""覆盖率 and the live ranking: the coverage dashboard with drill-down, and its exports."""

from __future__ import annotations

from flask import abort, request
from flask_admin import expose
from flask_login import current_user

from bureau import clock
from bureau.admin.base import REGION_READERS, PageView, request_scope, xlsx_response
from bureau.exports.visits import coverage_sheet, missed_sheet, records_sheet
from bureau.exports.xlsx import Export
from bureau.extensions import db
from bureau.params import int_arg
from bureau.tenants.models import Region, School, place_name
from bureau.visits.coverage import LEVELS, NEXT_LEVEL, REGION_LEVELS, coverage_rows, current_term, total
from bureau.visits.missed import missed_students, schools_without_roster
from bureau.visits.models import FOCUS_TYPES
from bureau.visits.record_lists import visit_records

SHOWN_WITHOUT_ROSTER = 100  # names of schools without a roster on the page (all of them in the 漏访名单)


def drilled() -> dict[str, int]:
    """The units a page lies within, from the query string ({"county": 7, "school": 12})."""
    return {lv: int_arg(lv) for lv in LEVELS if int_arg(lv)}


def _drill() -> tuple[str, dict[str, int]]:
    """The level shown and the units it lies within, from the query string."""
    scope = request_scope()
    default = NEXT_LEVEL.get(scope.level if scope else "school", "school")
    level = request.args.get("level", default)
    if level not in LEVELS:
        level = default
    return level, drilled()


def place_of(within: dict[str, int]) -> str:
    """The unit a page or export shows: the deepest unit drilled into, else the user's own node."""
    if "school" in within or "grade" in within or "class" in within:
        school_id = within.get("school") or (request_scope().school_id if request_scope() else None)
        return place_name(db.session.get(School, school_id)) if school_id else ""
    for level in ("county", "city", "province"):
        if level in within:
            return place_name(db.session.get(Region, within[level]))
    return place_name(current_user.school or current_user.region)


def _term():
    term = current_term(db.session, clock.today())
    if term is None:
        abort(404)
    return term


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
        summary = total(rows)
        without_roster = []
        if summary.no_roster:
            names = schools_without_roster(request_scope(), within).limit(SHOWN_WITHOUT_ROSTER)
            without_roster = [r.name for r in db.session.execute(names)]
        return self.render(
            self.template,
            term=term,
            rows=rows,
            total=summary,
            level=level,
            within=within,
            next_level=NEXT_LEVEL.get(level),
            levels=LEVELS,
            regions=level in REGION_LEVELS,
            focus=FOCUS_TYPES,
            without_roster=without_roster,
        )

    @expose("/export.xlsx")
    def export(self):
        term, rows, level, within = self._rows()
        if term is None:
            abort(404)
        export = Export("覆盖率", place_of(within))
        return xlsx_response(export, [coverage_sheet(rows + [total(rows)], level, f"{term.name} 覆盖率")])

    @expose("/missed.xlsx")
    def missed(self):
        term = _term()
        within, scope = drilled(), request_scope()
        without_roster = db.session.execute(schools_without_roster(scope, within)).all()
        students = db.session.execute(missed_students(scope, term, within).execution_options(yield_per=500))
        sheet = missed_sheet(students, current_user.role, scope, f"{term.name} 漏访名单", without_roster)
        return xlsx_response(Export("漏访名单", place_of(within)), [sheet])

    @expose("/records.xlsx")
    def records(self):
        """家访情况记录表 of the unit shown: every visit coverage counts, one row each, streamed."""
        term = _term()
        within, scope = drilled(), request_scope()
        rows = db.session.execute(visit_records(scope, term, clock.today(), within).execution_options(yield_per=500))
        sheet = records_sheet(rows, current_user.role, scope, f"{term.name} 家访情况记录表")
        return xlsx_response(Export("家访情况记录表", place_of(within)), [sheet])


class RankingView(CoverageView):
    """The live ranking of seed 003: units by records submitted or by coverage, this term."""

    roles = REGION_READERS
    template = "admin/visits/ranking.html"
    order = "visits"
