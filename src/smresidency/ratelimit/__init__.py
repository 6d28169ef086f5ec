"""Rate limits whose counts every worker shares: the database by default, Redis when set.

`limit(bucket, key, max_hits, window)` answers "may this go ahead?" and counts the hit.
"""

from smresidency.ratelimit.store import clear, count, hit, limit, retry_after

__all__ = ["clear", "count", "hit", "limit", "retry_after"]
