"""The CSV export: the page's rows, columns, sort and filter, safe to open in a spreadsheet."""

import csv
import io

import pytest
from sqlalchemy import update

from smresidency.auth.models import User
from smresidency.cohorts.export import safe_cell, slug
from smresidency.cohorts.models import Enrolment
from smresidency.extensions import db
from tests.cohorts import test_dashboard as dashboard_tests
from tests.cohorts.test_dashboard import grid

# fixtures shared with the dashboard tests
course, seeded, staff = dashboard_tests.course, dashboard_tests.seeded, dashboard_tests.staff


def export(client, cohort_id: int, query: str = ""):
    response = client.get(f"/cohorts/{cohort_id}/export.csv{query}")
    assert response.status_code == 200
    return response


def rows(response) -> list[list[str]]:
    text = response.get_data().decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:], newline="")))


def test_download_is_utf8_with_bom_crlf_and_a_named_attachment(client, login_as, seeded):
    login_as(user=seeded["coordinator"])
    response = export(client, seeded["cohort_id"])
    assert response.mimetype == "text/csv"
    assert response.mimetype_params["charset"] == "utf-8"
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="spring-ward-7-progress.csv"'
    )
    raw = response.get_data()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert raw.count(b"\r\n") == 5  # header and four active learners
    assert b"\n" not in raw.replace(b"\r\n", b"")


@pytest.mark.parametrize(
    "query",
    ["", "?filter=behind", "?filter=not-started", "?sort=percent&dir=desc", "?withdrawn=1",
     "?filter=ready&withdrawn=1&sort=last-activity"],
)  # fmt: skip
def test_export_equals_the_page(client, login_as, seeded, query):
    """The page's cells, rows, sort and filter; the CSV adds e-mail and id after the name."""
    login_as(user=seeded["faculty"])
    header, body = grid(client.get(f"/cohorts/{seeded['cohort_id']}{query}").get_data(as_text=True))
    data = rows(export(client, seeded["cohort_id"], query))
    assert data[0][1:3] == ["E-mail", "Learner id"]
    assert [line[:1] + line[3:] for line in data] == [header, *body]


def test_export_cells(client, login_as, seeded):
    login_as(user=seeded["coordinator"])
    data = rows(export(client, seeded["cohort_id"], "?filter=behind"))
    assert data[0][:5] == ["Name", "E-mail", "Learner id", "Profession", "Department"]
    assert data[0][5:8] == ["Intro", "Privacy", "Practice"]
    assert [r[0] for r in data[1:]] == ["Cai Cole", "Eve Evans"]
    assert data[2][5:9] == ["Complete", "Not started", "Locked", "25%"]
    eve = seeded["people"]["Eve Evans"]
    assert data[2][1:3] == [eve.email, str(eve.id)]


def test_formulas_are_defused(app, client, login_as, seeded):
    ben = seeded["people"]["Ben Baker"]
    with app.app_context():
        db.session.execute(
            update(User).where(User.id == ben.id).values(name='=HYPERLINK("http://evil.test","x")')
        )
        db.session.execute(
            update(Enrolment).where(Enrolment.user_id == ben.id).values(department="+44 ward")
        )
        db.session.commit()
    login_as(user=seeded["coordinator"])
    data = rows(export(client, seeded["cohort_id"], "?sort=department&dir=desc"))
    evil = next(r for r in data if "HYPERLINK" in r[0])
    assert evil[0] == '\'=HYPERLINK("http://evil.test","x")'
    assert evil[4] == "'+44 ward"
    assert "Ada Archer" in [r[0] for r in data]  # harmless cells are untouched


@pytest.mark.parametrize(
    ("value", "safe"),
    [("=1+1", "'=1+1"), ("+1", "'+1"), ("-1", "'-1"), ("@SUM(A1)", "'@SUM(A1)"),
     ("\t=1", "'=1"), ("A\u202eB", "AB"), ("Line\r\nBcc: x", "Line Bcc: x"),
     ("Ward 7", "Ward 7"), ("50%", "50%"), ("—", "—"), ("", "")],
)  # fmt: skip
def test_safe_cell(value, safe):
    assert safe_cell(value) == safe


def test_file_name_slug():
    assert slug("Spring: Ward 7", "cohort-1") == "spring-ward-7"
    assert slug("Équipe Été 2025", "cohort-1") == "equipe-ete-2025"
    assert slug("***", "cohort-9") == "cohort-9"


def test_export_access(client, login_as, seeded, make_user):
    url = f"/cohorts/{seeded['cohort_id']}/export.csv"
    assert "/login?next=" in client.get(url).headers["Location"]
    for user, status in [
        (seeded["people"]["Ada Archer"], 403),
        (make_user("coordinator"), 404),
        (make_user("instructor"), 404),
        (seeded["faculty"], 200),
        (make_user("admin"), 200),
    ]:
        login_as(user=user)
        assert client.get(url).status_code == status


def test_people_with_the_same_name_are_told_apart_by_e_mail_and_id(
    app, client, login_as, seeded, make_user
):
    """Two learners called the same: the file says which is which, and a formula-looking
    address is defused like any other cell."""
    from sqlalchemy import select

    from smresidency.cohorts.models import Cohort
    from smresidency.cohorts.services import enrol

    twin = make_user("learner", name="Ada Archer", email="ada.archer.2@example.test")
    with app.app_context():
        enrol(db.session.get(Cohort, seeded["cohort_id"]), db.session.get(User, twin.id), "support")
        db.session.execute(update(User).where(User.id == twin.id).values(email="=1+1@example.test"))
        db.session.commit()
        first = db.session.scalar(select(User).where(User.name == "Ada Archer", User.id != twin.id))
    login_as(user=seeded["coordinator"])
    data = rows(export(client, seeded["cohort_id"]))
    adas = sorted((r[1], r[2]) for r in data[1:] if r[0] == "Ada Archer")
    assert adas == sorted([(first.email, str(first.id)), ("'=1+1@example.test", str(twin.id))])
