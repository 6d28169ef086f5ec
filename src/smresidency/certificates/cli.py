"""`flask certificates …`: signing keys, back-filling, listing, offline checks and revocation."""

import json
from pathlib import Path
from urllib.request import urlopen

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from smresidency.auth.models import User
from smresidency.auth.services import find_user
from smresidency.catalog.models import Course
from smresidency.certificates import checking, credential, keys, services
from smresidency.certificates.models import Certificate
from smresidency.cohorts.models import Cohort, Enrolment
from smresidency.db import as_utc, utcnow
from smresidency.extensions import db

certificates_cli = click.Group(
    "certificates",
    help="Signing keys, issuing for a cohort, listing, checking a credential file, revoking.",
)


@certificates_cli.command("keygen")
@click.option("--if-missing", is_flag=True, help="Do nothing when a current key exists.")
@with_appcontext
def keygen(if_missing):
    """Create a new Ed25519 signing key in instance/keys/ and make it current.

    Earlier keys are retired, not deleted: they stay published in /.well-known/jwks.json,
    so every credential signed with them still verifies.
    """
    instance = current_app.instance_path
    if if_missing:
        try:
            key = keys.current(instance)
        except keys.NoSigningKey:
            pass
        else:
            click.echo(f"A signing key already exists ({key.kid}); nothing to do.")
            return
    key = keys.generate(instance)
    click.echo(f"New signing key {key.kid} is now current ({keys.key_dir(instance)}).")
    click.echo(
        "Retired keys stay published in /.well-known/jwks.json, "
        "so credentials signed with them still verify."
    )


def _base_url_or_fail() -> None:
    """Mail sent from the shell needs the site's address for its verification link."""
    cfg = current_app.config
    if not cfg.get("BASE_URL") and not cfg.get("SERVER_NAME"):
        raise click.ClickException(
            "The certificate mail links to its verification page: set SMRESIDENCY_BASE_URL "
            "(e.g. https://residency.example.org) first. Nothing was issued."
        )


@certificates_cli.command("issue")
@click.option("--cohort", "cohort_id", type=int, required=True, help="The cohort's id.")
@with_appcontext
def issue(cohort_id):
    """Issue every certificate a cohort's learners have earned but not yet received.

    Certificates are issued automatically when the last requirement is met; this back-fills
    after an import or a fix, and says what each remaining learner still needs.
    """
    cohort = db.session.get(Cohort, cohort_id)
    if cohort is None:
        raise click.ClickException(f"No cohort has id {cohort_id}; see `flask cohorts list`.")
    _base_url_or_fail()
    rows = db.session.execute(
        select(Enrolment.id, User.name, User.email)
        .join(User, User.id == Enrolment.user_id)
        .where(Enrolment.cohort_id == cohort_id, Enrolment.status == "active")
        .order_by(User.name)
    ).all()
    issued, missing = 0, []
    for enrolment_id, name, email in rows:
        cert = services.issue_if_eligible(enrolment_id)
        db.session.commit()
        if cert is not None:
            issued += 1
            click.echo(f"Issued {cert.serial} to {name}.")
            continue
        needs = _missing(enrolment_id)
        if needs:
            missing.append((name, email, needs))
    click.echo(f"{issued} issued in {cohort.name}; {len(missing)} still missing requirements.")
    for name, email, needs in missing:
        click.echo(f"  {name} <{email}>: {needs}")


def _missing(enrolment_id: int) -> str:
    """What an enrolment still lacks, in words; empty when it has (or needs) nothing more."""
    enrolment = db.session.get(Enrolment, enrolment_id)
    already = db.session.scalar(
        select(Certificate.id).where(
            Certificate.user_id == enrolment.user_id, Certificate.course_id == enrolment.course_id
        )
    )
    if already is not None:
        return ""
    result = services.eligibility(enrolment, db.session.get(Course, enrolment.course_id))
    parts = []
    if result.modules:
        parts.append("modules: " + ", ".join(result.modules))
    if result.items:
        parts.append("immersion items: " + ", ".join(result.items))
    return "; ".join(parts)


@certificates_cli.command("list")
@click.option("--cohort", "cohort_id", type=int, default=None, help="Only this cohort's.")
@click.option("--revoked", is_flag=True, help="Only revoked certificates.")
@with_appcontext
def list_certificates(cohort_id, revoked):
    """List certificates: serial, name, course, issued date and status."""
    query = select(Certificate).order_by(Certificate.issued_at, Certificate.id)
    if cohort_id is not None:
        query = query.where(Certificate.cohort_id == cohort_id)
    if revoked:
        query = query.where(Certificate.revoked_at.is_not(None))
    certs = db.session.scalars(query).all()
    if not certs:
        click.echo("No certificates.")
    now = utcnow()
    for cert in certs:
        click.echo(
            f"{cert.serial}\t{cert.recipient_name}\t{cert.course_title}"
            f"\t{cert.issued_at:%Y-%m-%d}\t{cert.status(now)}"
        )


def _load_jwks(source: str | None) -> list[dict]:
    """Public keys: this installation's by default, or a JWKS file or address."""
    if source is None:
        return keys.published(current_app.instance_path)
    if "://" in source:
        with urlopen(source, timeout=20) as response:  # noqa: S310 (the operator's choice)
            data = json.loads(response.read())
    else:
        data = json.loads(Path(source).read_text(encoding="utf-8"))
    return data.get("keys", []) if isinstance(data, dict) else data


def _fetch_status_list(url: str, source: str | None) -> str | None:
    """The signed status list from the address the credential names (or the operator's file
    or address instead); None when it cannot be reached."""
    source = source or url
    if "://" not in source:
        try:
            return Path(source).read_text(encoding="utf-8").strip()
        except OSError as err:
            raise click.ClickException(f"Could not read the status list {source}: {err}") from err
    if not source.startswith(("http://", "https://")):
        return None
    try:
        with urlopen(source, timeout=10) as response:  # noqa: S310 (http(s) only, checked above)
            return response.read().decode("utf-8").strip()
    except (OSError, UnicodeDecodeError):  # no network, refused, HTTP errors, timeouts
        return None


@certificates_cli.command("verify")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--jwks", default=None, help="A JWKS file or address (default: this site's keys).")
@click.option("--issuer", default=None, help="Require this issuer id, e.g. https://…/issuer.")
@click.option(
    "--status-list",
    default=None,
    help="A saved status list (file or address) instead of the one the credential names.",
)
@with_appcontext
def verify(file, jwks, issuer, status_list):
    """Check a downloaded credential (.jwt or .json): signature, issuer, dates, revocation.

    Only the revocation status list is fetched (from the address in the credential). Exits 0
    when valid, 1 when not, 3 when valid but revocation could not be checked.
    """
    try:
        published = _load_jwks(jwks)
    except (OSError, ValueError) as err:
        raise click.ClickException(f"Could not read the keys from {jwks}: {err}") from err
    text = file.read_text(encoding="utf-8")
    outcome = checking.check(
        text, published, issuer, lambda url: _fetch_status_list(url, status_list), utcnow()
    )
    data = outcome.credential
    if outcome.state == "unknown":
        click.echo(f"UNKNOWN: {outcome.reason}")
    else:
        click.echo("VALID" if outcome.state == "valid" else f"NOT VALID: {outcome.reason}")
    if data:
        if outcome.state == "not valid":
            click.echo("What the file claims:")
        subject = data.get("credentialSubject") or {}
        click.echo(f"Name: {subject.get('name', '?')}")
        click.echo(f"Course: {(subject.get('achievement') or {}).get('name', '?')}")
        click.echo(f"Issued: {str(data.get('validFrom', '?'))[:10]}")
        click.echo(f"Valid until: {str(data.get('validUntil') or 'no end date')[:10]}")
        click.echo(f"Issuer: {credential.issuer_of(data) or '?'}")
    revocation = outcome.revocation
    if outcome.state == "valid" and revocation.state == "not revoked":
        click.echo(f"Revocation: {revocation.message}")
    elif outcome.state != "not valid":
        if outcome.state == "unknown":
            click.echo("The signature, issuer and dates are valid.")
        else:
            click.echo(f"Revocation: {revocation.message}.")
        click.echo(f"Its current state: {data.get('id', '?')}")
    raise SystemExit({"valid": 0, "not valid": 1, "unknown": 3}[outcome.state])


@certificates_cli.command("revoke")
@click.argument("serial")
@click.option("--reason", required=True, help="Why; shown to staff, kept with the record.")
@click.option("--by", "by_email", default=None, help="The admin or coordinator revoking it.")
@with_appcontext
def revoke(serial, reason, by_email):
    """Revoke a certificate by its serial; the record stays and its page says so."""
    cert = db.session.scalar(select(Certificate).where(Certificate.serial == serial.strip()))
    if cert is None:
        raise click.ClickException(f"No certificate has the serial {serial}.")
    by_id = None
    if by_email:
        user = find_user(by_email)
        if user is None or not user.has_any_role(("admin", "coordinator")):
            raise click.ClickException(f"{by_email} is not an admin or coordinator account.")
        by_id = user.id
    try:
        services.revoke(cert, by_id, reason)
    except services.CertificateError as err:
        raise click.ClickException(str(err)) from err
    db.session.commit()
    when = as_utc(cert.revoked_at)
    click.echo(f"Revoked {cert.serial} ({cert.recipient_name}) on {when:%Y-%m-%d}: {reason}")


from smresidency.certificates import (  # noqa: E402 (each registers its command)
    cli_audit,  # noqa: F401 ("audit")
    cli_pdfs,  # noqa: F401 ("pdfs")
)
