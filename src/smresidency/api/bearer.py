"""Bearer-token authentication, scopes, rate limits and RFC 9457 problems for /api/v1.

The API ignores the session cookie entirely: a browser's cookie cannot be replayed into it,
and no CSRF question arises.
"""

from collections.abc import Callable
from functools import wraps

from flask import current_app, g, jsonify, request

from smresidency import ratelimit
from smresidency.access import PUBLIC

STAFF = ("instructor", "coordinator", "admin")  # who may hold a token


def problem(status: int, title: str, detail: str = "", headers: dict | None = None):
    """An application/problem+json answer."""
    body = {"type": "about:blank", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    response = jsonify(body)
    response.status_code = status
    response.mimetype = "application/problem+json"
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def token_required(scope: str | None = None) -> Callable:
    """Admit a request that carries a usable token (with `scope`), under the rate limit.

    Declared PUBLIC to the session-based access layer: no cookie is ever consulted here.
    """

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            from smresidency.api.services import authenticate
            from smresidency.auth.models import User
            from smresidency.extensions import db

            scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
            token = authenticate(secret.strip()) if scheme.lower() == "bearer" else None
            if token is None:
                return problem(
                    401,
                    "Unauthorized",
                    "Send a valid personal access token as 'Authorization: Bearer …'.",
                    {"WWW-Authenticate": 'Bearer realm="api"'},
                )
            owner = db.session.get(User, token.user_id)
            if owner is None or not owner.active or not owner.has_any_role(STAFF):
                return problem(401, "Unauthorized", "The token's owner is no longer staff.")
            hits, window = current_app.config.get("API_RATE_LIMIT") or (120, 60)
            key = f"token:{token.id}"
            if not ratelimit.limit("api", key, hits, window):
                wait = ratelimit.retry_after("api", key, hits, window)
                return problem(
                    429,
                    "Too Many Requests",
                    f"At most {hits} requests in {window} s.",
                    {"Retry-After": str(wait)},
                )
            if scope and scope not in token.scopes:
                return problem(403, "Forbidden", f"This token lacks the {scope} scope.")
            g.api_user, g.api_token = owner, token
            return view(*args, **kwargs)

        wrapped.access_policy = (PUBLIC,)
        return wrapped

    return decorator
