"""Configuration: defaults, then instance/config.py, then SMRESIDENCY_* variables, then tests."""

import os
import secrets
from pathlib import Path

from flask import Flask

WEAK_SECRET_KEYS = {"", "dev", "change-me", "changeme", "secret", "development"}


class Defaults:
    """Values that are safe everywhere; production-only values have no default here."""

    ENV = "production"
    SECRET_KEY = None
    DATABASE_URL = None
    CONTENT_DIR = None
    SERVER_NAME = None
    PREFERRED_URL_SCHEME = "http"
    SITE_NAME = "Social Media Residency"
    CONTENT_LINT_MAX_GRADE = 13  # `flask content lint`: Flesch-Kincaid grade above this warns
    CONTENT_LINT_MAX_AGE_MONTHS = 12  # … and "Facts last checked" older than this warns
    TIMEZONE = "UTC"  # the zone for times not tied to a cohort (studio, history); IANA name
    MAIL_SENDER = "residency@localhost"
    MAIL_BACKEND = None  # "console" or "smtp"; derived from ENV when unset
    SMTP_HOST = None
    SMTP_PORT = 587
    SMTP_USERNAME = None
    SMTP_PASSWORD = None
    SMTP_STARTTLS = True
    SMTP_SSL = False  # implicit TLS (usually port 465) instead of STARTTLS
    PASSWORD_RESET_MAX_AGE = 3600
    LOGIN_WINDOW_SECONDS = 900
    LOGIN_MAX_FAILURES_PER_ACCOUNT_ADDRESS = 5  # one account from one client address
    LOGIN_MAX_FAILURES_PER_ADDRESS = 20  # any accounts from one client address
    LOGIN_MAX_FAILURES_PER_ACCOUNT = 50  # from all addresses; then only clean addresses may try
    DEVICE_SESSION_MAX_IDLE_DAYS = 30  # a device unseen this long is signed out
    REGISTER_CONFIRM_MAX_AGE = 86400  # seconds a registration link works
    REGISTER_WINDOW_SECONDS = 3600
    REGISTER_MAX_PER_ADDRESS = 10
    REGISTER_MAX_MAIL_PER_ACCOUNT = 3
    RESET_WINDOW_SECONDS = 3600
    RESET_MAX_PER_ACCOUNT = 3
    RESET_MAX_PER_ADDRESS = 10
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = None
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}  # a server database (SQLite: off)
    MAX_CONTENT_LENGTH = 8 * 1024 * 1024
    BASE_URL = None  # e.g. https://residency.example.org; links in credentials and cron mail
    INVITE_MAX_AGE_DAYS = 30
    VERIFY_MAX_PER_MINUTE = 30
    CHECKIN_WINDOW_SECONDS = 600  # refused short check-in codes are counted over this window
    CHECKIN_MAX_REFUSED_PER_LEARNER = 10
    CHECKIN_MAX_REFUSED_PER_ADDRESS = 100  # a whole teaching room may share one address
    CSV_MAX_BYTES = 1024 * 1024
    CSV_MAX_ROWS = 1000
    REMINDER_MIN_INTERVAL_HOURS = 72
    ERASURE_KEEPS_CERTIFICATES = False  # retention: erasure keeps certificates (docs/privacy.md)
    # xAPI (docs/integrations.md): a list of {"url", "key", "secret"}; empty records nothing
    XAPI_ENDPOINTS = []
    XAPI_BATCH_SIZE = 50
    XAPI_TIMEOUT = 10
    # CE/CPD on certificates; set here, they override the admin's site settings
    CE_CONTACT_HOURS = None
    CE_ACCREDITATION_STATEMENT = None
    CE_PROVIDER_ID = None
    CHECKIN_GRACE_MINUTES = 60  # QR codes work this long before and after the immersion day
    REMINDER_DUE_DAYS = 7
    PROXY_FIX_HOPS = 0  # number of trusted reverse proxies in front of the app
    REDIS_URL = None  # shared rate-limit storage; the database is used when unset
    REDIS_KEY_PREFIX = "smresidency"  # lets several installations share one Redis
    SMTP_TIMEOUT = 20  # seconds; a slow server holds a worker thread, never a web request
    JOBS_EAGER = False  # run each job in-process right after the commit (tests, debugging)
    JOBS_SQLITE_PATH = None  # the queue's file without REDIS_URL; default instance/jobs.sqlite3
    JOBS_MAX_ATTEMPTS = 8  # then the job is "failed" and waits for an admin's retry
    JOBS_RETRY_DELAY = 30  # seconds before the first retry; doubles each time (max 6 h)
    JOBS_STALE_SECONDS = 1800  # a job "running" this long lost its worker and runs again
    # OpenID Connect (docs/sso.md). One provider with the five SSO_* settings, or a list.
    SSO_ISSUER = None
    SSO_CLIENT_ID = None
    SSO_CLIENT_SECRET = None
    SSO_LABEL = "Sign in with your hospital account"
    SSO_ALLOWED_DOMAINS = []  # e-mail domains accepted; empty accepts any
    SSO_ROLE_CLAIM = "groups"
    SSO_SCOPE = "openid email profile"  # add "groups" where the provider needs it (Okta)
    SSO_ROLE_MAP = {}  # claim value -> role, e.g. {"residency-coordinators": "coordinator"}
    SSO_SYNC_ROLES = False  # re-apply the mapped roles at every sign-in
    SSO_TRUST_EMAIL = False  # accept an e-mail without email_verified for new accounts (Entra ID)
    SSO_PROVIDERS = []  # several providers: a list of dicts with the keys in docs/sso.md
    SSO_ONLY = False  # hide and refuse password sign-in, registration and reset
    SSO_TIMEOUT = 10  # seconds for discovery, token and key requests to the provider


def load_config(app: Flask, test_config: dict | None) -> None:
    """Apply every configuration layer in order and derive the dependent settings."""
    app.config.from_object(Defaults)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("SMRESIDENCY")
    if test_config:
        app.config.update(test_config)
    _derive(app)


def _derive(app: Flask) -> None:
    """Fill in what follows from the layers: database URL, content dir, cookies, secret key."""
    cfg = app.config
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    production = cfg["ENV"] == "production"
    if not cfg.get("SQLALCHEMY_DATABASE_URI"):
        cfg["SQLALCHEMY_DATABASE_URI"] = cfg["DATABASE_URL"] or (
            "sqlite:///" + os.path.join(app.instance_path, "smresidency.db")
        )
    if cfg["SQLALCHEMY_DATABASE_URI"].startswith("sqlite") and (
        cfg["SQLALCHEMY_ENGINE_OPTIONS"] == Defaults.SQLALCHEMY_ENGINE_OPTIONS
    ):
        # a file has no server to lose the connection to: no "SELECT 1" before every request
        cfg["SQLALCHEMY_ENGINE_OPTIONS"] = {"pool_pre_ping": False}
    if not cfg["CONTENT_DIR"]:
        cfg["CONTENT_DIR"] = str(Path(app.root_path).parents[1] / "course_content")
    if not cfg["MAIL_BACKEND"]:
        cfg["MAIL_BACKEND"] = "smtp" if production and cfg["SMTP_HOST"] else "console"
    if production:
        cfg["SESSION_COOKIE_SECURE"] = True
        cfg["REMEMBER_COOKIE_SECURE"] = True
        cfg["SESSION_COOKIE_NAME"] = "__Host-session"
        cfg["PREFERRED_URL_SCHEME"] = "https"
    cfg["SECRET_KEY"] = _secret_key(app, production)


def _secret_key(app: Flask, production: bool) -> str:
    """Production refuses a missing or weak key; development keeps one in instance/."""
    key = app.config["SECRET_KEY"]
    if key and key not in WEAK_SECRET_KEYS and len(key) >= 32:
        return key
    if production:
        # SystemExit prints one clear line (no traceback) from gunicorn and from `flask`
        raise SystemExit(
            "Refusing to start: set SMRESIDENCY_SECRET_KEY (or SECRET_KEY in instance/config.py) "
            "to a random value of at least 32 characters, e.g. "
            "`python -c 'import secrets; print(secrets.token_urlsafe(48))'`. "
            "For development, set SMRESIDENCY_ENV=development instead."
        )
    path = Path(app.instance_path) / "dev_secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()
