"""量化得分 in the console: a region's schools ranked within their counties, a school's teachers
ranked within it, a teacher's own score — every school and teacher in scope listed, those
without deductions too — and their exports."""

from __future__ import annotations

from flask import abort, request
from flask_admin import Admin, expose
from flask_login import current_user
from sqlalchemy import select

from bureau.admin.base import ALL_ROLES, REGION_READERS, PageView, request_scope, xlsx_response
from bureau.admin.scoring_common import term_choice
from bureau.exports.scoring import school_scores_sheet, teacher_scores_sheet
from bureau.exports.xlsx import Export
from bureau.extensions import db
from bureau.inspection.scores import NO_STAFF, base_of, school_scores, teacher_scores
from bureau.params import int_arg
from bureau.tenants.models import Region, School, place_name


def _region() -> Region:
    scope = request_scope()
    region = db.session.get(Region, int_arg("region", scope.node_id, low=1))
    if region is None or not scope.covers_region(region):
        abort(404)
    return region


def _school() -> School:
    """The school asked for (a school's admin: their own), within the scope, else 404."""
    if current_user.role == "school_admin":
        return current_user.school
    if current_user.role not in REGION_READERS:
        abort(403)
    school = db.session.scalar(select(School).where(School.id == (int_arg("school", low=1) or 0)))
    if school is None:
        abort(404)
    return school


class ScoreView(PageView):
    roles = ALL_ROLES

    @expose("/")
    def index(self):
        term, terms = term_choice()
        if current_user.role == "teacher":
            return self._own(term, terms)
        if current_user.role == "school_admin":
            return self._school_page(current_user.school, term, terms)
        region = _region()
        scope = request_scope()
        rows = school_scores(db.session, scope, region, term) if term is not None else []
        regions = db.session.scalars(select(Region).where(Region.id.in_(scope.regions())).order_by(Region.code)).all()
        return self.render(
            "admin/scoring/scores.html",
            rows=rows,
            region=region,
            regions=regions,
            term=term,
            terms=terms,
            place=place_name(region),
            no_staff=NO_STAFF,
        )

    def _own(self, term, terms):
        """A teacher: their own score (their colleagues' are not theirs to see)."""
        staff_id = request_scope().staff_id
        rows = teacher_scores(db.session, request_scope(), current_user.school, term) if term is not None else []
        mine = next((r for r in rows if r.staff_id == staff_id), None)
        return self.render(
            "admin/scoring/my_score.html",
            mine=mine,
            term=term,
            terms=terms,
            base=base_of(db.session, current_user.school),
        )

    @expose("/school")
    def school(self):
        term, terms = term_choice()
        return self._school_page(_school(), term, terms)

    def _school_page(self, school: School, term, terms):
        scope = request_scope()
        rows = teacher_scores(db.session, scope, school, term) if term is not None else []
        figures = None
        if term is not None:
            figures = next(
                (r for r in school_scores(db.session, scope, school.county, term) if r.school_id == school.id), None
            )
        return self.render(
            "admin/scoring/school.html",
            school=school,
            rows=rows,
            figures=figures,
            term=term,
            terms=terms,
            no_staff=NO_STAFF,
        )

    @expose("/export.xlsx")
    def export(self):
        """A region's school scores; for a school's admin, its teachers' scores."""
        term, _ = term_choice()
        if term is None or current_user.role == "teacher":
            abort(404)
        if current_user.role == "school_admin" or request.args.get("school"):
            school = _school()
            rows = teacher_scores(db.session, request_scope(), school, term)
            sheet = teacher_scores_sheet(rows, f"教师量化得分 {term.name}")
            return xlsx_response(Export("教师量化得分", school.name), [sheet])
        region = _region()
        rows = school_scores(db.session, request_scope(), region, term)
        sheet = school_scores_sheet(rows, f"学校量化得分 {term.name}")
        return xlsx_response(Export("学校量化得分", place_name(region)), [sheet])


def register(admin: Admin, category: str) -> None:
    admin.add_view(ScoreView(name="量化得分", category=category, endpoint="score"))
