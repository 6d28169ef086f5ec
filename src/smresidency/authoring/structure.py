"""The studio's structure pages: add a module, put the modules in order, retire and restore one."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import IntegerField, StringField, SubmitField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from smresidency.access import allow
from smresidency.auth.forms import ConfirmForm
from smresidency.authoring import layout
from smresidency.authoring.blueprint import bp
from smresidency.authoring.views import course_or_404, doc_or_404
from smresidency.text import NoControlCharacters, clean_name


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class NewModuleForm(FlaskForm):
    title = StringField(
        "Title",
        validators=[InputRequired(), Length(max=300), NoControlCharacters()],
        filters=[clean_name],
    )
    name = StringField(
        "File name (optional)",
        description=(
            "Lower-case words joined by hyphens, used in the file name and the studio's links; "
            "it cannot be changed later. Leave empty to make one from the title."
        ),
        validators=[Optional(), Length(max=layout.MAX_NAME)],
        filters=[_strip],
    )
    minutes = IntegerField(
        "Minutes",
        description="About how long the lesson and quiz take (1 to 600).",
        default=15,
        validators=[
            InputRequired("Give the minutes as a whole number."),
            NumberRange(1, 600, "Give a whole number of minutes from 1 to 600."),
        ],
    )
    submit = SubmitField("Create the draft")


@bp.route("/<course_slug>/modules/new", methods=["GET", "POST"])
@allow("instructor")
def new_module(course_slug: str):
    """Start a new module as a draft, numbered last; it goes live when published."""
    course = course_or_404(course_slug)
    form = NewModuleForm()
    if request.method == "GET":
        return render_template("authoring/new_module.html", course=course, form=form)
    if form.validate():
        name = form.name.data or layout.name_from_title(form.title.data)
        try:
            if not name:
                raise layout.NameRefused(
                    "The title has no letters or digits to make a name from: give a name."
                )
            draft = layout.create_module(
                course, form.title.data, name, form.minutes.data, current_user.id
            )
        except layout.NameRefused as refused:
            form.name.errors = [*form.name.errors, str(refused)]
        except layout.LayoutRefused as refused:
            form.form_errors.append(str(refused))
        else:
            flash(f"Draft {draft.file} created. Write the lesson, then publish it.", "success")
            target = url_for("studio.edit", course_slug=course.slug, kind="modules", key=name)
            return redirect(target, 303)
    return render_template("authoring/new_module.html", course=course, form=form), 422


def _order_form(modules: list[layout.LiveModule]) -> FlaskForm:
    """One position box per live module, labelled with its title."""

    class OrderForm(FlaskForm):
        submit = SubmitField("Save order")

    for i, live in enumerate(modules, start=1):
        field = IntegerField(
            live.title,
            default=i,
            validators=[
                InputRequired("Give a position as a whole number."),
                NumberRange(1, 999, "Give a position from 1 to 999."),
            ],
        )
        setattr(OrderForm, f"position-{live.module.id}", field)
    return OrderForm()


@bp.route("/<course_slug>/order", methods=["GET", "POST"])
@allow("instructor")
def order(course_slug: str):
    """Put the live modules in a new order; files are renumbered and `requires` follow."""
    course = course_or_404(course_slug)
    modules = layout.live_modules(course)
    form = _order_form(modules)
    boxes = [(live, form[f"position-{live.module.id}"]) for live in modules]
    if request.method == "GET":
        return render_template("authoring/order.html", course=course, form=form, boxes=boxes)
    if not form.validate():
        page = render_template("authoring/order.html", course=course, form=form, boxes=boxes)
        return page, 422
    ordered = [live.module.id for live, box in sorted(boxes, key=lambda pair: pair[1].data)]
    outcome = layout.reorder(course, ordered, current_user.id)
    if outcome is None:
        flash("The order is unchanged; nothing was published.", "info")
        return redirect(url_for("studio.index"), 303)
    if not outcome.ok:
        page = render_template(
            "authoring/order.html",
            course=course,
            form=form,
            boxes=boxes,
            problems=outcome.problems,
        )
        return page, 422
    flash("New order published.", "success")
    return redirect(url_for("studio.index"), 303)


def _live_doc_or_404(course_slug: str, key: str):
    doc = doc_or_404(course_slug, "modules", key)
    if doc.module is None:
        abort(404)
    return doc


@bp.route("/<course_slug>/modules/<key>/retire", methods=["GET", "POST"])
@allow("instructor")
def retire(course_slug: str, key: str):
    """Confirm, then take the module out of the course for everyone who has not completed it."""
    doc = _live_doc_or_404(course_slug, key)
    if doc.module.retired:
        flash("This module is retired already.", "info")
        return redirect(url_for("studio.edit", course_slug=course_slug, kind="modules", key=key))
    form = ConfirmForm()
    title = next(
        (m.title for m in layout.live_modules(doc.course) if m.module.id == doc.module.id), key
    )

    def page(status: int = 200, problems=()):
        blockers = layout.requiring(doc.course, doc.module.slug)
        shown = render_template(
            "authoring/retire.html",
            doc=doc,
            title=title,
            form=form,
            blockers=blockers,
            problems=list(problems),
        )
        return shown, status

    if request.method == "GET":
        return page()
    if not form.validate():
        abort(400)
    try:
        outcome = layout.retire(doc, current_user.id)
    except layout.LayoutRefused:
        return page(409)
    if not outcome.ok:
        return page(422, outcome.problems)
    flash(f"Retired “{title}”. Learners who completed it keep it; nobody else sees it.", "success")
    return redirect(url_for("studio.index"), 303)


@bp.post("/<course_slug>/modules/<key>/unretire")
@allow("instructor")
def unretire(course_slug: str, key: str):
    """Bring a retired module back, as the last module of the course."""
    doc = _live_doc_or_404(course_slug, key)
    edit_url = url_for("studio.edit", course_slug=course_slug, kind="modules", key=key)
    if not ConfirmForm().validate():
        abort(400)
    if not doc.module.retired:
        flash("This module is live already.", "info")
        return redirect(edit_url, 303)
    try:
        outcome = layout.unretire(doc, current_user.id)
    except layout.LayoutRefused as refused:
        flash(str(refused), "error")
        return redirect(edit_url, 303)
    if not outcome.ok:
        problems = "; ".join(f"{p.path}:{p.line}: {p.message}" for p in outcome.problems)
        flash(f"Not brought back: {problems}", "error")
        return redirect(edit_url, 303)
    flash("The module is back, as the last module of the course.", "success")
    return redirect(url_for("studio.index"), 303)
