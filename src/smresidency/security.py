"""Response headers that every page gets: CSP without inline script, and friends."""

import re

from flask import Flask, Response, g, request, session
from flask_login import current_user

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "frame-src https://www.youtube-nocookie.com https://player.vimeo.com",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
# One more origin this session's forms may lead to: the SSO provider's sign-out address, as
# the sign-out POST answers with a redirect there (form-action also governs that redirect).
FORM_ACTION_KEY = "csp_form_action"
ORIGIN = re.compile(r"https?://[A-Za-z0-9.-]+(?::\d{1,5})?")


def _policy(app: Flask) -> str:
    """The CSP, with the session's extra form-action origin when it has one."""
    if request.endpoint == "static" or app.config["SESSION_COOKIE_NAME"] not in request.cookies:
        return CSP  # no session to read (and reading it would add Vary: Cookie)
    origin = session.get(FORM_ACTION_KEY)
    if not isinstance(origin, str) or not ORIGIN.fullmatch(origin):
        return CSP
    return CSP.replace("form-action 'self'", f"form-action 'self' {origin}")


def public_cache(response: Response, seconds: int) -> Response:
    """Mark a response that is the same for every visitor as cacheable by shared caches."""
    response.cache_control.public = True
    response.cache_control.max_age = seconds
    return response


def _cache_policy(response: Response) -> None:
    """Nothing a signed-in person sees may stay in a shared computer's cache or a proxy.

    Responses a view marked public keep that, unless they are HTML pages (a page's header
    shows the signed-in person's own navigation); static files and responses a view already
    marked no-store keep their own headers.
    """
    if request.endpoint == "static":
        return
    if "Cache-Control" in response.headers:  # parsed only when a view set one
        if response.cache_control.no_store:
            return
        if response.cache_control.public and response.mimetype != "text/html":
            return  # the same for everyone (and loading the user could refresh the cookie)
    if session.get("_user_id") is None:
        return
    user = g.get("_login_user") or current_user  # the one this request loaded, else load it
    if user.is_authenticated:
        response.headers["Cache-Control"] = "private, no-store"


def register_security_headers(app: Flask) -> None:
    """Attach the security headers after every response."""

    @app.after_request
    def headers(response):
        _cache_policy(response)
        present = response.headers
        if "Content-Security-Policy" not in present:
            present["Content-Security-Policy"] = _policy(app)
        for name, value in FIXED_HEADERS if request.is_secure else FIXED_HEADERS[:-1]:
            if name not in present:
                present.add(name, value)
        return response


# the same on every response (HSTS, last, only over HTTPS): one tuple per process
FIXED_HEADERS = (
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
    ("X-Frame-Options", "DENY"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
    ("Strict-Transport-Security", "max-age=31536000; includeSubDomains"),
)
