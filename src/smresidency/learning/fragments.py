"""Pieces of the learner's pages that many requests share, made once per content version: a
course page joins a dozen ready rows instead of rendering each module's markup again."""

import re
from urllib.parse import quote

from flask import current_app, url_for
from markupsafe import Markup

from smresidency.catalog.cache import content_version
from smresidency.extensions import db

_rows: dict[tuple, Markup] = {}
_made_at: list[tuple | None] = [None]  # (database, content version) the rows were made at
renders: list[tuple] = []  # rows rendered, in order: tests prove they are not rendered again


def module_urls(course_slug: str, slugs) -> dict[str, str]:
    """Each module page's address: url_for once, not once per module."""
    pattern = url_for("learning.module", course_slug=course_slug, module_slug="MODULE-SLUG")
    head, tail = pattern.rsplit("MODULE-SLUG", 1)
    return {slug: f"{head}{_quoted(slug)}{tail}" for slug in slugs}


_PLAIN = re.compile(r"[a-z0-9-]+")


def _quoted(slug: str) -> str:
    """The slug as url_for writes it; module slugs are plain, so quoting is rarely needed."""
    return slug if _PLAIN.fullmatch(slug) else quote(slug, safe="")


def module_rows(outline, urls: dict[str, str]) -> list[Markup]:
    """The course page's module list items, live modules then the learner's retired ones.

    A row depends only on the module's current version, the learner's status in it, the
    modules it still waits for and its address, so it is kept under exactly that key.
    """
    made_at = (str(db.engine.url), content_version())
    if _made_at[0] != made_at:
        _rows.clear()
        _made_at[0] = made_at
    template = None
    out = []
    shown = [(s, False) for s in outline.modules] + [(s, True) for s in outline.retired]
    for state, retired in shown:
        url = urls[state.module.slug]
        key = (state.version.id, state.status, tuple(state.missing), retired, url)
        row = _rows.get(key)
        if row is None:
            if template is None:
                template = current_app.jinja_env.get_template("learning/_module_row.html")
            html = template.render(s=state, url=url, retired=retired)
            row = _rows[key] = Markup(html)  # noqa: S704 - an autoescaped template's output
            renders.append(key)
        out.append(row)
    return out
