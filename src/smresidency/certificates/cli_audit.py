"""`flask certificates audit`: certificates issued while a derived checklist item held only a
hand tick (no accepted plan, or no "after" rating, when the certificate was issued).

Before issue 19 the roster let faculty tick any cell, and issuing read the ticks alone. This
lists what coordinators should review; nothing is revoked automatically.
"""

from dataclasses import dataclass, field
from datetime import datetime

import click
from flask.cli import with_appcontext
from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from smresidency.auth.models import User
from smresidency.catalog.models import Course
from smresidency.certificates.cli import certificates_cli
from smresidency.certificates.models import Certificate
from smresidency.db import as_utc, utcnow
from smresidency.extensions import db
from smresidency.immersion.models import CheckOffEvent
from smresidency.immersion.services import DERIVED_KINDS

FACT = {"plan": "no accepted plan", "self-rating": "no rating after the residency"}


@dataclass
class Suspect:
    """A certificate, and each required derived item whose fact it was issued without."""

    cert: Certificate
    email: str
    problems: list[str] = field(default_factory=list)


def _first_fact_times(enrolment_ids: list[int]) -> dict[tuple[int, str], datetime]:
    """(enrolment, kind) -> when the fact first held: the plan's acceptance, the rating."""
    from smresidency.plans.models import PlanReview, StrategyPlan
    from smresidency.ratings.models import SelfRating

    accepted = db.session.execute(
        select(StrategyPlan.enrolment_id, func.min(PlanReview.created_at))
        .join(PlanReview, PlanReview.plan_id == StrategyPlan.id)
        .where(StrategyPlan.enrolment_id.in_(enrolment_ids), PlanReview.decision == "accepted")
        .group_by(StrategyPlan.enrolment_id)
    ).all()
    rated = db.session.execute(
        select(SelfRating.enrolment_id, SelfRating.created_at).where(
            SelfRating.enrolment_id.in_(enrolment_ids), SelfRating.phase == "post"
        )
    ).all()
    times = {(e, "plan"): as_utc(at) for e, at in accepted}
    times.update({(e, "self-rating"): as_utc(at) for e, at in rated})
    return times


def _hand_ticks(enrolment_ids: list[int]) -> dict[tuple[int, str], list[str]]:
    """(enrolment, item id) -> "by whom on which day" for every roster tick of that item."""
    by = aliased(User)
    rows = db.session.execute(
        select(CheckOffEvent.enrolment_id, CheckOffEvent.item_id, CheckOffEvent.at, by.name)
        .outerjoin(by, by.id == CheckOffEvent.by_id)
        .where(CheckOffEvent.enrolment_id.in_(enrolment_ids), CheckOffEvent.action == "tick")
        .order_by(CheckOffEvent.at, CheckOffEvent.id)
    ).all()
    ticks: dict[tuple[int, str], list[str]] = {}
    for enrolment_id, item_id, at, name in rows:
        ticks.setdefault((enrolment_id, item_id), []).append(
            f"by {name or 'a deleted account'} on {as_utc(at):%Y-%m-%d}"
        )
    return ticks


def suspects(cohort_id: int | None = None) -> tuple[int, list[Suspect]]:
    """How many certificates were checked, and those issued without a derived item's fact;
    four statements whatever the number of certificates."""
    query = (
        select(Certificate, User.email, Course.immersion)
        .join(User, User.id == Certificate.user_id)
        .join(Course, Course.id == Certificate.course_id)
        .order_by(Certificate.issued_at, Certificate.id)
    )
    if cohort_id is not None:
        query = query.where(Certificate.cohort_id == cohort_id)
    certs = db.session.execute(query).all()
    ids = [cert.enrolment_id for cert, _, _ in certs]
    facts, ticks = _first_fact_times(ids), _hand_ticks(ids)
    found = []
    for cert, email, immersion in certs:
        issued = as_utc(cert.issued_at)
        suspect = Suspect(cert, email)
        for entry in (immersion or {}).get("items", []):
            if not entry.get("required") or entry["kind"] not in DERIVED_KINDS:
                continue
            held_since = facts.get((cert.enrolment_id, entry["kind"]))
            if held_since is not None and held_since <= issued:
                continue
            hands = ticks.get((cert.enrolment_id, entry["id"]))
            how = f"ticked by hand {'; '.join(hands)}" if hands else "no record of who ticked it"
            suspect.problems.append(f"{entry['title']}: {FACT[entry['kind']]} ({how})")
        if suspect.problems:
            found.append(suspect)
    return len(certs), found


@certificates_cli.command("audit")
@click.option("--cohort", "cohort_id", type=int, default=None, help="Only this cohort's.")
@with_appcontext
def audit(cohort_id):
    """List certificates issued while the plan or "after" rating item held only a hand tick.

    Review each one (the learner may have a plan on paper); nothing is revoked by this command.
    Revoke with `flask certificates revoke SERIAL --reason …` if it should not stand.
    """
    checked, found = suspects(cohort_id)
    now = utcnow()
    for s in found:
        cert = s.cert
        click.echo(
            f"{cert.serial}\t{cert.recipient_name} <{s.email}>\tcohort {cert.cohort_id}"
            f"\tissued {as_utc(cert.issued_at):%Y-%m-%d}\t{cert.status(now)}"
        )
        for problem in s.problems:
            click.echo(f"  {problem}")
    click.echo(
        f"{len(found)} of {checked} certificates were issued without an accepted plan or a "
        "rating after the residency. Nothing was revoked."
    )
