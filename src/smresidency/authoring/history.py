"""The versions of a document: list, compare side by side, restore one, discard the draft."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from smresidency.access import allow
from smresidency.authoring import versions as v
from smresidency.authoring.blueprint import bp
from smresidency.authoring.diff import changed_lines, diff_rows
from smresidency.authoring.documents import Doc, text_hash
from smresidency.authoring.views import DOC_URL, doc_or_404
from smresidency.db import as_utc


def _at(moment) -> str:
    return moment.strftime("%d %b %Y %H:%M") + " UTC"


def _to(endpoint: str, doc: Doc, **extra):
    return url_for(endpoint, course_slug=doc.course.slug, kind=doc.kind, key=doc.key, **extra)


@bp.get(DOC_URL + "/history")
@allow("instructor")
def history(course_slug: str, kind: str, key: str):
    """Every version with who made it and which is live, a compare form, and restore buttons."""
    doc = doc_or_404(course_slug, kind, key)
    versions = v.versions_of(doc)
    return render_template(
        "authoring/history.html",
        doc=doc,
        versions=versions,
        choices=v.choices(doc, versions),
        pair=v.default_pair(doc, versions),
        drafted=as_utc(doc.draft.updated_at) if doc.draft else None,
    )


@bp.get(DOC_URL + "/compare")
@allow("instructor")
def compare(course_slug: str, kind: str, key: str):
    """Two texts of the document side by side: versions by id, or the draft."""
    doc = doc_or_404(course_slug, kind, key)
    versions = v.versions_of(doc)
    pair = v.default_pair(doc, versions)
    a, b = request.args.get("a"), request.args.get("b")
    if not a or not b:
        if pair is None:
            flash("There is only one text of this file: nothing to compare yet.", "info")
            return redirect(_to(".history", doc), 303)
        a, b = a or pair[0], b or pair[1]
    left, right = _side(doc, versions, a), _side(doc, versions, b)
    rows = diff_rows(left[1], right[1])
    return render_template(
        "authoring/compare.html",
        doc=doc,
        choices=v.choices(doc, versions),
        pair=(a, b),
        left=left[0],
        right=right[0],
        rows=rows,
        identical=left[1] == right[1],
        changed=changed_lines(rows),
    )


def _side(doc: Doc, versions: list[v.Version], ref: str) -> tuple[str, str]:
    """(label, text) of the draft or of one of this document's versions; 404 otherwise."""
    if ref == v.DRAFT:
        if doc.draft is None:
            abort(404)
        who = doc.draft_author or "someone"
        return f"Draft by {who}, {_at(doc.draft.updated_at)}", doc.draft.text
    version = _version(versions, ref)
    text = v.text_of(doc, version.id)
    if text is None:
        abort(404)
    live = ", published now" if version.published else ""
    return f"{version.name}, {_at(version.created_at)}{live}", text


def _version(versions: list[v.Version], ref) -> v.Version:
    """One of the document's versions by id (from the URL), or 404."""
    try:
        wanted = int(ref)
    except (TypeError, ValueError):
        abort(404)
    found = next((x for x in versions if x.id == wanted), None)
    if found is None:
        abort(404)
    return found


@bp.post(DOC_URL + "/versions/<int:version_id>/restore")
@allow("instructor")
def restore(course_slug: str, kind: str, key: str, version_id: int):
    """Make an older version the draft; the editor opens on it, ready to check and publish."""
    doc = doc_or_404(course_slug, kind, key)
    version = _version(v.versions_of(doc), version_id)
    result = v.restore_as_draft(doc, version, current_user.id)
    if result.refused == "published":
        flash("That version is already published.", "info")
        return redirect(_to(".history", doc), 303)
    if result.refused == "draft":
        draft = result.draft
        who = (draft.draft_author if draft else None) or "someone"
        at = _at(draft.draft.updated_at) if draft and draft.draft else "just now"
        flash(
            f"There is an unpublished draft (by {who}, at {at}). Publish or discard it first.",
            "error",
        )
        return redirect(_to(".history", doc), 303)
    flash(f"{version.name} restored as a draft; publish it to make it live.", "success")
    return redirect(_to(".edit", doc), 303)


@bp.route(DOC_URL + "/discard", methods=["GET", "POST"])
@allow("instructor")
def discard(course_slug: str, kind: str, key: str):
    """Confirm, then drop the draft; refused if it changed since the page was opened."""
    doc = doc_or_404(course_slug, kind, key)
    if doc.draft is None:
        flash("There is no draft to discard: it was published or discarded already.", "info")
        return redirect(_to(".edit", doc), 303)
    if request.method == "GET":
        return _discard_page(doc)
    try:
        revision = int(request.form.get("revision", ""))
    except ValueError:
        revision = -1
    if not v.discard_draft(doc, revision, request.form.get("digest", "")):
        return _discard_page(doc, changed=True), 409
    if doc.published is None:
        flash(f"Draft of {doc.label} discarded; the module was never published.", "success")
        return redirect(url_for(".index"), 303)
    flash(f"Draft of {doc.label} discarded. The published version is unchanged.", "success")
    return redirect(_to(".edit", doc), 303)


def _discard_page(doc: Doc, changed: bool = False):
    rows = diff_rows(doc.published, doc.draft.text)
    return render_template(
        "authoring/discard.html",
        doc=doc,
        rows=rows,
        changed=changed,
        count=changed_lines(rows),
        drafted=as_utc(doc.draft.updated_at),
        digest=text_hash(doc.draft.text),
        when=_at(doc.draft.updated_at),
    )
