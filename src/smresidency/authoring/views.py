"""The studio's content page and editor; history, structure, images and transfer live beside."""

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user

from smresidency.access import allow
from smresidency.authoring import queries
from smresidency.authoring.blueprint import bp
from smresidency.authoring.documents import Doc, load_doc, module_name, text_hash
from smresidency.authoring.forms import ModuleForm, PageForm
from smresidency.authoring.frontmatter import (
    ModuleFields,
    body_offset,
    compose_module,
    split_module,
)
from smresidency.authoring.preview import preview
from smresidency.authoring.services import publish_doc, reload, save_draft
from smresidency.catalog.models import Course
from smresidency.catalog.problems import Problem
from smresidency.catalog.queries import course_by_slug

DOC_URL = "/<course_slug>/<any(modules, pages):kind>/<key>"


def course_or_404(course_slug: str) -> Course:
    """The course named in the URL, or 404."""
    course = course_by_slug(course_slug)
    if course is None:
        abort(404)
    return course


def doc_or_404(course_slug: str, kind: str, key: str) -> Doc:
    """The document named in the URL, or 404."""
    doc = load_doc(course_or_404(course_slug), kind, key)
    if doc is None:
        abort(404)
    return doc


@bp.get("/")
@allow("instructor")
def index():
    """Every course and its files, with what is published, drafted or broken."""
    return render_template("authoring/index.html", overview=queries.content_overview())


@bp.route(DOC_URL, methods=["GET", "POST"])
@allow("instructor")
def edit(course_slug: str, kind: str, key: str):
    """Edit a file: preview without saving, save a draft, or publish."""
    doc = doc_or_404(course_slug, kind, key)
    form = _form(doc)
    if request.method == "GET":
        _fill(form, doc, doc.text)
        return _page(doc, form)
    if not form.validate():
        return _page(doc, form), 422
    if form.action == "publish" and doc.retired:
        form.form_errors.append("This module is retired: bring it back before publishing it.")
        return _page(doc, form), 422
    text = _text(form, doc)
    if form.action == "preview":
        return _page(doc, form, shown=preview(doc, text))
    act = publish_doc if form.action == "publish" else save_draft
    result = act(doc, text, form.opened.data or "", current_user.id)
    if result.conflict is not None:
        return _conflict(doc, form, result.conflict)
    if result.problems and form.action == "publish":
        g.keep_writes = True  # the refused text is kept as a draft...
        doc = reload(doc)
        form.opened.data = text_hash(doc.text)  # ...which the form now continues from
        return _page(doc, form, problems=result.problems, refused=True), 422
    if form.action == "publish":
        flash(f"Published {doc.label}. Learners see it now; their records stay.", "success")
    elif result.unchanged:
        flash("Nothing to save: the text is the same as the published version.", "info")
    elif result.problems:
        flash(
            f"Draft saved. It has {len(result.problems)} problem(s) to fix before publishing.",
            "info",
        )
    else:
        flash("Draft saved. It is not published yet.", "success")
    return redirect(url_for(".edit", course_slug=course_slug, kind=kind, key=key), 303)


@bp.post(DOC_URL + "/preview")
@allow("instructor")
def live_preview(course_slug: str, kind: str, key: str):
    """The preview panel alone, for the editor's script to swap in as the author types."""
    doc = doc_or_404(course_slug, kind, key)
    form = _form(doc)
    form.validate()
    shown = preview(doc, _text(form, doc))
    return render_template("authoring/_preview.html", doc=doc, shown=shown)


def _form(doc: Doc):
    if doc.kind == "pages":
        return PageForm()
    form = ModuleForm()
    form.requires.choices = _requirable(doc)
    return form


def _requirable(doc: Doc) -> list[tuple[str, str]]:
    """Live modules that come before this one, by the slug `requires` names them with.

    A later module is offered only if this text already requires it, so an old text still
    saves; a new module comes last, so every live module is before it."""
    already = set(split_module(doc.text)[0].requires) if doc.text else set()
    choices, before = [], True
    for slug, title in queries.live_modules(doc.course.id):
        if module_name(slug) == doc.key:
            before = False
            continue
        if before or slug in already:
            choices.append((slug, title))
    return choices


def _fill(form, doc: Doc, text: str) -> None:
    form.opened.data = text_hash(doc.text)
    if doc.kind == "pages":
        form.text.data = text
        return
    fields, _ = split_module(text)
    form.title.data, form.minutes.data = fields.title, fields.minutes
    form.objectives.data = "\n".join(fields.objectives)
    form.requires.data = fields.requires
    form.body.data = fields.body


def _text(form, doc: Doc) -> str:
    """The file the form describes."""
    if doc.kind == "pages":
        return form.text.data or ""
    fields = ModuleFields(
        title=(form.title.data or "").strip(),
        minutes=form.minutes.data if isinstance(form.minutes.data, int) else None,
        objectives=form.objective_list(),
        requires=list(form.requires.data or []),
        body=form.body.data or "",
    )
    return compose_module(fields, doc.text or None)


def _conflict(doc: Doc, form, current: Doc | None):
    """Someone else saved first: keep this author's text, show theirs, let them decide."""
    if current is not None:
        form.opened.data = text_hash(current.text)
    return _page(
        current or doc, form, conflict=current, theirs=current.text if current else ""
    ), 409


def _page(doc: Doc, form, shown=None, problems=None, refused=False, conflict=None, theirs=""):
    if problems is None and shown is not None:
        problems = shown.problems
    if problems is None and doc.draft is not None:
        problems = [Problem(**p) for p in doc.draft.problems]
    text = _text(form, doc) if form.is_submitted() else doc.text
    return render_template(
        "authoring/edit.html",
        doc=doc,
        form=form,
        shown=shown,
        problems=problems or [],
        refused=refused,
        conflict=conflict,
        theirs=theirs,
        offset=body_offset(text) if doc.kind == "modules" else 0,
    )
