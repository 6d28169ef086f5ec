"""No payload in the XSS corpus runs, navigates or adds an element, wherever text is shown.

The corpus (tests/fixtures/xss/) is placed in lessons, quiz stems, choices and feedback,
display names, cohort names and places, plan text, evidence links, reminders and the mail the
app sends; every page that shows them is opened in Chromium, and the CSV export and the PDFs
are read back. What the loader and the forms must refuse is asserted as a refusal.
"""

import csv
import io
import re

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from smresidency.extensions import db
from tests.conftest import PASSWORD
from tests.e2e.conftest import new_page
from tests.e2e.xss_corpus import (
    COURSE,
    build,
    corpus,
    evidence_urls,
    lesson_paragraphs,
    unclosed,
)
from tests.e2e.xss_watch import ALLOWED_FRAMES, BIDI_CONTROLS, FIND_INJECTED, Watch

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


@pytest.fixture
def made(app, tmp_path, make_user, make_cohort):
    return build(app, tmp_path / "content", make_user, make_cohort)


def sign_in(page, base: str, email: str) -> None:
    page.goto(base + "/login")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text("Welcome back").wait_for()


def plain(text: str) -> str:
    """Text without bidi controls, which the page may keep or drop."""
    return "".join(c for c in text if c not in BIDI_CONTROLS)


def main_text(page) -> str:
    return page.locator("main").inner_text()


def test_learner_pages_show_the_corpus_as_text(live_server, browser, made):
    page = new_page(browser, width=1280, height=900)
    watch = Watch(page, live_server)
    sign_in(page, live_server, made.learner.email)
    watch.check("/ after sign-in (the welcome names the learner)")
    assert f"Welcome back, {made.learner.name}" in page.locator("body").inner_text()

    watch.open("/")
    watch.open(f"/courses/{COURSE}")
    watch.open(f"/courses/{COURSE}/modules/01-lesson")
    lesson = main_text(page)
    kept = [i for i, p in enumerate(lesson_paragraphs()) if not unclosed(p)]
    missing = [i for i in kept if f"Paragraph {i}:" not in lesson]
    assert not missing, f"lesson paragraphs swallowed by a payload: {missing}"
    unlabelled = re.sub(r"Paragraph \d+:", "", lesson)
    assert "{{ config }}" in lesson and "<Config" not in lesson and "49" not in unlabelled

    watch.open(f"/courses/{COURSE}/modules/02-quiz")
    page.get_by_role("button", name="Mark as read").click()
    page.get_by_role("button", name="Take the quiz").click()
    watch.check("the quiz")
    take = main_text(page)
    for text in corpus("quiz_text.txt"):
        assert plain(text.strip("`"))[:20] in plain(take), f"quiz text not shown: {text!r}"
    for group in page.locator("fieldset").all():
        group.locator("input[type=radio]").first.check()
    page.get_by_role("button", name="Submit answers").click()
    page.get_by_text("Feedback right 0").first.wait_for()
    watch.check("the quiz result with feedback")

    for path in (
        f"/courses/{COURSE}/plan",
        f"/courses/{COURSE}/plan/print",
        f"/courses/{COURSE}/immersion",
        "/certificates",
        f"/certificates/{made.certificate_id}",
        "/account",
        f"/verify/{made.certificate_code}",
    ):
        watch.open(path)
    assert made.learner.name in main_text(page), "the verify page shows the name as text"
    page.context.close()


STAFF_PAGES = (
    "/cohorts",
    "/cohorts/{c}",
    "/cohorts/{c}/people",
    "/cohorts/{c}/roster",
    "/cohorts/{c}/evidence",
    "/cohorts/{c}/plans",
    "/cohorts/{c}/plans/{plan}",
    "/cohorts/{c}/certificates",
    "/cohorts/{c}/learners/{learner}",
    "/programme",
    "/dev/outbox",
    "/studio/",
    f"/studio/{COURSE}/modules/lesson",
    f"/studio/{COURSE}/modules/quiz",
    f"/courses/{COURSE}/modules/02-quiz/quiz/analysis",
)


def test_staff_pages_show_the_corpus_as_text(live_server, browser, made):
    page = new_page(browser, width=1280, height=900)
    watch = Watch(page, live_server)
    sign_in(page, live_server, made.staff.email)
    watch.check("/ after sign-in")
    ids = {"c": made.cohort_id, "plan": made.plan_id, "learner": made.learner.id}
    for template in STAFF_PAGES:
        watch.open(template.format(**ids))
        if template == "/cohorts/{c}":
            shown = main_text(page)
            assert made.cohort_name.split(" ")[0] in shown  # the name, as text
            for name in ('<script>window.__xss="script"</script>', "=1+1", "{{7*7}}"):
                assert name in shown, f"{name!r} is not shown as text on the dashboard"
        if template == "/cohorts/{c}/plans/{plan}":
            assert '<script>window.__xss="script"</script>' in main_text(page)
        if template == "/cohorts/{c}/evidence":
            accepted, _ = evidence_urls()
            hrefs = page.locator("main a[target=_blank]").evaluate_all(
                "(links) => links.map((a) => a.getAttribute('href'))"
            )
            assert set(hrefs) <= set(accepted) and hrefs, hrefs
        if template == "/dev/outbox":
            assert made.learner.name in main_text(page)
    page.context.close()


def test_exports_write_the_corpus_as_inert_text(live_server, browser, made, app):
    """CSV cells never start a formula; PDFs draw the text and carry no script or action."""
    page = new_page(browser)
    sign_in(page, live_server, made.staff.email)
    data = page.request.get(f"{live_server}/cohorts/{made.cohort_id}/export.csv").body()
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    cells = [cell for row in rows for cell in row]
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")], "a formula cell"
    names = {row[0] for row in rows[1:]}
    for formula in corpus("formulas.txt"):
        assert "'" + formula in names, f"{formula!r} is not written as text"
    assert not [c for c in cells if set(c) & BIDI_CONTROLS], "a bidi control in a CSV cell"

    learner = new_page(browser)
    sign_in(learner, live_server, made.learner.email)
    # certificate PDFs are made by the job queue, which the live server does not run
    kept = app.test_cli_runner().invoke(
        args=["certificates", "pdfs", "--missing", "--base-url", live_server]
    )
    assert kept.exit_code == 0, kept.output
    pdfs = {  # the learner's own certificate; the plan as faculty download it
        "certificate": (learner, f"{live_server}/certificates/{made.certificate_id}.pdf"),
        "plan": (page, f"{live_server}/cohorts/{made.cohort_id}/plans/{made.plan_id}.pdf"),
    }
    for what, (who, url) in pdfs.items():
        response = who.request.get(url)
        assert response.status == 200 and response.body().startswith(b"%PDF"), what
        body = response.body()
        actions = re.findall(rb"/(JavaScript|JS|Launch|AA|SubmitForm|ImportData)[\s<(/\[]", body)
        assert not actions, f"{what} PDF has script or actions: {actions}"
        for opening in re.findall(rb"/OpenAction\s*(.)", body):  # a view to open at, no action
            assert opening == b"[", f"{what} PDF runs an action when opened"
        for uri in re.findall(rb"/URI\s*\(([^)]*)\)", body):
            assert uri.startswith((b"http://", b"https://")), f"{what} PDF links to {uri!r}"
        text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(body)).pages)
        flat = re.sub(r"\s+", "", text)
        expected = made.learner.name if what == "certificate" else "window.__xss"
        assert re.sub(r"\s+", "", expected) in flat, f"{what} PDF does not show {expected!r}"
    learner.context.close()
    page.context.close()

    from smresidency.mail.models import OutboxMessage

    with app.app_context():
        bodies = db.session.scalars(select(OutboxMessage.body)).all()
    assert len(bodies) == 3 and any(made.learner.name in b for b in bodies)
    assert not [b for b in bodies if set(b) & BIDI_CONTROLS], "a bidi control in a mail body"


def test_the_checks_catch_the_corpus_when_it_is_not_escaped(live_server, browser, made):
    """The same checks, on a page where the corpus is put into the DOM raw, do fail."""
    page = new_page(browser, width=1280, height=900)
    watch = Watch(page, live_server)
    sign_in(page, live_server, made.learner.email)
    page.goto(f"{live_server}/courses/{COURSE}/modules/01-lesson")
    raw = "\n".join(p for p in corpus("payloads.txt") if not unclosed(p))
    inject_then_find = (
        "([html, frames]) => { document.querySelector('main').insertAdjacentHTML('beforeend',"
        f" html); return ({FIND_INJECTED})(frames); }}"
    )
    injected = page.evaluate(inject_then_find, [raw, list(ALLOWED_FRAMES)])
    for what in ("event handler onerror", "<iframe", "<meta", "<base", "<object", "<embed"):
        assert any(what in line for line in injected), f"the check misses {what}"
    with pytest.raises(AssertionError, match="navigated"):  # the raw meta refresh
        watch.check("the page with the raw corpus")
    page.context.close()


def _problems(root) -> list[str]:
    from smresidency.catalog.loader import load_content

    return [str(p) for p in load_content(root)[1]]


@pytest.mark.parametrize("place", ["stem", "choice", "feedback"])
def test_quiz_html_that_sanitising_would_change_is_refused_with_its_line(tmp_path, place):
    """Issue 12, hole 1: such text never reaches a learner, raw or emptied."""
    from tests.builders import write_course

    payloads = corpus("quiz_refused.txt")
    questions = []
    for i, p in enumerate(payloads):
        stem = p if place == "stem" else f"Which is right? ({i})"
        choice = p if place == "choice" else "This one"
        feedback = p if place == "feedback" else "Yes."
        questions.append(f"### {stem}\n- [x] {choice}\n  > {feedback}\n- [ ] That one\n")
    quiz = "\n## Quiz\npass: 100%\nattempts: 3\n\n" + "\n".join(questions)
    root = write_course(tmp_path, modules={"01-only": {"quiz": quiz}})
    text = (root / "test-course" / "modules" / "01-only.md").read_text().splitlines()
    problems = _problems(root)
    for p in payloads:
        line = next(n for n, t in enumerate(text, 1) if p in t)
        assert any(f"01-only.md:{line}:" in problem for problem in problems), (
            f"{place} {p!r} (line {line}) was not refused: {problems}"
        )


def test_lesson_images_with_script_addresses_are_refused(tmp_path):
    from tests.builders import write_course

    payloads = corpus("lesson_refused.txt")
    body = "## Images\n\n" + "\n\n".join(payloads) + "\n"
    root = write_course(tmp_path, modules={"01-only": {"body": body}})
    text = (root / "test-course" / "modules" / "01-only.md").read_text().splitlines()
    problems = _problems(root)
    for p in payloads:
        line = next(n for n, t in enumerate(text, 1) if p in t)
        assert any(f"01-only.md:{line}:" in problem for problem in problems), (p, problems)


def test_evidence_links_that_are_not_web_addresses_are_refused(app, client, login_as, made):
    """The real form refuses them with a field error and stores nothing."""
    from smresidency.immersion.models import CheckOff

    _, refused = evidence_urls()
    login_as(user=made.learner)
    with app.app_context():
        before = db.session.scalars(select(CheckOff.evidence_url)).all()
    for url in refused:
        response = client.post(f"/courses/{COURSE}/immersion/blog-post/evidence", data={"url": url})
        assert response.status_code in (400, 422), (url, response.status_code)
        page = response.data.decode()
        assert "<script>window.__xss" not in page and 'href="javascript:' not in page, url
    with app.app_context():
        assert db.session.scalars(select(CheckOff.evidence_url)).all() == before


def test_studio_preview_and_refused_publish_keep_quiz_html_inert(live_server, browser, made, app):
    """The editor shows refused text back to its author: in a textarea and messages, as text."""
    from smresidency.catalog.models import Module, ModuleVersion

    page = new_page(browser, width=1280, height=900)
    watch = Watch(page, live_server)
    sign_in(page, live_server, made.staff.email)
    watch.open(f"/studio/{COURSE}/modules/quiz")
    body = page.get_by_label("Lesson and quiz (Markdown)")
    refused = corpus("quiz_refused.txt")
    extra = "".join(
        f"\n### Refused {i}?\n- [x] {p}\n  > {p}\n- [ ] No\n" for i, p in enumerate(refused)
    )
    body.fill(body.input_value() + extra)
    page.get_by_role("button", name="Preview").click()
    watch.check("the studio preview")
    page.get_by_role("button", name="Publish").click()
    page.get_by_text("sanitised").first.wait_for()
    watch.check("the refused publish")
    assert refused[0] in page.get_by_label("Lesson and quiz (Markdown)").input_value()
    with app.app_context():
        versions = db.session.scalar(
            select(func.count())
            .select_from(ModuleVersion)
            .join(Module, Module.id == ModuleVersion.module_id)
            .where(Module.slug == "02-quiz")
        )
    assert versions == 1, "the refused quiz was published"
    page.context.close()


def test_the_cohort_form_keeps_names_and_places_as_text(live_server, browser, made):
    """Typed into the real form: markup is kept as text; a bidi override is refused."""
    from datetime import date, timedelta

    page = new_page(browser, width=1280, height=900)
    watch = Watch(page, live_server)
    sign_in(page, live_server, made.staff.email)
    name = """"><svg onload="window.__xss='form-name'"> {{7*7}}"""
    place = """<img src=x onerror="window.__xss='form-place'"> room 2"""
    rtl = next(p for p in corpus("payloads.txt") if "\u202e" in p)
    watch.open("/cohorts/new")
    page.get_by_label("Course").select_option(label="XSS course")
    page.get_by_label("Immersion day", exact=True).fill(
        (date.today() + timedelta(days=30)).isoformat()
    )
    page.get_by_label("Place").fill(place)

    page.get_by_label("Name", exact=True).fill(rtl)
    page.get_by_role("button", name=re.compile("^(Create|Save)")).click()
    watch.check("the refused cohort name")
    assert "U+202E" in main_text(page), "the bidi override is not named in a field error"

    page.get_by_label("Name", exact=True).fill(name)
    page.get_by_role("button", name=re.compile("^(Create|Save)")).click()
    page.get_by_text("is created").wait_for()
    watch.check("the new cohort's people page")
    assert name in page.locator("body").inner_text()
    watch.open("/cohorts")
    assert name in main_text(page)
    page.context.close()


def test_a_reminder_with_the_corpus_is_previewed_sent_and_listed_as_text(
    live_server, browser, made, app
):
    """The coordinator's own words and the learners' names, in the preview, the mail and the
    outbox; the mail is plain text, so nothing in it is markup."""
    from smresidency.mail.models import OutboxMessage

    page = new_page(browser, width=1280, height=900)
    watch = Watch(page, live_server)
    sign_in(page, live_server, made.staff.email)
    payloads = corpus("payloads.txt")
    watch.open(f"/cohorts/{made.cohort_id}/remind")
    for box in page.locator("input[name=learners]").all()[:3]:
        box.check()
    page.get_by_label("Subject").fill(f"Reminder {payloads[2]} {{{{7*7}}}}")
    page.get_by_label("Message").fill("\n".join(payloads))
    page.get_by_role("button", name="Preview the reminder").click()
    watch.check("the reminder preview")
    assert payloads[0] in main_text(page), "the message is not shown as text"
    page.get_by_role("button", name=re.compile(r"^Send \d+ reminder")).click()
    watch.check("the reminders sent")
    watch.open("/dev/outbox")
    assert payloads[2] in main_text(page)
    page.context.close()
    with app.app_context():
        sent = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.subject.like("Reminder %"))
        ).all()
    assert len(sent) == 3 and all(payloads[0] in m.body for m in sent)
    assert not [m for m in sent if set(m.body + m.subject) & BIDI_CONTROLS]
