"""Certificate PDFs are made once per certificate and paper size and kept: a download reads
the kept bytes (with an ETag), and a change to anything printed makes a new one."""

import json
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from smresidency.certificates.models import Certificate
from smresidency.certificates.stored_models import StoredPdf
from smresidency.extensions import db
from tests.certificates.test_pdf import certificate_of, read_pdf, tick
from tests.conftest import _config

ROOT = Path(__file__).resolve().parents[2]


def issued(app, nearly_done) -> Certificate:
    tick(app, nearly_done["enrolment_id"], nearly_done["faculty"].id)
    nearly_done["client"].post("/courses/test-course/modules/02-finish/read")
    return certificate_of(app, nearly_done["learner"].id)


def kept(app, cert_id: int) -> dict[str, StoredPdf]:
    with app.app_context():
        rows = db.session.scalars(select(StoredPdf).where(StoredPdf.certificate_id == cert_id))
        found = {row.paper: row for row in rows}
        for row in found.values():
            db.session.expunge(row)
    return found


def test_issuing_keeps_both_paper_sizes_and_a_download_serves_the_kept_bytes(app, nearly_done):
    cert = issued(app, nearly_done)
    rows = kept(app, cert.id)
    assert set(rows) == {"a4", "letter"}  # made by the job the issue enqueued
    client = nearly_done["client"]
    for paper, row in rows.items():
        response = client.get(f"/certificates/{cert.id}.pdf?paper={paper}")
        assert response.data == row.body
        assert response.get_etag() == (row.body_sha256, False)
        assert "Zoë Παπαδοπούλου" in read_pdf(response).pages[0].extract_text()
    again = client.get(f"/certificates/{cert.id}.pdf?paper=a4")
    assert again.data == rows["a4"].body
    assert kept(app, cert.id)["a4"].made_at == rows["a4"].made_at  # read, not made again


def test_a_download_whose_etag_matches_answers_304_without_the_pdf(app, nearly_done):
    cert = issued(app, nearly_done)
    etag = kept(app, cert.id)["letter"].body_sha256
    client = nearly_done["client"]
    response = client.get(
        f"/certificates/{cert.id}.pdf?paper=letter", headers={"If-None-Match": f'"{etag}"'}
    )
    assert response.status_code == 304 and response.data == b""
    other = client.get(f"/certificates/{cert.id}.pdf", headers={"If-None-Match": f'"{etag}"'})
    assert other.status_code == 200 and other.data.startswith(b"%PDF")  # A4 differs


def test_a_corrected_name_or_a_revocation_makes_a_new_pdf(app, nearly_done):
    cert = issued(app, nearly_done)
    before = kept(app, cert.id)["a4"]
    with app.app_context():
        db.session.get(Certificate, cert.id).recipient_name = "Zoë Papadopoulou"
        db.session.commit()
    client = nearly_done["client"]
    text = read_pdf(client.get(f"/certificates/{cert.id}.pdf")).pages[0].extract_text()
    assert "Zoë Papadopoulou" in text and "Παπαδοπούλου" not in text
    renamed = kept(app, cert.id)["a4"]
    assert renamed.inputs_sha256 != before.inputs_sha256 and renamed.body != before.body

    coordinator = app.test_client()
    with coordinator.session_transaction() as session:
        session["_user_id"] = nearly_done["coordinator"].session_token
    coordinator.post(
        f"/cohorts/{nearly_done['cohort_id']}/certificates/{cert.id}/revoke",
        data={"reason": "issued in error", "confirmed": "yes"},
    )
    text = read_pdf(client.get(f"/certificates/{cert.id}.pdf")).pages[0].extract_text()
    assert "revoked" in text
    assert kept(app, cert.id)["a4"].inputs_sha256 != renamed.inputs_sha256


def test_the_job_run_twice_keeps_one_pdf_and_does_not_remake_it(app, nearly_done):
    from smresidency.certificates.stored import make_job

    cert = issued(app, nearly_done)
    first = kept(app, cert.id)["a4"]
    with app.app_context():
        make_job(cert.id, "a4", "http://localhost/")
        db.session.commit()
        count = db.session.scalar(
            select(db.func.count())
            .select_from(StoredPdf)
            .where(StoredPdf.certificate_id == cert.id)
        )
    assert count == 2
    assert kept(app, cert.id)["a4"].made_at == first.made_at


def test_the_cli_makes_missing_pdfs_and_leaves_kept_ones(app, nearly_done):
    cert = issued(app, nearly_done)
    with app.app_context():
        db.session.execute(db.delete(StoredPdf).where(StoredPdf.paper == "letter"))
        db.session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["certificates", "pdfs", "--missing", "--base-url", "http://localhost"]
    )
    assert result.exit_code == 0, result.output
    assert "1 PDF(s) made, 1 already up to date." in result.output
    assert set(kept(app, cert.id)) == {"a4", "letter"}
    one = ["--id", str(cert.id), "--paper", "a4", "--base-url", "http://localhost"]
    again = runner.invoke(args=["certificates", "pdfs", *one])  # remade without --missing
    assert "1 PDF(s) made, 0 already up to date." in again.output
    nobody = runner.invoke(args=["certificates", "pdfs", "--id", "999999", "--base-url", "x"])
    assert nobody.output == "0 PDF(s) made, 0 already up to date.\n"
    refused = runner.invoke(args=["certificates", "pdfs"])
    assert refused.exit_code != 0 and "--base-url" in refused.output


def test_serving_a_kept_pdf_in_a_fresh_process_does_not_load_fpdf2(
    app, nearly_done, database_url, tmp_path
):
    cert = issued(app, nearly_done)
    config = _config(database_url, tmp_path, JOBS_EAGER=False)
    script = (
        "import json, sys\n"
        "from smresidency import create_app\n"
        "app = create_app(json.loads(sys.argv[1]))\n"
        "client = app.test_client()\n"
        "with client.session_transaction() as session:\n"
        "    session['_user_id'] = sys.argv[2]\n"
        "response = client.get(sys.argv[3])\n"
        "loaded = [m for m in sys.modules if m.split('.')[0] in ('fpdf', 'fontTools')]\n"
        "print(json.dumps({'status': response.status_code,\n"
        "                  'pdf': response.data.startswith(b'%PDF'), 'loaded': loaded}))\n"
    )
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            script,
            json.dumps(config),
            nearly_done["learner"].session_token,
            f"/certificates/{cert.id}.pdf?paper=letter",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    outcome = json.loads(done.stdout.strip().splitlines()[-1])
    assert outcome == {"status": 200, "pdf": True, "loaded": []}


def test_an_erased_person_leaves_no_kept_pdf(app, nearly_done, make_user):
    from smresidency.auth.models import User
    from smresidency.privacy.erase import erase

    cert = issued(app, nearly_done)
    admin = make_user("admin")
    with app.test_request_context(), app.app_context():
        erase(
            db.session.get(User, nearly_done["learner"].id),
            db.session.get(User, admin.id),
            "asked by e-mail",
        )
        db.session.commit()
    assert kept(app, cert.id) == {}
