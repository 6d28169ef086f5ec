"""The learner's own immersion page: their cohort, the checklist and where each item stands."""

import re

from smresidency.cohorts.models import Cohort, Enrolment
from smresidency.extensions import db
from smresidency.immersion import evidence, services
from tests.immersion.test_evidence import (
    EVIDENCE_ITEMS,
    enrolment_id,
    submit,
    text_of,
)
from tests.immersion.test_evidence import (
    world as world,  # the fixture
)

PAGE = "/courses/social-media-residency/immersion"
ITEM_TITLES = [
    "Check in for the day",
    "Welcome, ground rules and policy briefing",
    "Demo chat on X or its alternative",
    "Publish a Facebook page post",
    "Post to Instagram with alt text",
    "Create a Pinterest pin and board",
    "Privacy scenario workshop",
    "Draft and publish a blog post",
    "Record a short captioned video",
    "Measurement tools exercise",
    "Follow a professional peer network",
    "Alt-text and caption check",
    "Crisis drill",
    "Social media strategy and tactics plan",
    "Rate yourself after the residency",
    "Take down practice posts",
]


def item_html(page: str, item_id: str) -> str:
    return page.split(f'id="item-{item_id}"')[1].split("</li>")[0]


def test_the_day_and_every_item_of_the_checklist(app, client, login_as, world):
    with app.app_context():
        cohort = db.session.get(Cohort, world["cohort_a"])
        cohort.place = "Education centre, room 2"
        cohort.online_link = "https://meet.example/residency"
        date = cohort.immersion_date
        db.session.commit()
    login_as(user=world["ann"])
    response = client.get(PAGE)
    assert response.status_code == 200
    page = text_of(response)
    assert "<h1>Your immersion day</h1>" in page
    assert "<dt>Cohort</dt><dd>Spring</dd>" in page
    assert f'<time datetime="{date.isoformat()}">{date.day} {date:%B %Y}</time>' in page
    assert "<dt>Place</dt><dd>Education centre, room 2</dd>" in page
    assert 'href="https://meet.example/residency"' in page
    assert re.findall(r'<h2 class="checklist-title">([^<]+)</h2>', page) == [
        t.replace("'", "&#39;") for t in ITEM_TITLES
    ]
    assert "0 of 14 required items done." in page
    check_in = item_html(page, "check-in")
    assert "Not yet" in check_in and "Required" in check_in and "Faculty tick this" in check_in
    pinterest = item_html(page, "pinterest-board")
    assert "Optional" in pinterest and "You complete this" in pinterest
    assert "Submit the link" in pinterest
    forms = re.findall(
        r'action="/courses/social-media-residency/immersion/([\w-]+)/evidence"', page
    )
    assert forms == list(EVIDENCE_ITEMS)
    # field ids are unique, so every label names its own field
    ids = re.findall(r' id="([^"]+)"', page)
    assert len(ids) == len(set(ids))
    assert '<label for="url-blog-post">' in page


def test_each_item_shows_where_it_stands_for_the_learner(app, client, login_as, world):
    ann = enrolment_id(app, world["ann"])
    login_as(user=world["ann"])
    for item_id in ("facebook-post", "instagram-post", "blog-post"):
        submit(client, item_id, f"https://example.org/{item_id}")
    with app.app_context():
        services.set_checked(ann, "check-in", True, world["fay"].id)
        evidence.confirm(services.check_off_row(ann, "instagram-post"), world["fay"].id)
        blog = services.check_off_row(ann, "blog-post")
        evidence.return_evidence(blog, "The link is to a draft; publish it first.", world["fay"].id)
        db.session.commit()
    page = text_of(client.get(PAGE))
    assert "2 of 14 required items done." in page
    assert "Done" in item_html(page, "check-in")
    facebook = item_html(page, "facebook-post")
    assert "Not yet" in facebook
    assert "Submitted</span> Waiting for your faculty member to review it." in facebook
    assert 'href="https://example.org/facebook-post"' in facebook
    assert "Submit a new link" in facebook
    instagram = item_html(page, "instagram-post")
    assert "Done" in instagram and "Confirmed</span>" in instagram
    assert "<form" not in instagram
    blog = item_html(page, "blog-post")
    assert "Returned</span>" in blog
    assert "The link is to a draft; publish it first." in blog
    assert "Submit a new link" in blog
    assert "Submit the link" in item_html(page, "short-video")


def test_a_refused_link_keeps_the_page_and_names_the_item(client, login_as, world):
    login_as(user=world["ann"])
    page = text_of(submit(client, "live-chat", "ftp://example.org/x"))
    assert '<div class="form-errors" role="alert">' in page
    assert "Go to “Demo chat on X or its alternative”" in page
    assert 'value="ftp://example.org/x"' in item_html(page, "live-chat")
    assert 'value=""' in item_html(page, "facebook-post")  # the other forms stay empty


def test_the_page_never_shows_other_learners(app, client, login_as, world):
    ben = enrolment_id(app, world["ben"])
    login_as(user=world["ben"])
    submit(client, "blog-post", "https://example.org/ben-secret-post")
    with app.app_context():
        services.set_checked(ben, "check-in", True, world["fay"].id)
        row = services.check_off_row(ben, "blog-post")
        evidence.return_evidence(row, "Ben's private feedback", world["fay"].id)
        db.session.commit()
    login_as(user=world["ann"])
    page = text_of(client.get(PAGE))
    for trace in ("Ben Baker", "ben-secret-post", "private feedback", "Cat Cole", "Autumn"):
        assert trace not in page
    assert "0 of 14 required items done." in page
    assert "Not yet" in item_html(page, "check-in")


def test_someone_not_in_a_cohort_gets_a_friendly_page(app, client, login_as, world):
    login_as("learner")
    response = client.get(PAGE)
    assert response.status_code == 200
    page = text_of(response)
    assert "You are not in a cohort yet" in page
    for trace in ("Spring", "Autumn", "Ann Archer", '<form method="post" action="/courses'):
        assert trace not in page
    # faculty and coordinators have no enrolment of their own either
    login_as(user=world["fay"])
    assert "You are not in a cohort yet" in text_of(client.get(PAGE))


def test_a_withdrawn_learner_is_not_in_a_cohort(app, client, login_as, world):
    with app.app_context():
        db.session.get(Enrolment, enrolment_id(app, world["ben"])).status = "withdrawn"
        db.session.commit()
    login_as(user=world["ben"])
    page = text_of(client.get(PAGE))
    assert "You are not in a cohort yet" in page
    assert "Spring" not in page


def test_unknown_course_is_not_found_and_anonymous_must_sign_in(client, login_as, world):
    response = client.get(PAGE)
    assert response.status_code == 302 and "/login" in response.location
    login_as(user=world["ann"])
    assert client.get("/courses/no-such-course/immersion").status_code == 404


def test_the_page_reads_in_a_fixed_number_of_statements(
    app, client, login_as, make_cohort, synced_course, count_queries
):
    _, (quiet,) = make_cohort(synced_course, learners=1)
    _, busy_cohort = make_cohort(synced_course, learners=15)
    busy = busy_cohort[0]
    for learner in busy_cohort:  # many check-offs in the cohort, and many of them the busy one's
        login_as(user=learner)
        for item_id in EVIDENCE_ITEMS:
            submit(client, item_id, f"https://example.org/{item_id}")
    counts = []
    for learner in (quiet, busy):
        login_as(user=learner)
        with count_queries() as statements:
            response = client.get(PAGE)
        assert response.status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1] <= 5
