"""Faculty review workshop evidence: waiting links first; confirm ticks, return sends it back."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from smresidency.extensions import db
from smresidency.immersion import services
from smresidency.immersion.models import CheckOffEvent
from tests.immersion.test_evidence import (
    enrolment_id,
    events_of,
    row_of,
    submit,
    text_of,
)
from tests.immersion.test_evidence import (
    world as world,  # the fixture
)


def queue_url(world, cohort="cohort_a") -> str:
    return f"/cohorts/{world[cohort]}/evidence"


def review_url(world, check_off_id: int, cohort="cohort_a") -> str:
    return f"/cohorts/{world[cohort]}/evidence/{check_off_id}"


NINE_AM = datetime(2025, 3, 7, 9, 0, tzinfo=UTC)


def submitted(app, client, login_as, user, item_id, url, minutes_ago=0) -> int:
    """Submit as the learner (through the page), minutes before 09:00 on 7 March 2025.

    Returns the check-off id."""
    login_as(user=user)
    assert submit(client, item_id, url).status_code == 302
    with app.app_context():
        db.session.execute(
            update(CheckOffEvent)
            .where(
                CheckOffEvent.enrolment_id == enrolment_id(app, user),
                CheckOffEvent.item_id == item_id,
            )
            .values(at=NINE_AM - timedelta(minutes=minutes_ago))
        )
        db.session.commit()
    return row_of(app, user, item_id).id


@pytest.fixture
def evidence(app, client, login_as, world):
    """Ann's blog post (older) and Ben's video are waiting; Cat (the other cohort) submitted too."""
    return {
        "ann_blog": submitted(
            app, client, login_as, world["ann"], "blog-post", "https://blog.example/ann", 30
        ),
        "ben_video": submitted(
            app, client, login_as, world["ben"], "short-video", "https://video.example/ben", 10
        ),
        "cat_blog": submitted(
            app, client, login_as, world["cat"], "blog-post", "https://blog.example/cat", 20
        ),
    }


def review(client, world, check_off_id, decision, note="", cohort="cohort_a"):
    return client.post(
        review_url(world, check_off_id, cohort), data={"decision": decision, "note": note}
    )


def test_the_queue_lists_waiting_evidence_first_with_safe_links(
    app, client, login_as, world, evidence
):
    login_as(user=world["fay"])
    review(client, world, evidence["ben_video"], "confirm")
    response = client.get(queue_url(world))
    assert response.status_code == 200
    page = text_of(response)
    waiting, reviewed = page.split("Reviewed (1)")
    assert "Waiting for review (1)" in waiting
    # one compact table row per link: the learner, then the item
    assert re.search(
        r'<th scope="row">Ann Archer</th>\s*<td>Draft and publish a blog post</td>', waiting
    )
    assert re.search(
        r'<th scope="row">Ben Baker</th>\s*<td>Record a short captioned video</td>', reviewed
    )
    link = (
        '<a href="https://blog.example/ann" rel="noopener noreferrer nofollow" target="_blank">'
        "Open Ann Archer\u2019s post"
    )
    assert link in waiting
    assert "(opens the learner\u2019s post in a new tab)" in waiting
    # in the cohort's zone (Europe/London, GMT in March), not UTC
    assert '<time datetime="2025-03-07T08:30:00+00:00">07 Mar 2025 08:30 GMT</time>' in waiting
    # the other cohort's evidence is not listed
    assert "Cat Cole" not in page
    assert "blog.example/cat" not in page


def test_several_waiting_are_oldest_first(app, client, login_as, world, evidence):
    login_as(user=world["fay"])
    page = text_of(client.get(queue_url(world)))
    assert "Waiting for review (2)" in page
    assert page.index(">Ann Archer</th>") < page.index(">Ben Baker</th>")
    assert "Nothing is waiting" not in page
    assert "No evidence has been reviewed yet." in page


def test_confirming_ticks_the_item_and_records_it(app, client, login_as, world, evidence):
    login_as(user=world["fay"])
    response = review(client, world, evidence["ann_blog"], "confirm")
    assert response.status_code == 302
    assert response.location.endswith(queue_url(world))
    row = row_of(app, world["ann"], "blog-post")
    assert (row.evidence_state, row.checked, row.updated_by_id) == (
        "confirmed",
        True,
        world["fay"].id,
    )
    assert events_of(app, world["ann"])[-1] == (
        "blog-post",
        "evidence-confirmed",
        "",
        world["fay"].id,
    )
    login_as(user=world["ann"])
    page = text_of(client.get("/courses/social-media-residency/immersion"))
    item = page.split('id="item-blog-post"')[1].split("</li>")[0]
    assert "Done" in item
    assert "Confirmed</span>" in item
    assert "<form" not in item  # locked now


def test_confirming_an_item_already_ticked_still_records_the_confirmation(
    app, client, login_as, world, evidence
):
    with app.app_context():
        services.set_checked(enrolment_id(app, world["ann"]), "blog-post", True, world["fay"].id)
        db.session.commit()
    login_as(user=world["fay"])
    assert review(client, world, evidence["ann_blog"], "confirm").status_code == 302
    actions = [e[1] for e in events_of(app, world["ann"])]
    assert actions == ["evidence-submitted", "tick", "evidence-confirmed"]
    # a second click changes nothing
    assert review(client, world, evidence["ann_blog"], "confirm").status_code == 302
    assert [e[1] for e in events_of(app, world["ann"])] == actions


def test_returning_needs_a_note_and_otherwise_writes_nothing(
    app, client, login_as, world, evidence
):
    login_as(user=world["fay"])
    response = review(client, world, evidence["ann_blog"], "return", note="   ")
    assert response.status_code == 422
    page = text_of(response)
    assert "Your review of Ann Archer\u2019s “Draft and publish a blog post” was not saved." in page
    assert "Say what the learner should change before returning it." in page
    assert f'href="#note-{evidence["ann_blog"]}"' in page
    assert row_of(app, world["ann"], "blog-post").evidence_state == "submitted"
    assert [e[1] for e in events_of(app, world["ann"])] == ["evidence-submitted"]


def test_an_unknown_decision_is_refused(app, client, login_as, world, evidence):
    login_as(user=world["fay"])
    assert review(client, world, evidence["ann_blog"], "delete").status_code == 422
    assert review(client, world, evidence["ann_blog"], "").status_code == 422
    assert row_of(app, world["ann"], "blog-post").evidence_state == "submitted"


def test_returning_sends_it_back_with_the_note(app, client, login_as, world, evidence):
    login_as(user=world["fay"])
    note = "Please add a source for the clinical claim in paragraph two."
    assert review(client, world, evidence["ann_blog"], "return", note=note).status_code == 302
    row = row_of(app, world["ann"], "blog-post")
    assert (row.evidence_state, row.note, row.checked) == ("returned", note, False)
    assert events_of(app, world["ann"])[-1] == (
        "blog-post",
        "evidence-returned",
        note,
        world["fay"].id,
    )
    login_as(user=world["ann"])
    page = text_of(client.get("/courses/social-media-residency/immersion"))
    item = page.split('id="item-blog-post"')[1].split("</li>")[0]
    assert "Returned</span>" in item
    assert note in item
    assert "Not yet" in item
    assert "Submit a new link" in item
    # and the learner may submit again
    assert submit(client, "blog-post", "https://blog.example/ann-v2").status_code == 302
    assert row_of(app, world["ann"], "blog-post").evidence_state == "submitted"


def test_returning_confirmed_evidence_unticks_the_item(app, client, login_as, world, evidence):
    login_as(user=world["fay"])
    review(client, world, evidence["ann_blog"], "confirm")
    assert (
        review(client, world, evidence["ann_blog"], "return", note="Wrong post").status_code == 302
    )
    row = row_of(app, world["ann"], "blog-post")
    assert (row.evidence_state, row.checked) == ("returned", False)
    actions = [e[1] for e in events_of(app, world["ann"])]
    assert actions == ["evidence-submitted", "evidence-confirmed", "evidence-returned", "untick"]


def test_learners_and_coordinators_may_not_review(app, client, login_as, world, evidence):
    for who in ("ann", "col"):
        login_as(user=world[who])
        assert client.get(queue_url(world)).status_code == 403
        assert review(client, world, evidence["ann_blog"], "confirm").status_code == 403
    assert row_of(app, world["ann"], "blog-post").evidence_state == "submitted"


def test_faculty_of_another_cohort_find_nothing(app, client, login_as, world, evidence):
    login_as(user=world["gus"])
    assert client.get(queue_url(world)).status_code == 404
    assert review(client, world, evidence["ann_blog"], "confirm").status_code == 404
    # nor through their own cohort's address
    response = review(client, world, evidence["ann_blog"], "confirm", cohort="cohort_b")
    assert response.status_code == 404
    login_as("instructor")  # on no cohort at all
    assert client.get(queue_url(world)).status_code == 404
    assert review(client, world, evidence["ann_blog"], "confirm").status_code == 404
    assert row_of(app, world["ann"], "blog-post").evidence_state == "submitted"
    # their own cohort's evidence is theirs to review
    login_as(user=world["gus"])
    assert "Cat Cole" in text_of(client.get(queue_url(world, "cohort_b")))


def test_admins_may_review_any_cohort(app, client, login_as, world, evidence):
    login_as("admin")
    assert "Ann Archer" in text_of(client.get(queue_url(world)))
    assert review(client, world, evidence["ann_blog"], "confirm").status_code == 302


def test_check_offs_without_evidence_or_of_withdrawn_learners_are_not_found(
    app, client, login_as, world, evidence
):
    with app.app_context():
        ticked = services.set_checked(
            enrolment_id(app, world["ann"]), "check-in", True, world["fay"].id
        )
        db.session.commit()
        ticked_id = ticked.id
    login_as(user=world["fay"])
    assert review(client, world, ticked_id, "confirm").status_code == 404
    assert review(client, world, 999_999, "confirm").status_code == 404
    with app.app_context():
        from smresidency.cohorts.models import Enrolment

        db.session.get(Enrolment, enrolment_id(app, world["ben"])).status = "withdrawn"
        db.session.commit()
    assert review(client, world, evidence["ben_video"], "confirm").status_code == 404
    assert "Ben Baker" not in text_of(client.get(queue_url(world)))


def test_anonymous_visitors_are_sent_to_sign_in(client, world, evidence):
    with client.session_transaction() as session:
        session.clear()  # the fixture signed in as each learner in turn
    assert "/login" in client.get(queue_url(world)).location
    assert "/login" in review(client, world, evidence["ann_blog"], "confirm").location


def _queue_statements(client, count_queries, url) -> tuple[int, str]:
    with count_queries() as statements:
        response = client.get(url)
    assert response.status_code == 200
    return len(statements), response.get_data(as_text=True)


def test_the_queue_reads_in_a_fixed_number_of_statements(
    app, client, login_as, make_user, make_cohort, synced_course, count_queries
):
    fay = make_user("instructor")
    small, small_learners = make_cohort(synced_course, faculty=[fay], learners=2)
    large, large_learners = make_cohort(synced_course, faculty=[fay], learners=15)
    for learner in (*small_learners, *large_learners):
        for item_id in ("blog-post", "short-video"):
            submitted(app, client, login_as, learner, item_id, f"https://e.example/{item_id}")
    login_as(user=fay)
    small_count, small_page = _queue_statements(client, count_queries, f"/cohorts/{small}/evidence")
    large_count, large_page = _queue_statements(client, count_queries, f"/cohorts/{large}/evidence")
    assert "Waiting for review (4)" in small_page
    assert "Waiting for review (30)" in large_page
    assert small_count == large_count <= 6
