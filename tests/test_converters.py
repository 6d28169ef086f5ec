"""Integers too large for an id column are not found (404) on every <int:…> route, not a 500."""

import re

import pytest
from werkzeug.routing import IntegerConverter

from smresidency.converters import LARGEST_ID, at_most

HUGE = (2**63, 10**30, LARGEST_ID + 1)  # LARGEST_ID + 1 == 2**31: PostgreSQL's INTEGER


def int_rules(app):
    """Every URL rule with at least one integer argument, however it was registered."""
    for rule in app.url_map.iter_rules():
        if any(isinstance(c, IntegerConverter) for c in rule._converters.values()):
            yield rule


def url_with(rule, number: int) -> str:
    """The rule's path with every integer argument set to `number` and the others to a word."""
    ints = {n for n, c in rule._converters.items() if isinstance(c, IntegerConverter)}

    def fill(match):
        name = match.group(2)
        return str(number) if name in ints else "x"

    return re.sub(r"<(?:([a-zA-Z_][\w()=, ]*):)?(\w+)>", fill, rule.rule)


def test_the_app_has_integer_routes(app):
    assert len(list(int_rules(app))) >= 5


@pytest.mark.parametrize("number", HUGE)
def test_every_integer_route_answers_404_to_a_huge_number(app, client, login_as, number):
    login_as("admin", "coordinator", "instructor", "learner")
    answers = {}
    for rule in int_rules(app):
        url = url_with(rule, number)
        method = "GET" if "GET" in rule.methods else sorted(rule.methods - {"OPTIONS"})[0]
        answers[f"{method} {url}"] = client.open(url, method=method).status_code
    wrong = {call: code for call, code in answers.items() if code != 404}
    assert answers and not wrong


def test_the_largest_id_reaches_the_database_without_a_server_error(app, client, login_as):
    """The largest id still routes, and every database compares it without overflowing."""
    login_as("admin", "coordinator", "instructor", "learner")
    answers = {}
    for rule in int_rules(app):
        url = url_with(rule, LARGEST_ID)
        method = "GET" if "GET" in rule.methods else sorted(rule.methods - {"OPTIONS"})[0]
        answers[f"{method} {url}"] = client.open(url, method=method).status_code
    errors = {call: code for call, code in answers.items() if code >= 500}
    assert answers and not errors


def test_ordinary_ids_still_route(app):
    adapter = app.url_map.bind("localhost")
    rule = next(int_rules(app))
    endpoint, args = adapter.match(url_with(rule, LARGEST_ID), method=sorted(rule.methods)[0])
    assert endpoint == rule.endpoint
    assert LARGEST_ID in args.values()


@pytest.mark.parametrize("limit", [0, 7, 10, 907, 1000, 2**31 - 1, 2**63 - 1])
def test_the_pattern_matches_exactly_the_numbers_up_to_the_limit(limit):
    pattern = re.compile(at_most(limit) + r"\Z")
    numbers = [*range(1200), limit - 1, limit, limit + 1, limit * 10, 2**63, 10**30]
    wrong = [n for n in numbers if n >= 0 and bool(pattern.match(str(n))) != (n <= limit)]
    assert wrong == []
