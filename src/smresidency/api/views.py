"""Routes: /api/v1 (Bearer tokens, JSON) and the token list on the account page (staff)."""

from flask import Blueprint, abort, flash, g, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from smresidency.access import PUBLIC, allow
from smresidency.api import queries, serialize, services
from smresidency.api.bearer import problem, token_required
from smresidency.api.forms import NewTokenForm
from smresidency.api.openapi import document
from smresidency.auth.forms import ConfirmForm

bp = Blueprint("api", __name__)
STAFF = ("instructor", "coordinator")  # admins pass every role check


def _paging() -> tuple[int, int] | None:
    """(after id, limit) from ?cursor=&limit=, or None when either is malformed."""
    cursor, limit = request.args.get("cursor", "0"), request.args.get("limit", "50")
    if not (cursor.isdigit() and limit.isdigit()) or not 1 <= int(limit) <= 100:
        return None
    return int(cursor), int(limit)


def _page(rows: list, limit: int, shape, cursor_of):
    """A page of JSON with the next cursor; conditional on its ETag."""
    more = len(rows) > limit
    rows = rows[:limit]
    body = {
        "data": [shape(r) for r in rows],
        "next_cursor": str(cursor_of(rows[-1])) if more else None,
    }
    response = jsonify(body)
    response.add_etag()
    response.headers["Cache-Control"] = "private, no-cache"
    return response.make_conditional(request)


BAD_PAGING = ("Bad Request", "cursor must be a cursor from next_cursor; limit 1 to 100.")


@bp.get("/api/v1/openapi.json")
@allow(PUBLIC)
def openapi():
    return jsonify(document(url_for("api.openapi", _external=True).rsplit("/", 1)[0]))


@bp.get("/api/v1/courses")
@token_required()
def courses():
    paging = _paging()
    if paging is None:
        return problem(400, *BAD_PAGING)
    rows = queries.courses_page(*paging)
    return _page(rows, paging[1], lambda r: serialize.course(*r), lambda r: r[0].id)


@bp.get("/api/v1/cohorts")
@token_required("read:cohorts")
def cohorts():
    paging = _paging()
    if paging is None:
        return problem(400, *BAD_PAGING)
    rows = queries.cohorts_page(g.api_user, *paging)
    return _page(rows, paging[1], serialize.cohort, lambda r: r.id)


@bp.get("/api/v1/cohorts/<int:cohort_id>/enrolments")
@token_required("read:cohorts")
def enrolments(cohort_id: int):
    return _cohort_page(cohort_id, queries.enrolments_page, serialize.enrolment, lambda r: r[0].id)


@bp.get("/api/v1/cohorts/<int:cohort_id>/certificates")
@token_required("read:certificates")
def certificates(cohort_id: int):
    return _cohort_page(cohort_id, queries.certificates_page, serialize.certificate, lambda r: r.id)


def _cohort_page(cohort_id: int, read, shape, key):
    """One page of a cohort's records, if the token's owner may see the cohort (else 404)."""
    paging = _paging()
    if paging is None:
        return problem(400, *BAD_PAGING)
    cohort = queries.cohort(g.api_user, cohort_id)
    if cohort is None:
        return problem(404, "Not Found", "No such cohort among those the token may see.")
    return _page(read(cohort, *paging), paging[1], shape, key)


def _tokens_page(form: NewTokenForm, secret: str | None = None, status: int = 200):
    """The token list with the creation form; the new secret appears here, once."""
    page = render_template(
        "api/tokens.html",
        form=form,
        secret=secret,
        revoke=ConfirmForm(),
        tokens=queries.tokens_of(current_user),
    )
    return page, status


@bp.get("/account/api-tokens")
@allow(*STAFF)
def tokens():
    return _tokens_page(NewTokenForm(formdata=None))


@bp.post("/account/api-tokens")
@allow(*STAFF)
def create_token():
    form = NewTokenForm()
    if not form.validate():
        return _tokens_page(form, status=422)
    token, secret = services.create_token(
        current_user, form.name.data, form.scopes.data, form.days.data
    )
    flash(f"Token “{token.name}” created. Copy it now: it will not be shown again.", "success")
    return _tokens_page(NewTokenForm(formdata=None), secret)


@bp.post("/account/api-tokens/<int:token_id>/revoke")
@allow(*STAFF)
def revoke_token(token_id: int):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if not services.revoke_token(current_user, token_id):
        abort(404)
    flash("Token revoked: systems using it are refused from now on.", "success")
    return redirect(url_for("api.tokens"))
