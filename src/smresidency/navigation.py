"""The page frame, the header's navigation and fixed addresses, made once per process: they
change with the visitor's roles, the page and the site settings, never from one request to
the next; and the session's CSRF token, signed once."""

import secrets
from typing import NamedTuple

from flask import Flask, current_app, g, request, session, url_for
from flask_wtf import FlaskForm
from flask_wtf.csrf import _FlaskFormCSRF, generate_csrf
from markupsafe import Markup

renders: list[tuple] = []  # navigations rendered, in order: tests prove they are not repeated


def register(app: Flask) -> None:
    """Offer the kept pieces and the kept CSRF token to every template."""
    app.add_template_global(site_nav)
    app.add_template_global(page_frame)
    app.add_template_global(fixed_url)
    app.add_template_global(csrf_token)  # in place of Flask-WTF's, which signs on every page
    # Flask-WTF also puts its own csrf_token into every template context, where it would win
    # over the global above: drop that context processor (registered by csrf.init_app)
    processors = app.template_context_processors[None]
    processors[:] = [p for p in processors if getattr(p, "__module__", "") != "flask_wtf.csrf"]
    FlaskForm.Meta.csrf_class = KeptTokenCSRF  # forms' hidden fields carry the same token


def _kept(app: Flask) -> dict:
    return app.extensions.setdefault("smresidency.navigation", {})


def fixed_url(endpoint: str, **values) -> str:
    """url_for for an address that is the same on every request (a static file, a page
    without parameters), built once per process and script root."""
    key = ("url", request.script_root, endpoint, tuple(sorted(values.items())))
    kept = _kept(current_app)
    found = kept.get(key)
    if found is None:
        found = kept[key] = url_for(endpoint, **values)
    return found


def site_nav(user) -> Markup:
    """The header's links (all but the sign-out form, which carries a CSRF token) for this
    visitor's roles on this page, rendered the first time that pair is seen."""
    signed_in = bool(user.is_authenticated)
    roles = frozenset(user.roles) if signed_in else None
    key = ("nav", request.script_root, request.endpoint or "", signed_in, roles)
    kept = _kept(current_app)
    found = kept.get(key)
    if found is None:
        template = current_app.jinja_env.get_template("_nav.html")
        html = template.render(user=user, endpoint=request.endpoint or "")
        found = kept[key] = Markup(html)  # noqa: S704 - an autoescaped template's output
        renders.append(key)
    return found


class Frame(NamedTuple):
    """base.html's fixed text around a page's title, CSRF token, main class and content."""

    top: Markup
    head: Markup  # after the title, to the sign-out form's token or the main element's class
    after_token: Markup
    bottom: Markup  # after </main>
    signed_in: bool


frames: list[tuple] = []  # frames rendered, in order: tests prove they are not repeated
_SLOT = Markup(f"\x00slot-{secrets.token_hex(8)}\x00")  # noqa: S704 - a fixed marker


def page_frame(user) -> Frame:
    """The page around its own parts, rendered the first time each settings version, site
    name, visitor's roles, page and script root are seen: header, navigation and footer
    change with those, never from one request to the next."""
    from smresidency.admin.settings import for_templates
    from smresidency.db import database_key

    site = for_templates()
    signed_in = bool(user.is_authenticated)
    roles = frozenset(user.roles) if signed_in else None
    kept = _kept(current_app).setdefault("frames", {})
    settings = (database_key(), site.version)
    if kept.get("settings") != settings:  # a save: every frame is made anew, the old dropped
        kept.clear()
        kept["settings"] = settings
    key = (request.script_root, request.endpoint or "", signed_in, roles)
    found = kept.get(key)
    if found is None:
        template = current_app.jinja_env.get_template("_frame.html")
        parts = template.render(slot=_SLOT, site=site, current_user=user).split(_SLOT)
        if signed_in:
            top, head, after_token, bottom = parts
        else:
            (top, head, bottom), after_token = parts, ""
        found = Frame(*(Markup(p) for p in (top, head, after_token, bottom)), signed_in)  # noqa: S704 - an autoescaped template's output
        kept[key] = found
        frames.append((settings, *key))
    return found


def csrf_token() -> str:
    """The session's CSRF token as Flask-WTF signs it, signed once per process: the token has
    no time limit here (WTF_CSRF_TIME_LIMIT None), so signing it again adds nothing."""
    app = current_app._get_current_object()
    config = app.config
    field = config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    if config.get("WTF_CSRF_TIME_LIMIT") is not None:
        return generate_csrf()
    here = g._get_current_object()
    signed = getattr(here, field, None)
    if signed is not None:  # this request's token already (a second form on the page)
        return signed
    kept = app.extensions.setdefault("smresidency.csrf", {})
    raw = session.get(field)
    signed = kept.get(raw) if raw is not None else None
    if signed is None:
        if len(kept) > 10_000:  # one per signed-in session; start afresh now and then
            kept.clear()
        signed = generate_csrf()  # makes the session's raw token when it has none yet
        kept[session[field]] = signed  # the first page's token is the one later pages carry
    setattr(here, field, signed)  # forms on the page (hidden_tag) use the same
    return signed


class KeptTokenCSRF(_FlaskFormCSRF):
    """A form's CSRF field takes the session's kept signed token, as pages do, instead of
    signing it again whenever a form is made (forms with their own secret or field sign)."""

    def generate_csrf_token(self, csrf_token_field):
        config = current_app.config
        secret = config.get("WTF_CSRF_SECRET_KEY", current_app.secret_key)
        field = config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
        if self.meta.csrf_secret == secret and self.meta.csrf_field_name == field:
            return csrf_token()
        return super().generate_csrf_token(csrf_token_field)
