"""One learner's record in a cohort: everything a coordinator needs, and nobody else's learners."""

from smresidency.cohorts.models import Enrolment, Reminder
from smresidency.extensions import db
from tests.cohorts import test_dashboard as dashboard_tests
from tests.cohorts.test_dashboard import day

# fixtures shared with the dashboard tests
course, seeded, staff = dashboard_tests.course, dashboard_tests.seeded, dashboard_tests.staff


def _url(seeded, name: str) -> str:
    return f"/cohorts/{seeded['cohort_id']}/learners/{seeded['people'][name].id}"


def test_learner_record_shows_modules_attempts_and_reminders(app, client, login_as, seeded):
    ben = seeded["people"]["Ben Baker"]
    with app.app_context():
        enrolment = db.session.scalar(db.select(Enrolment).where(Enrolment.user_id == ben.id))
        db.session.add(
            Reminder(
                enrolment_id=enrolment.id,
                kind="manual",
                subject="Your immersion day is near",
                body="Please finish.",
                sent_at=day(1),
            )
        )
        db.session.commit()
    login_as(user=seeded["coordinator"])
    response = client.get(_url(seeded, "Ben Baker"))
    assert response.status_code == 200
    html = " ".join(response.get_data(as_text=True).split())
    assert "<h1>Ben Baker</h1>" in html
    assert ben.email in html
    assert "<dt>Profession</dt><dd>clinician</dd>" in html
    assert "<dt>Department</dt><dd>Ward 7</dd>" in html
    assert "Active · enrolled" in html
    assert "50% complete; 50% expected by today" in html
    assert "behind schedule" not in html
    # per module: status, read and completion dates, best score
    cells = lambda *texts: " ".join(f"<td>{t}</td>" for t in texts)  # noqa: E731
    intro = '<th scope="row">Intro</th> <td class="cell status-complete">Complete</td> '
    assert intro + cells(day(7).date(), day(7).date(), "no quiz") in html
    privacy = '<th scope="row">Privacy</th> <td class="cell status-read">Read</td> '
    assert privacy + cells(day(4).date(), "—", "50% (1 attempt)") in html
    assert '<td class="cell status-locked">Locked</td>' in html
    # every quiz attempt, and the reminder
    assert f"<td>{day(3):%Y-%m-%d %H:%M}</td> <td>50%</td> <td>not passed</td>" in html
    assert "Your immersion day is near" in html
    assert "by a coordinator" in html
    assert f'href="/cohorts/{seeded["cohort_id"]}"' in html


def test_learner_with_nothing_yet(client, login_as, seeded):
    login_as(user=seeded["faculty"])
    html = client.get(_url(seeded, "Cai Cole")).get_data(as_text=True)
    assert "No quiz attempts yet." in html
    assert "No reminders have been sent to this learner." in html
    assert "behind schedule" in html
    assert "none yet" in html


def test_withdrawn_learner_keeps_a_record(client, login_as, seeded):
    login_as(user=seeded["coordinator"])
    html = client.get(_url(seeded, "Dee Dunn")).get_data(as_text=True)
    assert "Withdrawn · enrolled" in html
    assert f"withdrawn {day(1).day} {day(1):%B %Y}" in html


def test_learner_of_another_cohort_is_not_found(client, login_as, seeded, make_cohort, course):
    outsider_cohort, (outsider,) = make_cohort(course, learners=1)
    login_as(user=seeded["coordinator"])
    cid = seeded["cohort_id"]
    assert client.get(f"/cohorts/{cid}/learners/{outsider.id}").status_code == 404
    assert client.get(f"/cohorts/{cid}/learners/{seeded['coordinator'].id}").status_code == 404
    assert client.get(f"/cohorts/{cid}/learners/999999").status_code == 404
    # nor through a cohort this coordinator does not run
    assert client.get(f"/cohorts/{outsider_cohort}/learners/{outsider.id}").status_code == 404


def test_learner_record_access(client, login_as, seeded, make_user):
    url = _url(seeded, "Ada Archer")
    assert "/login?next=" in client.get(url).headers["Location"]
    expected = {
        seeded["coordinator"]: 200,
        seeded["faculty"]: 200,
        make_user("admin"): 200,
        make_user("coordinator"): 404,
        make_user("instructor"): 404,
        seeded["people"]["Ada Archer"]: 403,  # even their own record: this is the staff view
    }
    for user, status in expected.items():
        login_as(user=user)
        assert client.get(url).status_code == status, user.name
