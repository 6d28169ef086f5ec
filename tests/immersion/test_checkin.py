"""QR check-in: the faculty's screen, the minute-by-minute code, and a learner checking in."""

import html as html_lib
import re
import xml.etree.ElementTree as ET

import pytest
from itsdangerous import URLSafeSerializer
from sqlalchemy import func, select

from smresidency.cohorts.models import Enrolment
from smresidency.extensions import db
from smresidency.immersion import checkin
from smresidency.immersion.models import CheckOff, CheckOffEvent

SVG = "{http://www.w3.org/2000/svg}"
T0 = 1_800_000_000.0  # a fixed moment, at the start of a minute


@pytest.fixture
def clock(monkeypatch):
    """The check-in clock, moved by tests: clock.now = …"""

    class Clock:
        now = T0 + 5

    c = Clock()
    monkeypatch.setattr(checkin, "now", lambda: c.now)
    return c


def on_the_clocks_day(cohort_id: int) -> None:
    """Codes are accepted only on the immersion day: make it the test clock's day."""
    from datetime import UTC, datetime

    from sqlalchemy import update

    from smresidency.cohorts.models import Cohort

    today = datetime.fromtimestamp(T0, UTC).date()
    db.session.execute(update(Cohort).where(Cohort.id == cohort_id).values(immersion_date=today))
    db.session.commit()


@pytest.fixture
def day(app, synced_course, make_user, make_cohort):
    faculty = make_user("instructor", name="Dr Faye Faculty")
    coordinator = make_user("coordinator")
    learners = [make_user("learner") for _ in range(3)]
    cohort_id, _ = make_cohort(
        synced_course,
        name="March cohort",
        faculty=[faculty],
        coordinators=[coordinator],
        learners=learners,
    )
    other_id, others = make_cohort(synced_course, name="April cohort", learners=1)
    with app.app_context():
        on_the_clocks_day(cohort_id)
    return {
        "cohort": cohort_id,
        "faculty": faculty,
        "coordinator": coordinator,
        "learners": learners,
        "other_cohort": other_id,
        "other_learner": others[0],
    }


def code_url(app, client, login_as, day) -> str:
    """The URL the screen shows, as the faculty member sees it."""
    login_as(user=day["faculty"])
    page = client.get(f"/cohorts/{day['cohort']}/checkin").get_data(as_text=True)
    return html_lib.unescape(re.search(r'class="qr-url" href="([^"]+)"', page).group(1))


def path_of(url: str) -> str:
    return url.removeprefix("http://localhost")


def events(app) -> list[tuple]:
    with app.app_context():
        rows = db.session.execute(
            select(CheckOffEvent.enrolment_id, CheckOffEvent.item_id, CheckOffEvent.action,
                   CheckOffEvent.by_id)
        ).all()  # fmt: skip
        return [tuple(r) for r in rows]


def enrolment_of(app, user) -> int:
    with app.app_context():
        return db.session.scalar(select(Enrolment.id).where(Enrolment.user_id == user.id))


def test_screen_shows_a_qr_code_of_the_url_it_prints(app, client, login_as, day, clock):
    login_as(user=day["faculty"])
    response = client.get(f"/cohorts/{day['cohort']}/checkin")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    # refreshed by a script that a link stops; without JavaScript by a meta refresh
    assert '<noscript><meta http-equiv="refresh" content="20"></noscript>' in page
    assert 'data-refresh-seconds="20"' in page and 'src="/static/js/refresh.js"' in page
    assert "style=" not in page and "<script>" not in page
    assert "0</strong> of 3" in page
    svg_text = re.search(r"<svg .*?</svg>", page, re.S).group(0)
    root = ET.fromstring(svg_text)  # noqa: S314 (our own page): well-formed SVG
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img" and "check in to March cohort" in root.get("aria-label")
    assert root.find(f"{SVG}title").text == "Check-in code for March cohort"
    path = root.find(f"{SVG}path")
    assert path is not None and path.get("d").startswith("M")
    url = html_lib.unescape(re.search(r'class="qr-url" href="([^"]+)">([^<]+)<', page).group(1))
    shown = html_lib.unescape(re.search(r'class="qr-url" href="[^"]+">([^<]+)<', page).group(1))
    assert url == shown and url.startswith("http://localhost/checkin/")
    with app.test_request_context():
        again = checkin.qr_svg(url, "Check-in code for March cohort", root.get("aria-label"))
    # the same encoder over the printed URL draws exactly the modules on screen
    redrawn = ET.fromstring(str(again))  # noqa: S314 (our own output)
    assert redrawn.find(f"{SVG}path").get("d") == path.get("d")
    assert "A QR code that opens " + url == root.find(f"{SVG}desc").text


def test_the_code_changes_every_minute(app, client, login_as, day, clock):
    first = code_url(app, client, login_as, day)
    clock.now += 30
    assert code_url(app, client, login_as, day) == first
    clock.now += 60
    assert code_url(app, client, login_as, day) != first


def test_the_screen_can_stop_refreshing(app, client, login_as, day, clock):
    login_as(user=day["faculty"])
    page = client.get(f"/cohorts/{day['cohort']}/checkin?refresh=off").get_data(as_text=True)
    assert 'http-equiv="refresh"' not in page and "Refreshing is stopped" in page
    assert "data-refresh-seconds" not in page


@pytest.mark.parametrize(
    "who, status",
    [("coordinator", 403), ("learner", 403), ("instructor", 404), ("admin", 200)],
)
def test_only_the_cohorts_faculty_show_the_code(app, client, login_as, day, who, status):
    if who == "coordinator":
        login_as(user=day["coordinator"])
    elif who == "learner":
        login_as(user=day["learners"][0])
    else:
        login_as(who)
    assert client.get(f"/cohorts/{day['cohort']}/checkin").status_code == status


def test_a_learner_checks_in_with_one_press(app, client, login_as, day, clock):
    url = path_of(code_url(app, client, login_as, day))
    learner = day["learners"][0]
    login_as(user=learner)
    page = client.get(url)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Check in to March cohort" in text and ">Check me in</button>" in text
    assert events(app) == []  # looking changes nothing
    clock.now += 50
    done = client.post(url, data={"confirm": "y"})
    assert done.status_code == 200
    assert "You are checked in" in done.get_data(as_text=True)
    eid = enrolment_of(app, learner)
    assert events(app) == [(eid, "check-in", "checkin", learner.id)]
    with app.app_context():
        row = db.session.scalar(select(CheckOff))
        assert (row.item_id, row.checked, row.updated_by_id) == ("check-in", True, learner.id)
    again = client.post(url, data={"confirm": "y"}).get_data(as_text=True)
    assert "You are already checked in" in again and "Check me in" not in again
    assert len(events(app)) == 1
    login_as(user=day["faculty"])
    screen = client.get(f"/cohorts/{day['cohort']}/checkin").get_data(as_text=True)
    assert "1</strong> of 3" in screen


def test_a_code_from_the_previous_minute_still_works(app, client, login_as, day, clock):
    url = path_of(code_url(app, client, login_as, day))
    clock.now += 60  # the next minute: a new code is on screen, the old one is still accepted
    login_as(user=day["learners"][0])
    assert client.post(url, data={"confirm": "y"}).status_code == 200
    assert len(events(app)) == 1


def test_a_code_from_two_minutes_ago_has_expired(app, client, login_as, day, clock):
    url = path_of(code_url(app, client, login_as, day))
    clock.now += 120
    login_as(user=day["learners"][0])
    page = client.get(url)
    assert page.status_code == 410 and "has expired" in page.get_data(as_text=True)
    assert client.post(url, data={"confirm": "y"}).status_code == 410
    assert events(app) == []


def test_a_forged_code_is_refused(app, client, login_as, day, clock):
    login_as(user=day["learners"][0])
    forged = URLSafeSerializer("not the app's secret key", salt=checkin.SALT).dumps(
        [day["cohort"], checkin.window()]
    )
    with app.test_request_context():
        genuine = checkin.token_for(day["cohort"])
        other = checkin.token_for(day["other_cohort"])
    tampered = genuine.split(".")[0] + "." + other.split(".")[1]  # a signature from another code
    for token in (forged, tampered, "not-a-code"):
        response = client.post(f"/checkin/{token}", data={"confirm": "y"})
        assert response.status_code == 404
        assert "not valid" in response.get_data(as_text=True)
    assert events(app) == []


def test_another_cohorts_code_is_refused(app, client, login_as, day, clock):
    url = path_of(code_url(app, client, login_as, day))
    login_as(user=day["other_learner"])
    for method in ("GET", "POST"):
        response = client.open(url, method=method, data={"confirm": "y"})
        assert response.status_code == 403
        assert "This code is for another cohort" in response.get_data(as_text=True)
    assert events(app) == []


def test_someone_not_enrolled_is_refused(app, client, login_as, make_user, day, clock):
    url = path_of(code_url(app, client, login_as, day))
    login_as("learner")  # signed in, in no cohort at all
    assert client.post(url, data={"confirm": "y"}).status_code == 403
    withdrawn = day["learners"][1]
    with app.app_context():
        db.session.get(Enrolment, enrolment_of(app, withdrawn)).status = "withdrawn"
        db.session.commit()
    login_as(user=withdrawn)
    assert client.post(url, data={"confirm": "y"}).status_code == 403
    assert events(app) == []
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(CheckOff)) == 0


def test_scanning_signed_out_goes_to_sign_in_and_back(app, client, login_as, day, clock):
    url = path_of(code_url(app, client, login_as, day))
    anonymous = app.test_client()
    response = anonymous.get(url)
    assert response.status_code == 302
    location = response.headers["Location"]
    assert "/login?next=" in location
    from urllib.parse import parse_qs, urlsplit

    assert parse_qs(urlsplit(location).query)["next"] == [url]


def test_a_course_without_a_check_in_item(app, client, login_as, make_user, make_cohort,
                                          write_course, clock):  # fmt: skip
    from smresidency.catalog.sync import sync_content

    with app.app_context():
        sync_content(write_course())
        db.session.commit()
    faculty, learner = make_user("instructor"), make_user("learner")
    cohort_id, _ = make_cohort("test-course", faculty=[faculty], learners=[learner])
    login_as(user=faculty)
    screen = client.get(f"/cohorts/{cohort_id}/checkin").get_data(as_text=True)
    assert "no check-in item" in screen and "<svg" not in screen
    with app.test_request_context():
        token = checkin.token_for(cohort_id)
    login_as(user=learner)
    response = client.post(f"/checkin/{token}", data={"confirm": "y"})
    assert response.status_code == 404 and "no check-in item" in response.get_data(as_text=True)
    assert events(app) == []
