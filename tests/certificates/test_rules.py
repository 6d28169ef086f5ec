"""Issue 19.2: a certificate follows the rules, not the checklist's flags.

Every way to make every required cell read "ticked" is built here; a certificate appears
only when the facts hold: an accepted plan, the learner's own "after" rating, every live
module complete and the other required items ticked. A seeded random walk over ticks,
reviews, ratings and module passes checks the same against an oracle kept by the test.
"""

import random
import secrets
import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from smresidency.catalog.models import Course, Module, ModuleVersion, current_version
from smresidency.catalog.sync import sync_content
from smresidency.certificates.models import Certificate
from smresidency.cohorts.models import Cohort, Enrolment
from smresidency.extensions import db
from smresidency.immersion import services as immersion
from smresidency.learning import services as learning
from smresidency.plans import services as plans
from smresidency.plans.models import StrategyPlan
from smresidency.quizzes.models import QuizAttempt
from smresidency.ratings import services as ratings

REAL_PLAN = Path(__file__).parents[2] / "course_content" / "social-media-residency" / "plan.md"
COURSE_MD = """---
title: Rules course
hours: 4
competencies:
  - id: post
    text: I can post.
  - id: measure
    text: I can measure.
---
A course whose checklist has every kind of item.
"""
IMMERSION = """---
title: Immersion day
---
The day.
{items}"""
ITEM = "\n## {title}\nid: {id}\nkind: {kind}\nrequired: {required}\ncompleted_by: {by}\n\nText.\n"
ITEMS = [
    ("Check in", "check-in", "attendance", "true", "faculty"),
    ("Briefing", "briefing", "hands-on", "true", "faculty"),
    ("Extra", "extra", "hands-on", "false", "faculty"),
    ("Strategy plan", "strategy-plan", "plan", "true", "learner"),
    ("Rate yourself after", "self-rating-after", "self-rating", "true", "learner"),
]
HAND = ("check-in", "briefing", "extra")  # what faculty may tick on the roster
REQUIRED_HAND = ("check-in", "briefing")
SECTIONS = [
    "goals",
    "audiences",
    "platforms",
    "pillars",
    "cadence",
    "measures",
    "risk",
    "resources",
]


def sync_rules_course(app, write_course) -> str:
    """Write and sync the course of a reading module, a quiz module and every kind of item."""
    root = write_course(modules={"01-read": {}, "02-quiz": {"requires": ["01-read"], "quiz": True}})
    course_dir = root / "test-course"
    (course_dir / "course.md").write_text(COURSE_MD)
    items = "".join(ITEM.format(title=t, id=i, kind=k, required=r, by=b) for t, i, k, r, b in ITEMS)
    (course_dir / "immersion.md").write_text(IMMERSION.format(items=items))
    shutil.copy(REAL_PLAN, course_dir / "plan.md")
    with app.app_context():
        sync_content(root)
        db.session.commit()
    return "test-course"


def enrolled(app, make_cohort, course: str, learners: list, faculty) -> list[dict]:
    """Learners in one cohort whose immersion day is today, each as a dict for Learner."""
    cohort_id, _ = make_cohort(course, learners=learners, faculty=[faculty], immersion_in_days=0)
    with app.app_context():
        return [
            {
                "learner": user,
                "faculty": faculty,
                "cohort_id": cohort_id,
                "eid": db.session.scalar(select(Enrolment.id).where(Enrolment.user_id == user.id)),
            }
            for user in learners
        ]


@pytest.fixture
def world(app, write_course, make_user, make_cohort):
    """A learner on their immersion day in a course of a reading module and a quiz module."""
    course = sync_rules_course(app, write_course)
    (one,) = enrolled(app, make_cohort, course, [make_user("learner")], make_user("instructor"))
    return one


class Learner:
    """Acts on one enrolment through the real services, one committed request at a time."""

    def __init__(self, app, world):
        self.app, self.eid = app, world["eid"]
        self.user_id, self.faculty_id = world["learner"].id, world["faculty"].id

    def _in_request(self, act):
        with self.app.test_request_context():
            try:
                result = act()
            except Exception:
                db.session.rollback()
                raise
            db.session.commit()
            return result

    def _course(self):
        return db.session.scalar(select(Course).where(Course.slug == "test-course"))

    def _version(self, slug: str) -> ModuleVersion:
        return db.session.scalar(
            select(ModuleVersion).join(Module, current_version()).where(Module.slug == slug)
        )

    def hand_tick(self, item_id: str, checked: bool = True) -> None:
        """A faculty press on the roster (attendance with a reason)."""

        def act():
            entry = immersion.item(self._course(), item_id)
            immersion.tick_by_hand(self.eid, entry, checked, self.faculty_id, "on paper")

        self._in_request(act)

    def raw_flag(self, item_id: str, checked: bool = True) -> None:
        """The flag alone, as the old roster let faculty set it on any item."""
        self._in_request(lambda: immersion.set_checked(self.eid, item_id, checked, self.faculty_id))

    def submit_plan(self) -> None:
        sections = {s: f"Text for {s}." for s in SECTIONS}
        self._in_request(lambda: plans.submit(self.eid, sections, SECTIONS))

    def review_plan(self, decision: str) -> None:
        def act():
            plan = db.session.scalar(
                select(StrategyPlan).where(StrategyPlan.enrolment_id == self.eid)
            )
            if plan is None:  # nothing to open in the review queue
                raise plans.PlanConflict("No plan has been started.")
            comments = "Revise the goals." if decision == "return" else ""
            plans.review(self._course(), plan.id, None, self.faculty_id, decision, {}, comments)

        self._in_request(act)

    def rate_after(self) -> None:
        def act():
            enrolment = db.session.get(Enrolment, self.eid)
            cohort = db.session.get(Cohort, enrolment.cohort_id)
            ratings.save(
                enrolment, cohort, self._course(), "post", {"post": 4, "measure": 3}, self.user_id
            )

        self._in_request(act)

    def read(self, slug: str) -> None:
        self._in_request(lambda: learning.mark_read(self.user_id, self._version(slug)))

    def pass_quiz(self, slug: str = "02-quiz") -> None:
        """A passed, submitted attempt, then the completion the quiz service records."""

        def act():
            version = self._version(slug)
            learning.mark_read(self.user_id, version)
            db.session.add(
                QuizAttempt(
                    token=secrets.token_urlsafe(16),
                    user_id=self.user_id,
                    module_id=version.module_id,
                    version_id=version.id,
                    questions=[],
                    submitted_at=version.created_at,
                    answers={},
                    score=1.0,
                    passed=True,
                )
            )
            db.session.flush()
            learning.complete_module(self.user_id, version.module_id, version.id)

        self._in_request(act)

    def certificates(self) -> int:
        with self.app.app_context():
            return db.session.scalar(select(func.count()).select_from(Certificate))


@pytest.fixture
def learner(app, world):
    return Learner(app, world)


def all_flags_by_hand(learner: Learner) -> None:
    """Every required cell ticked, the derived ones by their flag alone."""
    for item_id in REQUIRED_HAND:
        learner.hand_tick(item_id)
    learner.raw_flag("strategy-plan")
    learner.raw_flag("self-rating-after")


def test_every_flag_and_every_module_but_no_plan_and_no_rating_issues_nothing(learner):
    learner.read("01-read")
    learner.pass_quiz()
    all_flags_by_hand(learner)
    assert learner.certificates() == 0


def test_a_plan_flag_without_an_accepted_plan_issues_nothing(learner):
    learner.read("01-read")
    learner.pass_quiz()
    all_flags_by_hand(learner)
    learner.rate_after()  # the rating is real; the plan is only a flag
    assert learner.certificates() == 0
    learner.submit_plan()  # submitted is not accepted
    assert learner.certificates() == 0
    learner.review_plan("return")
    assert learner.certificates() == 0
    learner.submit_plan()
    learner.review_plan("accept")
    assert learner.certificates() == 1


def test_a_rating_flag_without_the_learners_rating_issues_nothing(learner):
    learner.read("01-read")
    learner.pass_quiz()
    for item_id in REQUIRED_HAND:
        learner.hand_tick(item_id)
    learner.submit_plan()
    learner.review_plan("accept")
    learner.raw_flag("self-rating-after")
    assert learner.certificates() == 0
    learner.rate_after()
    assert learner.certificates() == 1


def test_the_roster_refuses_the_derived_items_so_they_cannot_be_hand_ticked(learner):
    for item_id in ("strategy-plan", "self-rating-after"):
        with pytest.raises(immersion.DerivedItem):
            learner.hand_tick(item_id)


def test_the_legitimate_way_issues_it_once_with_the_last_step(learner):
    learner.rate_after()
    learner.submit_plan()
    learner.review_plan("accept")
    learner.hand_tick("check-in")
    learner.read("01-read")
    learner.pass_quiz()
    assert learner.certificates() == 0  # the briefing is still missing
    learner.hand_tick("briefing")
    assert learner.certificates() == 1


# --- the random walk ---------------------------------------------------------------------


class Oracle:
    """What the rules say, kept from the steps taken, never read from the application."""

    def __init__(self):
        self.ticked: set[str] = set()
        self.plan = ""  # "" | draft | submitted | returned | accepted
        self.rated = False
        self.read = False
        self.passed = False

    def eligible(self) -> bool:
        return (
            set(REQUIRED_HAND) <= self.ticked
            and self.plan == "accepted"
            and self.rated
            and self.read
            and self.passed
        )


def step(rng: random.Random, learner: Learner, oracle: Oracle) -> str:
    """Take one random action the programme allows (or a forbidden one, which must fail)."""
    kind = rng.choice(
        ["tick", "untick", "raw", "raw", "derived", "submit", "review", "rate", "read", "pass"]
    )
    if kind in ("tick", "untick"):
        item_id = rng.choice(HAND)
        learner.hand_tick(item_id, kind == "tick")
        (oracle.ticked.add if kind == "tick" else oracle.ticked.discard)(item_id)
    elif kind == "raw":  # a flag set behind the rules' back: changes nothing the rules read
        learner.raw_flag(rng.choice(["strategy-plan", "self-rating-after"]), rng.random() < 0.8)
    elif kind == "derived":
        with pytest.raises(immersion.DerivedItem):
            learner.hand_tick(rng.choice(["strategy-plan", "self-rating-after"]))
    elif kind == "submit":
        if oracle.plan in ("submitted", "accepted"):
            with pytest.raises(plans.PlanConflict):
                learner.submit_plan()
        else:
            learner.submit_plan()
            oracle.plan = "submitted"
    elif kind == "review":
        decision = rng.choice(["accept", "return"])
        if oracle.plan != "submitted":
            with pytest.raises(plans.PlanConflict):
                learner.review_plan(decision)
        else:
            learner.review_plan(decision)
            oracle.plan = "accepted" if decision == "accept" else "returned"
    elif kind == "rate":
        learner.rate_after()
        oracle.rated = True
    elif kind == "read":
        learner.read("01-read")
        oracle.read = True
    elif kind == "pass" and oracle.read:  # the quiz module is locked until the first is done
        learner.pass_quiz()
        oracle.passed = True
    return kind


@pytest.mark.parametrize("seed", range(20))
def test_random_steps_never_issue_without_the_facts(learner, seed):
    rng = random.Random(seed)
    oracle, issued_when_eligible, taken = Oracle(), False, []
    for _ in range(28):
        taken.append(step(rng, learner, oracle))
        issued = learner.certificates()
        if oracle.eligible():
            assert issued == 1, f"eligible but not issued after {taken}"
            issued_when_eligible = True
        elif not issued_when_eligible:
            assert issued == 0, f"issued without the facts after {taken}"
