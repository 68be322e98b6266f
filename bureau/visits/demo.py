"""Demo data of the home-visit campaign: the term and campaign around today, and for every demo
school but one a roster, staff, 包保 and visit records with a realistic spread.

Deterministic: one seeded random per school, and dates counted from `clock.today()`, so the same
day always gives the same rows. Thousands of rows go in with bulk INSERTs (no audit, as an import
of old records), valid under the product's rules: see tests/test_demo.py.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from bureau import clock
from bureau.tenants.models import School, User
from bureau.visits import demo_people as people
from bureau.visits.calendar import school_year
from bureau.visits.demo_visits import SchoolVisits, visit_rows
from bureau.visits.models import (
    Assignment,
    Campaign,
    SchoolClass,
    Staff,
    Student,
    Term,
    Visit,
    VisitVersion,
    default_coverage_deadline,
)

CAMPAIGN = "万师访万家"
SEED = 20261122
# The demo shows the latest term with at least this much of it behind today, so its figures mean
# something: in the first weeks of a term, and in the holidays, the term before it, complete.
SHOWN_AFTER = timedelta(weeks=4)
FOCUS = ("left_behind", "migrant", "disabled", "poor", "struggling", "changed")

QC_TOWN = ("东湖社区", "文昌社区", "建设路社区", "新华社区", "滨江社区", "桂花园社区")
QC_VILLAGES = ("城东村", "黄泥岗村", "七里村")
LH_TOWN = ("城关镇东街社区", "城关镇西街社区", "城关镇南关社区", "柳河新村社区")
LH_VILLAGES = ("东疏村", "前进村", "杨庄村", "河湾村", "李家洼村", "王营村", "新集村", "柳林村")
TY_TOWN = ("桃源镇人民路社区", "桃源镇花园社区", "桃源镇新城社区")
TY_VILLAGES = ("博山村", "石门村", "下河村", "桃花村", "张家坪村", "青石岭村")
ML_TOWN = ("梅园社区", "岭南社区", "文化路社区", "解放路社区", "梅林社区")
ML_VILLAGES = ("梅岭村", "枫树湾村", "高桥村", "塘背村")


@dataclass(frozen=True)
class Plan:
    """What a demo school looks like and how far its campaign has come by today."""

    grades: tuple[int, ...]
    classes: int  # per grade
    size: tuple[int, int]  # students per class
    places: tuple[tuple[str, ...], tuple[str, ...]]  # (town communities, villages)
    rural: float  # share of families living in villages: focus types and 附2 answers follow it
    coverage: float  # share of active students visited by today
    pace: float  # above 1 the visits came early in the term, below 1 late
    review_days: tuple[int, int]  # how long the school's admin takes to review a record
    gaps: int  # classes nobody answers for (包保缺口)
    problems: float  # share of family visits in which the family reports a problem
    leaders: tuple[str, ...] = ()  # names of its 校级领导 and 中层 (the seeds' school keeps its own)


PRIMARY = (1, 2, 3, 4, 5, 6)
# school code → plan; the one school without a plan (东城区机关幼儿园) has not imported its roster.
PLANS = {
    "99010201": Plan(PRIMARY, 2, (30, 36), (QC_TOWN, QC_VILLAGES), 0.05, 0.88, 1.5, (0, 2), 0, 0.01),
    "99010202": Plan(PRIMARY, 2, (28, 34), (QC_TOWN, QC_VILLAGES), 0.10, 0.64, 1.0, (1, 4), 1, 0.02),
    "99010203": Plan((7, 8, 9), 3, (38, 44), (QC_TOWN, QC_VILLAGES), 0.20, 0.41, 0.8, (2, 6), 1, 0.06),
    "99012101": Plan(PRIMARY, 2, (34, 40), (LH_TOWN, LH_VILLAGES), 0.40, 0.73, 1.1, (1, 3), 1, 0.02),
    "99012102": Plan(
        PRIMARY,
        2,
        (24, 30),
        (LH_TOWN, LH_VILLAGES),
        0.95,
        0.96,
        1.6,
        (0, 2),
        0,
        0.01,
        leaders=("侯志胜", "马志山", "陈玉华", "董勇", "吴承水", "王爱菊", "柳忠新", "刘年勇"),
    ),
    "99012103": Plan((10, 11, 12), 3, (44, 50), (LH_TOWN, LH_VILLAGES), 0.60, 0.18, 0.6, (4, 10), 2, 0.08),
    "99022101": Plan(PRIMARY, 2, (32, 38), (TY_TOWN, TY_VILLAGES), 0.35, 0.57, 0.9, (1, 5), 1, 0.02),
    "99022102": Plan((1, 2, 3), 2, (22, 28), (TY_TOWN, TY_VILLAGES), 0.70, 0.83, 1.3, (1, 3), 0, 0.01),
    "99022103": Plan((10, 11, 12), 2, (36, 44), (TY_TOWN, TY_VILLAGES), 0.75, 0.09, 0.5, (5, 12), 2, 0.03),
    "99090001": Plan(PRIMARY, 2, (32, 38), (ML_TOWN, ML_VILLAGES), 0.15, 0.79, 1.2, (1, 3), 0, 0.01),
    "99090002": Plan((7, 8, 9), 3, (38, 44), (ML_TOWN, ML_VILLAGES), 0.45, 0.33, 0.7, (3, 8), 1, 0.04),
}
NO_ROSTER = "99010204"
# The demo teacher's school and staff row; the staff of the school without a roster.
TEACHER = ("99010201", "陈静")
NO_ROSTER_STAFF = (
    ("周丽华", "校级领导"),
    ("孙敏", "中层"),
    ("吴婷婷", "班主任"),
    ("郑雪梅", "班主任"),
    ("冯燕", "其他"),
)


def demo_term(today: date) -> tuple[str, date, date]:
    """(name, first day, last day) of the term the demo shows: the latest that began at least
    SHOWN_AFTER before today. Autumn terms run 1 September – 31 January, spring terms 1 March –
    10 July, each within its school year."""
    first = school_year(today)[0].year
    terms = []
    for year in (first - 1, first):
        label = f"{year}-{year + 1}学年"
        terms.append((f"{label}第一学期", date(year, 9, 1), date(year + 1, 1, 31)))
        terms.append((f"{label}第二学期", date(year + 1, 3, 1), date(year + 1, 7, 10)))
    return max((t for t in terms if t[1] + SHOWN_AFTER <= today), key=lambda t: t[1])


def demo_campaign(session: Session, province) -> Campaign:
    """The demo's campaign (run by the province over the whole term), made once."""
    campaign = session.scalar(select(Campaign).where(Campaign.name == CAMPAIGN, Campaign.region_id == province.id))
    if campaign is not None:
        return campaign
    name, start, end = demo_term(clock.today())
    term = session.scalar(select(Term).where(Term.name == name)) or Term(name=name, start_date=start, end_date=end)
    campaign = Campaign(
        name=CAMPAIGN,
        region=province,
        term=term,
        start_date=term.start_date,
        end_date=term.end_date,
        coverage_deadline=default_coverage_deadline(term.start_date),
    )
    session.add(campaign)
    session.flush()
    return campaign


def load(session: Session, nodes: dict, reviewers: dict[str, User]) -> Campaign:
    """Add the visits demo data; `nodes` maps region and school codes to rows, `reviewers` school
    codes to the school admin who reviews its records. A school that has staff already is left
    as it is, so running it twice changes nothing."""
    campaign = demo_campaign(session, nodes["990000"])
    term = campaign.term
    staffed = set(session.scalars(select(Staff.school_id).distinct()))
    for code, school in nodes.items():
        if not isinstance(school, School) or school.id in staffed:
            continue
        rng = random.Random(f"{SEED}-{code}")
        if code in PLANS:
            _school(session, rng, school, PLANS[code], term, reviewers.get(code))
        else:
            _staff_only(session, rng, school)
    session.flush()
    return campaign


def _staff_only(session: Session, rng: random.Random, school: School) -> None:
    rows = [{"school_id": school.id, "name": n, "position": p, "phone": people.phone(rng)} for n, p in NO_ROSTER_STAFF]
    session.execute(insert(Staff), rows)


def _bulk(session: Session, model, rows: list[dict]) -> list[int]:
    """Insert rows in one statement per batch; their new ids, in the order given."""
    if not rows:
        return []
    stmt = insert(model).returning(model.id, sort_by_parameter_order=True)
    return list(session.scalars(stmt, rows))


def _school(session: Session, rng: random.Random, school: School, plan: Plan, term: Term, reviewer) -> None:
    classes = [
        {"school_id": school.id, "grade": g, "number": n} for g in plan.grades for n in range(1, plan.classes + 1)
    ]
    for row, new_id in zip(classes, _bulk(session, SchoolClass, classes), strict=True):
        row["id"] = new_id
    staff = _staff(session, rng, school, plan, len(classes))
    students = _students(rng, school, plan, classes, school_year(term.start_date)[0].year)
    for row, new_id in zip(students, _bulk(session, Student, students), strict=True):
        row["id"] = new_id
    today = min(clock.today(), term.end_date + timedelta(days=1))
    assignments = _assignments(rng, school, plan, term, today, classes, staff, students)
    session.execute(insert(Assignment), assignments)
    teacher = staff[0]["id"] if school.code == TEACHER[0] else None
    made = SchoolVisits(rng, school.id, plan, term, classes, assignments, staff, students, reviewer, teacher)
    visits, versions = visit_rows(made, clock.now())
    for visit_id, numbered in zip(_bulk(session, Visit, visits), versions, strict=True):
        for row in numbered:
            row["visit_id"] = visit_id
    session.execute(insert(VisitVersion), [row for numbered in versions for row in numbered])


def _staff(session: Session, rng: random.Random, school: School, plan: Plan, n_classes: int) -> list[dict]:
    """Leaders (校级领导, then 中层), a 班主任 per class, some 科任教师 and one other; the demo
    teacher's login is linked to the first 班主任 of the demo teacher's school."""
    leaders = list(plan.leaders) or [people.adult_name(rng, rng.choice("男女")) for _ in range(4)]
    rows = [(name, "校级领导" if i < len(leaders) // 2 else "中层") for i, name in enumerate(leaders)]
    heads = [people.adult_name(rng, rng.choices("男女", weights=(3, 7))[0]) for _ in range(n_classes)]
    if school.code == TEACHER[0]:
        heads[0] = TEACHER[1]
    rows += [(name, "班主任") for name in heads]
    rows += [(people.adult_name(rng, rng.choice("男女")), "科任教师") for _ in range(max(2, n_classes // 2))]
    rows += [(people.adult_name(rng, "女"), "其他")]
    teacher = session.scalar(select(User.id).where(User.username == "teacher")) if school.code == TEACHER[0] else None
    staff = [
        {
            "school_id": school.id,
            "name": name,
            "position": position,
            "phone": people.phone(rng),
            "user_id": teacher if name == TEACHER[1] else None,
        }
        for name, position in rows
    ]
    for row, new_id in zip(staff, _bulk(session, Staff, staff), strict=True):
        row["id"] = new_id
    # The first 班主任 first: the visits module finds the demo teacher there.
    return sorted(staff, key=lambda s: s["position"] != "班主任")


def _students(rng: random.Random, school: School, plan: Plan, classes: list[dict], year: int) -> list[dict]:
    """A class of `plan.size` students each; 学号 = year of entry, class and seat (20240312)."""
    r = plan.rural
    shares = {
        "left_behind": 0.06 + 0.30 * r,
        "migrant": 0.01 + 0.14 * (1 - r),
        "disabled": 0.012,
        "poor": 0.03 + 0.08 * r,
        "struggling": 0.08,
        "changed": 0.02,
    }
    towns, villages = plan.places
    rows = []
    for cls in classes:
        entry = year - (cls["grade"] - plan.grades[0])
        for seat in range(1, rng.randint(*plan.size) + 1):
            family, sex = people.surname(rng), rng.choices("男女", weights=(52, 48))[0]
            flags = {key: rng.random() < share for key, share in shares.items()}
            guardian, relation = people.guardian(rng, family, flags["left_behind"])
            in_village = rng.random() < r
            place = rng.choice(villages if in_village else towns)
            rows.append(
                {
                    "school_id": school.id,
                    "number": f"{entry}{cls['number']:02d}{seat:02d}",
                    "name": people.child_name(rng, family, sex),
                    "sex": sex,
                    "class_id": cls["id"],
                    "guardian_name": guardian,
                    "guardian_relation": relation,
                    "guardian_phone": people.phone(rng),
                    "address": f"{place}{rng.randint(1, 12)}组" if in_village else f"{place}{rng.randint(1, 40)}栋",
                    "village": place,
                    "active": rng.random() > 0.01,  # a few moved away (转学) and stay on the roster, inactive
                    **flags,
                }
            )
    return rows


def _assignments(rng, school, plan, term, today, classes, staff, students) -> list[dict]:
    """包保: a leader per grade, a 班主任 per class but `plan.gaps` of them, some left-behind and
    disabled pupils paired with a teacher of their own, and one handover (交接) in the term."""
    since = school_year(term.start_date)[0]
    leaders = [s for s in staff if s["position"] in ("校级领导", "中层")]
    heads = [s for s in staff if s["position"] == "班主任"]
    others = [s for s in staff if s["position"] == "科任教师"]

    def row(kind, who, start, reason, **target):
        fields = {"grade": None, "class_id": None, "student_id": None, **target}
        return {"school_id": school.id, "kind": kind, "staff_id": who["id"], "start_date": start, "end_date": None} | {
            **fields,
            "reason": reason,
        }

    rows = [
        row("grade", leaders[i % len(leaders)], since, "新学年包保安排", grade=g) for i, g in enumerate(plan.grades)
    ]
    uncovered = set(rng.sample(range(1, len(classes)), plan.gaps))  # never the demo teacher's class
    for i, (cls, head) in enumerate(zip(classes, heads, strict=True)):
        if i not in uncovered:
            rows.append(row("class", head, since, "新学年包保安排", class_id=cls["id"]))
    if plan.coverage >= 0.6 and len(heads) > 2:  # one class changed hands during the term
        handed = rows[len(plan.grades) + 1]
        day = term.start_date + timedelta(days=(today - term.start_date).days * 2 // 5)
        rows.insert(rows.index(handed), handed | {"staff_id": others[0]["id"], "end_date": day})
        handed |= {"start_date": day, "reason": "原班主任改任科任教师，班级包保交接"}
    paired = [s for s in students if s["active"] and (s["disabled"] or (s["left_behind"] and rng.random() < 0.3))]
    for pupil in paired:
        rows.append(row("student", rng.choice(others + leaders), since, "结对帮扶", student_id=pupil["id"]))
    return rows
