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


# POST-only in the matrix but writing nothing: a form whose GET shows it and whose POST
# answers it (the pasted credential is checked, never stored).
READ_ONLY_POSTS = {"certificates.verify_credential"}


def test_no_state_change_on_get(app):
    """Routes that write (POST in the access matrix) do not answer GET at all."""
    from tests.test_access_matrix import ROUTES

    writers = {e for e, route in ROUTES.items() if route.method == "POST"} - READ_ONLY_POSTS
    assert writers
    for rule in app.url_map.iter_rules():
        if rule.endpoint in writers:
            assert "GET" not in rule.methods, rule
