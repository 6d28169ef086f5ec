"""Mail goes out under the organisation's name: a real SMTP conversation on a local socket."""

import socketserver
import threading
from email import message_from_bytes, policy

import pytest

from smresidency.admin.branding import Upload, save_settings
from smresidency.auth.models import User
from smresidency.extensions import db
from smresidency.mail.services import send_mail


class _Session(socketserver.StreamRequestHandler):
    """Just enough SMTP (RFC 5321) to receive one message."""

    def reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self):
        self.reply("220 test ESMTP")
        while line := self.rfile.readline():
            verb = line.decode().strip().split(" ")[0].upper()
            if verb in ("EHLO", "HELO"):
                self.reply("250 test")
            elif verb == "DATA":
                self.reply("354 go ahead")
                data = b""
                while (chunk := self.rfile.readline()) != b".\r\n":
                    data += chunk
                self.server.received.append(message_from_bytes(data, policy=policy.default))
                self.reply("250 queued")
            elif verb == "QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("250 ok")


@pytest.fixture
def smtp_server():
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Session)
    server.received = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def app_config(smtp_server):
    return {
        "MAIL_BACKEND": "smtp",
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": smtp_server.server_address[1],
        "SMTP_STARTTLS": False,
        "MAIL_SENDER": "residency@hospital.test",
    }


def test_sender_is_the_address_alone_until_an_organisation_is_named(app, smtp_server):
    with app.app_context():
        send_mail("ann@example.test", "Hello", "Body")
        db.session.commit()  # mail is queued, and delivered once the transaction commits
    [msg] = smtp_server.received
    assert msg["From"] == "residency@hospital.test"


def test_sender_carries_the_organisation_name(app, smtp_server, make_user):
    admin = make_user("admin")
    with app.test_request_context():
        save_settings(
            db.session.get(User, admin.id),
            {"organisation_name": "Hôpital Saint-Élan"},
            Upload(),
            Upload(),
        )
        db.session.commit()
    with app.app_context():
        send_mail("ann@example.test", "Hello", "Body")
        db.session.commit()  # mail is queued, and delivered once the transaction commits
    [msg] = smtp_server.received
    assert msg["From"].addresses[0].display_name == "Hôpital Saint-Élan"
    assert msg["From"].addresses[0].addr_spec == "residency@hospital.test"
