"""Secrets at rest (tokens, client secrets): AES-256-GCM, each value naming the key that sealed it.

Why not Fernet: MultiFernet finds the key by trying each one in turn, so a value that no
configured key opens looks the same as a tampered one. Here every value carries its key id
(`v1:<key id>:<base64 nonce + ciphertext>`), so decryption picks its key at once and a missing
key is reported as exactly that. Rotating is: make the new secret current, keep the old one
among the retired secrets until what it sealed has been rewritten (`sealed_keys.reseal_secrets`,
`forcebridge secrets reseal`; a refresh rewrites only access tokens); new values are always
sealed with the current key.

The AES key is derived from the configured secret with HKDF under a purpose label, so the same
secret can later serve other purposes (signing cookies) without reusing key material.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from forcebridge.store.errors import EncryptionError

MIN_SECRET_LENGTH = 32
_VERSION = "v1"
_PURPOSE = b"forcebridge/store/secrets-at-rest"
_NONCE_BYTES = 12


@dataclass(frozen=True)
class _Key:
    key_id: str
    aead: AESGCM


@dataclass(frozen=True)
class KeyFile:
    """The file in the data folder a keyring's current key was read from."""

    path: Path
    generated: bool
    """Made just now, the folder holding none: it cannot open what an earlier key sealed."""


def secret_problem(secret: str) -> str | None:
    """Why `secret` cannot be a key, or None."""
    if len(secret) < MIN_SECRET_LENGTH:
        return (
            f"the secret key has {len(secret)} characters; use at least {MIN_SECRET_LENGTH} "
            "random ones (e.g. python -c 'import secrets; print(secrets.token_urlsafe(32))')"
        )
    return None


def derived_key(secret: str, purpose: bytes) -> bytes:
    """32 bytes for `purpose`, derived from (never equal to) `secret` with HKDF: one secret
    serves several purposes without any two sharing key material."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(
        secret.encode()
    )


def _derive(secret: str) -> _Key:
    problem = secret_problem(secret)
    if problem is not None:
        raise EncryptionError(problem)
    key = derived_key(secret, _PURPOSE)
    return _Key(key_id=hashlib.sha256(key).hexdigest()[:12], aead=AESGCM(key))


def _with_whitespace_variants(keys: Iterable[str]) -> list[str]:
    """Each key trimmed, followed by the key as given where that differs."""
    return [variant for key in keys for variant in dict.fromkeys((key.strip(), key))]


class Keyring:
    """Seals with the current key; opens anything sealed by the current or a retired key.

    Whitespace around a key is not part of it: a key pasted with a trailing space, or read
    from a secrets file with its final newline, is the same key as without. Such a key, as
    given, still opens what it sealed before (when it counted as a key of its own), so that
    nothing stored is lost; `sealed_keys.reseal_secrets` moves those values to the key proper.
    """

    def __init__(
        self, current: str, retired: Iterable[str] = (), *, key_file: KeyFile | None = None
    ) -> None:
        given = [current, *retired]
        self.key_file = key_file
        """Where the current key was read, when from the data folder rather than a setting."""
        self._current = _derive(current.strip())
        self._keys = {key.key_id: key for key in map(_derive, _with_whitespace_variants(given))}
        self._keys[self._current.key_id] = self._current

    @property
    def key_id(self) -> str:
        """The id new values are sealed under (a fingerprint, safe to show)."""
        return self._current.key_id

    @property
    def key_ids(self) -> frozenset[str]:
        """The ids of every key this keyring opens with, current and retired."""
        return frozenset(self._keys)

    def encrypt(self, plaintext: str) -> str:
        header = f"{_VERSION}:{self._current.key_id}"
        nonce = os.urandom(_NONCE_BYTES)
        sealed = self._current.aead.encrypt(nonce, plaintext.encode(), header.encode())
        return f"{header}:{base64.urlsafe_b64encode(nonce + sealed).decode()}"

    def decrypt(self, value: str) -> str:
        key_id = sealing_key_id(value)
        if key_id is None:
            raise EncryptionError(
                f"the stored value is not a secret sealed by forcebridge "
                f"(expected '{_VERSION}:<key id>:<data>')"
            )
        version, _, body = value.split(":", 2)
        key = self._keys.get(key_id)
        if key is None:
            raise EncryptionError(
                f"this secret was sealed with key {key_id}, which is not configured (the current "
                f"key is {self._current.key_id}): set FORCEBRIDGE_SECRET_KEY to the key it was "
                "sealed with, or list that key in FORCEBRIDGE_RETIRED_SECRET_KEYS"
            )
        try:
            raw = base64.urlsafe_b64decode(body.encode())
            plaintext = key.aead.decrypt(
                raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], f"{version}:{key_id}".encode()
            )
        except (InvalidTag, binascii.Error, ValueError) as exc:
            raise EncryptionError(
                f"a secret sealed with key {key_id} fails its integrity check: "
                "the stored value was altered or truncated"
            ) from exc
        return plaintext.decode()


def sealing_key_id(value: str) -> str | None:
    """The id of the key `value` was sealed with (read from its header, nothing decrypted), or
    None for a value not sealed by forcebridge."""
    version, _, rest = value.partition(":")
    key_id, _, body = rest.partition(":")
    return key_id if version == _VERSION and key_id and body else None
