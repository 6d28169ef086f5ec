"""`flask certificates keygen|issue|list|verify|revoke`: run certificates from the shell."""

import base64
import json
from datetime import timedelta
from urllib.request import urlopen

import pytest
from sqlalchemy import select

from smresidency.certificates import credential, keys
from smresidency.certificates.cli import certificates_cli
from smresidency.certificates.models import Certificate
from smresidency.db import utcnow
from smresidency.extensions import db
from smresidency.immersion.services import set_checked
from smresidency.mail.models import OutboxMessage


def run(runner, *args):
    return runner.invoke(certificates_cli, [str(a) for a in args])


def stored(app) -> list[Certificate]:
    with app.app_context():
        certs = db.session.scalars(select(Certificate).order_by(Certificate.id)).all()
        db.session.expunge_all()
        return certs


def finish(app, nearly_done) -> Certificate:
    """Tick the last item and read the last module: the certificate is issued."""
    with app.test_request_context(), app.app_context():
        set_checked(nearly_done["enrolment_id"], "check-in", True, nearly_done["faculty"].id)
        db.session.commit()
    nearly_done["client"].post("/courses/test-course/modules/02-finish/read")
    (cert,) = stored(app)
    return cert


# --- keygen -----------------------------------------------------------------------------------


def test_keygen_makes_a_new_current_key_and_keeps_the_old_ones_published(app, runner):
    first = run(runner, "keygen")
    assert first.exit_code == 0, first.output
    kid = keys.current(app.instance_path).kid
    assert f"New signing key {kid} is now current" in first.output
    assert "Retired keys stay published" in first.output
    second = run(runner, "keygen")
    assert second.exit_code == 0
    new_kid = keys.current(app.instance_path).kid
    assert new_kid != kid and new_kid in second.output
    assert {k["kid"] for k in keys.published(app.instance_path)} == {kid, new_kid}


def test_keygen_if_missing_creates_one_only_when_there_is_none(app, runner):
    created = run(runner, "keygen", "--if-missing")
    assert created.exit_code == 0 and "is now current" in created.output
    kid = keys.current(app.instance_path).kid
    again = run(runner, "keygen", "--if-missing")
    assert again.exit_code == 0
    assert f"A signing key already exists ({kid}); nothing to do." in again.output
    assert keys.current(app.instance_path).kid == kid
    assert len(keys.published(app.instance_path)) == 1


# --- issue ------------------------------------------------------------------------------------


@pytest.fixture
def earned(app, nearly_done, make_user):
    """The nearly-done learner has met every requirement without a certificate being issued
    (as after an import); a second learner of the cohort has done nothing."""
    from smresidency.auth.models import User
    from smresidency.catalog.models import Module, ModuleVersion
    from smresidency.cohorts.models import Cohort
    from smresidency.cohorts.services import enrol
    from smresidency.learning.models import ModuleProgress

    idle = make_user("learner", name="Idle Learner", email="idle@example.test")
    with app.test_request_context(), app.app_context():
        set_checked(nearly_done["enrolment_id"], "check-in", True, nearly_done["faculty"].id)
        module_id, version_id = db.session.execute(
            select(Module.id, ModuleVersion.id)
            .join(ModuleVersion, ModuleVersion.content_hash == Module.current_hash)
            .where(Module.slug == "02-finish")
        ).one()
        done = {"read_at": utcnow(), "completed_at": utcnow(), "version_id": version_id}
        db.session.add(
            ModuleProgress(user_id=nearly_done["learner"].id, module_id=module_id, **done)
        )
        enrol(db.session.get(Cohort, nearly_done["cohort_id"]), db.session.get(User, idle.id))
        db.session.commit()
    assert stored(app) == []
    return nearly_done


def test_issue_back_fills_a_cohort_and_mails_a_link_from_the_base_url(app, earned, monkeypatch):
    from smresidency import create_app

    monkeypatch.setenv("SMRESIDENCY_BASE_URL", "https://residency.example.org/")
    configured = create_app(
        {k: app.config[k] for k in ("TESTING", "ENV", "SECRET_KEY", "CONTENT_DIR")}
        | {"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]}
        | {"INSTANCE_PATH": app.instance_path}
    )
    result = run(configured.test_cli_runner(), "issue", "--cohort", earned["cohort_id"])
    again = run(configured.test_cli_runner(), "issue", "--cohort", earned["cohort_id"])
    with configured.app_context():
        db.engine.dispose()
    assert result.exit_code == 0, result.output
    (cert,) = stored(app)
    assert f"Issued {cert.serial} to Zoë Παπαδοπούλου." in result.output
    assert "1 issued in" in result.output and "1 still missing requirements" in result.output
    assert (
        "Idle Learner <idle@example.test>: modules: Start, Finish; "
        "immersion items: Check in for the day"
    ) in result.output
    assert "Zoë Παπαδοπούλου <" not in result.output  # not listed as missing
    with app.app_context():
        mail = db.session.scalar(
            select(OutboxMessage).where(OutboxMessage.subject == "Your certificate: Test course")
        )
    assert mail.recipient == earned["learner"].email
    assert f"https://residency.example.org/verify/{cert.code}" in mail.body
    assert cert.display_code in mail.body
    assert again.exit_code == 0 and "0 issued in" in again.output
    assert "1 still missing" in again.output  # the idle learner; Zoë already has hers
    assert len(stored(app)) == 1


def test_issue_needs_the_site_address_for_the_mail(app, runner, earned):
    result = run(runner, "issue", "--cohort", earned["cohort_id"])
    assert result.exit_code == 1
    assert "set SMRESIDENCY_BASE_URL" in result.output and "Nothing was issued" in result.output
    assert stored(app) == []


def test_issue_with_a_configured_base_url_and_an_unknown_cohort(app, runner, earned):
    app.config["BASE_URL"] = "https://config.example.org"
    assert run(runner, "issue", "--cohort", 99999).exit_code == 1
    result = run(runner, "issue", "--cohort", earned["cohort_id"])
    assert result.exit_code == 0, result.output
    (cert,) = stored(app)
    with app.app_context():
        body = db.session.scalar(select(OutboxMessage.body))
    assert f"https://config.example.org/verify/{cert.code}" in body


# --- list -------------------------------------------------------------------------------------


def test_list_shows_serial_name_course_date_and_status(app, runner, nearly_done):
    assert run(runner, "list").output.strip() == "No certificates."
    cert = finish(app, nearly_done)
    line = run(runner, "list").output.strip()
    assert line == (
        f"{cert.serial}\tZoë Παπαδοπούλου\tTest course\t{cert.issued_at:%Y-%m-%d}\tvalid"
    )
    assert cert.serial in run(runner, "list", "--cohort", nearly_done["cohort_id"]).output
    assert run(runner, "list", "--cohort", 99999).output.strip() == "No certificates."
    assert run(runner, "list", "--revoked").output.strip() == "No certificates."
    run(runner, "revoke", cert.serial, "--reason", "Test")
    revoked = run(runner, "list", "--revoked")
    assert revoked.exit_code == 0 and revoked.output.strip().endswith("\trevoked")


# --- verify -----------------------------------------------------------------------------------


@pytest.fixture
def downloads(app, runner, nearly_done, tmp_path, served):
    """The learner's .jwt and .json as downloaded, and the site's JWKS saved to a file; the
    site answers on a local port (files["base"]) for the revocation status list."""
    assert run(runner, "keygen").exit_code == 0
    cert = finish(app, nearly_done)
    client = nearly_done["client"]
    files = {"cert": cert, "base": served[0], "stop": served[1]}
    for fmt in ("jwt", "json"):
        response = client.get(f"/certificates/{cert.id}/credential.{fmt}")
        assert response.status_code == 200
        files[fmt] = tmp_path / f"{cert.serial}.{fmt}"
        files[fmt].write_bytes(response.data)
    files["jwks"] = tmp_path / "jwks.json"
    files["jwks"].write_bytes(client.get("/.well-known/jwks.json").data)
    return files


@pytest.mark.parametrize("fmt", ["jwt", "json"])
def test_verify_a_downloaded_credential(runner, downloads, fmt):
    result = run(runner, "verify", downloads[fmt])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "VALID"
    cert = downloads["cert"]
    assert "Name: Zoë Παπαδοπούλου" in lines
    assert "Course: Test course" in lines
    assert f"Issued: {cert.issued_at:%Y-%m-%d}" in lines
    assert f"Valid until: {cert.expires_at:%Y-%m-%d}" in lines
    assert lines[-1] == "Revocation: not revoked (checked against the issuer's status list)"


@pytest.mark.parametrize("fmt", ["jwt", "json"])
def test_a_revoked_credential_fails_through_the_status_list(runner, downloads, fmt):
    run(runner, "revoke", downloads["cert"].serial, "--reason", "Issued in error")
    result = run(runner, "verify", downloads[fmt])
    assert result.exit_code == 1, result.output
    assert result.output.startswith("NOT VALID: revoked (the issuer's status list says so)")
    assert "What the file claims:" in result.output


def test_offline_says_revocation_could_not_be_checked(runner, downloads, tmp_path):
    saved = tmp_path / "status.jwt"
    with urlopen(downloads["base"] + "/credentials/status/revocation") as response:  # noqa: S310
        saved.write_bytes(response.read())
    downloads["stop"]()  # nothing listens on the address the credential names any more
    result = run(runner, "verify", downloads["jwt"])
    assert result.exit_code == 3, result.output
    lines = result.output.splitlines()
    assert lines[0] == "UNKNOWN: could not check revocation: offline"
    assert "The signature, issuer and dates are valid." in lines
    assert f"Its current state: {downloads['base']}/verify/{downloads['cert'].code}" in lines
    with_saved = run(runner, "verify", downloads["jwt"], "--status-list", saved)
    assert with_saved.exit_code == 0 and with_saved.output.startswith("VALID\n")
    missing = run(runner, "verify", downloads["jwt"], "--status-list", tmp_path / "none.jwt")
    assert missing.exit_code == 1 and "Could not read the status list" in missing.output


def test_a_status_list_signed_by_someone_else_does_not_count(app, runner, downloads, tmp_path):
    token = urlopen(downloads["base"] + "/credentials/status/revocation").read().decode()  # noqa: S310
    stranger = keys.generate(str(tmp_path / "elsewhere"))
    forged = tmp_path / "forged-status.jwt"
    forged.write_text(credential.sign(credential.claims(token), stranger, downloads["base"]))
    result = run(runner, "verify", downloads["jwt"], "--status-list", forged)
    assert result.exit_code == 3
    assert result.output.startswith(
        "UNKNOWN: could not check revocation: the status list is not valid (signed with an unknown"
    )


def test_a_credential_issued_before_status_lists_still_verifies(app, runner, downloads, tmp_path):
    cert = downloads["cert"]
    data = credential.build(cert, downloads["base"], "test-course", "A test course.")
    assert "credentialStatus" not in data
    old = tmp_path / "before-status-lists.jwt"
    old.write_text(credential.sign(data, keys.current(app.instance_path), downloads["base"]))
    result = run(runner, "verify", old)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "VALID"
    assert "Revocation: this credential carries no revocation status." in lines
    assert f"Its current state: {downloads['base']}/verify/{cert.code}" in lines


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _tampered(token: str) -> str:
    header, payload, signature = token.split(".")
    data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    data["credentialSubject"]["name"] = data["credentialSubject"]["name"].replace("Z", "S", 1)
    changed = json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode()
    return ".".join([header, _b64(changed), signature])


def test_a_tampered_jwt_is_not_valid(runner, downloads, tmp_path):
    forged = tmp_path / "forged.jwt"
    forged.write_text(_tampered(downloads["jwt"].read_text()))
    result = run(runner, "verify", forged)
    assert result.exit_code == 1
    assert result.output.startswith("NOT VALID: the signature does not match")
    assert "Name: Soë Παπαδοπούλου" in result.output  # what the file claims, flagged


def test_a_tampered_json_is_not_valid(runner, downloads, tmp_path):
    document = json.loads(downloads["json"].read_text())
    document["credentialSubject"]["name"] = "Soë Παπαδοπούλου"
    outer = tmp_path / "outer.json"
    outer.write_text(json.dumps(document))
    result = run(runner, "verify", outer)
    assert result.exit_code == 1 and "NOT VALID: the file was changed" in result.output

    prefix = "data:application/vc+jwt,"
    token = document["proof"][0]["id"][len(prefix) :]
    document["proof"][0]["id"] = prefix + _tampered(token)
    both = tmp_path / "both.json"
    both.write_text(json.dumps(document))
    result = run(runner, "verify", both)
    assert result.exit_code == 1 and "NOT VALID: the signature does not match" in result.output


def test_verify_against_a_jwks_file_or_address_and_an_issuer(runner, downloads, tmp_path):
    jwt, jwks = downloads["jwt"], downloads["jwks"]
    assert run(runner, "verify", jwt, "--jwks", jwks).exit_code == 0
    assert run(runner, "verify", jwt, "--jwks", jwks.as_uri()).exit_code == 0
    base = downloads["base"]
    right = run(runner, "verify", jwt, "--issuer", f"{base}/issuer")
    assert right.exit_code == 0 and f"Issuer: {base}/issuer" in right.output
    wrong = run(runner, "verify", jwt, "--issuer", "https://other.example/issuer")
    assert wrong.exit_code == 1 and "not by 'https://other.example/issuer'" in wrong.output
    keys.generate(str(tmp_path / "elsewhere"))
    strangers = tmp_path / "strangers.json"
    strangers.write_text(json.dumps({"keys": keys.published(str(tmp_path / "elsewhere"))}))
    unknown = run(runner, "verify", jwt, "--jwks", strangers)
    assert unknown.exit_code == 1 and "NOT VALID: signed with an unknown key" in unknown.output
    missing = run(runner, "verify", jwt, "--jwks", tmp_path / "nowhere.json")
    assert missing.exit_code == 1 and "Could not read the keys" in missing.output


def test_an_expired_credential_is_not_valid(app, runner, downloads, tmp_path):
    cert = downloads["cert"]
    cert.issued_at = utcnow() - timedelta(days=800)
    cert.expires_at = utcnow() - timedelta(days=70)
    data = credential.build(cert, "http://localhost", "test-course", "A test course.")
    old = tmp_path / "old.jwt"
    old.write_text(credential.sign(data, keys.current(app.instance_path), "http://localhost"))
    result = run(runner, "verify", old)
    assert result.exit_code == 1
    assert f"NOT VALID: expired on {cert.expires_at:%Y-%m-%d}" in result.output


def test_files_that_hold_no_credential_or_no_keys_to_check_with(app, runner, tmp_path):
    elsewhere = str(tmp_path / "elsewhere")  # tmp_path itself is the app's instance folder
    signed = tmp_path / "signed.jwt"
    signed.write_text(credential.sign({"issuer": {}}, keys.generate(elsewhere), "http://x"))
    result = run(runner, "verify", signed)  # the app's instance has no keys yet
    assert result.exit_code == 1 and "NOT VALID: no public keys" in result.output
    keys.generate(app.instance_path)
    junk = tmp_path / "junk.jwt"
    junk.write_text("hello")
    result = run(runner, "verify", junk)
    assert result.exit_code == 1 and "NOT VALID: not a signed credential" in result.output
    no_proof = tmp_path / "plain.json"
    no_proof.write_text(json.dumps({"name": "x"}))
    result = run(runner, "verify", no_proof)
    assert result.exit_code == 1 and "no signed credential" in result.output
    assert run(runner, "verify", tmp_path / "absent.jwt").exit_code == 2


# --- revoke -----------------------------------------------------------------------------------


def test_revoke_by_a_coordinator_records_who_and_why(app, runner, nearly_done):
    cert = finish(app, nearly_done)
    by = nearly_done["coordinator"].email
    result = run(runner, "revoke", cert.serial, "--reason", "Issued in error", "--by", by)
    assert result.exit_code == 0, result.output
    assert f"Revoked {cert.serial} (Zoë Παπαδοπούλου)" in result.output
    (after,) = stored(app)
    assert after.revoked_at is not None and after.revoke_reason == "Issued in error"
    assert after.revoked_by_id == nearly_done["coordinator"].id
    again = run(runner, "revoke", cert.serial, "--reason", "Twice")
    assert again.exit_code == 1 and "already revoked" in again.output
    assert stored(app)[0].revoke_reason == "Issued in error"


def test_revoke_without_an_account_is_recorded_as_nobody(app, runner, nearly_done):
    cert = finish(app, nearly_done)
    assert run(runner, "revoke", cert.serial, "--reason", "Duplicate").exit_code == 0
    (after,) = stored(app)
    assert after.revoked_at is not None and after.revoked_by_id is None


def test_revoke_refusals_change_nothing(app, runner, nearly_done):
    cert = finish(app, nearly_done)
    learner = nearly_done["learner"].email
    cases = [
        (["SMR-1999-000000", "--reason", "x"], "No certificate has the serial"),
        ([cert.serial, "--reason", "   "], "Say why"),
        ([cert.serial, "--reason", "x", "--by", learner], "not an admin or coordinator"),
        ([cert.serial, "--reason", "x", "--by", "nobody@example.test"], "not an admin"),
    ]
    for args, message in cases:
        result = run(runner, "revoke", *args)
        assert result.exit_code == 1 and message in result.output, (args, result.output)
    assert run(runner, "revoke", cert.serial).exit_code == 2  # --reason is required
    assert stored(app)[0].revoked_at is None
