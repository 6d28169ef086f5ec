"""The roster groups the checklist by the day's agenda, so faculty read it as the day runs."""

from smresidency.immersion.agenda import ANY_TIME, sections

AGENDA = [
    {"start": "08:30", "end": "09:00", "title": "Check in, devices and accounts"},
    {"start": "10:15", "end": "10:30", "title": "Break"},
    {"start": "10:30", "end": "11:15", "title": "Facebook and Instagram posts with alt text"},
    {"start": "11:15", "end": "11:45", "title": "Alt-text and caption check"},
    {"start": "16:10", "end": "16:30", "title": "Strategy plan: finish and submit"},
]
ITEMS = [
    {"id": "check-in", "title": "Check in for the day", "session": "08:30"},
    {"id": "facebook-post", "title": "Publish a Facebook page post", "session": "10:30"},
    {"id": "instagram-post", "title": "Post to Instagram with alt text", "session": "10:30"},
    {"id": "pinterest", "title": "Create a Pinterest pin and board", "session": ""},
    {"id": "alt-text-check", "title": "Alt-text and caption check", "session": "11:15"},
    # titles do not matter: this one shares no word with its session's
    {"id": "plan", "title": "Social media strategy and tactics plan", "session": "16:10"},
    {"id": "older-sync", "title": "Synced before items named a session"},
]


def grouped(immersion) -> list[tuple[str, list[str]]]:
    return [(s.label, [ITEMS[i]["id"] for i in s.indexes]) for s in sections(immersion, ITEMS)]


def test_items_join_the_session_they_name_and_sessions_without_items_are_left_out():
    assert grouped({"agenda": AGENDA}) == [
        ("08:30 Check in, devices and accounts", ["check-in"]),
        ("10:30 Facebook and Instagram posts with alt text", ["facebook-post", "instagram-post"]),
        ("11:15 Alt-text and caption check", ["alt-text-check"]),
        ("16:10 Strategy plan: finish and submit", ["plan"]),
        (ANY_TIME, ["pinterest", "older-sync"]),
    ]


def test_a_start_time_no_session_has_is_any_time_rather_than_lost():
    stale = [{"id": "moved", "title": "Moved", "session": "12:00"}]
    assert [(s.title, s.indexes) for s in sections({"agenda": AGENDA}, stale)] == [(ANY_TIME, [0])]


def test_without_an_agenda_the_checklist_is_one_group_in_its_own_order():
    [only] = sections({"agenda": []}, ITEMS)
    assert only.start == "" and only.indexes == list(range(len(ITEMS)))
    assert sections(None, []) == []


def test_the_synced_courses_roster_covers_every_item_once(app, synced_course):
    from sqlalchemy import select

    from smresidency.catalog.models import Course
    from smresidency.extensions import db
    from smresidency.immersion.services import items

    with app.app_context():
        course = db.session.scalar(select(Course).where(Course.slug == synced_course))
        checklist = items(course)
        groups = sections(course.immersion, checklist)
    placed = sorted(i for g in groups for i in g.indexes)
    assert placed == list(range(len(checklist)))
    starts = [g.start for g in groups if g.start]
    assert starts == sorted(starts) and starts[0] == "08:30"
    assert groups[-1].title == ANY_TIME  # the two optional items no session names
    by_id = {checklist[i]["id"]: g.label for g in groups for i in g.indexes}
    assert by_id["check-in"] == "08:30 Check in, devices and accounts"
    assert by_id["alt-text-check"] == "11:15 Alt-text and caption check"
    assert by_id["crisis-drill"] == "15:00 Crisis drill against your escalation plan"
    assert by_id["self-rating-after"] == by_id["take-down"]
    assert by_id["pinterest-board"] == by_id["peer-network"] == ANY_TIME
