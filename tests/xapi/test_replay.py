"""`flask xapi replay` re-sends history to a real Ralph LRS; twice is the same as once."""

from datetime import timedelta

from smresidency.db import utcnow
from tests.xapi import journey


def replay(runner, *args):
    return runner.invoke(args=["xapi", "replay", *args])


def test_replay_sends_history_once_however_often_it_runs(
    app, tmp_path, make_user, make_cohort, ralph, base_url
):
    endpoint = app.config["XAPI_ENDPOINTS"]
    app.config["XAPI_ENDPOINTS"] = []  # history made before the LRS was set up
    w = journey.setup(app, tmp_path, make_user, make_cohort)
    journey.read_module(w)
    journey.take_quiz(app, w, right=True)
    journey.tick(w, "check-in", reason="Seen arriving by faculty")
    assert ralph.statements(base_url) == []

    app.config["XAPI_ENDPOINTS"] = endpoint
    runner = app.test_cli_runner()
    today = utcnow().date()
    dry = replay(runner, "--since", str(today), "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "5 statements found; dry run, nothing queued." in dry.output
    assert "scored: 1" in dry.output and "checkoff: 1" in dry.output
    assert ralph.statements(base_url) == []

    first = replay(runner, "--since", str(today))
    assert first.exit_code == 0, first.output
    assert "5 statements queued" in first.output
    sent = ralph.statements(base_url)
    assert len(sent) == 5

    again = replay(runner, "--since", str(today - timedelta(days=3)))
    assert again.exit_code == 0, again.output
    assert sorted(s["id"] for s in ralph.statements(base_url)) == sorted(s["id"] for s in sent)

    later = replay(runner, "--since", str(today + timedelta(days=1)))
    assert "0 statements queued" in later.output


def test_replay_explains_bad_input(app):
    runner = app.test_cli_runner()
    bad = replay(runner, "--since", "31/01/2026")
    assert bad.exit_code == 2 and "is not a date like 2026-01-31" in bad.output
    backwards = replay(runner, "--since", "2026-02-01", "--until", "2026-01-01")
    assert backwards.exit_code == 2 and "--until must be after --since" in backwards.output
    app.config["XAPI_ENDPOINTS"] = []
    none = replay(runner, "--since", "2026-01-01")
    assert none.exit_code == 1 and "No LRS endpoint is configured" in none.output
    helped = replay(runner, "--help")
    assert "Rebuild statements from history" in helped.output and "--dry-run" in helped.output
