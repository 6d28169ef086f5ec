"""The coordinator's dashboard, its CSV export, one learner's record and the programme."""

from dataclasses import dataclass

from flask import abort, render_template, request
from flask_login import current_user
from wtforms import BooleanField, Form, SelectField

from smresidency.access import allow
from smresidency.catalog.cache import content_version
from smresidency.cohorts import bp
from smresidency.cohorts.chart import cohort_chart, long_date
from smresidency.cohorts.dashboard import FILTERS, GROUPS, Dashboard
from smresidency.cohorts.etag import not_modified, page_etag, tagged
from smresidency.cohorts.export import progress_csv
from smresidency.cohorts.grid import cohort_grid, page_body, row_html
from smresidency.cohorts.programme import programme as programme_page
from smresidency.cohorts.services import days_left


@dataclass
class GridView:
    """What the request asked to see: sort column and direction, filter, withdrawn or not."""

    sort: str = "name"
    direction: str = "asc"
    filter: str = "all"
    withdrawn: bool = False
    page: int = 1
    hide: tuple[str, ...] = ()

    @classmethod
    def from_args(cls, args) -> "GridView":
        """Parse query arguments; anything unknown falls back to the default."""
        page = args.get("page", "1")
        return cls(
            sort=args.get("sort", "name"),
            direction="desc" if args.get("dir") == "desc" else "asc",
            filter=args.get("filter") if args.get("filter") in FILTERS else "all",
            withdrawn=args.get("withdrawn") == "1",
            page=int(page) if page.isdigit() and len(page) < 6 else 1,
            hide=tuple(g for g in GROUPS if g in args.getlist("hide")),
        )

    def args(self, **changes) -> dict:
        """Query arguments for a link to this view with some changes, defaults left out.

        A new sort or filter starts again at page 1; collapsed groups stay collapsed."""
        v = {**self.__dict__, **changes}
        if "page" not in changes:
            v["page"] = 1
        out = {"sort": v["sort"], "dir": v["direction"], "filter": v["filter"]}
        out = {k: x for k, x in out.items() if x not in ("name", "asc", "all")}
        if v["withdrawn"]:
            out["withdrawn"] = "1"
        if v["page"] > 1:
            out["page"] = v["page"]
        if v["hide"]:
            out["hide"] = list(v["hide"])
        return out

    def toggled(self, group: str) -> dict:
        """Arguments for the same page with one column group collapsed or shown again."""
        hide = tuple(g for g in self.hide if g != group) if group in self.hide else (
            *self.hide, group)  # fmt: skip
        return self.args(hide=hide, page=self.page)


class GridForm(Form):
    """The filter form: a GET form, so it works without script and needs no CSRF token."""

    filter = SelectField("Show", choices=list(FILTERS.items()), default="all")
    withdrawn = BooleanField("Include withdrawn learners", render_kw={"value": "1"})


def _board(cohort_id: int) -> Dashboard:
    board = cohort_grid(current_user, cohort_id, GridView.from_args(request.args))
    if board is None:
        abort(404)
    return board


@bp.get("/cohorts/<int:cohort_id>")
@allow("coordinator", "instructor")
def dashboard(cohort_id: int):
    board = _board(cohort_id)
    cohort = board.cohort
    parts = (
        board.signature,
        board.today,
        content_version(),
        (cohort.name, cohort.place, cohort.online_link, cohort.immersion_date, cohort.timezone),
        cohort.course.title,
    )
    tag = page_etag(*parts)
    unchanged = not_modified(tag)
    if unchanged is not None:
        return unchanged
    body = page_body(
        parts,
        lambda: render_template(
            "cohorts/dashboard_body.html",
            board=board,
            chart=cohort_chart(board),
            form=GridForm(request.args),
            filters=FILTERS,
            groups=GROUPS,
            days_left=days_left(board.cohort, board.today),
            long_date=long_date,
            may_manage=current_user.has_any_role(("coordinator", "admin")),
            row_html=row_html,
        ),
    )
    page = render_template("cohorts/dashboard.html", board=board, body=body)
    return tagged(page, tag)


@bp.get("/cohorts/<int:cohort_id>/export.csv")
@allow("coordinator", "instructor")
def export(cohort_id: int):
    return progress_csv(_board(cohort_id))


@bp.get("/programme")
@allow("admin")
def programme():
    page = programme_page(request.args.get("page", 1, type=int))
    if page is None:
        abort(404)
    return render_template("cohorts/programme.html", page=page, long_date=long_date)
