"""`flask cohorts …` and `flask reminders …`: cohorts and the daily reminder job, from a shell."""

from datetime import date
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import click
from flask import current_app, url_for
from flask.cli import with_appcontext
from sqlalchemy import func, select

from smresidency.auth.services import find_user
from smresidency.catalog.models import Course
from smresidency.cohorts import reminders, services
from smresidency.cohorts.forms import immersion_date_problem
from smresidency.cohorts.models import PROFESSIONS, Cohort, Enrolment
from smresidency.extensions import db
from smresidency.text import clean_name, refusal, unsafe_characters

cohorts_cli = click.Group(
    "cohorts", help="Create cohorts, list them and enrol learners from the shell."
)
reminders_cli = click.Group(
    "reminders", help="Remind learners who have not finished their modules (for cron)."
)


def _users(emails) -> list:
    """Accounts for the addresses given; every unknown one is named, and nothing is changed."""
    found = {email: find_user(email) for email in emails}
    unknown = [email for email, user in found.items() if user is None]
    if unknown:
        raise click.ClickException(f"No account uses {', '.join(unknown)}. Nothing was changed.")
    return list(found.values())


def _parse_date(ctx, param, value: str) -> date:
    try:
        day = date.fromisoformat(value)
    except ValueError as err:
        raise click.BadParameter(f"“{value}” is not a date; use YYYY-MM-DD.") from err
    problem = immersion_date_problem(day)
    if problem:
        raise click.BadParameter(problem)
    return day


def _check_text(ctx, param, value: str) -> str:
    """Names and places are printed on certificates: refuse what would print differently."""
    found = unsafe_characters(value)
    if found:
        raise click.BadParameter(refusal(found))
    return clean_name(value)


def _check_timezone(ctx, param, value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as err:
        raise click.BadParameter(
            f"“{value}” is not a time zone; use a name such as Europe/London."
        ) from err
    return value


def _check_link(ctx, param, value: str) -> str:
    _check_text(ctx, param, value)
    parts = urlsplit(value)
    if value and (parts.scheme.lower() not in ("http", "https") or not parts.netloc):
        raise click.BadParameter("use a web address starting with https:// (or http://).")
    return value


@cohorts_cli.command("create")
@click.option("--course", "course_slug", required=True, help="The course's slug.")
@click.option(
    "--name",
    required=True,
    callback=_check_text,
    help="The cohort's name, unique within the course.",
)
@click.option(
    "--date", "immersion_date", required=True, callback=_parse_date, help="Immersion day."
)
@click.option(
    "--timezone",
    default="Europe/London",
    show_default=True,
    callback=_check_timezone,
    help="Time zone of the immersion day (an IANA name).",
)
@click.option("--place", default="", callback=_check_text, help="Where the immersion day happens.")
@click.option("--link", default="", callback=_check_link, help="Online link (http or https).")
@click.option("--capacity", default=20, show_default=True, type=click.IntRange(min=1))
@click.option("--faculty", multiple=True, help="An instructor's e-mail; repeat for several.")
@click.option("--coordinator", multiple=True, help="A coordinator's e-mail; repeat for several.")
@with_appcontext
def create(
    course_slug, name, immersion_date, timezone, place, link, capacity, faculty, coordinator
):
    """Create a cohort of a course with its immersion day, place and staff.

    Dates are YYYY-MM-DD, e.g. --date 2025-06-12.
    """
    course = db.session.scalar(select(Course).where(Course.slug == course_slug))
    if course is None:
        raise click.ClickException(f"No course has the slug “{course_slug}”.")
    staff = _users(faculty), _users(coordinator)
    try:
        cohort = services.save_cohort(
            None,
            course_id=course.id,
            name=name.strip(),
            immersion_date=immersion_date,
            timezone=timezone,
            place=place.strip(),
            online_link=link.strip(),
            capacity=capacity,
        )
        services.set_staff(cohort, *staff)
    except services.CohortError as err:
        raise click.ClickException(str(err)) from err
    db.session.commit()
    click.echo(
        f"Created cohort {cohort.id}: {cohort.name} ({course.slug}), "
        f"immersion day {cohort.immersion_date.isoformat()}."
    )


@cohorts_cli.command("list")
@with_appcontext
def list_cohorts():
    """List every cohort: id, course, name, immersion day and enrolled/capacity."""
    active = (
        select(Enrolment.cohort_id, func.count().label("n"))
        .where(Enrolment.status == "active")
        .group_by(Enrolment.cohort_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Cohort, Course.slug, func.coalesce(active.c.n, 0))
        .join(Course, Course.id == Cohort.course_id)
        .outerjoin(active, active.c.cohort_id == Cohort.id)
        .order_by(Cohort.immersion_date, Cohort.id)
    ).all()
    if not rows:
        click.echo("No cohorts yet.")
    for cohort, slug, enrolled in rows:
        click.echo(
            f"{cohort.id}\t{slug}\t{cohort.name}\t{cohort.immersion_date.isoformat()}"
            f"\t{enrolled}/{cohort.capacity}"
        )


@cohorts_cli.command("enrol")
@click.argument("cohort_id", type=int)
@click.argument("emails", nargs=-1, required=True)
@click.option("--profession", type=click.Choice(PROFESSIONS), help="Their profession.")
@click.option("--department", default="", callback=_check_text, help="Their department.")
@with_appcontext
def enrol(cohort_id, emails, profession, department):
    """Enrol learners (by e-mail) in a cohort, all or none: within its capacity, and never
    in a second cohort of the same course."""
    cohort = db.session.get(Cohort, cohort_id)
    if cohort is None:
        raise click.ClickException(f"No cohort has id {cohort_id}; see `flask cohorts list`.")
    people = _users(emails)
    try:
        for person in people:
            services.enrol(cohort, person, profession or "", department.strip())
    except services.CohortError as err:
        db.session.rollback()
        raise click.ClickException(f"{err} Nobody was enrolled.") from err
    db.session.commit()
    click.echo(f"Enrolled {len(people)} in {cohort.name}: {', '.join(emails)}.")


def _course_url(slug: str, base_url: str | None) -> str:
    """The course page's full address, outside any request."""
    base = (
        base_url
        or current_app.config.get("BASE_URL")
        or (
            f"{current_app.config['PREFERRED_URL_SCHEME']}://{current_app.config['SERVER_NAME']}"
            if current_app.config.get("SERVER_NAME")
            else None
        )
    )
    if base is None:
        raise click.ClickException(
            "Mail needs the site's address: pass --base-url https://… or set BASE_URL."
        )
    with current_app.test_request_context(base_url=base.rstrip("/")):
        return url_for("learning.course", course_slug=slug, _external=True)


@reminders_cli.command("send-due")
@click.option(
    "--days",
    type=click.IntRange(min=0),
    default=None,
    help="Remind for immersion days this many days ahead or fewer (default: REMINDER_DUE_DAYS).",
)
@click.option("--dry-run", is_flag=True, help="List who would be mailed; send and record nothing.")
@click.option(
    "--base-url", default=None, help="The site's address for links, e.g. https://residency.org."
)
@with_appcontext
def send_due(days, dry_run, base_url):
    """Remind every unfinished learner of cohorts whose immersion day is near.

    Cohorts whose day is today or within --days days are covered; learners reminded (in any
    way) within REMINDER_MIN_INTERVAL_HOURS are skipped. Run it daily from cron.
    """
    days = current_app.config["REMINDER_DUE_DAYS"] if days is None else days
    cohorts = reminders.due_cohorts(days)
    if not cohorts:
        click.echo(f"No cohort has its immersion day within {days} days.")
    for cohort in cohorts:
        roster = reminders.roster(cohort)
        label = f"{cohort.name} ({roster.course.slug}, {cohort.immersion_date.isoformat()})"
        if dry_run:
            _dry_run(label, roster)
            continue
        url = _course_url(roster.course.slug, base_url)
        subject, body = reminders.default_message(roster, current_app.config["SITE_NAME"], url)
        outcome = reminders.send(roster, roster.learners, subject, body, url, kind="due")
        db.session.commit()
        failed = f", {len(outcome.failed)} not delivered" if outcome.failed else ""
        click.echo(f"{label}: {len(outcome.sent)} sent, {len(outcome.skipped)} skipped{failed}.")
    if dry_run:
        db.session.rollback()


def _dry_run(label: str, roster: reminders.Roster) -> None:
    recent = [r for r in roster.learners if reminders.recently_reminded(r)]
    click.echo(
        f"{label}: would send {len(roster.learners) - len(recent)}, skip {len(recent)} (dry run)."
    )
    for r in roster.learners:
        if reminders.recently_reminded(r):
            when = r.last_reminded_at.strftime("%Y-%m-%d %H:%M")
            click.echo(f"  skip {r.email} (reminded on {when} UTC)")
        else:
            click.echo(f"  mail {r.email} ({r.percent}% complete)")
