"""The studio's blueprint; each view module adds its URL rules, imported once at the bottom."""

from flask import Blueprint

bp = Blueprint("studio", __name__, url_prefix="/studio")

from smresidency.authoring import (  # noqa: E402, F401  (the rules register on import)
    history,
    structure,
    transfer,
    uploads,
    views,
)
