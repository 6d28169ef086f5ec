"""The XSS corpus (tests/fixtures/xss/) put into every place that shows people's text.

Everything goes in through the app's own write paths: the content loader and sync for
lessons and quizzes, the account and cohort services for names, the plan, evidence and
certificate services for what learners write and what is issued (which also mails them).
"""

import shutil
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from smresidency.extensions import db

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "xss"
REAL_COURSE = ROOT / "course_content" / "social-media-residency"
COURSE = "xss-course"
LONG = "A" * 4000 + "<img src=x onerror=\"window.__xss='long'\">" + "B" * 500
EVIDENCE_ITEMS = ("facebook-post", "instagram-post")


def corpus(name: str) -> list[str]:
    """The payload lines of tests/fixtures/xss/<name> (comments and blank lines left out)."""
    lines = (FIXTURES / name).read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line.strip() and not line.startswith("# ")]


def evidence_urls() -> tuple[list[str], list[str]]:
    """(accepted, refused) evidence addresses."""
    lines = corpus("evidence.txt")
    cut = lines.index("refused:")
    return lines[:cut], lines[cut + 1 :]


def unclosed(payload: str) -> bool:
    """An unclosed <style> turns the rest of a lesson into style text, which is dropped."""
    return "<style>" in payload and "</style>" not in payload


def lesson_paragraphs() -> list[str]:
    """Every payload and Markdown trick; the ones that swallow what follows come last."""
    every = [*corpus("payloads.txt"), *corpus("markdown.txt"), LONG]
    return sorted(every, key=unclosed)


def _lesson() -> str:
    """Every payload as its own numbered paragraph, in one lesson."""
    body = "\n\n".join(f"Paragraph {i}: {p}" for i, p in enumerate(lesson_paragraphs()))
    return f"## The corpus\n\n{body}\n\n[evil]: javascript:window.__xss='md-reference'\n"


def _quiz(texts: list[str]) -> str:
    """One question per payload; the payload in the stem, both choices and both feedbacks."""
    questions = "\n".join(
        f"### Question {i}: {t}\n- [x] Right {i} {t}\n  > Feedback right {i} {t}\n"
        f"- [ ] Wrong {i} {t}\n  > Feedback wrong {i} {t}\n"
        for i, t in enumerate(texts)
    )
    return f"\n## Quiz\npass: 50%\nattempts: 3\nshuffle: false\n\n{questions}"


def module(title: str, body: str) -> str:
    return f"---\ntitle: {title}\nminutes: 5\nobjectives: [Read it]\nrequires: []\n---\n{body}"


def write_course(root: Path, quiz_texts: list[str]) -> Path:
    """A course with the corpus lesson, the corpus quiz and the real plan and checklist."""
    course = root / COURSE
    (course / "modules").mkdir(parents=True)
    (course / "course.md").write_text(
        "---\ntitle: XSS course\nhours: 4\norganisation: Test Hospital\n---\nThe corpus.\n"
    )
    (course / "modules" / "01-lesson.md").write_text(module("Corpus lesson", _lesson()))
    (course / "modules" / "02-quiz.md").write_text(
        module("Corpus quiz", "## Read this first\n\nThen answer.\n" + _quiz(quiz_texts))
    )
    for name in ("plan.md", "immersion.md"):
        shutil.copy(REAL_COURSE / name, course / name)
    return root


@dataclass
class Corpus:
    """What was made, for the tests to visit."""

    staff: object = None
    learner: object = None
    cohort_id: int = 0
    cohort_name: str = ""
    plan_id: int = 0
    certificate_id: int = 0
    certificate_code: str = ""
    names: list[str] = field(default_factory=list)
    plan_text: str = ""


def build(app, root: Path, make_user, make_cohort) -> Corpus:
    """Sync the course, make the people, cohorts, plan, evidence and certificates."""
    from smresidency.catalog.models import Course
    from smresidency.catalog.sync import sync_content
    from smresidency.certificates.services import _issue
    from smresidency.cohorts.models import Enrolment
    from smresidency.immersion import evidence
    from smresidency.plans import services as plans

    payloads = corpus("payloads.txt")
    with app.app_context():
        sync_content(write_course(root, corpus("quiz_text.txt")))
        db.session.commit()
    made = Corpus()
    made.names = [p[:200] for p in payloads + corpus("formulas.txt")]
    staff = make_user("admin", "coordinator", "instructor", name=payloads[0])
    learners = [make_user("learner", name=n) for n in made.names]
    made.staff, made.learner = staff, learners[1]
    rtl = next(u for u in learners if "\u202e" in u.name)
    made.cohort_name = f"{payloads[0]} {payloads[2]} {{{{7*7}}}}"
    made.cohort_id, _ = make_cohort(
        COURSE,
        name=made.cohort_name,
        capacity=200,
        coordinators=[staff],
        faculty=[staff],
        learners=learners,
    )
    for i, name in enumerate(payloads[3:6]):
        make_cohort(COURSE, name=f"{name} {i}", coordinators=[staff], faculty=[staff])
    accepted, _ = evidence_urls()
    with app.test_request_context(), app.app_context():
        course = db.session.scalar(select(Course).where(Course.slug == COURSE))
        enrolments = db.session.scalars(
            select(Enrolment).where(Enrolment.cohort_id == made.cohort_id).order_by(Enrolment.id)
        ).all()
        by_user = {e.user_id: e for e in enrolments}
        first, second = by_user[learners[1].id], by_user[learners[2].id]
        sections = [s["id"] for s in course.plan["sections"]]
        made.plan_text = "\n".join(payloads) + "\n" + LONG[:3000]
        texts = {sid: made.plan_text[:5000] for sid in sections}
        plans.submit(first.id, texts, sections)
        plans.save_draft(
            second.id, {sid: payloads[i % len(payloads)] for i, sid in enumerate(sections)}
        )
        for item, url in zip(EVIDENCE_ITEMS, accepted, strict=False):
            evidence.submit(first.id, item, url, learners[1].id)
            evidence.submit(second.id, item, url, learners[2].id)
        certs = [_issue(by_user[u.id], course) for u in (learners[1], learners[2], rtl)]
        db.session.commit()
        from smresidency.plans.models import StrategyPlan

        made.plan_id = db.session.scalar(
            select(StrategyPlan.id).where(StrategyPlan.enrolment_id == first.id)
        )
        made.certificate_id, made.certificate_code = certs[0].id, certs[0].code
    return made
