"""The evidence queue at scale: filters by learner, item and state; confirm several at once,
all or nothing; "ask again" with a note; and the roster's cells link to the filtered queue."""

import re

from sqlalchemy import select

from smresidency.extensions import db
from smresidency.immersion.models import CheckOff
from tests.immersion.test_evidence import enrolment_id, row_of, text_of
from tests.immersion.test_evidence_review import evidence as evidence  # the fixtures
from tests.immersion.test_evidence_review import queue_url, review
from tests.immersion.test_evidence_review import world as world


def rows_of(page: str) -> list[str]:
    return re.findall(r'<th scope="row">([^<]+)</th>\s*<td>([^<]+)</td>', page)


def confirm_many(client, world, ids, **filters):
    data = {"ids": [str(i) for i in ids], **filters}
    return client.post(queue_url(world) + "/confirm", data=data)


def test_filters_by_learner_item_and_state(app, client, login_as, world, evidence):
    login_as(user=world["fay"])
    everyone = text_of(client.get(queue_url(world)))
    assert rows_of(everyone) == [
        ("Ann Archer", "Draft and publish a blog post"),
        ("Ben Baker", "Record a short captioned video"),
    ]
    ann = enrolment_id(app, world["ann"])
    only_ann = text_of(client.get(queue_url(world) + f"?learner={ann}"))
    assert rows_of(only_ann) == [("Ann Archer", "Draft and publish a blog post")]
    assert f'<option value="{ann}" selected>Ann Archer</option>' in only_ann
    by_item = text_of(client.get(queue_url(world) + "?item=short-video"))
    assert rows_of(by_item) == [("Ben Baker", "Record a short captioned video")]
    review(client, world, evidence["ben_video"], "confirm")
    confirmed = text_of(client.get(queue_url(world) + "?status=confirmed"))
    assert rows_of(confirmed) == [("Ben Baker", "Record a short captioned video")]
    assert "Nothing is waiting for review with these filters." in confirmed
    # nonsense filters are ignored, never a server error
    odd = client.get(queue_url(world) + "?learner=abc&status=deleted")
    assert odd.status_code == 200 and len(rows_of(text_of(odd))) == 2
    unknown = client.get(queue_url(world) + "?item=" + "x" * 500)
    assert unknown.status_code == 200 and rows_of(text_of(unknown)) == []


def test_confirm_several_at_once_ticks_every_one(app, client, login_as, world, evidence):
    login_as(user=world["fay"])
    ann = enrolment_id(app, world["ann"])
    response = confirm_many(
        client, world, [evidence["ann_blog"], evidence["ben_video"]], learner=str(ann)
    )
    assert response.status_code == 302
    assert response.location.endswith(queue_url(world) + f"?learner={ann}")  # filters kept
    for user, item in ((world["ann"], "blog-post"), (world["ben"], "short-video")):
        row = row_of(app, user, item)
        assert (row.evidence_state, row.checked) == ("confirmed", True)
    assert "Confirmed 2 links: the items are ticked." in text_of(client.get(response.location))


def test_confirming_several_is_all_or_nothing(app, client, login_as, world, evidence):
    login_as(user=world["fay"])
    review(client, world, evidence["ben_video"], "confirm")  # a colleague got there first
    response = confirm_many(client, world, [evidence["ann_blog"], evidence["ben_video"]])
    assert response.status_code == 409
    assert "Nothing was confirmed: 1 of the links you ticked had already been confirmed" in (
        text_of(response)
    )
    assert row_of(app, world["ann"], "blog-post").evidence_state == "submitted"
    # another cohort's evidence in the batch: nothing is confirmed either
    other = confirm_many(client, world, [evidence["ann_blog"], evidence["cat_blog"]])
    assert other.status_code == 409
    assert row_of(app, world["ann"], "blog-post").evidence_state == "submitted"
    assert row_of(app, world["cat"], "blog-post").evidence_state == "submitted"
    assert confirm_many(client, world, []).status_code == 422
    assert confirm_many(client, world, ["1; drop"]).status_code == 404


def test_bulk_confirm_checks_the_csrf_token_and_the_role(app, client, login_as, world, evidence):
    login_as(user=world["col"])  # a coordinator: sees the roster, may not confirm
    assert confirm_many(client, world, [evidence["ann_blog"]]).status_code == 403
    login_as(user=world["gus"])  # faculty of another cohort
    assert confirm_many(client, world, [evidence["ann_blog"]]).status_code == 404
    app.config["WTF_CSRF_ENABLED"] = True
    login_as(user=world["fay"])
    assert confirm_many(client, world, [evidence["ann_blog"]]).status_code == 400
    assert row_of(app, world["ann"], "blog-post").evidence_state == "submitted"


def test_ask_again_shows_the_note_to_the_learner(app, client, login_as, world, evidence):
    login_as(user=world["fay"])
    page = text_of(client.get(queue_url(world)))
    assert "<summary>Ask again" in page and "Confirm the selected links" in page
    note = "Please add alt text to the header image."
    assert review(client, world, evidence["ann_blog"], "return", note=note).status_code == 302
    login_as(user=world["ann"])
    mine = text_of(client.get("/courses/social-media-residency/immersion"))
    assert note in mine


def test_roster_cells_link_to_the_filtered_queue(app, client, login_as, world, evidence):
    login_as(user=world["fay"])
    roster = text_of(client.get(f"/cohorts/{world['cohort_a']}/roster"))
    ann = enrolment_id(app, world["ann"])
    link = f'href="/cohorts/{world["cohort_a"]}/evidence?learner={ann}&amp;item=blog-post"'
    assert link in roster
    with app.app_context():
        assert db.session.scalar(select(CheckOff.id).where(CheckOff.id == evidence["ann_blog"]))
