"""Sliding-window counters in the database or in Redis, chosen by REDIS_URL."""

import math
import time
import uuid
from datetime import timedelta

from flask import current_app, g, has_request_context
from sqlalchemy import delete, func, select

from smresidency.db import as_utc, utcnow
from smresidency.extensions import db
from smresidency.ratelimit.models import RateLimitHit


def _redis():
    """The app's Redis client, or None when counts live in the database."""
    url = current_app.config.get("REDIS_URL")
    if not url:
        return None
    clients = current_app.extensions.setdefault("smresidency_redis", {})
    if url not in clients:
        import redis

        clients[url] = redis.Redis.from_url(url, socket_timeout=2)
    return clients[url]


def _rkey(bucket: str, key: str) -> str:
    prefix = current_app.config.get("REDIS_KEY_PREFIX") or "smresidency"
    return f"{prefix}:rl:{bucket}:{key.lower()}"


def count(bucket: str, key: str, window: int) -> int:
    """Hits for (bucket, key) in the last `window` seconds."""
    client = _redis()
    if client is not None:
        now = time.time()
        rkey = _rkey(bucket, key)
        pipe = client.pipeline()
        pipe.zremrangebyscore(rkey, 0, now - window)
        pipe.zcard(rkey)
        return int(pipe.execute()[1])
    since = utcnow() - timedelta(seconds=window)
    return db.session.scalar(
        select(func.count())
        .select_from(RateLimitHit)
        .where(RateLimitHit.bucket == bucket, RateLimitHit.key == key.lower())
        .where(RateLimitHit.created_at >= since)
    )


def hit(bucket: str, key: str, window: int) -> None:
    """Count one hit; in the database it is part of the request's transaction, which then
    commits even when the answer is a refusal (4xx), so refused attempts are counted too."""
    client = _redis()
    if client is not None:
        now = time.time()
        rkey = _rkey(bucket, key)
        pipe = client.pipeline()
        pipe.zadd(rkey, {f"{now}:{uuid.uuid4().hex}": now})
        pipe.expire(rkey, window + 1)
        pipe.execute()
        return
    db.session.execute(
        delete(RateLimitHit).where(
            RateLimitHit.bucket == bucket,
            RateLimitHit.key == key.lower(),
            RateLimitHit.created_at < utcnow() - timedelta(seconds=window),
        )
    )
    db.session.add(RateLimitHit(bucket=bucket, key=key.lower()))
    db.session.flush()
    if has_request_context():
        g.keep_rate_limit_hits = True


def clear(bucket: str, key: str) -> None:
    """Forget every hit of (bucket, key), e.g. after a successful sign-in."""
    client = _redis()
    if client is not None:
        client.delete(_rkey(bucket, key))
        return
    db.session.execute(
        delete(RateLimitHit).where(RateLimitHit.bucket == bucket, RateLimitHit.key == key.lower())
    )


def limit(bucket: str, key: str, max_hits: int, window: int) -> bool:
    """True (and counted) while under max_hits in the window; False once the limit is reached."""
    if count(bucket, key, window) >= max_hits:
        return False
    hit(bucket, key, window)
    return True


def retry_after(bucket: str, key: str, max_hits: int, window: int) -> int:
    """Whole seconds until (bucket, key) is back under max_hits, for a Retry-After header."""
    client = _redis()
    over = count(bucket, key, window) - max_hits
    if over < 0:
        return 0
    if client is not None:
        oldest = client.zrange(_rkey(bucket, key), over, over, withscores=True)
        freed_at = oldest[0][1] + window if oldest else time.time()
        return max(1, math.ceil(freed_at - time.time()))
    since = utcnow() - timedelta(seconds=window)
    oldest = db.session.scalar(
        select(RateLimitHit.created_at)
        .where(RateLimitHit.bucket == bucket, RateLimitHit.key == key.lower())
        .where(RateLimitHit.created_at >= since)
        .order_by(RateLimitHit.created_at)
        .offset(over)
        .limit(1)
    )
    if oldest is None:
        return 1
    freed_at = as_utc(oldest) + timedelta(seconds=window)
    return max(1, math.ceil((freed_at - utcnow()).total_seconds()))


def prune(older_than: int) -> int:
    """Delete database hits older than `older_than` seconds; Redis expires its own."""
    result = db.session.execute(
        delete(RateLimitHit).where(
            RateLimitHit.created_at < utcnow() - timedelta(seconds=older_than)
        )
    )
    return result.rowcount
