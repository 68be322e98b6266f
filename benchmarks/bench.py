"""Benchmark: a generated province, then the pages and exports bureau staff use most.

    .venv/bin/python benchmarks/bench.py --schools 1000 --students 300
    .venv/bin/python benchmarks/bench.py --database postgresql+psycopg://postgres@127.0.0.1/bench

Prints, per page, the median time of five requests and the SQL statements one request runs.
The database is emptied first: point it at a scratch database only.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import create_engine, event, insert, select, text
from werkzeug.security import generate_password_hash

from bureau import clock, create_app
from bureau.extensions import db
from bureau.progress import periods
from bureau.progress.models import WeeklyReport
from bureau.progress.service import open_week
from bureau.tenants.models import Region, School, User
from bureau.visits.models import Campaign, SchoolClass, Staff, Student, Term, Visit

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=clock.LOCAL)
TERM_START = date(2026, 9, 1)
WEEKS = 10
BATCH = 20_000
PASSWORD = "bench-pass"


def fresh_database(url: str) -> None:
    if url.startswith("postgresql"):
        engine = create_engine(url, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    elif url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)


def bulk(model, rows: list[dict]) -> None:
    for i in range(0, len(rows), BATCH):
        db.session.execute(insert(model), rows[i : i + BATCH])


def generate(n_schools: int, per_school: int, rng: random.Random) -> dict:
    session = db.session
    province = Region(code="P", name="基准省", kind="province")
    session.add(province)
    session.flush()
    counties = []
    for c in range(10):
        city = Region(code=f"C{c}", name=f"第{c + 1}市", kind="city", parent=province)
        session.add(city)
        session.flush()
        for k in range(9):
            county = Region(code=f"C{c}K{k}", name=f"第{c + 1}市{k + 1}县", kind="county", parent=city)
            session.add(county)
            counties.append(county)
    for d in range(5):
        county = Region(code=f"D{d}", name=f"省直管{d + 1}市", kind="direct_county", parent=province)
        session.add(county)
        counties.append(county)
    session.flush()
    bulk(
        School,
        [
            {
                "code": f"S{i:05d}",
                "name": f"基准学校{i:05d}",
                "county_id": c.id,
                "city_id": c.city_id,
                "province_id": province.id,
                "active": True,
                "stage": "小学",
                "contact_name": "校办",
                "contact_phone": "0791-0000000",
            }
            for i, c in ((i, counties[i % len(counties)]) for i in range(n_schools))
        ],
    )
    schools = session.execute(select(School.id, School.county_id).order_by(School.id)).all()
    classes_per_school = max(1, per_school // 40)
    bulk(
        SchoolClass,
        [
            {"school_id": s, "grade": 1 + k // 2, "number": 1 + k % 2}
            for s, _ in schools
            for k in range(classes_per_school)
        ],
    )
    bulk(
        Staff,
        [
            {"school_id": s, "name": f"教师{k}", "position": "班主任", "active": True}
            for s, _ in schools
            for k in range(classes_per_school + 2)
        ],
    )
    class_ids = {}
    for cid, sid in session.execute(select(SchoolClass.id, SchoolClass.school_id)):
        class_ids.setdefault(sid, []).append(cid)
    staff_ids = {}
    for tid, sid in session.execute(select(Staff.id, Staff.school_id)):
        staff_ids.setdefault(sid, []).append(tid)
    bulk(
        Student,
        [
            {
                "school_id": s,
                "number": f"{s}-{k}",
                "name": f"学生{k}",
                "sex": "男",
                "class_id": class_ids[s][k % len(class_ids[s])],
                "guardian_name": "家长",
                "guardian_phone": f"138{rng.randrange(10**8):08d}",
                "active": True,
                "left_behind": k % 9 == 0,
                "poor": k % 13 == 0,
            }
            for s, _ in schools
            for k in range(per_school)
        ],
    )
    term = Term(name="基准学期", start_date=TERM_START, end_date=date(2027, 1, 31))
    session.add(term)
    session.flush()
    campaign = Campaign(
        name="基准大走访",
        region_id=province.id,
        term_id=term.id,
        start_date=TERM_START,
        end_date=date(2027, 1, 31),
        coverage_deadline=date(2026, 11, 1),
    )
    session.add(campaign)
    session.flush()
    visits = []
    for sid, school_id in session.execute(select(Student.id, Student.school_id)):
        if rng.random() < 0.8:
            day = TERM_START + timedelta(days=rng.randrange(80))
            visits.append(
                {
                    "school_id": school_id,
                    "student_id": sid,
                    "staff_id": staff_ids[school_id][0],
                    "term_id": term.id,
                    "visited_on": day,
                    "target": "family",
                    "mode": rng.choice(("home", "home", "phone", "online", "at_school")),
                    "status": rng.choice(("pending", "approved", "approved")),
                    "no_gifts": True,
                    "submitted_at": datetime.combine(day, datetime.min.time(), UTC),
                }
            )
    bulk(Visit, visits)
    weeks = []
    for w in range(WEEKS):
        week = periods.week_of(TERM_START) + timedelta(weeks=w)
        open_week(session, campaign, week, NOW.astimezone(UTC))
        weeks.append(week)
        deadline = periods.deadline(week, 3, campaign.report_time or datetime.min.time())
        bulk(
            WeeklyReport,
            [
                {
                    "school_id": s,
                    "campaign_id": campaign.id,
                    "week_start": week,
                    "state": "submitted",
                    "progress": "本周完成家访若干户",
                    "first_submitted_at": deadline + timedelta(hours=rng.choice((-5, -1, 2))),
                    "submitted_at": deadline,
                    "on_time": rng.random() < 0.7,
                    "figures": {},
                }
                for s, _ in schools
                if rng.random() < 0.9
            ],
        )
    first_county = counties[0]
    users = {
        "leader": ("leader", province, None),
        "city_leader": ("leader", first_county.parent, None),
        "county_admin": ("region_admin", first_county, None),
        "school_admin": ("school_admin", None, schools[0][0]),
    }
    password_hash = generate_password_hash(PASSWORD)
    for name, (role, region, school_id) in users.items():
        session.add(
            User(
                username=name,
                display_name=name,
                role=role,
                password_hash=password_hash,
                active=True,
                region_id=region.id if region else None,
                school_id=school_id,
            )
        )
    session.commit()
    session.execute(text("ANALYZE"))  # as a live database would have statistics
    session.commit()
    return {
        "campaign": campaign.id,
        "week": periods.week_code(weeks[-1]),
        "city": first_county.parent.id,
        "province": province.id,
        "visits": len(visits),
        "schools": len(schools),
        "students": len(schools) * per_school,
    }


class Counter:
    def __init__(self):
        self.n = 0

    def __call__(self, *args, **kwargs):
        self.n += 1


def measure(app, username: str, url: str, repeat: int = 5) -> tuple[float, int, int]:
    """Median time and statements of a page; each request in a fresh app context (own session)."""
    client = app.test_client()
    with app.app_context():
        page = client.get("/login").get_data(as_text=True)
    token = page.split('name="csrf_token"')[1].split('value="')[1].split('"')[0]
    with app.app_context():
        client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token})
    with app.app_context():
        engine = db.engine
    counter = Counter()
    event.listen(engine, "before_cursor_execute", counter)
    times, size = [], 0
    for _ in range(repeat):
        counter.n = 0
        with app.app_context():
            start = time.perf_counter()
            response = client.get(url)
            size = len(response.data)
            times.append(time.perf_counter() - start)
        assert response.status_code == 200, (url, response.status_code)
    event.remove(engine, "before_cursor_execute", counter)
    return statistics.median(times) * 1000, counter.n, size


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--schools", type=int, default=1000)
    parser.add_argument("--students", type=int, default=300, help="students per school")
    parser.add_argument("--database", default=f"sqlite:///{tempfile.gettempdir()}/bureau-bench.sqlite3")
    args = parser.parse_args()
    fresh_database(args.database)
    # Every measured request signs in afresh from 127.0.0.1: the per-address login rate would refuse it.
    app = create_app({"SQLALCHEMY_DATABASE_URI": args.database, "WTF_CSRF_ENABLED": True, "RATELIMIT_ENABLED": False})
    rng = random.Random(20261122)
    with app.app_context():
        upgrade()
        start = time.perf_counter()
        with clock.frozen_at(NOW):
            facts = generate(args.schools, args.students, rng)
        built = time.perf_counter() - start
    print(
        f"database: {args.database.split('://')[0]}; {facts['schools']} schools, {facts['students']} students, "
        f"{facts['visits']} visits, {WEEKS} weeks of reports; generated in {built:.0f} s\n"
    )
    q = f"campaign={facts['campaign']}&week={facts['week']}"
    pages = [
        ("学校列表（省局领导）", "leader", "/admin/school/"),
        ("学生列表（县管理员）", "county_admin", "/admin/student/"),
        ("家访记录列表（县管理员）", "county_admin", "/admin/visit/"),
        ("家访记录列表（学校管理员）", "school_admin", "/admin/visit/"),
        ("覆盖率 各市（省局领导）", "leader", "/admin/coverage/"),
        ("覆盖率 各校（县管理员）", "county_admin", "/admin/coverage/?level=school"),
        ("提交数排名（省局领导）", "leader", "/admin/ranking/"),
        ("周调度 各县（市局领导）", "city_leader", f"/admin/progress/?{q}&region={facts['city']}"),
        ("周调度 各市（省局领导）", "leader", f"/admin/progress/?{q}"),
        ("导出 漏访名单（县）", "county_admin", "/admin/coverage/missed.xlsx"),
        ("导出 漏访名单（全省）", "leader", "/admin/coverage/missed.xlsx"),
        ("导出 周调度汇总（全省）", "leader", f"/admin/progress/export.xlsx?{q}"),
    ]
    print("| page | median ms | SQL statements | response bytes |")
    print("|---|---:|---:|---:|")
    with clock.frozen_at(NOW):
        for label, user, url in pages:
            ms, statements, size = measure(app, user, url)
            print(f"| {label} | {ms:.0f} | {statements} | {size:,} |")


if __name__ == "__main__":
    main()
