"""What the audit log calls the tables and fields no console list names, each domain's from its own words.

The console's lists name most of them (bureau.admin.audit learns their labels); this module adds the
rest: rows kept behind the scenes (versions, photos, 周调度 weeks), the 附2 answers of a visit (from
the teacher's form), and the stored values of states and letter choices.
"""

from __future__ import annotations

from bureau.admin.visit_forms import VisitForm
from bureau.audit import label_table
from bureau.progress.periods import WEEKDAYS
from bureau.progress.service import FIELDS as REPORT_FIELDS
from bureau.visits.models import CAREGIVERS, EMPLOYMENT, HOUSING, QUESTIONS

# Fields every table may have.
COMMON_FIELDS = {"id": "编号", "school_id": "学校"}
# The states a 周调度 report goes through (progress.service moves it between them).
REPORT_STATES = {"draft": "草稿", "submitted": "已提交", "returned": "退回", "approved": "已审核"}
# The visit's fields the teacher fills in, named as the form names them (its hints in brackets left out).
_FORM_FIELDS = (
    "student_id",
    "target_staff_id",
    "visited_person",
    "staff2_id",
    "household_size",
    "school_children",
    "employment",
    "caregiver",
    "housing",
    "opinions",
    "reported",
    "feedback",
    *QUESTIONS,
)


def _form_label(name: str) -> str:
    return str(getattr(VisitForm, name).args[0]).split("（")[0]


label_table("region", fields={"province_id": "所属省", "city_id": "所属设区市"})
label_table("school", fields={"province_id": "所属省", "city_id": "所属设区市"})
label_table("user", fields={"password_hash": "密码", "session_token": "登录凭据"})
label_table("campaign", values={"report_weekday": dict(enumerate(WEEKDAYS))})
label_table(
    "visit",
    page=("visit.review", "id"),
    fields={
        **{name: _form_label(name) for name in _FORM_FIELDS},
        "staff_id": "走访人",
        "term_id": "学期",
        "safety_notice": "安全教育",
        "letter_delivered": "致家长的一封信",
        "no_gifts": "廉洁承诺",
        "review_note": "审核意见",
        "reviewed_at": "审核时间",
        "reviewed_by_id": "审核人",
    },
    values={
        "employment": EMPLOYMENT,
        "caregiver": CAREGIVERS,
        "housing": HOUSING,
        **{name: {True: yes, False: no} for name, (_text, (yes, no)) in QUESTIONS.items()},
    },
)
label_table(
    "visit_version",
    "家访记录版本",
    fields={"visit_id": "家访记录", "number": "版本号", "submitted_at": "提交时间", "data": "提交内容"},
)
label_table(
    "visit_photo",
    "走访照片",
    fields={
        "visit_id": "家访记录",
        "path": "文件",
        "content_type": "格式",
        "size": "大小（字节）",
        "uploaded_at": "上传时间",
    },
)
label_table(
    "weekly_report",
    "周调度报告",
    page=("progress.report", "report_id"),
    fields={
        **REPORT_FIELDS,
        "campaign_id": "活动",
        "week_start": "周次（周一）",
        "state": "状态",
        "figures": "数据",
        "first_submitted_at": "首次提交时间",
        "submitted_at": "提交时间",
        "on_time": "按时",
        "return_reason": "退回原因",
        "reviewed_by_id": "审核人",
        "reviewed_at": "审核时间",
        "row_version": "修改次数",
    },
    values={"state": REPORT_STATES},
)
label_table(
    "weekly_report_version",
    "周调度报告版本",
    fields={
        **REPORT_FIELDS,
        "report_id": "周调度报告",
        "number": "版本号",
        "submitted_at": "提交时间",
        "submitted_by_id": "提交人",
        "figures": "数据",
    },
)
label_table(
    "report_week",
    "周调度周次",
    fields={
        "campaign_id": "活动",
        "week_start": "周次（周一）",
        "opened_at": "开启时间",
        "expected_count": "应报学校数",
    },
)
label_table(
    "expected_report",
    "应报学校",
    fields={"campaign_id": "活动", "week_start": "周次（周一）", "county_id": "县(市、区)", "city_id": "设区市"},
)
