"""A learner submits the link to what they made on the day; only valid web addresses pass."""

import pytest
from sqlalchemy import select

from smresidency.cohorts.models import Enrolment
from smresidency.extensions import db
from smresidency.immersion import evidence, services
from smresidency.immersion.models import CheckOff, CheckOffEvent

COURSE = "social-media-residency"
EVIDENCE_ITEMS = (
    "live-chat",
    "facebook-post",
    "instagram-post",
    "pinterest-board",
    "blog-post",
    "short-video",
)


@pytest.fixture
def world(synced_course, make_user, make_cohort):
    """Cohort A (faculty Fay, coordinator Col; learners Ann and Ben) and cohort B (Gus; Cat)."""
    fay = make_user("instructor", name="Fay Faculty")
    gus = make_user("instructor", name="Gus Faculty")
    col = make_user("coordinator", name="Col Coordinator")
    ann = make_user("learner", name="Ann Archer")
    ben = make_user("learner", name="Ben Baker")
    cat = make_user("learner", name="Cat Cole")
    cohort_a, _ = make_cohort(
        synced_course, name="Spring", faculty=[fay], coordinators=[col], learners=[ann, ben]
    )
    cohort_b, _ = make_cohort(synced_course, name="Autumn", faculty=[gus], learners=[cat])
    return {
        "cohort_a": cohort_a,
        "cohort_b": cohort_b,
        "fay": fay,
        "gus": gus,
        "col": col,
        "ann": ann,
        "ben": ben,
        "cat": cat,
    }


def submit_url(item_id: str) -> str:
    return f"/courses/{COURSE}/immersion/{item_id}/evidence"


def submit(client, item_id: str, url: str):
    return client.post(submit_url(item_id), data={"url": url})


def enrolment_id(app, user) -> int:
    with app.app_context():
        return db.session.scalar(select(Enrolment.id).where(Enrolment.user_id == user.id))


def row_of(app, user, item_id: str) -> CheckOff | None:
    with app.app_context():
        found = db.session.scalar(
            select(CheckOff).where(
                CheckOff.enrolment_id == enrolment_id(app, user), CheckOff.item_id == item_id
            )
        )
        if found is not None:
            db.session.expunge(found)
        return found


def events_of(app, user) -> list[tuple[str, str, str, int | None]]:
    with app.app_context():
        rows = db.session.scalars(
            select(CheckOffEvent)
            .where(CheckOffEvent.enrolment_id == enrolment_id(app, user))
            .order_by(CheckOffEvent.id)
        )
        return [(e.item_id, e.action, e.detail, e.by_id) for e in rows]


def text_of(response) -> str:
    return " ".join(response.get_data(as_text=True).split())


def test_a_valid_link_is_submitted_but_not_ticked(app, client, login_as, world):
    login_as(user=world["ann"])
    url = "https://www.facebook.com/TrainingPage/posts/12345"
    response = submit(client, "facebook-post", url)
    assert response.status_code == 302
    assert response.location.endswith(f"/courses/{COURSE}/immersion#item-facebook-post")
    row = row_of(app, world["ann"], "facebook-post")
    assert (row.evidence_url, row.evidence_state, row.checked) == (url, "submitted", False)
    assert row.updated_by_id == world["ann"].id
    assert events_of(app, world["ann"]) == [
        ("facebook-post", "evidence-submitted", url, world["ann"].id)
    ]
    page = text_of(client.get(response.location))
    assert "is submitted. Your faculty member will review it." in page
    assert "Submitted</span> Waiting for your faculty member to review it." in page
    assert f'href="{url}" rel="noopener noreferrer nofollow" target="_blank"' in page


@pytest.mark.parametrize("item_id", EVIDENCE_ITEMS)
def test_every_hands_on_item_the_learner_completes_takes_a_link(
    app, client, login_as, world, item_id
):
    login_as(user=world["ann"])
    assert submit(client, item_id, "https://example.org/made-today").status_code == 302
    assert row_of(app, world["ann"], item_id).evidence_state == "submitted"


REJECTED = {
    "empty": ("", "Paste the link"),
    "only spaces": ("   ", "Paste the link"),
    "javascript": ("javascript:alert(1)", "starting with https://"),
    "javascript, mixed case": ("JaVaScRiPt:alert(document.cookie)", "starting with https://"),
    "javascript with slashes": ("javascript://example.org/%0Aalert(1)", "starting with https://"),
    "data": ("data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==", "starting with"),
    "vbscript": ("vbscript:msgbox(1)", "starting with https://"),
    "ftp": ("ftp://files.example.org/post.txt", "starting with https://"),
    "file": ("file:///etc/passwd", "starting with https://"),
    "mailto": ("mailto:someone@example.org", "starting with https://"),
    "relative path": ("/courses/social-media-residency", "starting with https://"),
    "no scheme": ("www.example.org/post", "starting with https://"),
    "scheme-relative": ("//example.org/post", "starting with https://"),
    "scheme only": ("https://", "including the site"),
    "no host": ("http:///post/1", "including the site"),
    "bad host": ("https://exa%6Dple.org/post", "including the site"),
    "space in host": ("https://exa mple.org/post", "cannot contain spaces"),
    "space in path": ("https://example.org/my post", "cannot contain spaces"),
    "tab": ("https://example.org/\tpost", "cannot contain spaces"),
    "newline": ("https://example.org/post\njavascript:alert(1)", "cannot contain spaces"),
    "angle brackets": ('https://example.org/"><script>alert(1)</script>', "angle brackets"),
    "user and password": ("https://user:secret@example.org/post", "without a user name"),
    "bad port": ("https://example.org:99999/post", "not a valid web address"),
    "too long": ("https://example.org/" + "a" * 981, "at most 1000 characters"),
}


def test_anything_but_a_web_address_is_refused_and_nothing_written(app, client, login_as, world):
    login_as(user=world["ann"])
    for case, (url, message) in REJECTED.items():
        response = submit(client, "blog-post", url)
        assert response.status_code == 422, case
        page = text_of(response)
        assert "Your link was not accepted." in page, case
        assert 'aria-invalid="true"' in page, case
        assert message in page, case
        assert 'href="#url-blog-post"' in page, case
        assert "<script>" not in page, case  # the refused value is shown escaped
    assert row_of(app, world["ann"], "blog-post") is None
    assert events_of(app, world["ann"]) == []


ACCEPTED = {
    "https": "https://www.instagram.com/p/Cx1a2b3/",
    "http with query and fragment": "http://blog.example.org/2025/03/tips?utm_source=x#top",
    "upper-case scheme and host": "HTTPS://Example.ORG/Post",
    "port": "https://example.org:8443/post",
    "punycode host": "https://xn--bcher-kva.example/post",
    "unicode host": "https://bücher.example/post",
    "ipv6 host": "https://[2001:db8::1]/post",
    "exactly 1000 characters": "https://example.org/" + "a" * 980,
}


def test_web_addresses_are_accepted(app, client, login_as, world):
    login_as(user=world["ann"])
    for case, url in ACCEPTED.items():
        assert submit(client, "short-video", url).status_code == 302, case
        assert row_of(app, world["ann"], "short-video").evidence_url == url, case


def test_surrounding_spaces_from_pasting_are_trimmed(app, client, login_as, world):
    login_as(user=world["ann"])
    assert submit(client, "short-video", "  https://example.org/v/1 \n").status_code == 302
    assert row_of(app, world["ann"], "short-video").evidence_url == "https://example.org/v/1"


@pytest.mark.parametrize(
    "item_id",
    ["check-in", "welcome-briefing", "measurement-lab", "strategy-plan", "self-rating-after"],
)
def test_items_that_take_no_link_are_not_found(app, client, login_as, world, item_id):
    login_as(user=world["ann"])
    assert submit(client, item_id, "https://example.org/x").status_code == 404
    assert events_of(app, world["ann"]) == []


def test_unknown_item_and_unknown_course_are_not_found(client, login_as, world):
    login_as(user=world["ann"])
    assert submit(client, "no-such-item", "https://example.org/x").status_code == 404
    response = client.post(
        "/courses/no-such-course/immersion/blog-post/evidence", data={"url": "https://e.org/x"}
    )
    assert response.status_code == 404


def test_only_learners_with_an_active_enrolment_may_submit(app, client, login_as, world):
    login_as("learner")  # enrolled nowhere
    assert submit(client, "blog-post", "https://example.org/x").status_code == 404
    with app.app_context():
        enrolment = db.session.get(Enrolment, enrolment_id(app, world["ben"]))
        enrolment.status = "withdrawn"
        db.session.commit()
    login_as(user=world["ben"])
    assert submit(client, "blog-post", "https://example.org/x").status_code == 404
    assert row_of(app, world["ben"], "blog-post") is None


def test_a_learner_only_ever_writes_their_own_record(app, client, login_as, world):
    login_as(user=world["ann"])
    submit(client, "blog-post", "https://example.org/ann")
    login_as(user=world["ben"])
    ann_enrolment = enrolment_id(app, world["ann"])
    response = client.post(
        submit_url("blog-post"),
        data={"url": "https://example.org/ben", "enrolment_id": ann_enrolment},
    )
    assert response.status_code == 302
    assert row_of(app, world["ann"], "blog-post").evidence_url == "https://example.org/ann"
    assert row_of(app, world["ben"], "blog-post").evidence_url == "https://example.org/ben"
    assert [e[1:3] for e in events_of(app, world["ann"])] == [
        ("evidence-submitted", "https://example.org/ann")
    ]


def test_a_link_can_be_replaced_until_confirmed_then_it_is_locked(app, client, login_as, world):
    login_as(user=world["ann"])
    submit(client, "instagram-post", "https://example.org/first")
    assert submit(client, "instagram-post", "https://example.org/second").status_code == 302
    with app.app_context():
        row = services.check_off_row(enrolment_id(app, world["ann"]), "instagram-post")
        evidence.return_evidence(row, "Please add alt text.", world["fay"].id)
        db.session.commit()
    assert submit(client, "instagram-post", "https://example.org/third").status_code == 302
    row = row_of(app, world["ann"], "instagram-post")
    assert (row.evidence_url, row.evidence_state) == ("https://example.org/third", "submitted")
    with app.app_context():
        row = services.check_off_row(enrolment_id(app, world["ann"]), "instagram-post")
        evidence.confirm(row, world["fay"].id)
        db.session.commit()
    before = events_of(app, world["ann"])
    response = submit(client, "instagram-post", "https://example.org/fourth")
    assert response.status_code == 409
    assert "already confirmed this item, so its link can no longer be changed" in text_of(response)
    row = row_of(app, world["ann"], "instagram-post")
    assert (row.evidence_url, row.evidence_state) == ("https://example.org/third", "confirmed")
    assert events_of(app, world["ann"]) == before
    submitted = [e[2] for e in before if e[1] == "evidence-submitted"]
    assert submitted == [f"https://example.org/{n}" for n in ("first", "second", "third")]


def test_submitting_needs_a_post(client, login_as, world):
    login_as(user=world["ann"])
    assert client.get(submit_url("blog-post")).status_code == 405


def test_anonymous_visitors_are_sent_to_sign_in(client, world):
    response = submit(client, "blog-post", "https://example.org/x")
    assert response.status_code == 302
    assert "/login" in response.location
