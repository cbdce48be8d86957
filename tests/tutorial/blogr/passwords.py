"""Password hashes with the standard library (PBKDF2-SHA256, a random salt per password)."""

from __future__ import annotations

import hashlib
import hmac
import secrets

ROUNDS = 1_000  # low on purpose: this is a test app, and its tests hash many passwords


def hash_password(password: str) -> str:
    """``pbkdf2_sha256$rounds$salt$hash``."""
    salt = secrets.token_hex(8)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt.encode(), ROUNDS).hex()
    return f"pbkdf2_sha256${ROUNDS}${salt}${digest}"


def check_password(stored: str, password: str) -> bool:
    """Whether ``password`` matches a hash made by ``hash_password``."""
    try:
        _, rounds, salt, digest = stored.split("$")
    except ValueError:
        return False
    candidate = hashlib.pbkdf2_hmac("sha256", password.encode(), salt.encode(), int(rounds))
    return hmac.compare_digest(candidate.hex(), digest)
