"""Pieces of the learner's pages that many requests share, made once per content version: a
course page joins a dozen ready rows, a module page fills a few slots of a ready body, instead
of rendering the same markup again."""

import re
import secrets
from urllib.parse import quote

from flask import current_app, request, url_for
from markupsafe import Markup, escape

from smresidency.catalog.cache import content_version
from smresidency.db import database_key

_rows: dict[tuple, Markup] = {}
_bodies: dict[tuple, "Slotted"] = {}
_made_at: list[tuple | None] = [None]  # (database, content version) both were made at
renders: list[tuple] = []  # rows rendered, in order: tests prove they are not rendered again
body_renders: list[tuple] = []  # module bodies rendered, in order, likewise

_MARK = f"\x00slot-{secrets.token_hex(6)}\x00"  # no lesson text holds it by chance


def _fresh() -> None:
    """Forget every piece once the content (or the database) is not the one they were made at."""
    made_at = (database_key(), content_version())
    if _made_at[0] != made_at:
        _rows.clear()
        _bodies.clear()
        _made_at[0] = made_at


def addresses(endpoint: str, name: str, values, **fixed) -> dict[str, str]:
    """Many addresses of one endpoint from one url_for per process, not one url_for per value."""
    key = ("pattern", request.script_root, endpoint, name, tuple(sorted(fixed.items())))
    kept = current_app.extensions.setdefault("smresidency.fragments", {})
    pattern = kept.get(key)
    if pattern is None:
        built = url_for(endpoint, **fixed, **{name: "PLACE-HOLDER"})
        pattern = kept[key] = tuple(built.rsplit("PLACE-HOLDER", 1))
    head, tail = pattern
    return {value: f"{head}{_quoted(value)}{tail}" for value in values}


def module_urls(course_slug: str, slugs) -> dict[str, str]:
    """Each module page's address, kept per process: a module's address never changes."""
    # a new module is added when first asked for; the answer may hold other modules too
    kept = current_app.extensions.setdefault("smresidency.fragments", {})
    known = kept.setdefault(("module urls", request.script_root, course_slug), {})
    missing = [slug for slug in slugs if slug not in known]
    if missing:
        known.update(addresses("learning.module", "module_slug", missing, course_slug=course_slug))
    return known


_PLAIN = re.compile(r"[A-Za-z0-9_-]+")


def _quoted(value: str) -> str:
    """The value as url_for writes it; slugs and tokens are plain, so quoting is rarely needed."""
    return value if _PLAIN.fullmatch(value) else quote(value, safe="")


def module_rows(outline, urls: dict[str, str]) -> list[Markup]:
    """The course page's module list items, live modules then the learner's retired ones.

    A row depends only on the module's current version, the learner's status in it, the
    modules it still waits for and its address, so it is kept under exactly that key.
    """
    _fresh()
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


class Slotted(tuple):
    """A rendered body split at its slots: literal, slot name, literal, ... literal."""

    def fill(self, **values) -> Markup:
        """The body with each slot's value (escaped unless it is markup already)."""
        out = list(self)
        for i in range(1, len(out), 2):
            out[i] = escape(values[out[i]])
        return Markup("".join(out))  # noqa: S704 - autoescaped literals and escaped values


def _slot(name: str) -> Markup:
    return Markup(f"{_MARK}{name}{_MARK}")  # noqa: S704 - a marker split off after rendering


def _body(key: tuple, template_name: str, **context) -> Slotted:
    """The body kept under `key`, rendered from the template the first time it is asked for."""
    body = _bodies.get(key)
    if body is None:
        if len(_bodies) >= _MOST_BODIES:  # a bound, never reached by one course's states
            _bodies.clear()
        template = current_app.jinja_env.get_template(template_name)
        html = template.render(slot=_slot, **context)
        body = _bodies[key] = Slotted(html.split(_MARK))
        body_renders.append(key)
    return body


_MOST_BODIES = 1_000  # a few KB each (lessons are slots); a course's learners share far fewer


def module_body(outline, state, prev, nxt, standing) -> Slotted:
    """The module page's content and quiz panel, rendered once per key: learners share it."""
    # it depends only on the version, the learner's status in it, whether it is retired, the
    # neighbours' versions (and the next one's lock) and the quiz standing's counts and flags;
    # the CSRF token, attempts table, cooldown, staff link and countdown script fill slots
    _fresh()
    key = (
        "module",
        request.script_root,
        state.version.id,
        state.status,
        state.retired,
        prev.version.id if prev else None,
        (nxt.version.id, nxt.status == "locked") if nxt else None,
        None
        if standing is None
        else (
            standing.used,
            standing.limit,
            standing.passed,
            standing.granted,
            standing.cooldown_cleared,
            standing.open_attempt is not None,
            standing.next_open_at is not None,
        ),
    )
    if key in _bodies:
        return _bodies[key]
    neighbours = [s.module.slug for s in (prev, nxt) if s is not None]
    return _body(
        key,
        "learning/_module_body.html",
        outline=outline,
        state=state,
        version=state.version,
        prev=prev,
        next=nxt,
        standing=standing,
        module_url=module_urls(outline.course.slug, neighbours),
    )


def course_body(outline, certified: bool, enrolled: bool, day_started: bool, learner: bool):
    """The course page's content with its module rows, rendered once per key: learners share it."""
    # beyond the course it depends only on the learner's status in each live module (which
    # decides every row, what to continue and the progress), the retired modules they kept and
    # the four flags; a warm page builds no row; the certificate's address fills a slot
    _fresh()
    key = (
        "course",
        request.script_root,
        outline.course.id,
        tuple([s.status for s in outline.modules]),
        tuple([s.version.id for s in outline.retired]),
        certified,
        enrolled,
        day_started,
        learner,
    )
    body = _bodies.get(key)
    if body is None:
        shown = [s.module.slug for s in (*outline.modules, *outline.retired)]
        urls = module_urls(outline.course.slug, shown)
        rows = "".join(f"{row}\n      " for row in module_rows(outline, urls))
        body = _body(
            key,
            "learning/_course_body.html",
            outline=outline,
            module_url=urls,
            rows=Markup(rows),  # noqa: S704 - rows rendered by an autoescaped template
            certified=certified,
            enrolled=enrolled,
            day_started=day_started,
            learner=learner,
        )
    return body
