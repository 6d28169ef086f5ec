"""Certificate PDFs: how many one worker makes per CPU-second (in-process, fonts parsed once),
and a kept PDF downloaded over HTTP (a read, with its ETag).

The server's download reads the PDF the job queue made and kept; the benchmark runs no job
worker, so call pregenerate() (what `flask certificates pdfs --missing` does) before fetch().
"""

from __future__ import annotations

import http.client
import time
from collections.abc import Callable

import cpu
import load
import seed

PAPERS = ("a4", "letter")
DOWNLOADS = 40  # kept-PDF downloads timed in fetch(), after the first and the conditional one


def _app(database: seed.Database, argon2: dict[str, int]):
    from smresidency import create_app

    return create_app(seed.app_config(database, argon2))


def pregenerate(
    database: seed.Database, argon2: dict[str, int], base_url: str, cert_ids: list[int] | None
) -> dict:
    """Make and keep the PDFs (both papers) not kept yet, through the real command:
    `flask certificates pdfs --missing --base-url <base_url> [--id N ...]`. None makes every
    seeded certificate's (about 30 ms of CPU each); the benchmark needs only those it fetches."""
    app = _app(database, argon2)
    args = ["certificates", "pdfs", "--missing", "--base-url", base_url]
    for cert_id in cert_ids or ():
        args += ["--id", str(cert_id)]
    t0 = time.perf_counter()
    result = app.test_cli_runner().invoke(args=args)
    took = time.perf_counter() - t0
    if result.exit_code != 0:
        raise RuntimeError(f"flask certificates pdfs failed: {result.output}{result.exception}")
    with app.app_context():
        from smresidency.extensions import db

        db.engine.dispose()
    return {"output": result.output.strip(), "seconds": round(took, 2)}


def measure(
    database: seed.Database,
    argon2: dict[str, int],
    base_url: str,
    cert_ids: list[int],
    seconds: float,
    server_pids: Callable[[], list[int]],
) -> dict:
    """Call certificate_pdf in a loop for `seconds`, in this process, on one thread.

    What the PDF job does minus the database write: the app is created with the server's
    database, a request context gives links.verify_url the server's address, the
    certificates and the signer are loaded once, then call n makes certificate n // 2
    (round-robin over `cert_ids`) on A4 when n is even and on US Letter when it is odd. The
    first call is timed apart (it parses the two fonts, once per process) and is not in the
    figures; every PDF must start %PDF. per_cpu_second divides by this process's CPU time,
    so other load on the machine does not lower it.
    """
    from smresidency.admin.settings import certificate_signer
    from smresidency.certificates import links, pdf
    from smresidency.certificates.models import Certificate
    from smresidency.extensions import db

    app = _app(database, argon2)
    with app.test_request_context("/", base_url=base_url):
        certs = [db.session.get(Certificate, cid) for cid in cert_ids]
        if not certs or any(c is None for c in certs):
            raise RuntimeError(f"certificates {cert_ids} are not all in the database")
        urls = [links.verify_url(c) for c in certs]
        signer = certificate_signer()
        clock = time.perf_counter
        t0 = clock()
        first = pdf.certificate_pdf(certs[0], urls[0], "a4", signer)
        first_ms = (clock() - t0) * 1000
        letter = pdf.certificate_pdf(certs[0], urls[0], "letter", signer)
        sizes = {"a4": len(first), "letter": len(letter)}
        latencies: list[float] = []
        bad = 0
        meter = cpu.Meter(server_pids)
        meter.start()
        cpu0 = time.process_time()
        began = clock()
        end = began + seconds
        n = 0
        while clock() < end:
            i = (n // 2) % len(certs)
            t0 = clock()
            body = pdf.certificate_pdf(certs[i], urls[i], PAPERS[n % 2], signer)
            latencies.append(clock() - t0)
            bad += not body.startswith(b"%PDF")
            n += 1
        elapsed = clock() - began
        cpu_used = time.process_time() - cpu0
        cores = meter.stop()
        faces_parsed = len(pdf._parsed)
        db.session.rollback()
        db.engine.dispose()
    if bad or not first.startswith(b"%PDF"):
        raise RuntimeError(f"certificate_pdf returned {bad} bodies that are not a PDF")
    latencies.sort()
    p50, p99 = load.percentile(latencies, 50), load.percentile(latencies, 99)
    return {
        "count": n,
        "seconds": round(elapsed, 3),
        "cpu_seconds": round(cpu_used, 3),
        "per_second": round(n / elapsed, 1) if elapsed else 0.0,
        "per_cpu_second": round(n / cpu_used, 1) if cpu_used else 0.0,
        "target_per_cpu_second": 30,
        "p50_ms": round(p50 * 1000, 2) if p50 is not None else None,
        "p99_ms": round(p99 * 1000, 2) if p99 is not None else None,
        "mean_ms": round(elapsed / n * 1000, 2) if n else None,
        "first_call_ms": round(first_ms, 2),
        "faces_parsed": faces_parsed,  # 2: each font once, however many PDFs
        "certificates": len(certs),
        "papers": list(PAPERS),
        "bytes": sizes,
        "cpu_cores": cores,
    }


def _conditional(srv, timeout: float, cookie: str, path: str, etag: str) -> int:
    """GET with If-None-Match (load.Browser sends no extra headers); the status."""
    conn = http.client.HTTPConnection(srv.host, srv.port, timeout=timeout)
    try:
        conn.request(
            "GET",
            path,
            headers={"Cookie": cookie, "If-None-Match": etag, "User-Agent": load.USER_AGENT},
        )
        resp = conn.getresponse()
        resp.read()
        return resp.status
    finally:
        conn.close()


def fetch(srv, timeout: float, email: str, cert_id: int, paper: str = "a4") -> dict:
    """Sign in as the certificate's owner and GET /certificates/<id>.pdf: it must answer 200
    application/pdf with a PDF body and an ETag, and 304 when that ETag is sent back. Then
    DOWNLOADS more GETs are timed, with the server's CPU, for downloads per server-CPU-second.
    A 202 means the PDF was not kept: call pregenerate() first."""
    browser = load.Browser(srv.host, srv.port, timeout=timeout)
    browser.sign_in(email, seed.PASSWORD)
    path = f"/certificates/{cert_id}.pdf?paper={paper}"
    t0 = time.perf_counter()
    status, headers, body = browser.request("GET", path)
    took = time.perf_counter() - t0
    kind = headers.get("Content-Type", "")
    if status == 202:
        raise RuntimeError(f"GET {path} answered 202: the PDF is not kept; run pregenerate()")
    if status != 200 or not kind.startswith("application/pdf") or not body.startswith(b"%PDF"):
        raise RuntimeError(
            f"GET {path} as its owner answered {status} {kind!r} ({len(body)} bytes), not a PDF"
        )
    etag = headers.get("ETag", "")
    revalidated = _conditional(srv, timeout, browser.cookie_header, path, etag) if etag else None
    meter = cpu.Meter(lambda: [srv.proc.pid, *srv.worker_pids()])
    meter.start()
    began = time.perf_counter()
    times = []
    for _ in range(DOWNLOADS):
        t1 = time.perf_counter()
        again, _, same = browser.request("GET", path)
        times.append(time.perf_counter() - t1)
        if again != 200 or same != body:
            raise RuntimeError(f"GET {path} answered {again} or another body on a repeat")
    wall = time.perf_counter() - began
    cores = meter.stop()
    server_cpu = (cores.get("server") or 0) * wall
    times.sort()
    p50 = load.percentile(times, 50)
    return {
        "path": path,
        "status": status,
        "content_type": kind,
        "content_disposition": headers.get("Content-Disposition", ""),
        "bytes": len(body),
        "ms": round(took * 1000, 2),
        "owner": email,
        "etag": etag,
        "if_none_match_status": revalidated,  # 304 expected
        "downloads": DOWNLOADS,
        "download_p50_ms": round(p50 * 1000, 2) if p50 is not None else None,
        "downloads_per_server_cpu_second": round(DOWNLOADS / server_cpu, 1) if server_cpu else None,
        "cpu_cores": cores,
    }
