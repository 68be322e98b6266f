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


def _flag(value: str | None) -> bool | None:
    """An on/off setting: "1" or "0"; unset (or anything else) leaves the default."""
    return {"1": True, "0": False}.get((value or "").strip())


def cookies_secure(setting: bool | None, debug: bool, testing: bool) -> bool:
    """Cookies go over HTTPS only, unless switched off or the app is debugged or tested locally."""
    return setting if setting is not None else not (debug or testing)


def load(instance_path: str) -> dict:
    instance = Path(instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    env = os.environ
    return {
        "SECRET_KEY": env.get("BUREAU_SECRET_KEY") or _instance_secret(instance),
        "SQLALCHEMY_DATABASE_URI": env.get("BUREAU_DATABASE_URL") or f"sqlite:///{instance / 'bureau.sqlite3'}",
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "UPLOAD_DIR": env.get("BUREAU_UPLOAD_DIR") or str(instance / "uploads"),
        "SECURE_COOKIES": _flag(env.get("BUREAU_SECURE_COOKIES")),  # None: decided in create_app
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        # How many reverse proxies (setting X-Forwarded-For/-Proto) stand in front of the app.
        "PROXY_COUNT": int(env.get("BUREAU_PROXY_COUNT") or 0),
        # Per client address, on POST /login; several workers must share a store (redis://...).
        "LOGIN_RATE_LIMIT": env.get("BUREAU_LOGIN_RATE_LIMIT") or "30 per minute;300 per hour",
        "RATELIMIT_STORAGE_URI": env.get("BUREAU_RATELIMIT_STORAGE") or "memory://",
        "MAX_CONTENT_LENGTH": 40 * 1024 * 1024,
        "BABEL_DEFAULT_LOCALE": "zh_Hans_CN",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Shanghai",
        "FLASK_ADMIN_SWATCH": "cerulean",
        "WTF_CSRF_TIME_LIMIT": None,
    }
