"""满意度调查 in the console: surveys (made by inspectors), the drawn families and their answers
(recorded by inspectors and the school's admin, on a phone), and 满意度统计, the rates per city,
county and school with the units below a threshold, and its export."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_admin import Admin, expose
from flask_login import current_user
from sqlalchemy import func, select

from bureau import clock
from bureau.admin.base import READ_ROLES, PageView, attempt, request_scope, xlsx_response
from bureau.admin.coverage import drilled, place_of
from bureau.audit import label_table
from bureau.exports.xlsx import Column, Export, Sheet
from bureau.extensions import db
from bureau.inspection.models import SATISFACTION, SURVEY_QUESTIONS, Survey, SurveyResponse, SurveyTarget
from bureau.inspection.sampling import DrawError
from bureau.inspection.survey_rates import (
    DEFAULT_THRESHOLD,
    FIRST_LEVEL,
    NEXT_RATE_LEVEL,
    RATE_LEVELS,
    RateRow,
    rate_rows,
    rate_total,
)
from bureau.inspection.surveys import (
    DEFAULT_PERCENT,
    MIN_PERCENT,
    SurveyError,
    make_survey,
    record_response,
    term_surveys,
)
from bureau.params import int_arg, parse_int
from bureau.tenants.models import Region, School
from bureau.visits.coverage import current_term
from bureau.visits.models import SchoolClass, Student, Term, class_label
from bureau.visits.privacy import shown_phone

RECORDERS = ("inspector", "school_admin")  # who records answers (rules.WRITERS holds them to it)

label_table(
    "survey",
    "满意度调查",
    {
        "name": "调查名称",
        "region_id": "范围",
        "term_id": "学期",
        "percent": "抽取比例(%)",
        "draw_id": "抽取记录",
        "created_by_id": "抽取人",
        "created_at": "抽取时间",
    },
)
label_table("survey_target", "满意度调查家庭", {"survey_id": "调查", "student_id": "学生", "class_id": "班级"})
label_table(
    "survey_response",
    "满意度答卷",
    {
        "survey_id": "调查",
        "target_id": "调查家庭",
        "student_id": "学生",
        "term_id": "学期",
        **SURVEY_QUESTIONS,
        "comments": "意见建议",
        "recorded_at": "录入时间",
        "recorded_by_id": "录入人",
    },
    {key: SATISFACTION for key in SURVEY_QUESTIONS},
)


def _found(model, ident: int | None):
    """A row the user may read, else 404: another school's row is one that does not exist."""
    row = db.session.get(model, ident) if ident is not None else None
    if row is None:
        abort(404)
    return row


class SurveyView(PageView):
    """满意度调查: the surveys in scope; an inspector draws a new one; the families and answers."""

    roles = READ_ROLES

    @expose("/")
    def index(self):
        rows = list(term_surveys(db.session, request_scope()))
        return self.render("admin/survey/index.html", rows=rows, may_draw=current_user.role == "inspector")

    @expose("/new", methods=("GET", "POST"))
    def new(self):
        if current_user.role != "inspector":
            abort(403)
        scope = request_scope()
        regions = db.session.scalars(select(Region).where(Region.id.in_(scope.regions())).order_by(Region.code)).all()
        terms = db.session.scalars(
            select(Term).where(Term.end_date >= clock.today()).order_by(Term.start_date, Term.id)
        ).all()
        form = {"name": "", "region": "", "term": "", "percent": str(DEFAULT_PERCENT), "seed": ""}
        refusal = None
        if request.method == "POST":
            form.update({key: request.form.get(key, "").strip() for key in form})
            survey, refusal = attempt(lambda: self._draw(form), SurveyError, DrawError)
            if refusal is None:
                flash(
                    f"已抽取 {survey.draw.sample_size} 户家庭（随机种子 {survey.draw.seed}），"
                    "各班按签号顺序，见抽签记录。",
                    "success",
                )
                return redirect(url_for(".families", survey=survey.id))
        return self.render(
            "admin/survey/new.html",
            form=form,
            regions=regions,
            terms=terms,
            refusal=refusal,
            min_percent=MIN_PERCENT,
        )

    def _draw(self, form: dict) -> Survey:
        percent = parse_int(form["percent"], 0, 1000)
        if percent is None:
            raise SurveyError(f"抽取比例请填写 {MIN_PERCENT} 到 100 之间的整数。")
        if not form["region"] or not form["term"]:
            raise SurveyError("请选择调查范围和学期。")
        # A region or term the user may not read is one that does not exist.
        region, term = _found(Region, parse_int(form["region"], 1)), _found(Term, parse_int(form["term"], 1))
        return make_survey(
            db.session,
            name=form["name"],
            region=region,
            term=term,
            percent=percent,
            seed=form["seed"] or None,
            drawn_by=current_user,
        )

    @expose("/families")
    def families(self):
        """A survey's drawn families: per school for a region user, the families of one school
        (the school admin's own) with their answers and the 录入 buttons."""
        survey = _found(Survey, int_arg("survey"))
        scope = request_scope()
        school_id = scope.node_id if scope.is_school else int_arg("school")
        if school_id is None:
            return self.render("admin/survey/schools.html", survey=survey, schools=self._schools(survey))
        school = _found(School, school_id)
        return self.render(
            "admin/survey/families.html",
            survey=survey,
            school=school,
            families=self._families(survey, school),
            may_record=current_user.role in RECORDERS,
            choices=SATISFACTION,
        )

    def _schools(self, survey: Survey) -> list:
        """Per school of the survey in scope: name, families drawn, answers recorded (one statement)."""
        answered = func.count(SurveyResponse.id)
        return db.session.execute(
            select(School.id, School.name, func.count(SurveyTarget.id).label("targets"), answered.label("answered"))
            .join(SurveyTarget, SurveyTarget.school_id == School.id)
            .outerjoin(SurveyResponse, SurveyResponse.target_id == SurveyTarget.id)
            .where(SurveyTarget.survey_id == survey.id)
            .group_by(School.id, School.name)
            .order_by(School.code)
        ).all()

    def _families(self, survey: Survey, school: School) -> list[dict]:
        scope, role = request_scope(), current_user.role
        rows = db.session.execute(
            select(SurveyTarget.id, Student, SchoolClass.grade, SchoolClass.number, SurveyResponse)
            .join(Student, Student.id == SurveyTarget.student_id)
            .join(SchoolClass, SchoolClass.id == SurveyTarget.class_id)
            .outerjoin(SurveyResponse, SurveyResponse.target_id == SurveyTarget.id)
            .where(SurveyTarget.survey_id == survey.id, SurveyTarget.school_id == school.id)
            .order_by(SchoolClass.grade, SchoolClass.number, Student.number)
        ).all()
        return [
            {
                "target": target_id,
                "class": class_label(grade, number),
                "student": student,
                "phone": shown_phone(student.guardian_phone, role, scope, school.id),
                "response": response,
            }
            for target_id, student, grade, number, response in rows
        ]

    @expose("/respond", methods=("GET", "POST"))
    def respond(self):
        """录入答卷 for one drawn family: four questions and comments, on a phone."""
        if current_user.role not in RECORDERS:
            abort(403)
        target = _found(SurveyTarget, int_arg("target"))
        response = db.session.scalar(select(SurveyResponse).where(SurveyResponse.target_id == target.id))
        answers = {key: request.form.get(key) for key in SURVEY_QUESTIONS}
        comments = request.form.get("comments", "")
        refusal = None
        if request.method == "POST":
            _, refusal = attempt(
                lambda: record_response(db.session, target, answers, comments, current_user), SurveyError
            )
            if refusal is None:
                flash(f"已录入 {target.student.name} 家庭的答卷。", "success")
                return redirect(url_for(".families", survey=target.survey_id, school=target.school_id))
        return self.render(
            "admin/survey/respond.html",
            target=target,
            response=response,
            answers=answers,
            comments=comments,
            refusal=refusal,
            questions=SURVEY_QUESTIONS,
            choices=SATISFACTION,
            phone=shown_phone(target.student.guardian_phone, current_user.role, request_scope(), target.school_id),
            class_name=class_label(target.school_class.grade, target.school_class.number),
            local_text=clock.local_text,
        )


class SurveyRatesView(PageView):
    """满意度统计: rates per city, county and school of a term, every active school listed, the
    units below the threshold named, and the export."""

    roles = READ_ROLES

    def _page(self):
        scope = request_scope()
        chosen = int_arg("term")
        term = db.session.get(Term, chosen) if chosen else current_term(db.session, clock.today())
        if term is None:
            abort(404)
        default = FIRST_LEVEL[scope.level]
        level = request.args.get("level", default)
        if level not in RATE_LEVELS or (scope.is_school and level != "school"):
            level = default
        within = {k: v for k, v in drilled().items() if k in ("city", "county")}
        threshold = int_arg("threshold", DEFAULT_THRESHOLD, low=1, high=100)
        rows = rate_rows(db.session, scope, term, level, within)
        schools = rows if level == "school" else rate_rows(db.session, scope, term, "school", within)
        below = [r for r in rows if r.below(threshold)]
        if level != "school":
            below += [r for r in schools if r.below(threshold)]
        return term, level, within, threshold, rows, below

    @expose("/")
    def index(self):
        term, level, within, threshold, rows, below = self._page()
        terms = db.session.scalars(select(Term).order_by(Term.start_date.desc()).limit(12)).all()
        return self.render(
            "admin/survey/rates.html",
            term=term,
            terms=terms,
            level=level,
            levels=RATE_LEVELS,
            next_level=NEXT_RATE_LEVEL.get(level),
            within=within,
            threshold=threshold,
            rows=rows,
            total=rate_total(rows),
            below=below,
            questions=SURVEY_QUESTIONS,
            place=place_of(within),
        )

    @expose("/export.xlsx")
    def export(self):
        term, level, within, threshold, rows, below = self._page()
        export, by = Export("满意度", place_of(within)), RATE_LEVELS[level]
        sheets = [
            rate_sheet(f"按{by}", rows + [rate_total(rows)], f"{term.name} 满意度（按{by}）"),
            rate_sheet(f"低于{threshold}%", below, f"{term.name} 满意度低于 {threshold}% 的单位"),
        ]
        return xlsx_response(export, sheets)


RATE_COLUMNS = [
    Column("单位", width=28),
    Column("学校数", "int"),
    Column("未抽取学校", "int"),
    Column("未录入答卷学校", "int"),
    Column("抽取家庭", "int"),
    Column("答卷", "int"),
    Column("答卷率", "percent"),
    Column("满意度", "percent"),
    *[Column(label, "percent") for label in SURVEY_QUESTIONS.values()],
    Column("说明"),
]


def rate_sheet(name: str, rows: list[RateRow], title: str) -> Sheet:
    """满意度 of units, one row each: counts as whole numbers, rates as percentages."""
    return Sheet(
        name,
        RATE_COLUMNS,
        (
            [
                r.label,
                r.schools,
                r.not_drawn,
                r.unanswered,
                r.targets,
                r.responses,
                r.response_rate,
                r.rate,
                *[r.question_rate(k) for k in SURVEY_QUESTIONS],
                r.mark,
            ]
            for r in rows
        ),
        title,
    )


def register(admin: Admin, category: str) -> None:
    """Add this part's views to the console (under `category`)."""
    admin.add_view(SurveyView(name="满意度调查", category=category, endpoint="survey"))
    admin.add_view(SurveyRatesView(name="满意度统计", category=category, endpoint="survey_rates"))
