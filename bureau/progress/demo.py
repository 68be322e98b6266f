"""Demo data of the weekly reports (周调度): every week of the demo campaign so far, opened as the
Monday job opens it, with each school's habits — some report on time every week, some late,
some not at all — reviews by the county (returned, corrected, approved), and the current week
open with what has come in by now and a draft.

Weeks are opened by the product's `open_week` and each report's figures are the product's
`compute_figures`; the reports and their versions go in with bulk INSERTs.
"""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from bureau import clock
from bureau.progress import periods
from bureau.progress.figures import Period, compute_figures
from bureau.progress.models import ExpectedReport, WeeklyReport, WeeklyReportVersion
from bureau.progress.service import open_week, opened_weeks, week_deadline
from bureau.tenants.models import School, User
from bureau.visits.models import Campaign, Staff

SEED = 20261122
# (on time, late, missing) weights of a school's habit; the school without a roster is careless.
HABITS = {"diligent": (88, 9, 3), "average": (66, 20, 14), "careless": (35, 30, 35)}
RETURNED = {"diligent": 0.04, "average": 0.08, "careless": 0.15}  # share of reports sent back
HABIT = {
    "99010201": "diligent",
    "99010202": "average",
    "99010203": "average",
    "99010204": "careless",
    "99012101": "diligent",
    "99012102": "diligent",
    "99012103": "careless",
    "99022101": "average",
    "99022102": "diligent",
    "99022103": "careless",
    "99090001": "diligent",
    "99090002": "average",
}
DRAFT_SCHOOL = "99010201"  # the demo school admin's: this week's report saved, not yet submitted
# county code → username of who reviews its schools' reports; the province admin the rest.
REVIEWERS = {"990102": "county_admin", "990121": "inspector"}
# Hours each reviewer takes: the county at once, the city within three days, the province at the
# end of the following week — so on any day the latest week of some schools waits for review.
REVIEW_HOURS = {"county_admin": (3, 30), "inspector": (10, 72), "province_admin": (170, 200)}
RETURN_REASONS = (
    "请补充本周留守儿童家庭的走访情况。",
    "本周家访数与平台记录不一致，请核实后重新提交。",
    "“存在的问题”过于笼统，请写明具体问题和整改措施。",
)
PROBLEMS = (
    "个别家长外出务工，只能电话或视频联系。",
    "部分村组路途较远，教师上门家访时间紧张。",
    "少数家长对家访有顾虑，不愿意教师上门。",
    "个别教师家访记录填写不规范，照片上传不及时。",
    "毕业班课务重，教师家访时间难以保证。",
)
NEXT_PLANS = (
    "继续走访未覆盖的班级，重点走访六类重点家庭。",
    "利用周末集中开展上门家访，月底前完成民意访问周工作。",
    "对家长反映的问题逐条核实整改，并安排回访。",
    "督促各班主任及时上传家访记录和照片，学校及时审核。",
)


def load(session: Session, nodes: dict, campaign: Campaign) -> None:
    """Add the weekly-report demo data of `campaign`; `nodes` maps codes to regions and schools.
    Idempotent: a campaign that has reports already is left as it is."""
    if session.scalar(select(WeeklyReport.id).where(WeeklyReport.campaign_id == campaign.id).limit(1)):
        return
    now = clock.now()
    for week in opened_weeks(campaign, now):
        monday = datetime.combine(week, time(0, 5), tzinfo=clock.LOCAL)
        open_week(session, campaign, week, min(monday, now))
    schools = {node.id: node for node in nodes.values() if isinstance(node, School)}
    users = dict(session.execute(select(User.username, User.id)).all())
    contacts = dict(session.execute(select(Staff.school_id, Staff.name).where(Staff.position == "中层")).all())
    expected = session.execute(
        select(ExpectedReport.school_id, ExpectedReport.week_start)
        .where(ExpectedReport.campaign_id == campaign.id)
        .order_by(ExpectedReport.week_start, ExpectedReport.school_id)
    )
    rng = random.Random(f"{SEED}-reports")
    reports, versions = [], []
    for school_id, week in expected:
        school = schools[school_id]
        made = _report(session, rng, campaign, school, week, now, users, contacts.get(school_id, "王老师"))
        if made is not None:
            reports.append(made[0])
            versions.append(made[1])
    if not reports:
        return
    _one_returned_each(reports, versions, rng)
    stmt = insert(WeeklyReport).returning(WeeklyReport.id, sort_by_parameter_order=True)
    for report_id, numbered in zip(session.scalars(stmt, reports), versions, strict=True):
        for row in numbered:
            row["report_id"] = report_id
    rows = [row for numbered in versions for row in numbered]
    if rows:
        session.execute(insert(WeeklyReportVersion), rows)


def _report(session, rng, campaign, school, week, now, users, contact) -> tuple[dict, list[dict]] | None:
    """One school's report of one week as its habit and the clock make it, or None (missing)."""
    due = week_deadline(campaign, week)
    fate = rng.choices(("on_time", "late", "missing"), weights=HABITS[HABIT.get(school.code, "average")])[0]
    early, late = timedelta(hours=rng.uniform(1, 30)), timedelta(hours=rng.uniform(2, 80))
    at = periods.to_the_second(due - early if fate == "on_time" else due + late)
    base = {
        "school_id": school.id,
        "code": school.code,  # for _one_returned_each; not a column
        "campaign_id": campaign.id,
        "week_start": week,
        "contact_name": f"教导处 {contact}",
        "contact_phone": school.contact_phone or "0791-86668888",
        "problems": rng.choice(PROBLEMS),
        "next_plan": rng.choice(NEXT_PLANS),
        "return_reason": None,
        "reviewed_by_id": None,
        "reviewed_at": None,
    }
    if school.code == DRAFT_SCHOOL and due > now or fate == "missing" or at > now:
        if due > now and school.code == DRAFT_SCHOOL:
            draft = base | {"state": "draft", "progress": "（草稿）本周已走访学生家庭 5 户。", "figures": {}}
            return draft | {"first_submitted_at": None, "submitted_at": None, "on_time": None}, []
        return None
    figures = compute_figures(session, school.id, Period.of(campaign, week))
    text = base | {"progress": _progress(figures), "figures": figures}
    submitted_by = users.get(f"admin_{school.code}") or users.get("school_admin")
    report = text | {"first_submitted_at": at, "submitted_at": at, "on_time": periods.is_on_time(at, due)}
    versions = [_version(text, 1, at, submitted_by)]
    who = REVIEWERS.get(school.county.code, "province_admin")
    reviewer = users[who]
    decided = periods.to_the_second(at + timedelta(hours=rng.uniform(*REVIEW_HOURS[who])))
    if decided > now:
        return report | {"state": "submitted"}, versions
    if rng.random() >= RETURNED[HABIT.get(school.code, "average")]:
        return report | {"state": "approved", "reviewed_by_id": reviewer, "reviewed_at": decided}, versions
    reason = rng.choice(RETURN_REASONS)
    again = periods.to_the_second(decided + timedelta(hours=rng.uniform(5, 48)))
    if again > now or rng.random() < 0.25:  # not corrected yet
        return report | {
            "state": "returned",
            "return_reason": reason,
            "reviewed_by_id": reviewer,
            "reviewed_at": decided,
        }, versions
    versions.append(_version(text, 2, again, submitted_by))
    report |= {"submitted_at": again, "return_reason": reason}
    final = periods.to_the_second(again + timedelta(hours=rng.uniform(3, 40)))
    if final > now:
        return report | {"state": "submitted"}, versions
    return report | {
        "state": "approved",
        "return_reason": None,
        "reviewed_by_id": reviewer,
        "reviewed_at": final,
    }, versions


def _one_returned_each(reports: list[dict], versions: list[list[dict]], rng: random.Random) -> None:
    """Each careless school's latest reviewed report was sent back and is not corrected yet, so the
    demo always shows returned weeks in a school's 待办 and the bureau's lists."""
    latest = {}
    for i, report in enumerate(reports):
        if report["reviewed_at"] is not None and HABIT.get(report["code"]) == "careless":
            latest[report["school_id"]] = i
    for i in latest.values():
        reports[i] |= {"state": "returned", "return_reason": rng.choice(RETURN_REASONS)}
        reports[i]["submitted_at"] = versions[i][0]["submitted_at"]
        del versions[i][1:]
    for report in reports:
        del report["code"]


def _version(text: dict, number: int, at: datetime, user_id: int | None) -> dict:
    keep = ("school_id", "progress", "problems", "next_plan", "contact_name", "contact_phone", "figures")
    return {key: text[key] for key in keep} | {"number": number, "submitted_at": at, "submitted_by_id": user_id}


def _progress(figures: dict) -> str:
    if not figures.get("visits_term"):
        return "本周组织教师学习“大走访”工作方案；学生名册正在整理，尚未导入平台，家访尚未开始。"
    return (
        f"本周走访学生家庭 {figures['visits_week']} 户（上门或到校面谈 {figures['in_person_week']} 户），"
        f"联系留守儿童家庭 {figures['left_behind_week']} 户；本学期累计家访 {figures['visits_term']} 次，"
        f"家访覆盖率 {figures['coverage_pct']}%。"
    )
