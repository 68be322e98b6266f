"""Settings: defaults, overridden by BUREAU_* environment variables, overridden by create_app(config)."""
import os
import secrets
from pathlib import Path


def _instance_secret(instance: Path) -> str:
    """A secret key generated once per installation and kept in instance/."""
    path = instance / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def load(instance_path: str) -> dict:
    instance = Path(instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    env = os.environ
    secure = env.get("BUREAU_SECURE_COOKIES", "0") == "1"
    return {
        "SECRET_KEY": env.get("BUREAU_SECRET_KEY") or _instance_secret(instance),
        "SQLALCHEMY_DATABASE_URI": env.get("BUREAU_DATABASE_URL")
        or f"sqlite:///{instance / 'bureau.sqlite3'}",
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "UPLOAD_DIR": env.get("BUREAU_UPLOAD_DIR") or str(instance / "uploads"),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": secure,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": secure,
        "MAX_CONTENT_LENGTH": 40 * 1024 * 1024,
        "BABEL_DEFAULT_LOCALE": "zh_Hans_CN",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Shanghai",
        "FLASK_ADMIN_SWATCH": "cerulean",
        "WTF_CSRF_TIME_LIMIT": None,
    }
