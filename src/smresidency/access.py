"""Every view declares who may call it; the declaration is both enforced and inspectable.

A route without a declaration fails the access-matrix test, so nothing is public by accident.
"""

from collections.abc import Callable
from functools import wraps

from flask import abort, current_app, redirect, request, url_for
from flask_login import current_user

PUBLIC = "public"
SIGNED_IN = "signed-in"
ROLES = ("learner", "instructor", "coordinator", "admin")


def allow(*who: str) -> Callable:
    """Declare and enforce access: PUBLIC, SIGNED_IN, or any of the role names.

    Admins pass every role check; object-level checks (whose record is it?) live in queries.
    """
    for w in who:
        if w not in (PUBLIC, SIGNED_IN, *ROLES):
            raise ValueError(f"unknown access policy {w!r}")

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            if PUBLIC not in who:
                if not current_user.is_authenticated:
                    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
                if SIGNED_IN not in who and not current_user.has_any_role((*who, "admin")):
                    abort(403)
            return view(*args, **kwargs)

        wrapped.access_policy = tuple(who)
        return wrapped

    return decorator


def policy_of(endpoint: str) -> tuple[str, ...] | None:
    """The declared policy of an endpoint, or None when the view declares nothing."""
    view = current_app.view_functions.get(endpoint)
    return getattr(view, "access_policy", None)
