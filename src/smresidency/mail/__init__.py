"""One small mail service: console and a database outbox in development, SMTP when configured."""

from flask import Blueprint

bp = Blueprint("mail", __name__, url_prefix="/dev")

from smresidency.mail import views  # noqa: E402, F401
