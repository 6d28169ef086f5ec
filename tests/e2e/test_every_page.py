"""Every staff and learner page at 1280x800, 1024x768 and 390x844: no sideways page scroll,
axe clean, and a screenshot under test-artifacts/screenshots/ (CI keeps them).

One test per role over the access matrix's world (its records give every page something to
show); one browser, one server, one signed-in context per role resized between sizes.
"""

import json
import re

import pytest

from tests.access import world as _world
from tests.e2e.conftest import ARTIFACTS, new_page
from tests.e2e.test_wide_pages import sign_in
from tests.test_access_matrix import ROUTES, resolve

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

world = _world.world  # the fixture
SIZES = [(1280, 800), (1024, 768), (390, 844)]


def shots_dir(database_url: str):
    """test-artifacts/screenshots/<database>/: CI runs both suites at once, apart."""
    folder = ARTIFACTS / "screenshots" / database_url.split(":")[0].split("+")[0]
    folder.mkdir(parents=True, exist_ok=True)
    return folder


# the HTML pages each role works in (downloads, JSON and redirects are left out)
PAGES = {
    "learner": [
        "catalog.home",
        "auth.account",
        "learning.course",
        "learning.module",
        "quizzes.result",
        "ratings.rate",
        "plans.edit",
        "immersion.my_day",
        "immersion.checkin_code",
        "certificates.mine",
        "certificates.show",
        "cohorts.join_by_code",
    ],
    "coordinator": [
        "catalog.home",
        "cohorts.index",
        "cohorts.create",
        "cohorts.dashboard",
        "cohorts.edit",
        "cohorts.people",
        "cohorts.import_upload",
        "cohorts.remind",
        "cohorts.learner",
        "immersion.roster",
        "immersion.history",
        "plans.queue",
        "plans.review",
        "ratings.report",
        "certificates.cohort_list",
        "certificates.expiring",
        "api.tokens",
    ],
    "faculty": [
        "cohorts.dashboard",
        "immersion.roster",
        "immersion.by_hand",
        "immersion.evidence_queue",
        "immersion.checkin_screen",
        "immersion.checkin_projector",
        "plans.review",
        "studio.index",
        "studio.edit",
        "quizzes.analysis",
    ],
    "admin": [
        "admin.index",
        "admin.people",
        "admin.new_person",
        "admin.person",
        "admin.audit",
        "admin.site_settings",
        "cohorts.programme",
        "mail.outbox",
        "jobs.index",
        "webhooks.index",
    ],
}
OVERFLOW = """() => {
  const width = document.documentElement.scrollWidth;
  if (width <= window.innerWidth) return null;
  const wide = [...document.querySelectorAll('body *')].filter(
    el => el.getBoundingClientRect().right > window.innerWidth + 1
  ).slice(0, 3).map(el => el.tagName.toLowerCase() + (el.className ? '.' + el.className : ''));
  return width + 'px wide: ' + wide.join(', ');
}"""


AXE_RUN = """async () => (await axe.run(document, {resultTypes: ['violations'],
    runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})).violations"""


def axe_problems(page, axe_source: str) -> list[str]:
    """check_a11y's rules (serious and critical WCAG 2.1 A/AA, no CSP violation), without
    collecting the passes: the same verdict, faster over a hundred-odd pages."""
    page.evaluate(axe_source)
    bad = [v for v in page.evaluate(AXE_RUN) if v["impact"] in ("serious", "critical")]
    found = [
        json.dumps({"id": v["id"], "nodes": [n["target"] for n in v["nodes"]][:3]}) for v in bad
    ]
    found += page.csp_violations
    page.csp_violations.clear()
    return found


def urls(app, ids: dict, role: str) -> list[tuple[str, str]]:
    from flask import url_for

    with app.test_request_context():
        return [(e, url_for(e, **resolve(ROUTES[e].args, ids))) for e in PAGES[role]]


@pytest.mark.parametrize("role", list(PAGES))
def test_every_page_fits_each_size_and_passes_axe(
    live_server, browser, axe_source, database_url, app, world, role
):
    shots = shots_dir(database_url)
    page = new_page(browser, *SIZES[0])
    sign_in(page, live_server, world["users"][role].email)
    problems = []
    for endpoint, url in urls(app, world["ids"], role):
        for width, height in SIZES:
            page.set_viewport_size({"width": width, "height": height})
            response = page.goto(live_server + url)
            where = f"{url} at {width}px"
            if response is None or response.status != 200:
                problems.append(f"{where}: status {response and response.status}")
                continue
            name = re.sub(r"[^a-z0-9]+", "-", endpoint.lower())
            page.screenshot(path=str(shots / f"{role}-{name}-{width}.png"), full_page=True)
            overflow = page.evaluate(OVERFLOW)
            if overflow:
                problems.append(f"{where}: the page scrolls sideways, {overflow}")
            problems += [f"{where}: {p}" for p in axe_problems(page, axe_source)]
    page.context.close()
    assert not problems, "\n".join(problems)
