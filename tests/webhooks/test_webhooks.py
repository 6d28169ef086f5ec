"""Webhooks: an admin registers a real HTTP receiver started here; record changes reach it
signed (checked with an independent stdlib verifier), once, even when it was down at first."""

import base64
import hashlib
import hmac
import json
import re
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select

from smresidency.catalog.models import Course
from smresidency.certificates.models import Certificate
from smresidency.cohorts.models import Enrolment
from smresidency.db import utcnow
from smresidency.extensions import db
from smresidency.jobs import services as jobs
from smresidency.jobs.models import Job
from smresidency.plans.models import StrategyPlan
from smresidency.webhooks.models import WebhookDelivery


def verify(secret: str, headers, body: bytes) -> bool:
    """The receiver's side, written from the Standard Webhooks text, sharing no code."""
    key = base64.b64decode(secret.split("_", 1)[1])
    content = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
    expected = base64.b64encode(hmac.new(key, content, hashlib.sha256).digest()).decode()
    return any(
        hmac.compare_digest(expected, sig.split(",", 1)[1])
        for sig in headers["webhook-signature"].split(" ")
        if sig.startswith("v1,")
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Receiver:
    """A real HTTP server on a port of its own; it keeps every request it is sent."""

    def __init__(self, port: int):
        self.port, self.received, self.server = port, [], None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def start(self):
        received = self.received

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                received.append((dict(self.headers.items()), body))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self):
        if self.server:
            self.server.shutdown()
            self.server.server_close()

    def events(self, secret):
        """(type, data) of each request whose signature checks out; the rest are refused."""
        out = []
        for headers, body in self.received:
            lowered = {k.lower(): v for k, v in headers.items()}
            assert verify(secret, lowered, body), "a delivery with a bad signature"
            payload = json.loads(body)
            out.append((payload["type"], payload["data"], lowered["webhook-id"]))
        return out


@pytest.fixture
def receiver():
    r = Receiver(free_port())
    yield r
    r.stop()


def register(app, make_user, url, events):
    """Register through the admin page, as an admin would; returns the secret shown."""
    admin = make_user("admin")
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = admin.session_token
    page = client.post("/admin/webhooks/", data={"url": url, "events": events})
    assert page.status_code == 200, page.text
    return re.search(r'<code id="new-secret">([^<]+)</code>', page.text).group(1), client


ALL = ["certificate.issued", "certificate.revoked", "enrolment.created", "plan.accepted"]


def test_record_changes_arrive_signed_and_once(
    app, synced_course, make_user, make_cohort, receiver
):
    secret, admin = register(app, make_user, receiver.start().url, ALL)
    coordinator = make_user("coordinator")
    cohort_id, (learner,) = make_cohort(synced_course, coordinators=[coordinator], learners=1)
    with app.app_context():
        enrolment = db.session.scalar(select(Enrolment))
        course = db.session.scalar(select(Course))
        cert = Certificate(
            user_id=learner.id,
            course_id=course.id,
            enrolment_id=enrolment.id,
            cohort_id=cohort_id,
            serial="SMR-HOOK-0001",
            code="HOOKCODE0001",
            recipient_name="Holder",
            course_title=course.title,
            immersion_date=utcnow().date(),
        )
        db.session.add(cert)
        db.session.add(StrategyPlan(enrolment_id=enrolment.id, state="submitted"))
        db.session.commit()
        plan = db.session.scalar(select(StrategyPlan))
        plan.state = "accepted"
        db.session.commit()
        cert_id = cert.id
    staff = app.test_client()
    with staff.session_transaction() as session:
        session["_user_id"] = coordinator.session_token
    revoked = staff.post(
        f"/cohorts/{cohort_id}/certificates/{cert_id}/revoke",
        data={"reason": "test", "confirmed": "yes"},
    )
    assert revoked.status_code in (302, 303), revoked.text

    got = receiver.events(secret)
    assert [e[0] for e in got] == [
        "enrolment.created",
        "certificate.issued",
        "plan.accepted",
        "certificate.revoked",
    ]
    assert got[1][1]["serial"] == "SMR-HOOK-0001"
    assert got[3][1]["revoked_at"] is not None
    assert len({e[2] for e in got}) == 4  # one message id each

    log = admin.get("/admin/webhooks/").text
    assert log.count("delivered") == 4 and "204" in log


def test_a_receiver_down_then_up_gets_the_delivery_once(
    app, synced_course, make_user, make_cohort, receiver
):
    secret, admin = register(app, make_user, receiver.url, ["enrolment.created"])  # not started
    make_cohort(synced_course, learners=1)
    with app.app_context():
        delivery = db.session.scalar(select(WebhookDelivery))
        assert (delivery.status, delivery.attempts, delivery.response_code) == ("pending", 1, None)
        assert "Connection refused" in delivery.last_error or "Errno" in delivery.last_error
        job_id = db.session.scalar(select(Job.id).where(Job.kind == "webhooks.deliver"))
    assert "pending" in admin.get("/admin/webhooks/").text

    receiver.start()
    with app.app_context():
        assert jobs.run_job(job_id) == "done"
        assert jobs.run_job(job_id) is None  # done: nothing runs it twice
        delivery = db.session.scalar(select(WebhookDelivery))
        assert (delivery.status, delivery.attempts, delivery.response_code) == ("delivered", 2, 204)
    assert [e[0] for e in receiver.events(secret)] == ["enrolment.created"]

    # an admin's resend sends the same message id again, which a receiver can recognise
    with app.app_context():
        delivery_id = db.session.scalar(select(WebhookDelivery.id))
    assert admin.post(f"/admin/webhooks/deliveries/{delivery_id}/resend").status_code == 302
    ids = [e[2] for e in receiver.events(secret)]
    assert len(ids) == 2 and ids[0] == ids[1]


def test_a_tampered_delivery_fails_verification(
    app, synced_course, make_user, make_cohort, receiver
):
    secret, _ = register(app, make_user, receiver.start().url, ["enrolment.created"])
    make_cohort(synced_course, learners=1)
    ((headers, body),) = receiver.received
    lowered = {k.lower(): v for k, v in headers.items()}
    assert verify(secret, lowered, body)
    assert not verify(secret, lowered, body.replace(b"enrolment", b"enrolmenT"))
    assert not verify(secret, {**lowered, "webhook-id": "msg_other"}, body)
    other_secret = "whsec_" + base64.b64encode(b"x" * 24).decode()
    assert not verify(other_secret, lowered, body)


def test_registration_form_errors(app, make_user):
    admin = make_user("admin")
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = admin.session_token
    page = client.post("/admin/webhooks/", data={"url": "ftp://x", "events": []})
    assert page.status_code == 422
    assert "https://" in page.text and "Choose at least one event." in page.text


def test_the_admin_page_says_when_nothing_is_registered_or_sent(client, login_as):
    login_as("admin")
    page = client.get("/admin/webhooks/").text
    assert "No endpoint is registered yet" in page
    assert "Nothing has been sent yet" in page
    assert "<table" not in page  # no empty grid with headings only
