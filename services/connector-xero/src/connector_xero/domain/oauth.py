"""OAuth helpers that need no I/O: state hashing and reading access-token claims."""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any


def state_hash(state: str) -> str:
    """Stored key of an OAuth ``state`` (the clear value only travels in the redirect)."""
    return hashlib.sha256(state.encode()).hexdigest()


def token_claims(access_token: str) -> dict[str, Any]:
    """Claims of Xero's JWT access token, unverified.

    Used only to read ``authentication_event_id`` / ``xero_userid`` from a token the
    connector just received from the token endpoint over TLS; never for authorisation.
    """
    try:
        body = access_token.split(".")[1]
        data: Any = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    except (IndexError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}
