"""The coordinator's dashboard: figures, statuses, sorting, filters, empty state and access.

The helpers at the top seed a small cohort and read the grid back as text; the other
dashboard test files import them.
"""

import re
from datetime import UTC, datetime, time, timedelta
from html.parser import HTMLParser

import pytest
from sqlalchemy import select, update

from smresidency.catalog.models import Module
from smresidency.catalog.sync import sync_content
from smresidency.cohorts.models import Cohort, Enrolment
from smresidency.extensions import db
from smresidency.learning.models import ModuleProgress
from smresidency.quizzes.models import QuizAttempt

MODULES = {
    "01-intro": {"minutes": 10},
    "02-privacy": {"minutes": 20, "requires": ["01-intro"], "quiz": True},
    "03-practice": {"minutes": 30, "requires": ["02-privacy"]},
}
NAMES = ("Ada Archer", "Ben Baker", "Cai Cole", "Dee Dunn", "Eve Evans")


def day(days_ago: int) -> datetime:
    """Noon UTC some days ago: far from midnight, so the day is the same in every zone used."""
    today = datetime.now(UTC).date()
    return datetime.combine(today - timedelta(days=days_ago), time(12), UTC)


def course_ids(slug: str = "test-course") -> dict[str, tuple[int, int]]:
    """Module slug → (module id, current version id). Call inside an app context."""
    from smresidency.catalog.models import ModuleVersion

    rows = db.session.execute(
        select(Module.slug, Module.id, ModuleVersion.id)
        .join(ModuleVersion, ModuleVersion.content_hash == Module.current_hash)
        .where(ModuleVersion.module_id == Module.id)
    ).all()
    return {s: (m, v) for s, m, v in rows}


def mark(user_id: int, slug: str, read: int | None = None, done: int | None = None) -> None:
    """A progress row: read and completed some days ago (None: not yet)."""
    module_id, version_id = course_ids()[slug]
    db.session.add(
        ModuleProgress(
            user_id=user_id,
            module_id=module_id,
            version_id=version_id,
            read_at=day(read) if read is not None else None,
            completed_at=day(done) if done is not None else None,
        )
    )


def attempt(user_id: int, slug: str, score: float, days_ago: int, n: int) -> None:
    """A submitted quiz attempt."""
    module_id, version_id = course_ids()[slug]
    db.session.add(
        QuizAttempt(
            token=f"t-{user_id}-{slug}-{n}",
            user_id=user_id,
            module_id=module_id,
            version_id=version_id,
            questions=[],
            started_at=day(days_ago),
            submitted_at=day(days_ago),
            answers={},
            score=score,
            passed=score >= 100,
        )
    )


@pytest.fixture
def course(app, write_course):
    """Three modules: 01 (10 min), 02 with a quiz (20 min, needs 01), 03 (30 min, needs 02)."""
    root = write_course(modules=MODULES)
    with app.app_context():
        sync_content(root)
        db.session.commit()
    return "test-course"


@pytest.fixture
def staff(make_user):
    return {
        "coordinator": make_user("coordinator", name="Cora Ordinator"),
        "faculty": make_user("instructor", name="Fay Culty"),
    }


@pytest.fixture
def seeded(app, course, staff, make_user, make_cohort):
    """Ada done; Ben on track (50%); Cai nothing; Eve behind (25%); Dee withdrawn.

    Everyone enrolled ten days ago and the immersion day is in ten days: 50% expected. The
    cohort keeps UTC, so "today" is the same date the test computes whatever the hour.
    """
    people = [make_user("learner", name=n) for n in NAMES]
    cohort_id, _ = make_cohort(
        course,
        name="Spring: Ward 7",
        coordinators=[staff["coordinator"]],
        faculty=[staff["faculty"]],
        learners=people,
    )
    ada, ben, _cai, dee, eve = (p.id for p in people)
    with app.app_context():
        today = datetime.now(UTC).date()
        db.session.execute(
            update(Cohort)
            .where(Cohort.id == cohort_id)
            .values(immersion_date=today + timedelta(days=10), timezone="UTC")
        )
        db.session.execute(
            update(Enrolment).where(Enrolment.cohort_id == cohort_id).values(enrolled_at=day(10))
        )
        db.session.execute(
            update(Enrolment).where(Enrolment.user_id == ben).values(department="Ward 7")
        )
        db.session.execute(
            update(Enrolment)
            .where(Enrolment.user_id == dee)
            .values(status="withdrawn", withdrawn_at=day(1))
        )
        mark(ada, "01-intro", read=8, done=8)
        mark(ada, "02-privacy", read=6, done=5)
        mark(ada, "03-practice", read=2, done=2)
        attempt(ada, "02-privacy", 60, 6, 1)
        attempt(ada, "02-privacy", 100, 5, 2)
        mark(ben, "01-intro", read=7, done=7)
        mark(ben, "02-privacy", read=4)
        attempt(ben, "02-privacy", 50, 3, 1)
        mark(eve, "01-intro", read=5, done=5)
        mark(dee, "01-intro", read=3, done=3)
        db.session.commit()
    return {"cohort_id": cohort_id, "people": dict(zip(NAMES, people, strict=True)), **staff}


class _Grid(HTMLParser):
    """Text of every header and body cell of the table with class "grid"."""

    def __init__(self):
        super().__init__()
        self.header: list[str] = []
        self.rows: list[list[str]] = []
        self.depth, self.part, self.cell = 0, None, None

    def handle_starttag(self, tag, attrs):
        if tag == "table" and "grid" in (dict(attrs).get("class") or ""):
            self.depth = 1
        elif self.depth and tag in ("thead", "tbody"):
            self.part = tag
        elif self.depth and tag == "tr" and self.part == "tbody":
            self.rows.append([])
        elif self.depth and tag in ("th", "td"):
            self.cell = ""

    def handle_endtag(self, tag):
        if tag == "table":
            self.depth = 0
        elif self.depth and tag in ("th", "td") and self.cell is not None:
            text = " ".join(self.cell.replace("▲", "").replace("▼", "").split()).rstrip("*")
            (self.header if self.part == "thead" else self.rows[-1]).append(text.strip())
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell += data


def grid(html: str) -> tuple[list[str], list[list[str]]]:
    """The grid's header texts and body rows as the page shows them."""
    parser = _Grid()
    parser.feed(html)
    return parser.header, parser.rows


def names(html: str) -> list[str]:
    return [r[0] for r in grid(html)[1]]


def page(client, cohort_id: int, query: str = "") -> str:
    response = client.get(f"/cohorts/{cohort_id}{query}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_header_and_summary_figures(client, login_as, seeded):
    login_as(user=seeded["coordinator"])
    html = page(client, seeded["cohort_id"])
    assert "<h1>Spring: Ward 7</h1>" in html
    assert "Test course" in html
    assert "10 days left" in html
    assert "Education centre, room 2" in html
    tight = re.sub(r">\s+<", "><", html)
    figures = {
        "Learners (active)": "4",  # Dee is withdrawn
        "Completion rate": "25%",  # Ada alone
        "Learners at risk": "2",  # Cai and Eve
        "Median minutes studied": "10",  # 0, 10, 10, 60
    }
    for label, value in figures.items():
        assert f'<dt>{label}</dt><dd class="figure-value">{value}</dd>' in tight
    assert "estimated from module lengths" in html


def test_grid_shows_each_learner_module_by_module(client, login_as, seeded):
    login_as(user=seeded["faculty"])
    header, rows = grid(page(client, seeded["cohort_id"]))
    assert header == [
        "Name", "Profession", "Department", "Intro", "Privacy", "Practice",
        "% complete", "Last activity", "Immersion", "Plan", "Certificate", "Enrolment",
    ]  # fmt: skip
    by_name = {r[0]: r for r in rows}
    assert set(by_name) == {"Ada Archer", "Ben Baker", "Cai Cole", "Eve Evans"}
    assert by_name["Ada Archer"][3:7] == [
        "Complete", "Complete · best 100% · 2 attempts", "Complete", "100%",
    ]  # fmt: skip
    ben = by_name["Ben Baker"]
    assert ben[1:3] == ["clinician", "Ward 7"]
    assert ben[3:7] == ["Complete", "Read · best 50% · 1 attempt", "Locked", "50%"]
    assert ben[7] == day(3).date().isoformat()  # the quiz attempt was the last thing he did
    assert ben[8:] == ["—", "—", "—", "Active"]  # this course has no checklist
    assert by_name["Cai Cole"][3:8] == ["Not started", "Locked", "Locked", "0%", "—"]


def test_immersion_plan_and_certificate_columns(
    app, client, login_as, make_user, make_cohort, synced_course
):
    """Beyond the modules: required items ticked, the plan's state and the certificate."""
    from datetime import date

    from smresidency.certificates.models import Certificate
    from smresidency.cohorts.models import Enrolment
    from smresidency.immersion.services import set_checked
    from smresidency.plans.models import StrategyPlan

    coordinator = make_user("coordinator")
    ana, bo = make_user("learner", name="Ana Ames"), make_user("learner", name="Bo Bell")
    cohort_id, _ = make_cohort(synced_course, coordinators=[coordinator], learners=[ana, bo])
    with app.app_context():
        ids = dict(db.session.execute(select(Enrolment.user_id, Enrolment.id)).all())
        set_checked(ids[ana.id], "check-in", True, coordinator.id)
        set_checked(ids[ana.id], "welcome-briefing", True, coordinator.id)
        set_checked(ids[ana.id], "peer-network", True, coordinator.id)  # optional: not counted
        db.session.add(StrategyPlan(enrolment_id=ids[ana.id], state="submitted"))
        enrolment = db.session.get(Enrolment, ids[bo.id])
        db.session.add(
            Certificate(
                user_id=bo.id, course_id=enrolment.course_id, enrolment_id=enrolment.id,
                cohort_id=cohort_id, serial="SMR-2026-000042", code="ABCDEFGHJKLMNPQR",
                recipient_name="Bo Bell", course_title="x", immersion_date=date(2026, 1, 1),
            )
        )  # fmt: skip
        db.session.commit()
    login_as(user=coordinator)
    header, rows = grid(page(client, cohort_id))
    by_name = {r[0]: dict(zip(header, r, strict=True)) for r in rows}
    assert by_name["Ana Ames"]["Immersion"] == "2 of 14"
    assert by_name["Ana Ames"]["Plan"] == "Submitted"
    assert by_name["Ana Ames"]["Certificate"] == "—"
    assert by_name["Bo Bell"]["Immersion"] == "0 of 14"
    assert by_name["Bo Bell"]["Plan"] == "—"
    assert by_name["Bo Bell"]["Certificate"] == "SMR-2026-000042"


def test_sorting_by_a_column_and_direction(client, login_as, seeded):
    login_as(user=seeded["coordinator"])
    cid = seeded["cohort_id"]
    html = page(client, cid)
    assert names(html) == ["Ada Archer", "Ben Baker", "Cai Cole", "Eve Evans"]
    assert '<th scope="col" aria-sort="ascending">' in html
    assert f'href="/cohorts/{cid}?dir=desc"' in html  # the sorted column's link reverses it

    html = page(client, cid, "?sort=percent&dir=desc")
    assert names(html) == ["Ada Archer", "Ben Baker", "Eve Evans", "Cai Cole"]
    assert html.count("aria-sort=") == 1
    assert 'aria-sort="descending"' in html

    assert names(page(client, cid, "?sort=percent")) == [
        "Cai Cole", "Eve Evans", "Ben Baker", "Ada Archer",
    ]  # fmt: skip
    assert names(page(client, cid, "?sort=module-02-privacy&dir=desc"))[:2] == [
        "Ada Archer", "Ben Baker",
    ]  # fmt: skip
    assert names(page(client, cid, "?sort=department&dir=desc"))[-1] == "Ben Baker"
    assert names(page(client, cid, "?sort=nonsense")) == names(page(client, cid))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?filter=not-started", ["Cai Cole"]),
        ("?filter=behind", ["Cai Cole", "Eve Evans"]),
        ("?filter=ready", ["Ada Archer"]),
        ("?filter=all", ["Ada Archer", "Ben Baker", "Cai Cole", "Eve Evans"]),
        ("?withdrawn=1", ["Ada Archer", "Ben Baker", "Cai Cole", "Dee Dunn", "Eve Evans"]),
        ("?filter=ready&withdrawn=1", ["Ada Archer"]),
    ],
)
def test_filters(client, login_as, seeded, query, expected):
    login_as(user=seeded["coordinator"])
    assert names(page(client, seeded["cohort_id"], query)) == expected


def test_withdrawn_learners_show_their_status_only_when_asked(client, login_as, seeded):
    login_as(user=seeded["coordinator"])
    rows = grid(page(client, seeded["cohort_id"], "?withdrawn=1"))[1]
    assert [r[-1] for r in rows if r[0] == "Dee Dunn"] == ["Withdrawn"]


def test_filter_form_works_without_script(client, login_as, seeded):
    login_as(user=seeded["coordinator"])
    html = page(client, seeded["cohort_id"], "?filter=behind&sort=percent")
    assert '<form method="get"' in html
    assert '<label for="filter">Show</label>' in html
    assert '<option selected value="behind">' in html
    assert '<input type="hidden" name="sort" value="percent">' in html
    assert '<label for="withdrawn">Include withdrawn learners</label>' in html
    assert '<button type="submit"' in html


def test_filter_with_no_match_says_so(client, login_as, course, staff, make_cohort):
    cohort_id, _ = make_cohort(course, coordinators=[staff["coordinator"]], learners=1)
    login_as(user=staff["coordinator"])
    html = page(client, cohort_id, "?filter=ready")
    assert (
        "No learners match “Ready for the certificate (modules and required checklist done)”"
        in html
    )
    assert "Show all learners" in html


def test_empty_cohort_explains_how_learners_arrive(client, login_as, course, staff, make_cohort):
    cohort_id, _ = make_cohort(course, coordinators=[staff["coordinator"]])
    login_as(user=staff["coordinator"])
    html = page(client, cohort_id)
    assert "No learners are enrolled in this cohort yet." in html
    assert "invitation link" in html
    assert f'href="/cohorts/{cohort_id}/people"' in html
    assert "<table" not in html.split('id="grid-heading"')[1]
    assert "The chart appears once learners are enrolled." in html


def test_no_inline_script_or_style(client, login_as, seeded):
    login_as(user=seeded["coordinator"])
    html = page(client, seeded["cohort_id"], "?withdrawn=1")
    assert "<script" not in html
    assert "style=" not in html


def test_access(app, client, login_as, seeded, make_user, make_cohort, course):
    cid = seeded["cohort_id"]
    url = f"/cohorts/{cid}"
    anonymous = client.get(url)
    assert anonymous.status_code == 302
    assert "/login?next=" in anonymous.headers["Location"]
    outcomes = {}
    other = make_user("coordinator")
    make_cohort(course, coordinators=[other])
    actors = {
        "coordinator": seeded["coordinator"],
        "faculty": seeded["faculty"],
        "other coordinator": other,
        "instructor elsewhere": make_user("instructor"),
        "learner in the cohort": seeded["people"]["Ada Archer"],
        "admin": make_user("admin"),
    }
    for label, user in actors.items():
        login_as(user=user)
        outcomes[label] = client.get(url).status_code
    assert outcomes == {
        "coordinator": 200,
        "faculty": 200,
        "other coordinator": 404,
        "instructor elsewhere": 404,
        "learner in the cohort": 403,
        "admin": 200,
    }
    login_as(user=seeded["coordinator"])
    assert client.get("/cohorts/999999").status_code == 404
