"""The console's 督导检查 menu (draws, inspection rounds, phone checks, surveys) and 量化考核 menu
(deduction rules, deductions, scores, notices), each from its own module."""

from __future__ import annotations

from flask_admin import Admin

CATEGORY = "督导检查"
SCORING = "量化考核"


def register(admin: Admin) -> None:
    from bureau.admin.deductions import register as register_deductions
    from bureau.admin.draws import register as register_draws
    from bureau.admin.inspection_pages import register as register_inspection_pages
    from bureau.admin.inspections import register as register_inspections
    from bureau.admin.notices import register as register_notices
    from bureau.admin.phone_checks import register as register_phone_checks
    from bureau.admin.scores import register as register_scores
    from bureau.admin.surveys import register as register_surveys

    register_inspections(admin, CATEGORY)
    register_inspection_pages(admin, CATEGORY)
    register_phone_checks(admin, CATEGORY)
    register_surveys(admin, CATEGORY)
    register_draws(admin, CATEGORY)
    register_deductions(admin, SCORING)
    register_scores(admin, SCORING)
    register_notices(admin, SCORING)
