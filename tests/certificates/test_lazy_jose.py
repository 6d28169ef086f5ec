"""A web worker serving pages does not hold joserfc and cryptography; signing loads them."""

from tests.fresh_process import run_python


def test_pages_do_not_load_the_signing_library_and_a_signature_does(tmp_path):
    done = run_python(
        f"""
        import sys
        from smresidency import create_app
        app = create_app()
        client = app.test_client()
        assert client.get("/healthz").status_code == 200
        assert client.get("/login").status_code == 200
        print("PAGES", sorted(m for m in ("joserfc", "cryptography") if m in sys.modules))
        from datetime import UTC, datetime
        from smresidency.certificates import credential, keys
        key = keys.generate({str(tmp_path / "instance")!r})
        issuer = {{"issuer": {{"id": "https://x.example/issuer"}}}}
        token = credential.sign(issuer, key, "https://x.example")
        verdict = credential.verify(token, [key.public_jwk()], None, datetime.now(UTC))
        print("SIGNED", verdict.ok, "joserfc" in sys.modules)
        """,
        tmp_path,
    )
    assert "PAGES []" in done.stdout, done.stdout + done.stderr
    assert "SIGNED True True" in done.stdout, done.stdout + done.stderr
