"""满意度调查 (issue 9, "Satisfaction surveys", must-show 2): each term at least half of every class's
families are drawn (rounded up), in the second term of a school year the families not yet
surveyed come first so the year covers everyone; answers are recorded once per drawn family; the
rates start from the schools in scope.

The world (tests/factories.py, tests/world_visits.py): city A holds A1X and A1Y (county A1, with
classes 五(1) and 五(2)) and A2S (county A2, no roster); city B holds B1S; D holds DS (no roster).
Here A1X's 五(1) gets two more students, so it has 5 families: A1X 五(1) 5, 五(2) 1; A1Y 五(1) 3,
五(2) 1; B1S 五(1) 3, 五(2) 1. "Surveyed" means answered: a family with a response in an earlier
term of the same school year.
"""

from __future__ import annotations

import hashlib
import io
from datetime import UTC, date, datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from bureau import clock
from bureau.inspection.models import SampleDraw, Survey, SurveyResponse, SurveyTarget
from bureau.inspection.survey_rates import rate_rows
from bureau.inspection.surveys import SurveyError, make_survey, record_response
from bureau.tenants.guard import TenantViolation, scoped
from bureau.tenants.scope import scope_for_user
from bureau.visits.models import Student, Term
from tests.factories import statements_of, stored

AUTUMN = datetime(2026, 10, 8, 2, 0, tzinfo=UTC)  # in the world's term 2026-09-01 .. 2027-01-31
SPRING = datetime(2027, 3, 10, 2, 0, tzinfo=UTC)
ANSWERS = {"homework": "satisfied", "marking": "fair", "safety": "satisfied", "overall": "unsatisfied"}
COUNT = {model: select(func.count()).select_from(model) for model in (Survey, SurveyTarget, SurveyResponse, SampleDraw)}


@pytest.fixture
def autumn():
    with clock.frozen_at(AUTUMN):
        yield


@pytest.fixture
def families(session, world):
    """A1X's 五(1) gets students a1x-4 and a1x-5: five families."""
    first = world.extra["students_a1x"][0]
    for i in (4, 5):
        session.add(
            Student(
                school=world.schools["a1x"],
                number=f"a1x-{i}",
                name=f"a1x学生{i}",
                class_id=first.class_id,
                guardian_name=f"a1x家长{i}",
                guardian_phone=f"1390000{i:04d}",
                active=True,
            )
        )
    session.commit()
    return world


@pytest.fixture
def spring_term(session, world) -> Term:
    term = Term(name="2026-2027学年第二学期", start_date=date(2027, 3, 1), end_date=date(2027, 7, 10))
    session.add(term)
    session.commit()
    return term


def _survey(session, world, term, region="a", percent=50, seed="2026", name="满意度调查") -> Survey:
    survey = make_survey(
        session,
        name=name,
        region=world.regions[region],
        term=term,
        percent=percent,
        seed=seed,
        drawn_by=world.users["inspector_a"],
    )
    session.commit()
    return survey


def _smallest(seed: str, codes: list[str], n: int) -> list[str]:
    """The n smallest tickets of `codes`, computed here with hashlib alone (no product code)."""
    return sorted(codes, key=lambda c: hashlib.sha256(f"{seed}:{c}".encode()).hexdigest())[:n]


def _drawn(session, survey: Survey) -> dict[str, list[str]]:
    """Per class stratum: the drawn unit codes in draw order."""
    draw = session.get(SampleDraw, survey.draw_id)
    return {stratum: [code for code, _ in info["sample"]] for stratum, info in draw.strata.items()}


def _targets(session, survey: Survey) -> set[str]:
    rows = session.execute(
        select(Student.number)
        .join(SurveyTarget, SurveyTarget.student_id == Student.id)
        .where(SurveyTarget.survey_id == survey.id)
    )
    return set(rows.scalars())


def _answer_all(session, world, survey: Survey, skip: set[str] = frozenset()) -> None:
    targets = session.scalars(select(SurveyTarget).where(SurveyTarget.survey_id == survey.id)).all()
    for target in targets:
        if target.student.number not in skip:
            record_response(session, target, ANSWERS, None, world.users["inspector_a"])
    session.commit()


def _codes(world, key: str, numbers) -> list[str]:
    return [f"{world.schools[key].code}/{key}-{i}" for i in numbers]


# --- the draw ----------------------------------------------------------------------------------


def test_a_term_survey_draws_half_of_every_class_rounded_up_from_the_ticket_order(session, families, autumn):
    world = families
    survey = _survey(session, world, world.extra["term"])
    drawn = _drawn(session, survey)
    # One stratum per class of city A's schools with students (A2S has none): 50 % rounded up:
    # A1X 五(1) 5 → 3, 五(2) 1 → 1; A1Y 五(1) 3 → 2, 五(2) 1 → 1; 7 families in all.
    assert {k: len(v) for k, v in drawn.items()} == {"A1X/5-1": 3, "A1X/5-2": 1, "A1Y/5-1": 2, "A1Y/5-2": 1}
    # the sample is the smallest tickets of each class's codes, computed here from the codes alone
    assert drawn["A1X/5-1"] == _smallest("2026", _codes(world, "a1x", (0, 1, 2, 4, 5)), 3)
    assert drawn["A1Y/5-1"] == _smallest("2026", _codes(world, "a1y", (0, 1, 2)), 2)
    assert drawn["A1X/5-2"] == _codes(world, "a1x", (3,))
    # one target per drawn family, in its class and school; labels read as schools write a class
    assert _targets(session, survey) == {code.split("/")[1] for codes in drawn.values() for code in codes}
    draw = session.get(SampleDraw, survey.draw_id)
    assert draw.purpose == "survey" and draw.per == "class" and not draw.all_fresh
    assert draw.strata["A1X/5-1"]["label"] == "甲一区实验小学 五(1)"
    assert draw.region_id == world.regions["a"].id


def test_must_show_2_term_one_gives_half_per_class_and_term_two_covers_every_family_of_the_year(
    session, families, spring_term
):
    """Must-show 2, worked by hand: 10 families in city A (5 + 1 + 3 + 1)."""
    world = families
    every = set(_codes(world, "a1x", (0, 1, 2, 3, 4, 5)) + _codes(world, "a1y", (0, 1, 2, 3)))
    with clock.frozen_at(AUTUMN):
        autumn = _survey(session, world, world.extra["term"], seed="0417")
        first = _drawn(session, autumn)
        # ≥ 50 % of every class: 3 of 5, 1 of 1, 2 of 3, 1 of 1
        assert [len(first[k]) for k in ("A1X/5-1", "A1X/5-2", "A1Y/5-1", "A1Y/5-2")] == [3, 1, 2, 1]
        _answer_all(session, world, autumn)
    answered = {code for codes in first.values() for code in codes}
    with clock.frozen_at(SPRING):
        spring = _survey(session, world, spring_term, seed="0417")
    second = _drawn(session, spring)
    draw = session.get(SampleDraw, spring.draw_id)
    assert draw.all_fresh and world.extra["term"].id in draw.params["deferred_terms"]
    # the 3 families not yet surveyed (2 in A1X 五(1), 1 in A1Y 五(1)) are all drawn, each first
    # in its class; the classes are topped up to 50 % from the answered ones, in ticket order:
    # A1X 五(1): 2 fresh + 1 = 3; 五(2): 0 fresh + 1; A1Y 五(1): 1 fresh + 1 = 2; 五(2): 1.
    assert [len(second[k]) for k in ("A1X/5-1", "A1X/5-2", "A1Y/5-1", "A1Y/5-2")] == [3, 1, 2, 1]
    fresh_a1x = sorted(set(_codes(world, "a1x", (0, 1, 2, 4, 5))) - answered)
    assert len(fresh_a1x) == 2
    assert second["A1X/5-1"][:2] == _smallest("0417", fresh_a1x, 2)
    assert second["A1X/5-1"][2:] == _smallest("0417", sorted(set(first["A1X/5-1"])), 1)
    # the year: every family of city A drawn in one term or the other
    assert answered | {code for codes in second.values() for code in codes} == every
    # and once the spring answers are in, every family has answered this school year
    _answer_all(session, world, spring)
    numbers = session.scalars(
        select(Student.number).join(SurveyResponse, SurveyResponse.student_id == Student.id).distinct()
    ).all()
    assert {f"{n.split('-')[0].upper()}/{n}" for n in numbers} == every


def test_a_family_drawn_but_not_answered_is_not_yet_surveyed_and_comes_first_in_term_two(
    session, families, spring_term
):
    """ "Surveyed" means answered: the A1Y family drawn in autumn and never reached is fresh again."""
    world = families
    with clock.frozen_at(AUTUMN):
        autumn = _survey(session, world, world.extra["term"], seed="7")
        missed = _drawn(session, autumn)["A1Y/5-1"][0]
        _answer_all(session, world, autumn, skip={missed.split("/")[1]})
    with clock.frozen_at(SPRING):
        spring = _survey(session, world, spring_term, seed="7")
    # A1Y 五(1): 3 families, 1 answered → 2 fresh (the unreached one and the one never drawn), both drawn
    a1y = _drawn(session, spring)["A1Y/5-1"]
    never = (set(_codes(world, "a1y", (0, 1, 2))) - set(_drawn(session, autumn)["A1Y/5-1"])).pop()
    assert set(a1y) == {missed, never}


def test_only_an_earlier_term_of_the_same_school_year_defers_its_families(session, families):
    """The autumn of the next school year is a first term again: nobody is deferred."""
    world = families
    with clock.frozen_at(AUTUMN):
        autumn = _survey(session, world, world.extra["term"])
        _answer_all(session, world, autumn)
    next_year = Term(name="2027-2028学年第一学期", start_date=date(2027, 9, 1), end_date=date(2028, 1, 31))
    session.add(next_year)
    session.commit()
    with clock.frozen_at(datetime(2027, 9, 10, tzinfo=UTC)):
        survey = _survey(session, world, next_year, seed="2026")
    draw = session.get(SampleDraw, survey.draw_id)
    assert not draw.all_fresh and draw.params["deferred_terms"] == []
    # same seed, same frame, nobody deferred: the same sample as the autumn before
    assert _drawn(session, survey) == _drawn(session, autumn)


def test_the_frame_holds_only_active_students_of_active_schools(session, families, autumn):
    world = families
    students = world.extra["students_a1x"]
    students[0].active = False
    world.schools["a1y"].active = False
    session.commit()
    draw = session.get(SampleDraw, _survey(session, world, world.extra["term"], percent=100).draw_id)
    # A1X 五(1) without a1x-0: 4 families, all drawn at 100 %; A1Y is closed; A2S has no roster
    assert set(draw.strata) == {"A1X/5-1", "A1X/5-2"}
    assert draw.strata["A1X/5-1"]["frame"] == 4 and draw.frame_count == 5


@pytest.mark.parametrize(("percent", "allowed"), [(49, False), (50, True), (100, True), (101, False)])
def test_a_survey_draws_at_least_half_of_each_class(session, families, autumn, percent, allowed):
    world = families
    if allowed:
        assert _survey(session, world, world.extra["term"], percent=percent).percent == percent
        return
    with pytest.raises(SurveyError, match="50% 到 100%"):
        _survey(session, world, world.extra["term"], percent=percent)
    session.rollback()
    assert stored(COUNT[Survey]) == 0 and stored(COUNT[SampleDraw]) == 0


def test_a_school_is_surveyed_once_a_term_overlapping_scopes_are_refused(session, families, autumn):
    world = families
    _survey(session, world, world.extra["term"], region="a1", name="一区调查")
    # city A holds county A1; the province holds both; county A2 and city B do not meet A1
    for region in ("a", "p", "a1"):
        with pytest.raises(SurveyError, match="一区调查"):
            _survey(session, world, world.extra["term"], region=region)
        session.rollback()
    assert _survey(session, world, world.extra["term"], region="b").region_id == world.regions["b"].id
    assert stored(COUNT[Survey]) == 2


def test_a_survey_of_a_term_that_has_ended_is_refused(session, families, spring_term):
    world = families
    with clock.frozen_at(SPRING), pytest.raises(SurveyError, match="已于 2027-01-31 结束"):
        _survey(session, world, world.extra["term"])
    session.rollback()
    assert stored(COUNT[Survey]) == 0


def test_a_drawn_survey_is_never_changed(session, families, autumn):
    world = families
    survey = _survey(session, world, world.extra["term"])
    with scoped(session, scope_for_user(world.users["inspector_a"])):
        survey.percent = 60
        with pytest.raises(TenantViolation):
            session.flush()
    session.rollback()
    assert stored(select(Survey.percent)) == 50


# --- the console: drawing --------------------------------------------------------------------


def _new(client, world, **fields):
    data = {
        "name": "2026秋季满意度调查",
        "region": world.regions["a"].id,
        "term": world.extra["term"].id,
        "percent": "50",
        "seed": "",
    }
    data.update(fields)
    return client.post("/admin/survey/new", data=data)


def test_an_inspector_draws_a_survey_from_the_console_with_a_generated_seed(session, families, login_as, autumn):
    world = families
    client = login_as("inspector_a")
    response = _new(client, world)
    assert response.status_code == 302
    survey = session.scalar(select(Survey))
    draw = session.get(SampleDraw, survey.draw_id)
    assert draw.seed_generated and len(draw.seed) == 12 and draw.drawn_by_id == world.users["inspector_a"].id
    assert stored(COUNT[SurveyTarget]) == 7
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert draw.seed in page and "甲一区实验小学" in page


def test_a_survey_form_refusal_is_a_chinese_message_and_nothing_is_written(session, families, login_as, autumn):
    page = _new(login_as("inspector_a"), families, percent="30").get_data(as_text=True)
    assert 'id="survey-refusal"' in page and "50% 到 100%" in page
    assert stored(COUNT[Survey]) == 0 and stored(COUNT[SampleDraw]) == 0


def test_a_survey_of_a_region_outside_the_inspectors_scope_does_not_exist(session, families, login_as, autumn):
    world = families
    # inspector_a (city A) reads the province above it, but may not draw it, nor city B
    for region in ("p", "b"):
        assert _new(login_as("inspector_a"), world, region=world.regions[region].id).status_code == 404
    assert stored(COUNT[Survey]) == 0 and stored(COUNT[SampleDraw]) == 0 and stored(COUNT[SurveyTarget]) == 0


@pytest.mark.parametrize("username", ["leader_a", "admin_a", "school_admin_a1x"])
def test_only_inspectors_draw_surveys(session, families, login_as, autumn, username):
    client = login_as(username)
    assert client.get("/admin/survey/new").status_code == 403
    assert _new(client, families).status_code == 403
    assert stored(COUNT[Survey]) == 0


# --- answers ---------------------------------------------------------------------------------


@pytest.fixture
def drawn(session, families, autumn) -> Survey:
    return _survey(session, families, families.extra["term"])


def _target(session, survey: Survey, school) -> SurveyTarget:
    return session.scalar(
        select(SurveyTarget)
        .where(SurveyTarget.survey_id == survey.id, SurveyTarget.school_id == school.id)
        .order_by(SurveyTarget.id)
    )


def _respond(client, target_id: int, **answers):
    return client.post(f"/admin/survey/respond?target={target_id}", data={**ANSWERS, "comments": "很好", **answers})


def test_the_school_admin_records_a_drawn_familys_answers(session, families, drawn, login_as):
    target = _target(session, drawn, families.schools["a1x"])
    client = login_as("school_admin_a1x")
    assert client.get(f"/admin/survey/respond?target={target.id}").status_code == 200
    assert stored(COUNT[SurveyResponse]) == 0  # a GET writes nothing
    response = _respond(client, target.id)
    assert response.status_code == 302
    saved = session.scalar(select(SurveyResponse))
    assert (saved.homework, saved.marking, saved.safety, saved.overall) == tuple(ANSWERS.values())
    assert (saved.student_id, saved.school_id, saved.term_id) == (
        target.student_id,
        target.school_id,
        families.extra["term"].id,
    )
    assert saved.comments == "很好" and saved.recorded_by_id == families.users["school_admin_a1x"].id


def test_one_response_per_drawn_family_a_second_is_refused_with_a_message(session, families, drawn, login_as):
    target = _target(session, drawn, families.schools["a1x"])
    client = login_as("inspector_a")
    assert _respond(client, target.id).status_code == 302
    page = _respond(client, target.id, overall="satisfied").get_data(as_text=True)
    assert "已经录入" in page or "已录入" in page
    assert stored(COUNT[SurveyResponse]) == 1
    assert stored(select(SurveyResponse.overall)) == "unsatisfied"


@pytest.mark.parametrize(
    "answers",
    [{"safety": ""}, {"marking": "very"}, {"overall": "不满意"}],
)
def test_every_question_is_answered_with_a_satisfaction_key(session, families, drawn, login_as, answers):
    target = _target(session, drawn, families.schools["a1x"])
    page = _respond(login_as("school_admin_a1x"), target.id, **answers).get_data(as_text=True)
    assert 'id="survey-refusal"' in page and "请为每个问题选择满意、基本满意或不满意" in page
    assert stored(COUNT[SurveyResponse]) == 0


def test_another_schools_family_does_not_exist_for_a_school_admin(session, families, drawn, login_as):
    foreign = _target(session, drawn, families.schools["a1y"])
    client = login_as("school_admin_a1x")
    assert client.get(f"/admin/survey/respond?target={foreign.id}").status_code == 404
    assert _respond(client, foreign.id).status_code == 404
    # and an inspector of another city neither
    assert _respond(login_as("inspector_b"), foreign.id).status_code == 404
    assert stored(COUNT[SurveyResponse]) == 0


@pytest.mark.parametrize("username", ["leader_a", "admin_a1"])
def test_only_inspectors_and_school_admins_record_answers(session, families, drawn, login_as, username):
    target = _target(session, drawn, families.schools["a1x"])
    assert _respond(login_as(username), target.id).status_code == 403
    assert stored(COUNT[SurveyResponse]) == 0


def test_only_a_drawn_family_answers_a_response_must_be_its_targets(session, families, drawn):
    """The guard refuses a response whose family is not the drawn one of its target."""
    world = families
    target = _target(session, drawn, world.schools["a1x"])
    not_drawn = session.scalar(
        select(Student.id).where(
            Student.school_id == world.schools["a1x"].id,
            Student.id.not_in(select(SurveyTarget.student_id)),
        )
    )
    with scoped(session, scope_for_user(world.users["school_admin_a1x"])):
        session.add(
            SurveyResponse(
                school_id=target.school_id,
                survey_id=drawn.id,
                target_id=target.id,
                student_id=not_drawn,
                term_id=drawn.term_id,
                **ANSWERS,
            )
        )
        with pytest.raises(TenantViolation):
            session.flush()
    session.rollback()
    assert stored(COUNT[SurveyResponse]) == 0


def test_a_teacher_never_reads_the_families_answers(session, families, drawn):
    _answer_all(session, families, drawn)
    with scoped(session, scope_for_user(families.users["school_admin_a1x"])):
        assert len(session.scalars(select(SurveyResponse)).all()) == 4  # A1X: 3 + 1 drawn
    with scoped(session, scope_for_user(families.users["teacher_a1x"])):
        assert session.scalars(select(SurveyResponse)).all() == []


def test_a_school_sees_the_surveys_that_drew_its_families_and_no_other(session, families, drawn, login_as):
    page = login_as("school_admin_a1x").get("/admin/survey/").get_data(as_text=True)
    assert drawn.name in page and f'data-survey-id="{drawn.id}"' in page
    page = login_as("school_admin_b1").get("/admin/survey/").get_data(as_text=True)
    assert f'data-survey-id="{drawn.id}"' not in page and 'id="survey-none"' in page
    assert login_as("school_admin_b1").get(f"/admin/survey/families?survey={drawn.id}").status_code == 404
    assert login_as("inspector_b").get(f"/admin/survey/families?survey={drawn.id}").status_code == 404


def test_the_families_list_masks_phones_except_for_the_schools_own_admin(session, families, drawn, login_as):
    school = families.schools["a1x"]
    target = _target(session, drawn, school)
    number = target.student.guardian_phone
    url = f"/admin/survey/families?survey={drawn.id}&school={school.id}"
    own = login_as("school_admin_a1x").get(f"/admin/survey/families?survey={drawn.id}").get_data(as_text=True)
    assert number in own and "录入答卷" in own
    other = login_as("inspector_a").get(url).get_data(as_text=True)
    assert number not in other and f"{number[:3]}****{number[-4:]}" in other and "录入答卷" in other
    leader = login_as("leader_a").get(url).get_data(as_text=True)
    assert number not in leader and "录入答卷" not in leader


# --- rates -----------------------------------------------------------------------------------


@pytest.fixture
def answered(session, families, autumn):
    """Autumn surveys of city A and city B. A1X's 4 families answer 3 positive of 4 each (ANSWERS);
    A1Y's 3 answer all 不满意 but one, which answers all 满意; B1S drawn, none answered."""
    world = families
    survey = _survey(session, world, world.extra["term"])
    _survey(session, world, world.extra["term"], region="b", name="乙市调查")
    a1y = session.scalars(
        select(SurveyTarget)
        .where(SurveyTarget.survey_id == survey.id, SurveyTarget.school_id == world.schools["a1y"].id)
        .order_by(SurveyTarget.id)
    ).all()
    _answer_all(session, world, survey, skip={t.student.number for t in a1y})
    for i, target in enumerate(a1y):
        answers = dict.fromkeys(ANSWERS, "satisfied" if i == 0 else "unsatisfied")
        record_response(session, target, answers, None, world.users["inspector_a"])
    session.commit()
    return survey


def test_rates_list_every_active_school_in_scope_with_the_rate_worked_by_hand(session, families, answered):
    world = families
    scope = scope_for_user(world.users["leader_p"])
    rows = {r.label: r for r in rate_rows(session, scope, world.extra["term"], "school")}
    # every active school of the province, starting from schools
    assert set(rows) == {s.name for s in world.schools.values()}
    a1x, a1y = rows["甲一区实验小学"], rows["甲一区第二小学"]
    # A1X: 4 responses × 4 answers = 16, 3 positive each (满意, 基本满意, 满意; 不满意) = 12 → 75 %
    assert (a1x.targets, a1x.responses, a1x.positive, a1x.answers) == (4, 4, 12, 16) and a1x.rate == 0.75
    # A1Y: 3 responses, one all 满意 (4) and two all 不满意 → 4 / 12
    assert (a1y.targets, a1y.responses, a1y.positive) == (3, 3, 4) and a1y.rate == pytest.approx(1 / 3)
    assert a1x.question_rate("overall") == 0 and a1x.question_rate("marking") == 1
    # B1S drawn, not answered; A2S and DS have no roster: never drawn
    assert rows["乙一县小学"].mark == "未录入答卷" and rows["乙一县小学"].rate is None
    assert rows["甲二县中学"].mark == "未抽取" and rows["丁市幼儿园"].mark == "未抽取"
    # by city: A = A1X + A1Y + A2S: 16 positive of 28 answers; B: none answered; D: not drawn
    cities = {r.label: r for r in rate_rows(session, scope, world.extra["term"], "city")}
    assert (cities["甲市"].positive, cities["甲市"].answers, cities["甲市"].schools) == (16, 28, 3)
    assert (cities["甲市"].not_drawn, cities["乙市"].unanswered, cities["丁县级市"].not_drawn) == (1, 1, 1)


def test_the_rates_page_lists_the_units_below_the_threshold(session, families, answered, login_as):
    client = login_as("leader_a")
    # city A by county: A1 = 16 / 28 = 57.1 %, A2 not drawn; schools A1X 75 %, A1Y 33.3 %
    page = client.get(f"/admin/survey_rates/?term={families.extra['term'].id}").get_data(as_text=True)
    below = page.split('id="survey-below"')[1].split("</div>")[0]
    assert "甲市一区 57.1%" in below and "甲一区实验小学 75.0%" in below and "甲一区第二小学 33.3%" in below
    assert "甲市二县" not in below and "未抽取" in page
    page = client.get(f"/admin/survey_rates/?term={families.extra['term'].id}&threshold=70").get_data(as_text=True)
    below = page.split('id="survey-below"')[1].split("</div>")[0]
    assert "甲一区实验小学" not in below and "甲一区第二小学 33.3%" in below and "乙" not in page
    assert client.get("/admin/survey_rates/?threshold=abc").status_code == 400


def test_the_rates_page_takes_the_same_statements_however_many_schools_and_answers(session, families, login_as, autumn):
    client = login_as("leader_p")
    empty = statements_of(client, f"/admin/survey_rates/?level=school&term={families.extra['term'].id}")
    survey = _survey(session, families, families.extra["term"])
    _answer_all(session, families, survey)
    _survey(session, families, families.extra["term"], region="b")
    assert statements_of(client, f"/admin/survey_rates/?level=school&term={families.extra['term'].id}") == empty
    assert (
        statements_of(client, f"/admin/survey_rates/?term={families.extra['term'].id}") == empty + 1
    )  # the school list for the units below


def test_the_survey_list_takes_the_same_statements_however_many_surveys(session, families, login_as, autumn):
    client = login_as("leader_p")
    _survey(session, families, families.extra["term"], region="a1")
    one = statements_of(client, "/admin/survey/")
    _survey(session, families, families.extra["term"], region="b", name="乙")
    assert statements_of(client, "/admin/survey/") == one


def test_the_rates_export_names_what_for_whom_and_when(session, families, answered, login_as):
    response = login_as("leader_a").get(
        f"/admin/survey_rates/export.xlsx?level=school&term={families.extra['term'].id}"
    )
    assert response.status_code == 200
    assert (
        "满意度_" in response.headers["Content-Disposition"] or "filename*" in response.headers["Content-Disposition"]
    )
    book = load_workbook(io.BytesIO(response.get_data()))
    sheet = book.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert "满意度" in rows[0][0] and "截至" in rows[0][0]
    by_name = {r[0]: r for r in rows[2:]}
    assert by_name["甲一区实验小学"][7] == 0.75 and by_name["甲二县中学"][-1] == "未抽取"
    assert by_name["合计"][5] == 7  # 4 + 3 responses in city A
    assert [r[0] for r in list(book.worksheets[1].iter_rows(values_only=True))[2:]] == [
        "甲一区实验小学",
        "甲一区第二小学",
    ]
