"""Liveness and readiness probes for load balancers and the benchmark's baseline."""

from flask import Blueprint

bp = Blueprint("ops", __name__)

from smresidency.ops import views  # noqa: E402, F401
