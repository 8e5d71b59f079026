"""Password hashing with scrypt (memory-hard KDF from the standard library).

Stored form: ``scrypt$<log2 n>$<r>$<p>$<b64 salt>$<b64 hash>``, so the cost can be raised
later: :func:`needs_rehash` tells when a stored hash uses weaker parameters than asked.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from dataclasses import dataclass

_DKLEN = 32
MIN_PASSWORD_LENGTH = 10


@dataclass(frozen=True)
class KdfParams:
    """scrypt cost: ``n = 2**log_n``, block size ``r``, parallelism ``p``."""

    log_n: int = 15
    r: int = 8
    p: int = 1

    @property
    def maxmem(self) -> int:
        return 2 * 128 * self.r * (2**self.log_n) + 1024 * 1024


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text + "=" * (-len(text) % 4))


def hash_password(password: str, params: KdfParams) -> str:
    """A fresh salted scrypt hash of ``password``."""
    salt = os.urandom(16)
    digest = hashlib.scrypt(
        password.encode(),
        salt=salt,
        n=2**params.log_n,
        r=params.r,
        p=params.p,
        maxmem=params.maxmem,
        dklen=_DKLEN,
    )
    return f"scrypt${params.log_n}${params.r}${params.p}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, stored: str) -> bool:
    """Constant-time check of ``password`` against a stored hash (False if malformed)."""
    try:
        scheme, log_n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        params = KdfParams(int(log_n), int(r), int(p))
        candidate = hashlib.scrypt(
            password.encode(),
            salt=_unb64(salt),
            n=2**params.log_n,
            r=params.r,
            p=params.p,
            maxmem=params.maxmem,
            dklen=_DKLEN,
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(candidate, _unb64(digest))


def needs_rehash(stored: str, params: KdfParams) -> bool:
    """True when ``stored`` was made with other parameters than ``params``."""
    parts = stored.split("$")
    return len(parts) != 6 or parts[1:4] != [str(params.log_n), str(params.r), str(params.p)]


def check_password_policy(password: str, email: str) -> str | None:
    """Why ``password`` is unacceptable, or None when it is fine."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"the password needs at least {MIN_PASSWORD_LENGTH} characters"
    if password.lower() == email.lower() or password.lower() in email.lower():
        return "the password must not contain the email address"
    return None
