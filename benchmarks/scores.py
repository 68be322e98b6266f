"""Benchmark of scoring (量化考核) at province scale: scores in SQL and the two exports.

    .venv/bin/python benchmarks/scores.py                      # SQLite in a temporary file
    .venv/bin/python benchmarks/scores.py --database postgresql+psycopg://postgres@127.0.0.1/bench_scores

Generates a province of 10 cities × 10 counties, 10,000 schools (100 a county; `--schools`),
30 staff a school (1 in 3 a 班主任), one term, the province's default rules and its settings,
and 200,000 deductions (`--deductions`) of 1-3 instances of 0.5 points against the staff, 5 %
of them followed by their reversal. Then the median of three runs of `school_scores` (the
province, a city, a county — also under the county's scope), `teacher_scores` (one school) and
the exports (the term's deductions and the province's school scores, written with
`write_workbook` to a temporary file; peak Python memory by tracemalloc in a fourth run).
The database is emptied first: point it at a scratch database only.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
import tracemalloc
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from bench import fresh_database  # benchmarks/bench.py: run as a script, its folder is on the path
from flask_migrate import upgrade
from sqlalchemy import event, insert, select, text

from bureau import create_app
from bureau.exports.scoring import deduction_rows, deductions_sheet, school_scores_sheet
from bureau.exports.xlsx import Export, write_workbook
from bureau.extensions import db
from bureau.inspection.deductions import DEFAULT_POINTS, DEFAULT_RULES
from bureau.inspection.scores import school_scores, teacher_scores
from bureau.inspection.scoring_models import HEAD_TEACHER, Deduction, DeductionRule, ScoringSetting
from bureau.tenants.guard import set_scope
from bureau.tenants.models import Region, School
from bureau.tenants.scope import Scope
from bureau.visits.models import Staff, Term

BATCH = 20_000
CITIES, COUNTIES = 10, 10  # counties per city
STAFF = 30  # per school; every third a 班主任
TERM_START, TERM_END = date(2026, 9, 1), date(2027, 1, 31)
RECORDED = datetime(2026, 9, 1, 2, 0, tzinfo=UTC)


def bulk(model, rows) -> None:
    chunk = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == BATCH:
            db.session.execute(insert(model), chunk)
            chunk = []
    if chunk:
        db.session.execute(insert(model), chunk)


def generate(n_schools: int, n_deductions: int, rng: random.Random) -> dict:
    session = db.session
    province = Region(code="BP", name="基准省", kind="province")
    session.add(province)
    session.flush()  # bureau.session places a region's province_id and city_id from a stored parent
    counties = []
    for c in range(CITIES):
        city = Region(code=f"BC{c}", name=f"第{c + 1}市", kind="city", parent=province)
        session.add(city)
        session.flush()
        for k in range(COUNTIES):
            county = Region(code=f"BC{c}K{k}", name=f"第{c + 1}市{k + 1}县", kind="county", parent=city)
            session.add(county)
            counties.append(county)
    session.flush()
    bulk(
        School,
        (
            {
                "code": f"S{i:05d}",
                "name": f"基准学校{i:05d}",
                "county_id": county.id,
                "city_id": county.city_id,
                "province_id": province.id,
                "active": True,
                "stage": "小学",
            }
            for i in range(n_schools)
            for county in (counties[i * len(counties) // n_schools],)  # n_schools / 100 a county, in order
        ),
    )
    school_ids = session.scalars(select(School.id).order_by(School.id)).all()
    bulk(
        Staff,
        (
            {
                "school_id": s,
                "name": f"教师{s}-{k}",
                "position": HEAD_TEACHER if k % 3 == 0 else "科任教师",
                "active": True,
            }
            for s in school_ids
            for k in range(STAFF)
        ),
    )
    heads, teachers = {}, {}
    for staff_id, school_id, position in session.execute(
        select(Staff.id, Staff.school_id, Staff.position).order_by(Staff.id)
    ):
        teachers.setdefault(school_id, []).append(staff_id)
        if position == HEAD_TEACHER:
            heads.setdefault(school_id, []).append(staff_id)
    term = Term(name="基准学期", start_date=TERM_START, end_date=TERM_END)
    session.add(term)
    session.add(ScoringSetting(region=province, base_score=Decimal("100")))
    session.flush()
    bulk(
        DeductionRule,
        (
            {"region_id": province.id, "code": code, "description": desc, "applies_to": who, "points": DEFAULT_POINTS}
            for code, desc, who in DEFAULT_RULES
        ),
    )
    rules = session.execute(
        select(DeductionRule.id, DeductionRule.code, DeductionRule.description, DeductionRule.applies_to).order_by(
            DeductionRule.id
        )
    ).all()
    entries = []
    for _ in range(n_deductions):
        school_id = rng.choice(school_ids)
        rule_id, code, desc, who = rng.choice(rules)
        staff_id = rng.choice(heads[school_id] if who == "head_teacher" else teachers[school_id])
        instances = rng.randint(1, 3)
        day = TERM_START + timedelta(days=rng.randrange(90))
        entries.append(
            {
                "school_id": school_id,
                "staff_id": staff_id,
                "term_id": term.id,
                "rule_id": rule_id,
                "rule_code": code,
                "rule_text": desc,
                "applies_to": who,
                "points_each": DEFAULT_POINTS,
                "instances": instances,
                "points": DEFAULT_POINTS * instances,
                "occurred_on": day,
                "evidence_kind": "note",
                "note": "基准扣分",
                "recorded_at": RECORDED + timedelta(days=(day - TERM_START).days, hours=rng.randrange(10)),
                "recorded_by_name": "督学",
                "recorded_by_role": "inspector",
            }
        )
    bulk(Deduction, entries)
    # A fresh table numbers the entries in insertion order: the i-th entry is the i-th id.
    ids = session.scalars(select(Deduction.id).order_by(Deduction.id)).all()
    reversed_ = sorted(rng.sample(range(len(entries)), len(entries) // 20))
    bulk(
        Deduction,
        (
            entries[i]
            | {
                "points": -entries[i]["points"],
                "note": None,
                "recorded_at": entries[i]["recorded_at"] + timedelta(days=3),
                "reverses_id": ids[i],
                "reason": "核实为误录",
            }
            for i in reversed_
        ),
    )
    session.commit()
    session.execute(text("ANALYZE"))  # as a live database would have statistics
    session.commit()
    first_county = counties[0]
    school = session.scalars(select(School).where(School.county_id == first_county.id).order_by(School.id)).first()
    return {
        "province": province,
        "city": first_county.parent,
        "county": first_county,
        "school": school,
        "term": term,
        "schools": len(school_ids),
        "staff": len(school_ids) * STAFF,
        "deductions": len(entries),
        "reversals": len(reversed_),
    }


class Statements:
    def __init__(self):
        self.n = 0

    def __call__(self, *args, **kwargs):
        self.n += 1


def measure(label: str, scope: Scope | None, run, repeat: int = 3, memory: bool = False) -> dict:
    """Median of `repeat` runs and the statements of one; with `memory`, a further run under
    tracemalloc (which slows Python 2-3x) for the peak."""
    set_scope(db.session, scope)
    counter = Statements()
    event.listen(db.engine, "before_cursor_execute", counter)
    times = []
    try:
        for _ in range(repeat):
            counter.n = 0
            started = time.perf_counter()
            result = run()
            times.append(time.perf_counter() - started)
    finally:
        event.remove(db.engine, "before_cursor_execute", counter)
    peak = None
    if memory:
        tracemalloc.start()
        run()
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    set_scope(db.session, None)
    figures = {"label": label, "ms": statistics.median(times) * 1000, "statements": counter.n, "result": result}
    print(
        f"| {label} | {'county' if scope else '—'} | {figures['ms']:,.0f} | {counter.n} | "
        f"{'' if peak is None else f'{peak / 1e6:.1f} MB'} | {result} |",
        flush=True,
    )
    return figures


def export(path: str, sheet, what: str, place: str) -> str:
    write_workbook(path, [sheet], Export(what, place))
    return f"{os.path.getsize(path) / 1e6:.1f} MB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", help="SQLAlchemy URL of a scratch database (emptied first)")
    parser.add_argument("--schools", type=int, default=10_000)
    parser.add_argument("--deductions", type=int, default=200_000)
    args = parser.parse_args()
    workdir = tempfile.mkdtemp()
    url = args.database or f"sqlite:///{workdir}/scores.sqlite3"
    fresh_database(url)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "TESTING": True})
    with app.app_context():
        upgrade()
        started = time.perf_counter()
        w = generate(args.schools, args.deductions, random.Random(2026))
        print(
            f"database: {url.split('://')[0]}; {w['schools']:,} schools, {w['staff']:,} staff, "
            f"{w['deductions']:,} deductions + {w['reversals']:,} reversals; "
            f"generated in {time.perf_counter() - started:.0f} s\n"
        )
        session = db.session
        province, city, county, school, term = (w[k] for k in ("province", "city", "county", "school", "term"))
        county_scope = Scope("county", county.id, (city.id, province.id))
        xlsx = f"{workdir}/export.xlsx"
        print("| operation | scope | median ms | SQL statements | peak Python memory | result |")
        print("|---|---|---:|---:|---:|---|")
        measure("school_scores, province", None, lambda: f"{len(school_scores(session, None, province, term)):,} rows")
        measure("school_scores, one city", None, lambda: f"{len(school_scores(session, None, city, term)):,} rows")
        measure("school_scores, one county", None, lambda: f"{len(school_scores(session, None, county, term))} rows")
        measure(
            "school_scores, one county",
            county_scope,
            lambda: f"{len(school_scores(session, county_scope, county, term))} rows",
        )
        measure("teacher_scores, one school", None, lambda: f"{len(teacher_scores(session, None, school, term))} rows")
        measure(
            "teacher_scores, one school",
            county_scope,
            lambda: f"{len(teacher_scores(session, county_scope, school, term))} rows",
        )

        def deductions_export(place: str) -> str:
            rows = 0

            def counted():
                nonlocal rows
                for row in deduction_rows(session, term):
                    rows += 1
                    yield row

            size = export(xlsx, deductions_sheet(counted(), f"扣分明细 {term.name}"), "扣分明细", place)
            return f"{rows:,} rows, {size}"

        measure("export 扣分明细, province", None, lambda: deductions_export(province.name), memory=True)
        measure("export 扣分明细, one county", county_scope, lambda: deductions_export(county.name), memory=True)

        def scores_export() -> str:
            rows = school_scores(session, None, province, term)
            size = export(xlsx, school_scores_sheet(rows, f"学校量化得分 {term.name}"), "学校量化得分", province.name)
            return f"{len(rows):,} rows, {size}"

        measure("export 学校量化得分, province", None, scores_export, memory=True)


if __name__ == "__main__":
    main()
