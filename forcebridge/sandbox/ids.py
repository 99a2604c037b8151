"""Salesforce record ids: a 15-character case-sensitive body and its 3-character checksum.

The body is the object's key prefix and twelve base-62 characters. The checksum makes the id
safe in case-insensitive places: for each 5-character chunk of the body, bit i is set when
character i is an upper-case letter, and the 5-bit number picks a character of
`ABCDEFGHIJKLMNOPQRSTUVWXYZ012345`. Because the checksum records where the capitals are, an
18-character id read back in the wrong case still names exactly one record.
"""

from __future__ import annotations

import secrets
import string

BASE62 = string.digits + string.ascii_uppercase + string.ascii_lowercase
CHECKSUM_ALPHABET = string.ascii_uppercase + "012345"
_BODY_CHARS = frozenset(BASE62)
_COUNTER_WIDTH = 12

QUERY_LOCATOR_PREFIX = "01g"


def checksum(body: str) -> str:
    """The 3-character suffix of a 15-character body."""
    suffix = []
    for chunk in (body[0:5], body[5:10], body[10:15]):
        bits = sum(1 << i for i, char in enumerate(chunk) if "A" <= char <= "Z")
        suffix.append(CHECKSUM_ALPHABET[bits])
    return "".join(suffix)


def make_id(key_prefix: str, counter: int) -> str:
    """The 18-character id of the `counter`-th record with this key prefix (counter >= 0)."""
    digits = []
    while counter:
        counter, rest = divmod(counter, 62)
        digits.append(BASE62[rest])
    tail = "".join(reversed(digits)).rjust(_COUNTER_WIDTH, "0")
    if len(tail) > _COUNTER_WIDTH:
        raise OverflowError(f"no more ids for key prefix {key_prefix}")
    body = key_prefix + tail
    return body + checksum(body)


def random_id(key_prefix: str) -> str:
    """An 18-character id with a random body, for things that must not be guessed (cursors)."""
    body = key_prefix + "".join(secrets.choice(BASE62) for _ in range(_COUNTER_WIDTH))
    return body + checksum(body)


def normalize(value: str) -> str | None:
    """The canonical 18-character form of a 15- or 18-character id, or None if malformed.

    An 18-character id is accepted in any letter case (the checksum restores the case of the
    body), as Salesforce accepts it.
    """
    if len(value) == 15:
        body = value
        if not _BODY_CHARS.issuperset(body):
            return None
        return body + checksum(body)
    if len(value) != 18:
        return None
    body, suffix = value[:15], value[15:].upper()
    if not _BODY_CHARS.issuperset(body) or not set(CHECKSUM_ALPHABET).issuperset(suffix):
        return None
    restored = _restore_case(body, suffix)
    return restored + suffix if checksum(restored) == suffix else None


def key_prefix(record_id: str) -> str:
    return record_id[:3]


def _restore_case(body: str, suffix: str) -> str:
    chars = list(body)
    for chunk, code in enumerate(suffix):
        bits = CHECKSUM_ALPHABET.index(code)
        for i in range(5):
            position = chunk * 5 + i
            upper = bool(bits & (1 << i))
            char = chars[position]
            if char.isalpha():
                chars[position] = char.upper() if upper else char.lower()
    return "".join(chars)
