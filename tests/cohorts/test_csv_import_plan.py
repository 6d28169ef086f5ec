"""Planning an upload: every row's outcome against the database, in file order, writing nothing."""

from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from smresidency.auth.models import User
from smresidency.cohorts import csv_import
from smresidency.cohorts.models import Cohort, Enrolment
from smresidency.cohorts.services import withdraw
from smresidency.extensions import db

EVERY_OUTCOME = """email,name,profession,department
existing@example.org,Existing Person,Clinicians,ICU
new.person@example.org,New Person,education,
HERE@example.org,Here,support,
elsewhere@example.org,Else,management,
not-an-address,Nobody,support,
,No Address,support,
dentist@example.org,Dee,Dentist,
noname@example.org,,support,
Existing@Example.org,Existing again,clinician,
third@example.org,Third,communications,
"""


@pytest.fixture
def world(app, synced_course, make_user, make_cohort):
    """A cohort with 2 of its 3 places free, and learners here, elsewhere and nowhere."""
    coordinator = make_user("coordinator")
    make_user("learner", email="existing@example.org", name="Existing Person")
    here = make_user("learner", email="here@example.org")
    elsewhere = make_user("learner", email="elsewhere@example.org")
    cohort_id, _ = make_cohort(
        synced_course, name="Spring", capacity=3, coordinators=[coordinator], learners=[here]
    )
    other_id, _ = make_cohort(synced_course, name="Autumn", learners=[elsewhere])
    return SimpleNamespace(cohort_id=cohort_id, other_id=other_id, coordinator=coordinator)


def plan(cohort_id: int, text: str):
    return csv_import.preview(db.session.get(Cohort, cohort_id), text, "UTF-8")


def rows_written() -> tuple[int, int]:
    users = db.session.scalar(select(func.count()).select_from(User))
    return users, db.session.scalar(select(func.count()).select_from(Enrolment))


def test_every_outcome_with_its_line(app, world):
    with app.app_context():
        before = rows_written()
        report = plan(world.cohort_id, EVERY_OUTCOME)
        assert [(r.line, r.outcome) for r in report.rows] == [
            (2, "added"),
            (3, "invited"),
            (4, "already enrolled"),
            (5, "enrolled elsewhere"),
            (6, "invalid e-mail"),
            (7, "invalid e-mail"),
            (8, "unknown profession"),
            (9, "missing name"),
            (10, "duplicate row"),
            (11, "over capacity"),
        ]
        assert rows_written() == before


def test_notes_say_why(app, world):
    with app.app_context():
        notes = {r.line: r.note for r in plan(world.cohort_id, EVERY_OUTCOME).rows}
    assert notes[3] == "New account; they are e-mailed a link to set their password."
    assert notes[4] == "Already in Spring."
    assert notes[5] == "In Autumn; not moved. Use Move to change their cohort."
    assert notes[6].startswith("Enter a valid e-mail address.")
    assert notes[7] == "No e-mail address."
    assert "clinician, education, management, communications, support" in notes[8]
    assert notes[9] == "No name given."
    assert notes[10] == "The same address is on line 2."
    assert notes[11] == "No places left (3 in all)."


def test_counts_follow_the_order_of_outcomes(app, world):
    with app.app_context():
        report = plan(world.cohort_id, EVERY_OUTCOME)
    assert report.counts() == [
        ("added", 1),
        ("invited", 1),
        ("already enrolled", 1),
        ("enrolled elsewhere", 1),
        ("invalid e-mail", 2),
        ("unknown profession", 1),
        ("missing name", 1),
        ("duplicate row", 1),
        ("over capacity", 1),
    ]
    assert [r.line for r in report.to_write()] == [2, 3]


def test_addresses_and_professions_are_normalised(app, world):
    with app.app_context():
        [row] = plan(
            world.cohort_id, "email,name,profession\n Existing@EXAMPLE.org ,E,Managers\n"
        ).rows
    assert (row.email, row.profession, row.outcome) == (
        "existing@example.org",
        "management",
        "added",
    )


def test_capacity_is_spent_in_file_order(app, world):
    text = "email,name,profession\n" + "".join(
        f"p{i}@example.org,P {i},support\n" for i in range(4)
    )
    with app.app_context():
        outcomes = [r.outcome for r in plan(world.cohort_id, text).rows]
    assert outcomes == ["invited", "invited", "over capacity", "over capacity"]


def test_invalid_rows_take_no_place(app, world):
    text = "email,name,profession\nbad,X,support\na@example.org,,support\nb@example.org,B,x\n"
    text += "c@example.org,C,support\nd@example.org,D,support\ne@example.org,E,support\n"
    with app.app_context():
        outcomes = [r.outcome for r in plan(world.cohort_id, text).rows]
    assert outcomes[3:] == ["invited", "invited", "over capacity"]


def test_a_withdrawn_learner_is_added_back(app, world):
    with app.app_context():
        enrolment = db.session.scalar(
            select(Enrolment)
            .join(User, User.id == Enrolment.user_id)
            .where(User.email == "here@example.org")
        )
        withdraw(enrolment, db.session.get(User, world.coordinator.id))
        [row] = plan(world.cohort_id, "email,name,profession\nhere@example.org,H,support\n").rows
        db.session.rollback()
    assert (row.outcome, row.note) == ("added", "Was withdrawn from Spring; rejoins here.")


def test_an_overlong_department_is_shortened_and_said_so(app, world):
    text = f"email,name,profession,department\nq@example.org,Q,support,{'d' * 250}\n"
    with app.app_context():
        [row] = plan(world.cohort_id, text).rows
    assert len(row.department) == 200
    assert row.note.startswith("Department shortened to 200 characters.")


def test_planning_takes_the_same_number_of_queries_for_any_number_of_rows(
    app, world, count_queries
):
    def statements(n: int) -> int:
        text = "email,name,profession\n" + "".join(
            f"p{i}@example.org,P {i},support\n" for i in range(n)
        )
        with app.app_context():
            cohort = db.session.get(Cohort, world.cohort_id)
            with count_queries() as seen:
                csv_import.preview(cohort, text, "UTF-8")
            return len(seen)

    assert statements(3) == statements(60)
