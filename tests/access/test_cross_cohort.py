"""The two cross-cohort checks a review found untested: running your own cohort gives no
power over another cohort's learners or certificates, even with your own cohort id in the URL."""

import pytest

from tests.access import world as _world
from tests.test_access_matrix import current_token

world = _world.world  # the fixture


def signed_in(app, user):
    """A client holding this user's session, as after signing in."""
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = current_token(app, user.id)
    return client


def enrolment_status(app, enrolment_id: int) -> str:
    from smresidency.cohorts.models import Enrolment
    from smresidency.extensions import db

    with app.app_context():
        return db.session.get(Enrolment, enrolment_id).status


def revoked(app, cert_id: int) -> bool:
    from smresidency.certificates.models import Certificate
    from smresidency.extensions import db

    with app.app_context():
        return db.session.get(Certificate, cert_id).revoked_at is not None


@pytest.mark.parametrize("action", ["withdraw", "move"])
@pytest.mark.parametrize("who", ["other_coordinator", "dual"])
def test_enrolment_of_another_cohort_is_not_found_under_your_own(app, world, who, action):
    ids = world["ids"]
    client = signed_in(app, world["users"][who])
    url = f"/cohorts/{ids['own_cohort']}/enrolments/{ids['enrolment']}/{action}"
    response = client.post(url, data={"confirm": "y", "target": ids["own_cohort"]})
    assert response.status_code == 404
    assert enrolment_status(app, ids["enrolment"]) == "active"
    people = client.get(f"/cohorts/{ids['own_cohort']}/people").get_data(as_text=True)
    assert world["users"]["learner"].email not in people


def test_the_cohorts_own_coordinator_can_withdraw(app, world):
    """The control: the same request on the right cohort does what it says."""
    ids = world["ids"]
    client = signed_in(app, world["users"]["coordinator"])
    response = client.post(
        f"/cohorts/{ids['cohort']}/enrolments/{ids['enrolment']}/withdraw", data={"confirm": "y"}
    )
    assert response.status_code == 302
    assert enrolment_status(app, ids["enrolment"]) == "withdrawn"


def test_faculty_who_coordinate_elsewhere_cannot_revoke_through_their_own_cohort(app, world):
    """`dual` teaches the victim's cohort (so may see its certificates) and runs another."""
    ids = world["ids"]
    client = signed_in(app, world["users"]["dual"])
    url = f"/cohorts/{ids['own_cohort']}/certificates/{ids['certificate']}/revoke"
    assert client.post(url, data={"reason": "not mine to revoke"}).status_code == 404
    assert (
        client.post(
            f"/cohorts/{ids['cohort']}/certificates/{ids['certificate']}/revoke",
            data={"reason": "teaching is not running"},
        ).status_code
        == 404
    )
    assert not revoked(app, ids["certificate"])
    verify = app.test_client().get(f"/verify/{ids['code']}").get_data(as_text=True)
    assert "Revoked" not in verify


def test_the_cohorts_own_coordinator_can_revoke(app, world):
    ids = world["ids"]
    client = signed_in(app, world["users"]["coordinator"])
    response = client.post(
        f"/cohorts/{ids['cohort']}/certificates/{ids['certificate']}/revoke",
        data={"reason": "issued in error", "confirmed": "yes"},  # the confirmation page's press
    )
    assert response.status_code == 302
    assert revoked(app, ids["certificate"])
    assert "Revoked" in app.test_client().get(f"/verify/{ids['code']}").get_data(as_text=True)


def test_teaching_a_cohort_is_not_running_it(app, world):
    """`dual` teaches the victim's cohort and holds the coordinator role (for its own cohort):
    the victim's cohort's coordinator pages and actions stay closed to it."""
    ids = world["ids"]
    client = signed_in(app, world["users"]["dual"])
    cohort = ids["cohort"]
    assert client.get(f"/cohorts/{cohort}").status_code == 200  # it may look
    for page in ("edit", "people", "remind", "import"):
        assert client.get(f"/cohorts/{cohort}/{page}").status_code == 404, page
    url = f"/cohorts/{cohort}/enrolments/{ids['enrolment']}/withdraw"
    assert client.post(url, data={"confirm": "y"}).status_code == 404
    assert enrolment_status(app, ids["enrolment"]) == "active"
