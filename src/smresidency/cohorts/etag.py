"""Conditional GETs for staff pages: an ETag from a page's inputs, and 304 without rendering.

The tag hashes what the page shows (the caller's parts) with what the layout around it shows:
the viewer and their roles, the site settings' version and the session's raw CSRF token. The
last makes a 304 safe: the cached page's forms hold a token signed from that same raw token,
which stays valid (WTF_CSRF_TIME_LIMIT is None) until the session gets a new one, and then
the tag changes. A pending flash message always gets a fresh page.
"""

import hashlib

from flask import Response, make_response, request, session
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from smresidency.admin.settings import site_settings


def page_etag(*parts) -> str | None:
    """The tag for this page and viewer, or None when the page must be rendered regardless."""
    if session.get("_flashes"):
        return None
    generate_csrf()  # the session's raw token exists before the tag is taken (the page reuses it)
    csrf = hashlib.sha256(str(session.get("csrf_token", "")).encode()).hexdigest()
    viewer = (current_user.id, current_user.name, sorted(current_user.roles))
    seed = repr((request.full_path, viewer, site_settings().version, csrf, parts))
    return hashlib.sha256(seed.encode()).hexdigest()[:40]


def not_modified(tag: str | None) -> Response | None:
    """A 304 when the browser already holds the page with this tag, else None."""
    if tag is None or tag not in request.if_none_match:
        return None
    response = Response(status=304)
    response.set_etag(tag)
    return response


def tagged(body, tag: str | None) -> Response:
    """The rendered page with its ETag, so the next request can ask whether it changed."""
    response = make_response(body)
    if tag is not None:
        response.set_etag(tag)
    return response
