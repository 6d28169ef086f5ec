"""The access matrix once more with CSRF protection on, as in production, and proof that
every route taking a POST refuses one without a token before the view runs."""

import pytest

from tests.access import world as _world
from tests.access.world import ACTORS
from tests.test_access_matrix import (
    CSRF_REFUSED,
    ROUTES,
    current_token,
    outcome,
    resolve,
    run_matrix,
)

world = _world.world  # the fixture


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True}


def test_access_matrix_with_csrf_enabled(app, world):
    """Each client sends its session's token, so every outcome is the intended one."""
    failures = run_matrix(app, world, csrf=True)
    assert failures == [], "\n".join(failures)


def test_every_post_without_a_token_is_refused(app, world):
    from flask import url_for

    from smresidency.certificates.models import Certificate
    from smresidency.cohorts.models import Enrolment
    from smresidency.extensions import db

    # a route missing from ROUTES fails test_every_route_is_in_the_matrix instead
    posting = {r.endpoint for r in app.url_map.iter_rules() if "POST" in r.methods} & set(ROUTES)
    assert len(posting) > 20
    with app.test_request_context():
        urls = {e: url_for(e, **resolve(ROUTES[e].args, world["ids"])) for e in posting}
    wrong = []
    for endpoint, url in sorted(urls.items()):
        for actor in ACTORS:
            client = app.test_client()
            if actor != "anonymous":
                with client.session_transaction() as session:
                    session["_user_id"] = current_token(app, world["users"][actor].id)
            response = client.post(url, data=ROUTES[endpoint].data)
            if outcome(response, "POST") != CSRF_REFUSED:
                wrong.append(f"POST {url} as {actor}: {response.status_code}")
    assert wrong == [], "\n".join(wrong)
    with app.app_context():
        assert db.session.get(Certificate, world["ids"]["certificate"]).revoked_at is None
        assert db.session.get(Enrolment, world["ids"]["enrolment"]).status == "active"
