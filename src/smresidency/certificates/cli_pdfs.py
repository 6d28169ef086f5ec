"""`flask certificates pdfs`: make and keep certificate PDFs now (existing installs, benchmarks)."""

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from smresidency.certificates import stored
from smresidency.certificates.cli import certificates_cli
from smresidency.certificates.models import Certificate
from smresidency.extensions import db


@certificates_cli.command("pdfs")
@click.option("--missing", is_flag=True, help="Only PDFs not kept yet or out of date.")
@click.option("--base-url", help="The site's address for the QR code and link (default: BASE_URL).")
@click.option(
    "--paper",
    "papers",
    multiple=True,
    type=click.Choice(stored.PAPERS),
    help="One paper size (repeatable); both by default.",
)
@click.option(
    "--id", "cert_ids", multiple=True, type=int, help="Only this certificate (repeatable)."
)
@with_appcontext
def pdfs(missing, base_url, papers, cert_ids):
    """Make the PDF of every certificate on each paper size and keep it, in this process.

    New certificates get theirs from the job queue; this fills in certificates issued before
    PDFs were kept, or remakes them all (without --missing).
    """
    root = base_url or current_app.config.get("BASE_URL")
    if not root:
        raise click.ClickException(
            "The PDF prints the verification address: pass --base-url "
            "(e.g. https://residency.example.org) or set SMRESIDENCY_BASE_URL."
        )
    made = kept = 0
    with current_app.test_request_context("/", base_url=root):
        chosen = select(Certificate.id).order_by(Certificate.id)
        if cert_ids:
            chosen = chosen.where(Certificate.id.in_(cert_ids))
        for cert_id in db.session.scalars(chosen).all():
            cert = db.session.get(Certificate, cert_id)
            for paper in papers or stored.PAPERS:
                if missing and stored.current(cert, paper).row is not None:
                    kept += 1
                    continue
                stored.make_here(cert, paper)
                made += 1
            db.session.commit()
            db.session.expunge_all()  # the bodies need not stay in memory
    click.echo(f"{made} PDF(s) made, {kept} already up to date.")
