"""Accounts, roles, sessions and sign-in throttling."""

from flask import Blueprint

bp = Blueprint("auth", __name__)

from smresidency.auth import views, views_data, views_email  # noqa: E402, F401
