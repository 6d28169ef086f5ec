"""smresidency: a self-paced social media residency for health-care staff.

Flask is imported inside the factory so that pure parts (catalog.loader) import without it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask


def create_app(test_config: dict | None = None) -> Flask:
    """Application factory: configuration first, then each named registration step."""
    import os

    from flask import Flask

    from smresidency.config import load_config

    instance = (test_config or {}).get("INSTANCE_PATH") or os.environ.get(
        "SMRESIDENCY_INSTANCE_PATH"
    )
    app = Flask(__name__, instance_path=_instance_path(instance), instance_relative_config=True)
    load_config(app, test_config)
    register_proxy_fix(app)
    register_extensions(app)
    register_request_cycle(app)
    register_converters(app)
    register_template_filters(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_security_headers(app)
    register_commands(app)
    return app


def _instance_path(configured: str | None) -> str | None:
    """The configured folder, made absolute; in a source checkout, `instance/` at its root."""
    from pathlib import Path

    if configured:
        return str(Path(configured).resolve())
    checkout = Path(__file__).resolve().parents[2]
    if (checkout / "pyproject.toml").is_file() and (checkout / "migrations").is_dir():
        return str(checkout / "instance")
    return None


def register_proxy_fix(app: Flask) -> None:
    """Behind N trusted reverse proxies, take the client address and scheme from their headers."""
    hops = int(app.config.get("PROXY_FIX_HOPS") or 0)
    if hops:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)


def register_extensions(app: Flask) -> None:
    """Bind the unbound extensions to this app."""
    from smresidency import migrating
    from smresidency.auth.session import init_login_manager
    from smresidency.extensions import csrf, db

    import_models()
    db.init_app(app)
    migrating.init_app(app, directory=_migrations_dir(app), render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    init_login_manager(app)


MODEL_MODULES = (
    "smresidency.auth.models",
    "smresidency.mail.models",
    "smresidency.catalog.models",
    "smresidency.learning.models",
    "smresidency.learning.summary",
    "smresidency.ratelimit.models",
    "smresidency.quizzes.models",
    "smresidency.cohorts.models",
    "smresidency.immersion.models",
    "smresidency.plans.models",
    "smresidency.ratings.models",
    "smresidency.certificates.models",
    "smresidency.certificates.stored_models",
    "smresidency.authoring.models",
    "smresidency.admin.models",
    "smresidency.jobs.models",
    "smresidency.sso.models",
    "smresidency.api.models",
    "smresidency.webhooks.models",
    "smresidency.xapi.models",
)


def import_models() -> None:
    """Every feature's tables on the shared metadata, for Alembic and for queries."""
    import importlib

    for name in MODEL_MODULES:
        importlib.import_module(name)


def _migrations_dir(app: Flask) -> str:
    """Migrations live at the repository root, beside src/."""
    from pathlib import Path

    return str(Path(app.root_path).parents[1] / "migrations")


def register_request_cycle(app: Flask) -> None:
    """One commit per request: services flush, the request boundary commits or rolls back."""
    from flask import g

    from smresidency import prepared
    from smresidency.extensions import db
    from smresidency.readonly import wrote

    prepared.init_app(app)

    @app.before_request
    def fresh_request_state():
        # A request reuses an app context that is already pushed (a test holding one, a
        # CLI command): it must not inherit the previous request's user or commit flags.
        for name in (
            "_login_user",
            "keep_rate_limit_hits",
            "keep_writes",
            "content_version",
            "settings_version",
            "wrote",
        ):
            g.pop(name, None)

    @app.after_request
    def commit(response):
        # a refusal (4xx) writes nothing, except the rate-limit hit that counted it and
        # what a view chose to keep (g.keep_writes: a refused publish saved as a draft)
        session = db.session()
        if not wrote(session):  # a read-only request: nothing to commit
            if not session.in_transaction():  # it read on its own connection (prepared.py)
                if not _owns_app_context():
                    session.expire_all()  # a test's session: the next request reads afresh
            elif _owns_app_context():
                session.close()  # ends it as rollback does, without expiring what it loaded
            else:
                session.rollback()
        elif response.status_code < 400 or (
            response.status_code < 500 and (g.get("keep_rate_limit_hits") or g.get("keep_writes"))
        ):
            db.session.commit()
        else:
            db.session.rollback()
        return response


def _owns_app_context() -> bool:
    """Whether this request pushed its own app context, whose teardown closes the session
    anyway; a test or command holding one keeps using the session, whose objects a rollback
    expires so that they read afresh."""
    from flask.globals import request_ctx

    tokens = getattr(request_ctx._get_current_object(), "_cv_tokens", None)
    return bool(tokens) and tokens[-1][1] is not None


def register_converters(app: Flask) -> None:
    """Bounded `<int:…>` everywhere: an id too large for the database is a 404, not a 500."""
    from smresidency.converters import register_converters as register

    register(app)


def register_template_filters(app: Flask) -> None:
    """Filters every template may use: times in the cohort's or the site's zone; the
    header's navigation and fixed addresses, made once per process."""
    from smresidency.navigation import register as register_navigation
    from smresidency.timefmt import register_time_filters

    register_time_filters(app)
    register_navigation(app)


def register_blueprints(app: Flask) -> None:
    """Mount each feature package's blueprint."""
    from smresidency.admin.views import bp as admin_bp
    from smresidency.api.views import bp as api_bp
    from smresidency.auth import bp as auth_bp
    from smresidency.authoring.blueprint import bp as studio_bp
    from smresidency.catalog.views import bp as catalog_bp
    from smresidency.certificates import bp as certificates_bp
    from smresidency.cohorts import bp as cohorts_bp
    from smresidency.immersion import bp as immersion_bp
    from smresidency.jobs.views import bp as jobs_bp
    from smresidency.learning import bp as learning_bp
    from smresidency.mail import bp as mail_bp
    from smresidency.ops import bp as ops_bp
    from smresidency.plans import bp as plans_bp
    from smresidency.quizzes import bp as quizzes_bp
    from smresidency.ratings import bp as ratings_bp
    from smresidency.sso.views import bp as sso_bp
    from smresidency.webhooks.views import bp as webhooks_bp

    blueprints = (ops_bp, auth_bp, catalog_bp, learning_bp, quizzes_bp, cohorts_bp)
    for bp in (
        *blueprints,
        immersion_bp,
        plans_bp,
        ratings_bp,
        certificates_bp,
        mail_bp,
        studio_bp,
        admin_bp,
        sso_bp,
        jobs_bp,
        api_bp,
        webhooks_bp,
    ):
        app.register_blueprint(bp)
    _run_default_context_processor_once(app)


def _run_default_context_processor_once(app: Flask) -> None:
    """Flask 3.1 registers its default context processor (request, session, g) for every
    blueprint as well as for the app, so each blueprint's page ran it twice: keep the app's."""
    from flask.templating import _default_template_ctx_processor

    for scope, processors in app.template_context_processors.items():
        if scope is not None:
            processors[:] = [p for p in processors if p is not _default_template_ctx_processor]


def register_errorhandlers(app: Flask) -> None:
    """Friendly error pages."""
    from smresidency.errors import register_errorhandlers as register

    register(app)


def register_security_headers(app: Flask) -> None:
    """CSP and the other headers on every response."""
    from smresidency.security import register_security_headers as register

    register(app)


def register_commands(app: Flask) -> None:
    """Each feature registers its own `flask` command group."""
    from smresidency.auth.cli import users_cli
    from smresidency.catalog.cli import content_cli
    from smresidency.certificates.cli import certificates_cli
    from smresidency.cohorts.cli import cohorts_cli, reminders_cli
    from smresidency.demo import demo_cli
    from smresidency.jobs.cli import jobs_cli, worker
    from smresidency.xapi.cli import xapi_cli

    groups = (users_cli, content_cli, cohorts_cli, reminders_cli, certificates_cli, demo_cli)
    groups += (jobs_cli, worker, xapi_cli)
    for group in groups:
        app.cli.add_command(group)
    _add_db_commands()


def _add_db_commands() -> None:
    """Operations commands join Flask-Migrate's `flask db` group (when it is not loaded yet,
    smresidency.migrating adds them as it loads)."""
    import sys

    if "flask_migrate.cli" in sys.modules:
        from smresidency.migrating import add_ops_commands

        add_ops_commands()
