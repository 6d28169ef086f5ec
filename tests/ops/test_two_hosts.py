"""Two app hosts (two gunicorn instances) on one database and one Redis lose and double nothing.

Learners, faculty and an instructor use both hosts at once through plain HTTP with real
sessions and real CSRF tokens. Afterwards the rows match the requests that succeeded, the
sign-in limiter counts across hosts, and a studio publish on one host is served by the other.

As root each host runs in a network namespace of its own and reaches the database and Redis
over a veth link (tests/ops/netns.py); elsewhere the hosts are two ports of 127.0.0.1.
Runs when the suite's database is PostgreSQL and Redis answers; otherwise it skips saying
why, except under SMRESIDENCY_REQUIRE_SERVICES (CI), where it runs on the suite's database
(the SQLite file is then shared by both hosts, as two processes on one machine share it)
and a missing Redis fails it.
"""

import os
import threading
import uuid
from collections import Counter
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from smresidency.catalog.sync import sync_content
from smresidency.extensions import db
from tests.ops import netns
from tests.ops.http_people import Browser, Host, choice_value, form_fields

pytestmark = pytest.mark.slow

REDIS_URL = os.environ.get("SMRESIDENCY_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
LEARNERS = 8
QUIZ = """
## Quiz
pass: 100%
attempts: 3

### Which answer is right?
- [x] This one
  > Yes.
- [ ] That one
  > No.
"""
QUIZ_MODULE, PLAIN_MODULE = "01-quiz", "02-plain"
COURSE = "test-course"
ITEM = "workshop"
IMMERSION = f"""---
title: Immersion day
---
The day.

## Hands-on workshop
id: {ITEM}
kind: hands-on
required: true
completed_by: faculty

Faculty tick it when the learner has done it.
"""


def _services_or_skip(database_url: str) -> None:
    """Skip (or, under SMRESIDENCY_REQUIRE_SERVICES, fail) when a needed service is missing."""
    import redis

    required = bool(os.environ.get("SMRESIDENCY_REQUIRE_SERVICES"))
    if not database_url.startswith("postgresql") and not required:
        pytest.skip(
            "two hosts need one PostgreSQL database: set SMRESIDENCY_TEST_DATABASE_URL="
            "postgresql+psycopg://postgres@127.0.0.1:5432/test"
        )
    try:
        redis.Redis.from_url(REDIS_URL, socket_timeout=1).ping()
    except redis.RedisError:
        message = f"two hosts share rate limits in Redis, which is not reachable at {REDIS_URL}"
        if required:
            pytest.fail(message + " (SMRESIDENCY_REQUIRE_SERVICES is set)")
        pytest.skip(message)


@pytest.fixture
def two_hosts(database_url, tmp_path, write_course):
    """Two gunicorn instances, one database, one Redis prefix; each in a network namespace
    of its own where the machine allows (root), otherwise on two ports of 127.0.0.1."""
    _services_or_skip(database_url)
    content = write_course(
        modules={
            QUIZ_MODULE: {"title": "Quiz module", "quiz": QUIZ},
            PLAIN_MODULE: {"title": "Plain module", "requires": [QUIZ_MODULE]},
        }
    )
    (content / COURSE / "immersion.md").write_text(IMMERSION)
    prefix = f"smr-two-hosts-{uuid.uuid4().hex[:10]}"
    base_env = {k: v for k, v in os.environ.items() if not k.startswith("SMRESIDENCY_")}
    settings = {
        "ENV": "testing",
        "SECRET_KEY": "two-hosts-secret-key-shared-by-both-hosts-only-in-tests",
        "CONTENT_DIR": str(content),
        "REDIS_KEY_PREFIX": prefix,
        "PROXY_FIX_HOPS": "1",  # both hosts behind one load balancer
        "ARGON2_TIME_COST": "1",
        "ARGON2_MEMORY_COST": "1024",
        "ARGON2_PARALLELISM": "1",
    }
    why_not = netns.available()
    namespaces, relays, hosts = [], [], []
    try:
        for name in ("a", "b"):
            space = None if why_not else netns.Namespace()
            database, redis_url = database_url, REDIS_URL
            if space:  # reach PostgreSQL and Redis over the veth, as another machine would
                namespaces.append(space)
                database, redis_url = _relayed(database_url, REDIS_URL, space, relays)
            env = {
                **base_env,
                **{f"SMRESIDENCY_{k}": v for k, v in settings.items()},
                "SMRESIDENCY_DATABASE_URL": database,
                "SMRESIDENCY_REDIS_URL": redis_url,
                "SMRESIDENCY_INSTANCE_PATH": str(tmp_path / f"instance-{name}"),
            }
            hosts.append(Host(env, tmp_path / f"gunicorn-{name}.log", space))
        for host in hosts:
            host.wait_ready()
        print(
            "two hosts:",
            *(h.base for h in hosts),
            "(one network namespace each)" if not why_not else f"(no namespaces: {why_not})",
        )
        yield {"hosts": hosts, "content": content, "prefix": prefix}
    finally:
        for host in hosts:
            host.stop()
        for relay in relays:
            relay.close()
        for space in namespaces:
            space.remove()
        import redis

        client = redis.Redis.from_url(REDIS_URL, socket_timeout=2)
        for key in client.scan_iter(f"{prefix}:*"):
            client.delete(key)


def _relayed(database_url: str, redis_url: str, space, relays: list) -> tuple[str, str]:
    """The database and Redis URLs as seen from inside `space`, through relays here."""
    from sqlalchemy.engine import make_url

    if database_url.startswith("postgresql"):
        url = make_url(database_url)
        relay = netns.Relay(space.outside, url.port or 5432)
        relays.append(relay)
        database_url = url.set(host=space.outside, port=relay.port).render_as_string(
            hide_password=False
        )
    parts = urlsplit(redis_url)
    relay = netns.Relay(space.outside, parts.port or 6379)
    relays.append(relay)
    return database_url, parts._replace(netloc=f"{space.outside}:{relay.port}").geturl()


def _run_all(jobs) -> None:
    """Start every job on its own thread at once; re-raise the first failure."""
    failures: list[BaseException] = []
    barrier = threading.Barrier(len(jobs))

    def run(job):
        try:
            barrier.wait(timeout=30)
            job()
        except BaseException as err:
            failures.append(err)

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    if failures:
        raise failures[0]


def test_two_hosts_share_one_database_and_one_rate_limit_store(
    app, two_hosts, make_user, make_cohort
):
    from smresidency.certificates.models import Certificate
    from smresidency.cohorts.models import Enrolment
    from smresidency.immersion.models import CheckOff, CheckOffEvent
    from smresidency.learning.models import ModuleProgress
    from smresidency.quizzes.models import QuizAttempt, QuizResponse

    hosts = [h.base for h in two_hosts["hosts"]]
    with app.app_context():
        sync_content(two_hosts["content"])
        db.session.commit()
    learners = [make_user("learner") for _ in range(LEARNERS)]
    faculty = [make_user("instructor") for _ in range(2)]
    cohort_id, _ = make_cohort(COURSE, faculty=faculty, learners=learners)
    with app.app_context():
        enrolment_of = dict(
            db.session.execute(
                select(Enrolment.user_id, Enrolment.id).where(Enrolment.cohort_id == cohort_id)
            ).all()
        )
    log: list[tuple[str, int]] = []  # (what, status) of every write, from every thread
    record = log.append

    def learner_journey(i: int, user) -> None:
        """Every step on the other host from the one before; the quiz submitted to both."""
        me = Browser(hosts)
        h = i % 2
        assert me.sign_in(h, user.email) == 302
        module = f"/courses/{COURSE}/modules"
        record(("read", me.post(1 - h, f"{module}/{QUIZ_MODULE}/read")[0]))
        status, headers, _ = me.post(h, f"{module}/{QUIZ_MODULE}/quiz")
        record(("start", status))
        token_path = urlsplit(headers["Location"]).path
        status, _, page = me.get(1 - h, token_path)
        assert status == 200
        right = {"answer-q1": choice_value(page, "This one")}
        twin = Browser(hosts)  # the same session in a second tab, on the other host
        twin.cookies, twin.csrf = dict(me.cookies), me.csrf
        _run_all(
            [
                lambda: record(("submit", me.post(h, token_path, right)[0])),
                lambda: record(("submit", twin.post(1 - h, token_path, right)[0])),
            ]
        )
        record(("read", me.post(h, f"{module}/{PLAIN_MODULE}/read")[0]))

    def faculty_round(k: int, person) -> None:
        """Tick the workshop for half the learners, each tick sent once to each host."""
        me = Browser(hosts)
        assert me.sign_in(k, person.email) == 302
        assert me.get(k, f"/cohorts/{cohort_id}/roster")[0] == 200
        for j, user in enumerate(learners[k::2]):
            path = f"/cohorts/{cohort_id}/roster/{enrolment_of[user.id]}/{ITEM}"
            for host in (j % 2, 1 - j % 2):
                record(("tick", me.post(host, path, {"checked": "1"})[0]))

    jobs = [lambda i=i, u=u: learner_journey(i, u) for i, u in enumerate(learners)]
    jobs += [lambda k=k, p=p: faculty_round(k, p) for k, p in enumerate(faculty)]
    _run_all(jobs)
    statuses = Counter(log)
    assert not [w for w in log if w[1] >= 500], f"server errors: {statuses}\n" + "\n".join(
        h.errors() for h in two_hosts["hosts"]
    )
    assert statuses == {
        ("read", 302): 2 * LEARNERS,
        ("start", 302): LEARNERS,
        ("submit", 302): 2 * LEARNERS,  # the second tab is shown the graded result
        ("tick", 303): 2 * LEARNERS,
    }, statuses

    with app.app_context():
        count = lambda model, *where: db.session.scalar(  # noqa: E731
            select(func.count()).select_from(model).where(*where)
        )
        assert count(ModuleProgress, ModuleProgress.completed_at.is_not(None)) == 2 * LEARNERS
        assert count(ModuleProgress) == 2 * LEARNERS
        attempts = db.session.scalars(select(QuizAttempt)).all()
        assert len(attempts) == LEARNERS == len({a.user_id for a in attempts})
        assert all(a.submitted_at is not None and a.passed for a in attempts)
        assert count(QuizResponse) == LEARNERS  # one question, graded once per attempt
        assert count(CheckOff) == LEARNERS
        assert count(CheckOff, CheckOff.checked.is_(True)) == LEARNERS
        # the second press of each tick changed nothing, so it left no event either
        assert count(CheckOffEvent, CheckOffEvent.item_id == ITEM) == LEARNERS
        certificates = db.session.scalars(select(Certificate)).all()
        assert sorted(c.user_id for c in certificates) == sorted(u.id for u in learners)
        assert len({c.code for c in certificates}) == LEARNERS

    _publish_on_one_host_is_seen_on_the_other(hosts, make_user)
    _sign_in_limit_is_shared(hosts, make_user, two_hosts["prefix"])


def _publish_on_one_host_is_seen_on_the_other(hosts: list[str], make_user) -> None:
    author, reader = make_user("instructor"), make_user("learner")
    path = f"/courses/{COURSE}/modules/{QUIZ_MODULE}"
    watcher = Browser(hosts)
    assert watcher.sign_in(1, reader.email) == 302
    marker = f"Published on host A {uuid.uuid4().hex[:8]}"
    before = watcher.get(1, path)  # host B has served (and may have cached) the old version
    assert before[0] == 200 and marker not in before[2]

    me = Browser(hosts)
    assert me.sign_in(0, author.email) == 302
    studio = f"/studio/{COURSE}/modules/quiz"  # the studio names a module without its number
    status, _, page = me.get(0, studio)
    assert status == 200, page[:500]
    form = form_fields(page)
    form["body"] = form["body"].replace("Some lesson text", marker)
    assert marker in form["body"]
    form["publish"] = "Publish"
    status, _, page = me.post(0, studio, form)
    assert status == 303, page[:2000]

    status, _, page = watcher.get(1, path)
    assert status == 200 and marker in page


def _sign_in_limit_is_shared(hosts: list[str], make_user, prefix: str) -> None:
    """The attempt refused first is the same whether the failures go to one host or both."""
    import redis

    def failures_until_throttled(pattern) -> int:
        user = make_user("learner")
        who = Browser(hosts)
        for n, host in zip(range(1, 15), pattern, strict=False):
            status = who.sign_in(host, user.email, "a wrong password entirely")
            if status == 429:
                return n
            assert status == 200, status
        return 0

    alone = failures_until_throttled([0] * 14)
    both = failures_until_throttled([0, 1] * 7)
    assert 1 < alone < 14, "the sign-in limiter never answered 429 on one host"
    assert both == alone, f"429 after {both} alternating attempts, after {alone} on one host"
    client = redis.Redis.from_url(REDIS_URL, socket_timeout=2)
    assert list(client.scan_iter(f"{prefix}:rl:*")), "no rate-limit count was kept in Redis"
