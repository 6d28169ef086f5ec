"""Entry point for gunicorn: `gunicorn wsgi:app` (configuration comes from the environment)."""

from smresidency import create_app

app = create_app()
