"""Password hashing (argon2id) and the NIST SP 800-63B policy: length and a blocklist."""

from functools import cache
from importlib import resources

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

MIN_LENGTH = 12
MAX_LENGTH = 128


@cache
def common_passwords() -> frozenset[str]:
    """The shipped blocklist, read once per process."""
    text = resources.files("smresidency.auth").joinpath("common_passwords.txt").read_text()
    return frozenset(line.strip().lower() for line in text.splitlines() if line.strip())


def _hasher() -> PasswordHasher:
    """argon2id with the configured cost; the defaults are OWASP's m=19 MiB, t=2, p=1.

    19 MiB per check keeps a worker's peak memory low; tests configure a cheaper cost.
    """
    cfg = current_app.config
    return PasswordHasher(
        time_cost=cfg.get("ARGON2_TIME_COST", 2),
        memory_cost=cfg.get("ARGON2_MEMORY_COST", 19456),
        parallelism=cfg.get("ARGON2_PARALLELISM", 1),
    )


def hash_password(password: str) -> str:
    """An argon2id hash with a fresh salt."""
    return _hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """True when the password matches; never raises for a wrong password or a broken hash."""
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with other cost parameters than today's."""
    return _hasher().check_needs_rehash(password_hash)


def password_problems(password: str, *context: str) -> list[str]:
    """Reasons to refuse a new password; no composition rules, as NIST advises."""
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(f"Use at least {MIN_LENGTH} characters.")
    if len(password) > MAX_LENGTH:
        problems.append(f"Use at most {MAX_LENGTH} characters.")
    lowered = password.lower()
    if lowered in common_passwords():
        problems.append("This password is on a list of commonly used passwords. Choose another.")
    elif len(set(lowered)) <= 2:
        problems.append("This password repeats too few characters. Choose another.")
    for word in context:
        word = (word or "").lower().strip()
        if len(word) >= 4 and word == lowered:
            problems.append("Do not use your name or e-mail address as your password.")
            break
    return problems
