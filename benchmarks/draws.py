"""Benchmark of the sampling service: time and peak Python memory of a draw on generated frames.

    .venv/bin/python benchmarks/draws.py                      # SQLite in a temporary file
    .venv/bin/python benchmarks/draws.py --database postgresql+psycopg://postgres@127.0.0.1/bench

1. 500 schools from 10,000 (100 counties, 5 a county): `draw_schools`, as `flask bureau draw`.
2. 10 families per village from the families of 1,000,000 family visits (20,000 villages of 50;
   `--villages 2000 --per-village 500` draws from as many visits with a tenth of the sample):
   the phone-check frame of `bureau/inspection/phone.py`.

Peak memory is tracemalloc's (Python allocations): it follows the sample, not the frame; the
frame itself goes from the database into the database (INSERT … SELECT) and is read back as a
stream. The database is emptied first: point it at a scratch database only.
"""

from __future__ import annotations

import argparse
import tempfile
import time
import tracemalloc
from datetime import date, timedelta

from bench import fresh_database  # benchmarks/bench.py: run as a script, its folder is on the path
from flask_migrate import upgrade
from sqlalchemy import insert, select

from bureau import create_app
from bureau.extensions import db
from bureau.inspection.frames import draw_schools
from bureau.inspection.phone import family_frame
from bureau.inspection.sampling import Size, make_draw
from bureau.tenants.models import Region, School
from bureau.visits.models import SchoolClass, Staff, Student, Term, Visit

BATCH = 50_000


def bulk(model, rows) -> None:
    chunk = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == BATCH:
            db.session.execute(insert(model), chunk)
            chunk = []
    if chunk:
        db.session.execute(insert(model), chunk)


def measure(label: str, run) -> None:
    """Run twice: once for the time, once under tracemalloc (which slows Python 2-3x) for the peak."""
    started = time.perf_counter()
    result = run()
    elapsed = time.perf_counter() - started
    db.session.rollback()
    tracemalloc.start()
    run()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    db.session.rollback()
    print(f"{label}: {elapsed * 1000:,.0f} ms, peak Python memory {peak / 1e6:.1f} MB, {result}")


def schools(n_counties: int, per_county: int) -> Region:
    session = db.session
    province = Region(code="BP", name="基准省", kind="province")
    session.add(province)
    session.flush()
    bulk(
        Region,
        (
            {
                "code": f"BC{c:04d}",
                "name": f"县{c}",
                "kind": "county",
                "parent_id": province.id,
                "province_id": province.id,
            }
            for c in range(n_counties)
        ),
    )
    ids = dict(session.execute(select(Region.code, Region.id).where(Region.kind == "county")).all())
    bulk(
        School,
        (
            {
                "code": f"S{c:04d}{s:04d}",
                "name": f"学校{c}-{s}",
                "county_id": ids[f"BC{c:04d}"],
                "province_id": province.id,
                "active": True,
            }
            for c in range(n_counties)
            for s in range(per_county)
        ),
    )
    session.commit()
    return province


def families(province: Region, villages: int, per_village: int) -> None:
    """One family visit per student, `per_village` students in each of `villages` villages,
    spread over the province's schools (one class and one teacher a school)."""
    session = db.session
    term = Term(name="基准学期", start_date=date(2026, 9, 1), end_date=date(2027, 1, 31))
    session.add(term)
    session.flush()
    school_ids = session.scalars(select(School.id).order_by(School.id)).all()
    bulk(SchoolClass, ({"school_id": s, "grade": 5, "number": 1} for s in school_ids))
    bulk(Staff, ({"school_id": s, "name": "教师", "position": "班主任", "active": True} for s in school_ids))
    classes = dict(session.execute(select(SchoolClass.school_id, SchoolClass.id)).all())
    staff = dict(session.execute(select(Staff.school_id, Staff.id)).all())
    total = villages * per_village

    def school_of(i: int) -> int:  # a village's families go to one school (so one county)
        return school_ids[(i // per_village) % len(school_ids)]

    bulk(
        Student,
        (
            {
                "school_id": school_of(i),
                "class_id": classes[school_of(i)],
                "number": f"{i:08d}",
                "name": "学生",
                "village": f"村{i // per_village:05d}",
                "guardian_phone": "13800000000",
                "active": True,
            }
            for i in range(total)
        ),
    )
    session.commit()
    student_ids = session.execute(select(Student.id, Student.school_id).order_by(Student.id)).all()
    bulk(
        Visit,
        (
            {
                "school_id": school_id,
                "student_id": student_id,
                "staff_id": staff[school_id],
                "term_id": term.id,
                "visited_on": date(2026, 9, 10) + timedelta(days=student_id % 60),
                "target": "family",
                "mode": "home",
                "status": "approved",
            }
            for student_id, school_id in student_ids
        ),
    )
    session.commit()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", help="SQLAlchemy URL of a scratch database (emptied first)")
    parser.add_argument("--villages", type=int, default=20_000)
    parser.add_argument("--per-village", type=int, default=50)
    args = parser.parse_args()
    url = args.database or f"sqlite:///{tempfile.mkdtemp()}/draws.sqlite3"
    fresh_database(url)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "TESTING": True})
    with app.app_context():
        upgrade()
        province = schools(100, 100)
        measure(
            "500 schools from 10,000",
            lambda: (
                draw_schools(
                    db.session, region=province, per="county", size=Size(n=5), seed="b", drawn_by=None
                ).sample_size
            ),
        )
        started = time.perf_counter()
        families(province, args.villages, args.per_village)
        print(f"generated {args.villages * args.per_village:,} family visits in {time.perf_counter() - started:.0f} s")
        period = (date(2026, 9, 1), date(2027, 1, 31))
        measure(
            f"10 families per village from {args.villages * args.per_village:,} visits (the draw)",
            lambda: (
                make_draw(
                    db.session,
                    purpose="phone_check",
                    region=province,
                    per="village",
                    size=Size(n=10),
                    seed="b",
                    frame=family_frame(db.session, province, "village", *period, None, False),
                    drawn_by=None,
                ).sample_size
            ),
        )


if __name__ == "__main__":
    main()
