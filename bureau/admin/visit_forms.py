"""The teacher's visit form (家访情况记录表), laid out for a phone."""

from __future__ import annotations

from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.orm import Session
from wtforms import BooleanField, DateField, IntegerField, MultipleFileField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, NumberRange, Optional

from bureau import clock
from bureau.tenants.guard import current_scope, explicitly_scoped
from bureau.visits.assignments import with_responsible
from bureau.visits.coverage import counted_visit
from bureau.visits.models import (
    CAREGIVERS,
    EMPLOYMENT,
    HOUSING,
    QUESTIONS,
    VISIT_MODES,
    VISIT_STATUSES,
    VISIT_TARGETS,
    SchoolClass,
    Staff,
    Student,
    Term,
    Visit,
    class_label,
)
from bureau.visits.records import VisitInput


def _optional_text(value):
    return None if value in (None, "", "None") else str(value)


def _optional_int(value):
    return int(value) if value not in (None, "", "None") else None


def _answer(value):
    return {"1": True, "0": False, "True": True, "False": False}.get(str(value)) if value is not None else None


def _letters(labels: dict) -> list[tuple[str, str]]:
    return [("", "请选择")] + [(k, f"{k}. {v}") for k, v in labels.items()]


class VisitForm(FlaskForm):
    target = SelectField("走访对象", choices=list(VISIT_TARGETS.items()), default="family")
    student_id = SelectField("学生", coerce=_optional_int, validate_choice=False)
    target_staff_id = SelectField("被访谈教职工", coerce=_optional_int, validate_choice=False)
    visited_person = StringField("被走访人员（姓名、身份，如 村委会主任 张某）")
    visited_on = DateField("走访日期", validators=[DataRequired("请填写走访日期")])
    mode = SelectField("走访方式", choices=list(VISIT_MODES.items()), default="home")
    staff2_id = SelectField("同行教师（可不填）", coerce=_optional_int, validate_choice=False)
    household_size = IntegerField("家庭总人口", validators=[Optional(), NumberRange(0, 30, "应在 0 到 30 之间")])
    school_children = IntegerField("共有学生数", validators=[Optional(), NumberRange(0, 30, "应在 0 到 30 之间")])
    employment = SelectField("家长就业情况", choices=_letters(EMPLOYMENT), coerce=_optional_text, validate_choice=False)
    caregiver = SelectField(
        "在家照顾学生人员", choices=_letters(CAREGIVERS), coerce=_optional_text, validate_choice=False
    )
    housing = SelectField("住房条件", choices=_letters(HOUSING), coerce=_optional_text, validate_choice=False)
    opinions = TextAreaField("8. 对学校整体工作、班主任管理、任课教师教学的意见建议")
    safety_notice = BooleanField("已进行防溺水等安全教育")
    letter_delivered = BooleanField("已送达《致家长的一封信》")
    reported = TextAreaField("向家长反馈的学生在校情况")
    feedback = TextAreaField("家长或被访人反馈")
    no_gifts = BooleanField("本人承诺：未收受家长礼品礼金，未接受宴请")
    photos = MultipleFileField("走访照片（JPG/PNG，每张不超过 5 MB，最多 6 张）")

    def fill_choices(self, session: Session, staff: Staff) -> None:
        """Students of the school by class; the school's staff for a companion or an interview."""
        query, responsible = with_responsible(
            select(Student.id, Student.name, Student.number, SchoolClass.grade, SchoolClass.number).join(
                SchoolClass, SchoolClass.id == Student.class_id
            )
        )
        students = session.execute(
            query.add_columns(responsible == staff.id)
            .where(Student.school_id == staff.school_id, Student.active.is_(True))
            .order_by(SchoolClass.grade, SchoolClass.number, Student.number)
        ).all()
        visited = visited_this_term(session, staff.school_id)
        mine, others = [], []
        for sid, name, number, grade, cnum, is_mine in students:
            label = f"{class_label(grade, cnum)} {name}（{number}）" + ("（已访）" if sid in visited else "")
            (mine if is_mine else others).append((sid, label))
        # The students a teacher answers for (包保) come first: the phone screen shows them at once.
        self.student_id.choices = {"": [("", "请选择学生")], "我包保的学生": mine, "本校其他学生": others}
        colleagues = session.execute(
            select(Staff.id, Staff.name)
            .where(Staff.school_id == staff.school_id, Staff.active.is_(True))
            .order_by(Staff.name)
        ).all()
        self.staff2_id.choices = [("", "无")] + [(i, n) for i, n in colleagues if i != staff.id]
        self.target_staff_id.choices = [("", "请选择")] + [(i, n) for i, n in colleagues]


def visited_this_term(session: Session, school_id: int) -> set[int]:
    """The students of the school with a visit that counts (coverage's rule) in a term today falls
    in, in one statement. Anyone's visit counts, not only the teacher's own: the picker tells who
    is still waiting, as coverage does, so the statement applies its school itself instead of the
    guard's own-visits rule (it reads student ids only)."""
    today = clock.today()
    terms = select(Term.id).where(Term.start_date <= today, Term.end_date >= today)
    stmt = (
        select(Visit.student_id)
        .where(Visit.school_id == school_id, Visit.term_id.in_(terms), counted_visit())
        .distinct()
    )
    return set(session.scalars(explicitly_scoped(stmt, current_scope(session))))


for _name, (_text, (_yes, _no)) in QUESTIONS.items():
    _index = list(QUESTIONS).index(_name) + 1
    setattr(
        VisitForm,
        _name,
        SelectField(
            f"{_index}. {_text}", coerce=_answer, validate_choice=False, choices=[("", "未填"), ("1", _yes), ("0", _no)]
        ),
    )


def visit_input(form: VisitForm) -> VisitInput:
    """The service's input from a validated form."""
    values = {name: getattr(form, name).data for name in VisitInput.__dataclass_fields__}
    for name in ("employment", "caregiver", "housing", "visited_person", "opinions", "reported", "feedback"):
        values[name] = (values[name] or "").strip() or None
    return VisitInput(**values)


def visit_labels() -> dict:
    """The Chinese labels of a visit's choices, for the record and form templates."""
    return {
        "modes": VISIT_MODES,
        "targets": VISIT_TARGETS,
        "statuses": VISIT_STATUSES,
        "questions": QUESTIONS,
        "employment": EMPLOYMENT,
        "caregivers": CAREGIVERS,
        "housing": HOUSING,
    }
