"""Every route declares who may use it, so nothing becomes public by accident."""

from smresidency.access import policy_of


def test_every_endpoint_declares_an_access_policy(app):
    missing = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if rule.endpoint == "static":
                continue
            if policy_of(rule.endpoint) is None:
                missing.append(f"{rule.rule} ({rule.endpoint})")
    assert missing == [], "routes without @allow(...): " + ", ".join(missing)


def test_no_state_change_on_get(app):
    """Routes that write (POST in the access matrix) do not answer GET at all."""
    from tests.test_access_matrix import ROUTES

    writers = {endpoint for endpoint, route in ROUTES.items() if route.method == "POST"}
    assert writers
    for rule in app.url_map.iter_rules():
        if rule.endpoint in writers:
            assert "GET" not in rule.methods, rule
