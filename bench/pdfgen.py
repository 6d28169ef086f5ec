"""Certificate PDFs: how many one worker makes per second (in-process), and one over HTTP."""

from __future__ import annotations

import time
from collections.abc import Callable

import cpu
import load
import seed

PAPERS = ("a4", "letter")


def measure(
    database: seed.Database,
    argon2: dict[str, int],
    base_url: str,
    cert_ids: list[int],
    seconds: float,
    server_pids: Callable[[], list[int]],
) -> dict:
    """Call certificate_pdf in a loop for `seconds`, in this process, on one thread.

    What the PDF view does minus HTTP and the database read: the app is created with the
    server's database, a request context gives links.verify_url the server's address, the
    certificates are loaded once, then call n makes certificate n // 2 (round-robin over
    `cert_ids`) on A4 when n is even and on US Letter when it is odd. The first call is timed
    apart (it may pay for lazy set-up) and is not in the figures; every PDF must start %PDF.
    """
    from smresidency import create_app
    from smresidency.certificates import links
    from smresidency.certificates.models import Certificate
    from smresidency.certificates.pdf import certificate_pdf
    from smresidency.extensions import db

    app = create_app(seed.app_config(database, argon2))
    with app.test_request_context("/", base_url=base_url):
        certs = [db.session.get(Certificate, cid) for cid in cert_ids]
        if not certs or any(c is None for c in certs):
            raise RuntimeError(f"certificates {cert_ids} are not all in the database")
        urls = [links.verify_url(c) for c in certs]
        clock = time.perf_counter
        t0 = clock()
        first = certificate_pdf(certs[0], urls[0], "a4")
        first_ms = (clock() - t0) * 1000
        sizes = {"a4": len(first), "letter": len(certificate_pdf(certs[0], urls[0], "letter"))}
        latencies: list[float] = []
        bad = 0
        meter = cpu.Meter(server_pids)
        meter.start()
        began = clock()
        end = began + seconds
        n = 0
        while clock() < end:
            i = (n // 2) % len(certs)
            t0 = clock()
            body = certificate_pdf(certs[i], urls[i], PAPERS[n % 2])
            latencies.append(clock() - t0)
            bad += not body.startswith(b"%PDF")
            n += 1
        elapsed = clock() - began
        cores = meter.stop()
        db.session.rollback()
        db.engine.dispose()
    if bad or not first.startswith(b"%PDF"):
        raise RuntimeError(f"certificate_pdf returned {bad} bodies that are not a PDF")
    latencies.sort()
    p50, p99 = load.percentile(latencies, 50), load.percentile(latencies, 99)
    return {
        "count": n,
        "seconds": round(elapsed, 3),
        "per_second": round(n / elapsed, 1) if elapsed else 0.0,
        "p50_ms": round(p50 * 1000, 2) if p50 is not None else None,
        "p99_ms": round(p99 * 1000, 2) if p99 is not None else None,
        "mean_ms": round(elapsed / n * 1000, 2) if n else None,
        "first_call_ms": round(first_ms, 2),
        "certificates": len(certs),
        "papers": list(PAPERS),
        "bytes": sizes,
        "cpu_cores": cores,
    }


def fetch(srv, timeout: float, email: str, cert_id: int, paper: str = "a4") -> dict:
    """Sign in as the certificate's owner and GET /certificates/<id>.pdf: it must answer 200
    application/pdf with a PDF body. Returns what came back and how long it took."""
    browser = load.Browser(srv.host, srv.port, timeout=timeout)
    browser.sign_in(email, seed.PASSWORD)
    path = f"/certificates/{cert_id}.pdf?paper={paper}"
    t0 = time.perf_counter()
    status, headers, body = browser.request("GET", path)
    took = time.perf_counter() - t0
    kind = headers.get("Content-Type", "")
    if status != 200 or not kind.startswith("application/pdf") or not body.startswith(b"%PDF"):
        raise RuntimeError(
            f"GET {path} as its owner answered {status} {kind!r} ({len(body)} bytes), not a PDF"
        )
    return {
        "path": path,
        "status": status,
        "content_type": kind,
        "content_disposition": headers.get("Content-Disposition", ""),
        "bytes": len(body),
        "ms": round(took * 1000, 2),
        "owner": email,
    }
