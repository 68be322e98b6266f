"""The schema is built by Alembic migrations, the models agree with them, and each one goes back down."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import func, insert, inspect, select

from bureau import clock
from bureau.audit import set_actor
from bureau.demo import load_demo
from bureau.extensions import db
from bureau.ledger.models import DEFAULT_CATEGORIES, ProblemCategory


def _schema_differences() -> list:
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, db.metadata)


def test_models_and_migrations_agree(app, session):
    assert _schema_differences() == []


def test_migrations_form_one_line_of_history(app, session):
    config = app.extensions["migrate"].migrate.get_config()
    heads = ScriptDirectory.from_config(config).get_heads()
    assert len(heads) == 1, f"several migration heads: {heads}"


def _row_counts() -> dict[str, int]:
    """Rows of every table the database holds now, read past the ORM (no guard, no session)."""
    with db.engine.connect() as connection:
        names = set(inspect(connection).get_table_names()) - {"alembic_version"}
        return {
            t.name: connection.scalar(select(func.count()).select_from(t))
            for t in db.metadata.sorted_tables
            if t.name in names
        }


def _as_migrated() -> None:
    """Put back the rows the migrations seed (the session fixture empties every table): the
    ledger's ten categories, written past the ORM as the migration writes them."""
    with db.engine.begin() as connection:
        connection.execute(
            insert(ProblemCategory.__table__),
            [{"name": name, "position": i, "active": True} for i, name in enumerate(DEFAULT_CATEGORIES, start=1)],
        )


def _load_demo(session) -> dict[str, int]:
    with clock.frozen_at(datetime(2026, 11, 12, 2, 0, tzinfo=UTC)):  # a Thursday of the demo term
        set_actor(session, None, "演示数据")
        load_demo(session)
        session.commit()
    session.close()  # no transaction of ours may hold a lock a migration's DROP waits for
    return _row_counts()


def test_every_migration_downgrades_and_upgrades_again_under_demo_data(app, session):
    """With the demo province loaded: down to each earlier revision and back up to head, the
    surviving tables keep every row; down to base leaves no table; up again, the demo loads and
    the schema matches the models. Leaves the schema at head (the session fixture empties it)."""
    config = app.extensions["migrate"].migrate.get_config()
    earlier = [script.revision for script in ScriptDirectory.from_config(config).walk_revisions()][1:]
    _as_migrated()
    loaded = _load_demo(session)
    assert loaded["school"] == 12 and loaded["visit"] > 0 and loaded["weekly_report"] > 0
    try:
        for revision in earlier:
            downgrade(revision=revision)
            kept = _row_counts()
            assert set(kept) <= set(loaded)
            assert kept == {name: loaded[name] for name in kept}
            upgrade()
            after = _row_counts()
            assert set(after) == set(loaded)
            assert {name: after[name] for name in kept} == kept
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
    finally:
        upgrade()
    fresh = _row_counts()
    assert fresh.pop("problem_category") == 10  # the ledger's migration seeds the ten categories
    assert set(fresh.values()) == {0}
    assert _load_demo(session) == loaded
    assert _schema_differences() == []
