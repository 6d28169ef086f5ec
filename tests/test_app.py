"""Configuration layers, production safety, headers and error pages."""

import pytest

from smresidency import create_app


def test_production_refuses_to_start_without_a_secret_key(tmp_path, monkeypatch):
    monkeypatch.delenv("SMRESIDENCY_SECRET_KEY", raising=False)
    with pytest.raises(SystemExit, match="SMRESIDENCY_SECRET_KEY"):
        create_app({"ENV": "production", "SQLALCHEMY_DATABASE_URI": "sqlite://"})


@pytest.mark.parametrize("weak", ["dev", "change-me", "short-key"])
def test_production_refuses_a_weak_secret_key(weak):
    with pytest.raises(SystemExit):
        create_app(
            {"ENV": "production", "SECRET_KEY": weak, "SQLALCHEMY_DATABASE_URI": "sqlite://"}
        )


def test_production_cookies_are_secure_and_host_prefixed():
    app = create_app(
        {"ENV": "production", "SECRET_KEY": "x" * 40, "SQLALCHEMY_DATABASE_URI": "sqlite://"}
    )
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_NAME"].startswith("__Host-")
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_environment_variables_override_defaults(monkeypatch):
    monkeypatch.setenv("SMRESIDENCY_SITE_NAME", "Nursing Residency")
    monkeypatch.setenv("SMRESIDENCY_LOGIN_MAX_FAILURES_PER_ACCOUNT", "7")
    app = create_app(
        {"ENV": "testing", "SECRET_KEY": "x" * 40, "SQLALCHEMY_DATABASE_URI": "sqlite://"}
    )
    assert app.config["SITE_NAME"] == "Nursing Residency"
    assert app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"] == 7


def test_connections_are_pinged_before_use_on_a_server_database_only():
    def options(url, **extra):
        config = {"ENV": "testing", "SECRET_KEY": "x" * 40, "SQLALCHEMY_DATABASE_URI": url}
        return create_app(config | extra).config["SQLALCHEMY_ENGINE_OPTIONS"]

    assert options("sqlite://")["pool_pre_ping"] is False  # a file: nothing to lose
    assert options("postgresql+psycopg://u@db.example.test/x")["pool_pre_ping"] is True
    chosen = {"pool_pre_ping": True, "echo": False}  # an operator's own choice stands
    assert options("sqlite://", SQLALCHEMY_ENGINE_OPTIONS=chosen) == chosen


def test_instance_config_file_is_read(tmp_path, monkeypatch):
    (tmp_path / "config.py").write_text('SITE_NAME = "From the instance folder"\n')
    monkeypatch.setenv("SMRESIDENCY_INSTANCE_PATH", str(tmp_path))
    app = create_app(
        {"ENV": "testing", "SECRET_KEY": "x" * 40, "SQLALCHEMY_DATABASE_URI": "sqlite://"}
    )
    assert app.config["SITE_NAME"] == "From the instance folder"


def test_development_keeps_a_generated_key_in_the_instance_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("SMRESIDENCY_INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("SMRESIDENCY_SECRET_KEY", raising=False)
    first = create_app({"ENV": "development", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    second = create_app({"ENV": "development", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert len(first.config["SECRET_KEY"]) >= 32
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"]
    assert (tmp_path / "dev_secret_key").stat().st_mode & 0o777 == 0o600


def test_security_headers_on_every_page(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    for directive in (
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "script-src 'self'",
    ):
        assert directive in csp
    assert "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "Strict-Transport-Security" not in response.headers


def test_hsts_when_served_over_https(client):
    response = client.get("/", base_url="https://localhost")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_pages_have_no_inline_script_or_style(client, login_as, synced_course):
    login_as("learner")
    for url in (
        "/",
        "/login",
        f"/courses/{synced_course}",
        f"/courses/{synced_course}/modules/01-why-social-media",
    ):
        page = client.get(url).get_data(as_text=True)
        assert "<script" not in page
        assert "style=" not in page


def test_404_page_is_friendly(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)
    assert "<title>Page not found" in response.get_data(as_text=True)


def test_unexpected_error_is_a_friendly_500_and_rolls_back(app, client):
    from smresidency.access import PUBLIC, allow

    @app.get("/boom")
    @allow(PUBLIC)
    def boom():
        raise RuntimeError("kaboom")

    response = client.get("/boom")
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert "Something went wrong" in body
    assert "kaboom" not in body and "Traceback" not in body


def test_instance_folder_defaults_to_the_checkout_root_and_relative_paths_work(
    tmp_path, monkeypatch
):
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    app = create_app(
        {"ENV": "testing", "SECRET_KEY": "x" * 40, "SQLALCHEMY_DATABASE_URI": "sqlite://"}
    )
    assert Path(app.instance_path) == root / "instance"
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SMRESIDENCY_INSTANCE_PATH", "relative-instance")
    app = create_app(
        {"ENV": "testing", "SECRET_KEY": "x" * 40, "SQLALCHEMY_DATABASE_URI": "sqlite://"}
    )
    assert Path(app.instance_path) == tmp_path / "relative-instance"


def test_healthz_and_readyz(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.get_json()["database"] == "ok"


def test_readyz_reports_an_unreachable_database(tmp_path):
    app = create_app(
        {
            "ENV": "testing",
            "SECRET_KEY": "x" * 40,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/missing/dir/db.sqlite",
        }
    )
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["database"] == "unreachable"


def test_csrf_is_required_on_posts(database_url, tmp_path):
    from tests.conftest import _config

    app = create_app(_config(database_url, tmp_path, WTF_CSRF_ENABLED=True))
    client = app.test_client()
    response = client.post("/login", data={"email": "a@example.test", "password": "x" * 12})
    assert response.status_code == 400
    assert "CSRF" in response.get_data(as_text=True) or "Bad request" in response.get_data(
        as_text=True
    )


def test_every_page_names_a_favicon_that_is_served(client):
    """Browsers asked for /favicon.ico and got 404 on every page; the page now names one."""
    page = client.get("/").get_data(as_text=True)
    href = page.split('rel="icon"', 1)[1].split('href="', 1)[1].split('"', 1)[0]
    icon = client.get(href)
    assert icon.status_code == 200
    assert icon.mimetype == "image/svg+xml" and b"<svg" in icon.data


def test_a_blueprint_page_runs_the_default_context_processor_once(app, client):
    """Flask 3.1 registers its request/session/g processor per blueprint too; it runs once."""
    import flask.templating

    calls = []
    default = flask.templating._default_template_ctx_processor

    def counted():
        calls.append(1)
        return default()

    kept = {scope: list(found) for scope, found in app.template_context_processors.items()}
    for processors in app.template_context_processors.values():
        processors[:] = [counted if p is default else p for p in processors]
    try:
        page = client.get("/login")  # the auth blueprint's page, with request and session in use
    finally:
        for scope, found in kept.items():
            app.template_context_processors[scope][:] = found
    assert page.status_code == 200
    assert len(calls) == 1
