"""Checks before measuring: sign-in, the dashboard, the verification page."""

from __future__ import annotations

import random

import load
import seed
import server
from settings import DASHBOARD_PAGE


def check_verify(srv: server.Server, args, certs: seed.Certificates) -> tuple[list[str], int]:
    """One code of each status shows that status with 200, an unknown code answers 404.

    Returns every seeded code's path in a shuffled order (statuses interleaved), and the
    size of a page.
    """
    browser = load.Browser(srv.host, srv.port, timeout=args.timeout)
    page_bytes = 0
    for status, codes in certs.codes.items():
        code = codes[0]
        answer, _, body = browser.request("GET", f"/verify/{code}")
        text = body.decode("utf-8", "replace")
        if answer != 200 or f"This certificate is {status}" not in text:
            raise RuntimeError(f"GET /verify/{code} ({status}) answered {answer}, not the page")
        page_bytes = max(page_bytes, len(body))
    unknown = "A" * 16 if all("A" * 16 not in c for c in certs.codes.values()) else "B" * 16
    answer, _, _ = browser.request("GET", f"/verify/{unknown}")
    if answer != 404:
        raise RuntimeError(f"GET /verify/{unknown} (no such code) answered {answer}, not 404")
    paths = [f"/verify/{code}" for codes in certs.codes.values() for code in codes]
    random.Random(args.seed).shuffle(paths)  # noqa: S311 - an order, not a secret
    return paths, page_bytes


def verify_hits(database: seed.Database) -> int | None:
    """Rows the verification page's rate limit has counted (bucket "verify")."""
    from sqlalchemy import create_engine, text

    engine = create_engine(database.url)
    try:
        with engine.connect() as conn:
            return int(
                conn.execute(
                    text("SELECT count(*) FROM rate_limit_hit WHERE bucket = 'verify'")
                ).scalar()
            )
    except Exception:
        return None
    finally:
        engine.dispose()


def sign_in(srv: server.Server, args, email: str, paths: list[str], page_bytes: dict) -> str:
    """Sign in through the form, check each page answers 200; returns the Cookie header."""
    browser = load.Browser(srv.host, srv.port, timeout=args.timeout)
    browser.sign_in(email, seed.PASSWORD)
    for path in paths:
        page_bytes[path] = browser.check(path)
    return browser.cookie_header


def check_dashboard(srv: server.Server, args, cookie: str, path: str, learners: int) -> None:
    """The dashboard's first page lists a full page of the large cohort's learners."""
    browser = load.Browser(srv.host, srv.port, timeout=args.timeout)
    browser.cookies = dict(part.split("=", 1) for part in cookie.split("; "))
    _, _, body = browser.request("GET", path)
    shown = body.decode("utf-8", "replace").count("Large Cohort Learner ")
    if shown < min(learners, DASHBOARD_PAGE):
        raise RuntimeError(f"GET {path} shows {shown} of the cohort's {learners} learners")
