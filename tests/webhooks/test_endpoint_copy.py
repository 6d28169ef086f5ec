"""The active endpoints are kept per worker under the settings version: a warm worker reads
them no more, a quiz pass still writes its module.completed delivery, and an endpoint
registered on another instance is seen at once."""

from sqlalchemy import select

from smresidency import create_app
from smresidency.db import as_utc
from smresidency.extensions import db
from smresidency.learning.models import ModuleProgress
from smresidency.webhooks import services
from smresidency.webhooks.models import WebhookDelivery
from tests.conftest import _config
from tests.quizzes.test_taking import bank, correct_answers, quiz_of_attempt, submit, sync

NAMES = ["01-first", "02-second", "03-third", "04-fourth"]


def _pass(app, client, name: str) -> None:
    module = f"/courses/test-course/modules/{name}"
    client.post(f"{module}/read")
    token = client.post(f"{module}/quiz").headers["Location"].rsplit("/", 1)[1]
    assert submit(client, token, correct_answers(*quiz_of_attempt(app, token))).status_code == 302
    assert submit(client, token, correct_answers(*quiz_of_attempt(app, token))).status_code == 302


def _deliveries(app) -> list:
    with app.app_context():
        return db.session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)).all()


def test_quiz_passes_read_endpoints_once_and_see_another_hosts_registration(
    app, client, login_as, make_user, make_cohort, write_course, database_url, tmp_path
):
    sync(app, write_course(modules={name: {"quiz": bank(4)} for name in NAMES}))
    learner = login_as("learner")
    make_cohort("test-course", learners=[learner])
    _pass(app, client, NAMES[0])  # the worker keeps "no endpoint" under the settings version
    before = len(services.reads)
    _pass(app, client, NAMES[1])
    assert len(services.reads) == before  # warm: no endpoint read for module.completed
    assert _deliveries(app) == []

    other = create_app(_config(database_url, tmp_path / "host-b"))
    admin = make_user("admin")
    with other.app_context():  # registered on host B (a port nobody listens on)
        services.register(admin, "http://127.0.0.1:9/hook", ["module.completed"])
        db.session.commit()

    _pass(app, client, NAMES[2])  # host A sees it at once, and the replay adds nothing
    (delivery,) = _deliveries(app)
    with app.app_context():
        row = db.session.scalar(
            select(ModuleProgress)
            .where(ModuleProgress.user_id == learner.id)
            .order_by(ModuleProgress.completed_at.desc())
        )
        completed_at = as_utc(row.completed_at).isoformat().replace("+00:00", "Z")
    assert delivery.event_type == "module.completed"
    assert delivery.payload["data"] == {
        "user_id": learner.id,
        "module_id": row.module_id,
        "completed_at": completed_at,
    }
