"""Test harness: the same suite on SQLite and, when BUREAU_TEST_POSTGRES_URL is set, PostgreSQL.

The schema comes from the real Alembic migrations. Every test starts from empty tables; the
`world` fixture builds two cities, three counties, a direct county and five schools.
"""

from __future__ import annotations

import os
import re

import pytest
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import create_engine, inspect, make_url, text

from bureau import create_app
from bureau.extensions import db
from tests.factories import World, build_world

BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("BUREAU_TEST_POSTGRES_URL") else [])
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class CsrfClient(FlaskClient):
    """A browser-like client: it sends the CSRF token a page gave it, as a form would."""

    token: str | None = None

    def open(self, *args, **kwargs):
        # A fresh app context per request, as in production: the request gets its own
        # db.session, never the test's (which may hold rows loaded without a scope).
        with self.application.app_context():
            return super().open(*args, **kwargs)

    def post(self, *args, csrf: bool = True, **kwargs):
        if csrf:
            data = kwargs.setdefault("data", {})
            if isinstance(data, dict) and "csrf_token" not in data:
                data["csrf_token"] = self.csrf_token()
        return super().post(*args, **kwargs)

    def csrf_token(self) -> str:
        if self.token is None:
            page = self.get("/login").get_data(as_text=True)
            self.token = TOKEN.search(page).group(1)
        return self.token


def _fresh_postgres(url: str) -> None:
    """Drop and recreate the public schema, only of a database named as a test one (`…test`):
    a BUREAU_TEST_POSTGRES_URL pasted from the production settings must not empty production."""
    name = make_url(url).database or ""
    if not name.endswith("test"):
        pytest.exit(
            f"BUREAU_TEST_POSTGRES_URL names the database {name!r}: the tests empty the database "
            "they are given, so its name must end in 'test' (e.g. bureau_test).",
            returncode=pytest.ExitCode.USAGE_ERROR,
        )
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session", params=BACKENDS)
def app(request, tmp_path_factory):
    if request.param == "postgresql":
        url = os.environ["BUREAU_TEST_POSTGRES_URL"]
        _fresh_postgres(url)
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
    instance = tmp_path_factory.mktemp("instance")
    application = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "test-secret",
            "UPLOAD_DIR": str(instance / "uploads"),
        }
    )
    application.test_client_class = CsrfClient
    application.config["BACKEND"] = request.param
    with application.app_context():
        upgrade()
    yield application
    with application.app_context():
        db.engine.dispose()


def _empty_all_tables() -> None:
    # Only tables the migrations made: a model without a migration fails test_migrations instead.
    existing = set(inspect(db.engine).get_table_names())
    tables = [t for t in reversed(db.metadata.sorted_tables) if t.name in existing]
    if db.engine.dialect.name == "postgresql":
        names = ", ".join(f'"{t.name}"' for t in tables)
        db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        for table in tables:
            db.session.execute(table.delete())
    db.session.commit()


@pytest.fixture
def session(app):
    """An app context with an empty database; db.session is the session under test."""
    with app.app_context():
        yield db.session
        db.session.rollback()
        db.session.info.clear()
        _empty_all_tables()
        db.session.remove()


@pytest.fixture
def world(session) -> World:
    w = build_world(session)
    session.commit()
    return w


@pytest.fixture
def client(app, session):
    return app.test_client()


def login(client: FlaskClient, username: str, password: str = "secret-pass"):
    return client.post("/login", data={"username": username, "password": password})


@pytest.fixture
def login_as(app, session):
    """login_as('school_admin_a1') -> a client signed in as that user of the world."""

    def _login(username: str) -> FlaskClient:
        c = app.test_client()
        response = login(c, username)
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return c

    return _login
