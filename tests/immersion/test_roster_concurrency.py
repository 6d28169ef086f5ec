"""Two faculty tick at the same moment, on their own tablets, while a learner checks in:
every tick lands, and no cell gets a second row.

Modelled on tests/test_concurrency.py: spawned processes, each with its own app and test
client, start together behind a barrier. Runs on SQLite or PostgreSQL, like the suite.
"""

import pytest
from sqlalchemy import func, select

from smresidency.cohorts.models import CohortStaff, Enrolment
from smresidency.extensions import db
from smresidency.immersion.models import CheckOff, CheckOffEvent
from tests.test_concurrency import _client_for, _picklable, _run

pytestmark = pytest.mark.slow

SHARED = ["check-in", "welcome-briefing"]  # both faculty tick these for every learner
OWN = {"first": ["privacy-workshop"], "second": ["measurement-lab"]}


def poster(config: dict, token: str, barrier, results, posts: list, headers: dict):
    """POST every (url, form data) as fast as possible, as one person on one device."""
    app, client = _client_for(config, token)
    barrier.wait(timeout=60)
    statuses = [client.post(url, data=data, headers=headers).status_code for url, data in posts]
    with app.app_context():
        db.engine.dispose()
    results.put(statuses)


def test_two_faculty_and_a_learner_at_once_lose_nothing(
    app, synced_course, make_user, make_cohort, database_url
):
    first, second = make_user("instructor"), make_user("instructor")
    # today is the immersion day: the only day its QR code is accepted
    cohort_id, learners = make_cohort(
        synced_course, faculty=[first, second], learners=3, immersion_in_days=0
    )
    with app.app_context():
        enrolments = db.session.scalars(
            select(Enrolment.id).where(Enrolment.cohort_id == cohort_id)
        ).all()
        assert db.session.scalar(select(func.count()).select_from(CohortStaff)) == 2

    def ticks(who: str) -> list[tuple]:
        return [
            (f"/cohorts/{cohort_id}/roster/{eid}/{item}", {"checked": "1", "reason": "on paper"})
            for eid in enrolments
            for item in SHARED + OWN[who]
        ]

    with app.test_request_context():
        from smresidency.immersion.checkin import token_for

        code = f"/checkin/{token_for(cohort_id)}"
    config = {k: v for k, v in app.config.items() if _picklable(k, v)}
    statuses = _run(
        poster,
        [
            (config, first.session_token, ticks("first"), {}),
            (config, second.session_token, ticks("second"), {"Accept": "application/json"}),
            # the first learner scans the code while both faculty tick their check-in
            (config, learners[0].session_token, [(code, {"confirm": "y"})] * 3, {}),
        ],
    )
    expected = [303] * 9 + [200] * 9 + [200] * 3
    assert sorted(statuses) == sorted(expected), f"some requests failed: {statuses}"
    with app.app_context():
        rows = db.session.execute(
            select(CheckOff.enrolment_id, CheckOff.item_id, CheckOff.checked)
        ).all()
        cells = [(r.enrolment_id, r.item_id) for r in rows]
        assert len(cells) == len(set(cells)), "a cell has two check-off rows"
        intended = {
            (eid, item) for eid in enrolments for item in SHARED + OWN["first"] + OWN["second"]
        }
        assert set(cells) == intended
        assert all(r.checked for r in rows)
        actions = db.session.execute(
            select(CheckOffEvent.enrolment_id, CheckOffEvent.item_id, CheckOffEvent.action)
        ).all()
        assert {(e, i) for e, i, _ in actions} == intended  # every tick has its history
        assert {a for _, _, a in actions} <= {"tick", "checkin"}
