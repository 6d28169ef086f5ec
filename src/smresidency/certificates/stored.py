"""Certificate PDFs made once per certificate and paper size, by a job, and kept.

A download is then a read. Each kept PDF records the hash of everything printed on it, so a
name, signer, address or revocation that changes makes it stale and a new one is made.
This module never imports fpdf2 at load time: web workers only read the stored bytes.
"""

import hashlib
import json
from dataclasses import dataclass

from flask import current_app, has_request_context, request
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from smresidency.certificates import links
from smresidency.certificates.models import Certificate
from smresidency.certificates.stored_models import StoredPdf
from smresidency.db import utcnow
from smresidency.extensions import db

JOB = "certificates.pdf"
PAPERS = ("a4", "letter")
# bump when pdf.py prints something new or lays it out differently: every PDF is made again
LAYOUT = 2
# certificate columns printed on the PDF (those a deployment lacks are skipped)
PRINTED = (
    "serial",
    "code",
    "recipient_name",
    "course_title",
    "organisation",
    "hours",
    "immersion_date",
    "place",
    "issued_at",
    "expires_at",
    "revoked_at",
    "contact_hours",
    "accreditation",
    "provider_id",
)


@dataclass
class Found:
    """The kept PDF when it prints what the certificate says now (else None), and that hash."""

    row: StoredPdf | None
    inputs: str


def inputs_hash(cert, verify_url: str, paper: str, signer) -> str:
    """sha256 of what a PDF of this certificate prints on this paper, with this signer."""
    printed = {name: getattr(cert, name) for name in PRINTED if hasattr(cert, name)}
    if signer is not None:
        image = hashlib.sha256(signer.image).hexdigest() if signer.image else ""
        printed["signer"] = [signer.name, signer.title, image]
    printed.update(layout=LAYOUT, paper=paper, verify_url=verify_url)
    text = json.dumps(printed, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def _now_inputs(cert, paper: str) -> tuple[str, object]:
    from smresidency.admin.settings import certificate_signer

    signer = certificate_signer()
    return inputs_hash(cert, links.verify_url(cert), paper, signer), signer


def current(cert, paper: str) -> Found:
    """The kept PDF of this certificate and paper, if it is up to date (needs a request)."""
    inputs, _ = _now_inputs(cert, paper)
    row = db.session.scalar(
        select(StoredPdf).where(StoredPdf.certificate_id == cert.id, StoredPdf.paper == paper)
    )
    return Found(row if row is not None and row.inputs_sha256 == inputs else None, inputs)


def make_here(cert, paper: str) -> Found:
    """Render now, in this process, and keep it (the job, and an eager queue's web request)."""
    from smresidency.certificates.pdf import certificate_pdf

    inputs, signer = _now_inputs(cert, paper)
    body = certificate_pdf(cert, links.verify_url(cert), paper, signer)
    return Found(_keep(cert.id, paper, inputs, body), inputs)


def _keep(cert_id: int, paper: str, inputs: str, body: bytes) -> StoredPdf:
    """Insert or replace the kept PDF; a concurrent insert of the same one is updated."""
    values = {
        "inputs_sha256": inputs,
        "body_sha256": hashlib.sha256(body).hexdigest(),
        "body": body,
        "made_at": utcnow(),
    }
    where = (StoredPdf.certificate_id == cert_id, StoredPdf.paper == paper)
    row = db.session.scalar(select(StoredPdf).where(*where))
    if row is None:
        try:
            with db.session.begin_nested():
                row = StoredPdf(certificate_id=cert_id, paper=paper, **values)
                db.session.add(row)
            return row
        except IntegrityError:
            row = db.session.scalar(select(StoredPdf).where(*where))
    for name, value in values.items():
        setattr(row, name, value)
    db.session.flush()
    return row


def _url_root() -> str | None:
    """Where the verification link points: this request's site, else BASE_URL."""
    if has_request_context():
        return request.url_root
    return current_app.config.get("BASE_URL") or None


def prepare(cert) -> None:
    """On issue: one job per paper size, run after the issuing transaction commits."""
    from smresidency.jobs.services import enqueue

    root = _url_root()
    if root is None:  # no address to print yet: the first download makes it
        return
    for paper in PAPERS:
        key = f"certificate-pdf:{cert.id}:{paper}:issued"
        enqueue(JOB, key=key, certificate_id=cert.id, paper=paper, url_root=root)


def request_pdf(cert, paper: str, inputs: str) -> str:
    """Ask for a missing or stale PDF (once per set of inputs); the job's status.

    A job for these inputs that is done already made a PDF that was replaced since (the
    inputs changed and changed back): it runs again.
    """
    from smresidency.jobs.models import DONE, PENDING, Job
    from smresidency.jobs.services import enqueue, retry

    key = f"certificate-pdf:{cert.id}:{paper}:{inputs}"
    if enqueue(JOB, key=key, certificate_id=cert.id, paper=paper, url_root=_url_root()):
        return PENDING
    job = db.session.scalar(select(Job).where(Job.key == key))
    if job is None:
        return PENDING
    if job.status == DONE:
        job.status = PENDING
        retry(job)  # dispatched after this request commits
    return job.status


def make_job(certificate_id: int, paper: str, url_root: str | None = None) -> None:
    """The job: make the PDF unless an up-to-date one is kept already (so reruns are cheap)."""
    cert = db.session.get(Certificate, certificate_id)
    if cert is None or paper not in PAPERS:
        return
    with current_app.test_request_context("/", base_url=url_root or None):
        if current(cert, paper).row is None:
            make_here(cert, paper)


def forget(cert_ids) -> None:
    """Delete the kept PDFs of these certificates (a name erased must not stay printed)."""
    db.session.execute(delete(StoredPdf).where(StoredPdf.certificate_id.in_(cert_ids)))
