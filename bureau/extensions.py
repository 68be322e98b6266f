"""The Flask extensions, created unbound and initialised in create_app."""

from flask_babel import Babel
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_sqlalchemy.session import Session
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData

# Named constraints so that Alembic migrations work the same on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class BureauSession(Session):
    """db.session's class. The tenant guard, ancestor placement, token rotation and the audit log
    are hooked on it alone (bureau/session.py), so a plain SQLAlchemy Session opened in the same
    process (a script, a test's fresh look at the database) reads and writes unguarded and
    unaudited, as a second connection would.
    """


db = SQLAlchemy(metadata=MetaData(naming_convention=NAMING), session_options={"class_": BureauSession})
migrate = Migrate(render_as_batch=True)
login_manager = LoginManager()
babel = Babel()
csrf = CSRFProtect()
