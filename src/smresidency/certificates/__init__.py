"""Certificates: issued on completion, PDF with QR, public verification, signed credentials."""

from flask import Blueprint

bp = Blueprint("certificates", __name__)

from smresidency.certificates import public, views, views_expiry, views_reissue  # noqa: E402, F401
