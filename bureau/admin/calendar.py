"""Console views of the calendar: terms (the province's) and the campaigns regions run."""

from __future__ import annotations

from datetime import time

from wtforms import SelectField
from wtforms.validators import ValidationError

from bureau.admin.base import (
    CappedAjaxLoader,
    ScopedModelView,
)
from bureau.extensions import db
from bureau.progress.periods import WEEKDAYS
from bureau.tenants.models import Region
from bureau.visits.calendar import DateWindowError, check_campaign, check_term
from bureau.visits.models import (
    Campaign,
    Term,
    default_coverage_deadline,
)


class TermView(ScopedModelView):
    roles = ("leader", "inspector", "region_admin", "school_admin")
    write_roles = ("region_admin",)
    column_list = ("name", "start_date", "end_date")
    column_labels = {"name": "学期", "start_date": "开始日期", "end_date": "结束日期"}
    column_default_sort = ("start_date", True)
    form_columns = ("name", "start_date", "end_date")

    def on_model_change(self, form, model: Term, is_created: bool) -> None:
        # The rule the mapper event enforces on every writer, run first to show its message here.
        try:
            check_term(model.start_date, model.end_date)
        except DateWindowError as error:
            raise ValidationError(str(error)) from error


class CampaignView(ScopedModelView):
    roles = ("leader", "inspector", "region_admin", "school_admin")
    write_roles = ("region_admin",)
    column_list = (
        "name",
        "region",
        "term",
        "start_date",
        "end_date",
        "coverage_deadline",
        "report_weekday",
        "report_time",
    )
    column_labels = {
        "name": "活动名称",
        "region": "组织区域",
        "term": "学期",
        "start_date": "开始日期",
        "end_date": "结束日期",
        "coverage_deadline": "全覆盖截止日期",
        "report_weekday": "周调度截止星期",
        "report_time": "周调度截止时间（北京时间）",
    }
    column_formatters = {"report_weekday": lambda v, c, m, n: WEEKDAYS[m.report_weekday]}
    form_columns = column_list  # every column shown is edited, in the same order
    form_overrides = {"report_weekday": SelectField}
    form_args = {
        "coverage_deadline": {"description": "留空则为开始日期后两个月（每个班级两个月内全覆盖）"},
        "report_weekday": {
            "choices": list(enumerate(WEEKDAYS)),
            "coerce": int,
            "default": 3,
            "label": "周调度截止星期",
        },
        "report_time": {
            "description": "每周在此时刻（含）之前提交为按时，默认周四 17:00",
            "formats": ("%H:%M", "%H:%M:%S"),
            "default_format": "%H:%M",
            "default": time(17, 0),
        },
    }
    form_ajax_refs = {"region": CappedAjaxLoader("region", db.session, Region, fields=["name", "code"])}

    def on_model_change(self, form, model: Campaign, is_created: bool) -> None:
        if model.coverage_deadline is None and model.start_date is not None:
            model.coverage_deadline = default_coverage_deadline(model.start_date)
        try:
            check_campaign(
                model.start_date, model.end_date, model.term.start_date if model.term else None, model.coverage_deadline
            )
        except DateWindowError as error:
            raise ValidationError(str(error)) from error
