"""The school admin's survey pages on a 360 px phone: the list, a survey's families and the
answer form fit without sideways scroll, and a finger on the words records an answer."""

from __future__ import annotations

from bureau import clock
from bureau.inspection.models import SurveyResponse
from tests.e2e.conftest import sign_in
from tests.factories import stored
from tests.test_surveys import AUTUMN, COUNT, _survey, _target, families  # noqa: F401 - the fixture


def test_the_school_admins_survey_pages_fit_a_360_px_phone(live_server, phone, session, families):  # noqa: F811
    with clock.frozen_at(AUTUMN):
        survey = _survey(session, families, families.extra["term"])
    target = _target(session, survey, families.schools["a1x"])
    sign_in(phone, live_server, "school_admin_a1x")
    for path in (
        "/admin/survey/",
        f"/admin/survey/families?survey={survey.id}",
        f"/admin/survey/respond?target={target.id}",
    ):
        assert phone.goto(f"{live_server}{path}").status == 200
        assert phone.evaluate("document.documentElement.scrollWidth") <= 360, path
    for choice in ("homework-satisfied", "marking-fair", "safety-satisfied", "overall-satisfied"):
        phone.tap(f"label[for={choice}]")  # a finger taps the word
    phone.click("#survey-save")
    phone.wait_for_url("**/families**")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    assert stored(COUNT[SurveyResponse]) == 1
