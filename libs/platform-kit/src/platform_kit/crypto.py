"""Envelope encryption for secrets at rest (architecture §5).

Each secret gets a fresh 256-bit data key; the data key is wrapped with the current key
encryption key (KEK, AES-GCM) and stored beside the ciphertext. Ciphertext format (text):
``v1.<kek id>.<b64 wrapped dek>.<b64 nonce+ciphertext>``. Rotation re-wraps the data key
with the new primary KEK without touching the ciphertext.

Keys come from ``RESTOCK_ENCRYPTION_KEYS`` (``kid:base64,kid:base64``; the first is
primary) or from ``<keys dir>/encryption.keys`` (same format, one per line).
"""

from __future__ import annotations

import base64
import os
import secrets as pysecrets
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM


class DecryptionError(ValueError):
    """Ciphertext is malformed, tampered with, or its key is unknown."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class KeyRing:
    """Key encryption keys by id; the first one encrypts, all of them decrypt."""

    def __init__(self, keys: list[tuple[str, bytes]]) -> None:
        if not keys:
            raise ValueError("a key ring needs at least one key")
        for kid, key in keys:
            if len(key) != 32 or "." in kid:
                raise ValueError(f"key {kid!r} must be 32 bytes and its id must not contain '.'")
        self._keys = dict(keys)
        self.primary_id = keys[0][0]

    @classmethod
    def parse(cls, spec: str) -> KeyRing:
        pairs = []
        for item in spec.replace("\n", ",").split(","):
            item = item.strip()
            if item:
                kid, _, b64 = item.partition(":")
                pairs.append((kid.strip(), _unb64(b64.strip())))
        return cls(pairs)

    @classmethod
    def load(cls, keys_dir: Path) -> KeyRing:
        """From the environment, else from ``keys_dir/encryption.keys`` (created for dev)."""
        spec = os.environ.get("RESTOCK_ENCRYPTION_KEYS")
        if spec:
            return cls.parse(spec)
        path = keys_dir / "encryption.keys"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(
                f"k{pysecrets.token_hex(4)}:{_b64(AESGCM.generate_key(bit_length=256))}\n"
            )
            path.chmod(0o600)
        return cls.parse(path.read_text())

    def encrypt(self, plaintext: str, aad: str = "") -> str:
        dek = AESGCM.generate_key(bit_length=256)
        nonce = os.urandom(12)
        body = AESGCM(dek).encrypt(nonce, plaintext.encode(), aad.encode())
        return ".".join(
            ("v1", self.primary_id, self._wrap(self.primary_id, dek), _b64(nonce + body))
        )

    def decrypt(self, token: str, aad: str = "") -> str:
        try:
            version, kid, wrapped, blob = token.split(".")
            if version != "v1":
                raise DecryptionError("unknown ciphertext version")
            dek = self._unwrap(kid, wrapped)
            raw = _unb64(blob)
            return AESGCM(dek).decrypt(raw[:12], raw[12:], aad.encode()).decode()
        except DecryptionError:
            raise
        except Exception as exc:
            raise DecryptionError("cannot decrypt secret") from exc

    def rewrap(self, token: str) -> str:
        """Same ciphertext, data key wrapped with the current primary key."""
        version, kid, wrapped, blob = token.split(".")
        dek = self._unwrap(kid, wrapped)
        return ".".join((version, self.primary_id, self._wrap(self.primary_id, dek), blob))

    def _wrap(self, kid: str, dek: bytes) -> str:
        nonce = os.urandom(12)
        return _b64(nonce + AESGCM(self._keys[kid]).encrypt(nonce, dek, kid.encode()))

    def _unwrap(self, kid: str, wrapped: str) -> bytes:
        key = self._keys.get(kid)
        if key is None:
            raise DecryptionError(f"unknown key id {kid!r}")
        raw = _unb64(wrapped)
        return AESGCM(key).decrypt(raw[:12], raw[12:], kid.encode())


def new_key_spec(kid: str | None = None) -> str:
    """A fresh ``kid:base64`` key entry (for the rotation command)."""
    return f"{kid or 'k' + pysecrets.token_hex(4)}:{_b64(AESGCM.generate_key(bit_length=256))}"


def add_primary_key(keys_dir: Path) -> str:
    """Prepend a new primary key to ``keys_dir/encryption.keys``; returns its id.

    Old keys stay so existing ciphertexts still decrypt until they are re-wrapped.
    """
    if os.environ.get("RESTOCK_ENCRYPTION_KEYS"):
        raise RuntimeError("keys come from RESTOCK_ENCRYPTION_KEYS: add the new key there")
    path = keys_dir / "encryption.keys"
    existing = path.read_text() if path.exists() else ""
    entry = new_key_spec()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(entry + "\n" + existing)
    path.chmod(0o600)
    return entry.split(":", 1)[0]
