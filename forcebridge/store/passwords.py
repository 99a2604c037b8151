"""Admin passwords, kept only as salted scrypt hashes that record their own cost parameters.

Recording the parameters in each hash lets the cost be raised later without invalidating the
passwords already stored.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os

_SCHEME = "scrypt"
_N, _R, _P = 2**14, 8, 1
_SALT_BYTES = 16
_HASH_BYTES = 32


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def hash_password(password: str) -> str:
    """`scrypt$N$r$p$salt$hash`, with a fresh random salt."""
    salt = os.urandom(_SALT_BYTES)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=_HASH_BYTES)
    return f"{_SCHEME}${_N}${_R}${_P}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, encoded: str) -> bool:
    """Whether `password` is the one `encoded` was made from; False for any malformed hash."""
    try:
        scheme, n, r, p, salt, expected = encoded.split("$")
        if scheme != _SCHEME:
            return False
        expected_bytes = base64.b64decode(expected)
        digest = hashlib.scrypt(
            password.encode(),
            salt=base64.b64decode(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            dklen=len(expected_bytes),
        )
    except ValueError:
        return False
    return hmac.compare_digest(digest, expected_bytes)
