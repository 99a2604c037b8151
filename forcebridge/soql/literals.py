r"""How SOQL spells names and values: the one place the parser and the builder agree on it.

Strings use Salesforce's backslash escapes: `\n \r \t \b \f` (in either case), `\" \' \\`
and `\uXXXX`. `\%` and `\_` are only allowed in a LIKE pattern, and there the
value keeps them: a LIKE pattern's text follows SQL's `LIKE ... ESCAPE '\'`, where `%` matches
any run of characters, `_` any one character, and a backslash makes the next `%`, `_` or
backslash literal. So `Name LIKE 'Ter\%%'` parses to the pattern `Ter\%%` (starts with
`Ter%`), and a pattern built from user text with `escape_like` matches that text exactly.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

RESERVED_WORDS = frozenset(
    {
        "AND", "ASC", "DESC", "EXCLUDES", "FIRST", "FROM", "HAVING", "IN", "INCLUDES", "LAST",
        "LIKE", "LIMIT", "NOT", "NULL", "NULLS", "OR", "SELECT", "WHERE", "WITH",
    }
)  # fmt: skip
"""Words SOQL never reads as a name (GROUP is reserved too, but `Group` is also an object)."""

_IDENTIFIER = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
_UNESCAPES = {"n": "\n", "r": "\r", "t": "\t", "b": "\b", "f": "\f", '"': '"', "'": "'"}
_ESCAPES = {
    "\\": "\\\\",
    "'": "\\'",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "\b": "\\b",
    "\f": "\\f",
}
_LIKE_ESCAPABLE = "%_\\"
_HEX4 = re.compile(r"[0-9A-Fa-f]{4}")
_DATETIME = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:(Z)|([+-])(\d{2}):?(\d{2}))",
    re.IGNORECASE,
)


class EscapeError(ValueError):
    """A backslash sequence SOQL does not allow, at `offset` within the literal's body."""

    def __init__(self, offset: int, detail: str) -> None:
        super().__init__(detail)
        self.offset = offset
        self.detail = detail


def is_identifier(name: str) -> bool:
    """Whether `name` can stand as an object, field, relationship or alias name."""
    return _IDENTIFIER.fullmatch(name) is not None and name.upper() not in RESERVED_WORDS


def identifier(name: str) -> str:
    """`name`, or ValueError when it could not stand in a query as a name."""
    if not is_identifier(name):
        raise ValueError(f"{name!r} is not a SOQL name")
    return name


def row_count(clause: str, n: int) -> int:
    """`n`, or ValueError when it is not a row count LIMIT or OFFSET can take."""
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise ValueError(f"{clause} takes a whole number of rows, not {n!r}")
    return n


def decode_string(body: str, *, like: bool) -> str:
    r"""The value of a string literal whose text between the quotes is `body`.

    With `like`, `\%`, `\_` and `\\` stay escaped so the pattern keeps them literal.
    """
    if "\\" not in body:
        return body
    out: list[str] = []
    i = 0
    while i < len(body):
        char = body[i]
        if char != "\\":
            out.append(char)
            i += 1
            continue
        sequence = body[i : i + 2]
        escaped = sequence[1:]
        if not escaped:
            raise EscapeError(i, "A string literal cannot end with a lone backslash")
        if like and escaped in _LIKE_ESCAPABLE:
            out.append(sequence)
        elif escaped == "\\":
            out.append("\\")
        elif escaped.lower() in _UNESCAPES:
            out.append(_UNESCAPES[escaped.lower()])
        elif escaped == "u" and _HEX4.fullmatch(body[i + 2 : i + 6]):
            out.append(chr(int(body[i + 2 : i + 6], 16)))
            i += 4
        else:
            hint = " (only a LIKE pattern may escape '%' and '_')" if escaped in "%_" else ""
            raise EscapeError(i, f"Illegal character sequence '{sequence}' in string literal{hint}")
        i += 2
    return "".join(out)


def encode_string(value: str) -> str:
    """`value` as a quoted SOQL literal that reads back as exactly `value`."""
    return "'" + "".join(_escape_char(char) for char in value) + "'"


def encode_like(pattern: str) -> str:
    """A LIKE pattern (see the module docstring) as a quoted SOQL literal."""
    out: list[str] = []
    chars = iter(pattern)
    for char in chars:
        if char == "\\":
            escaped = next(chars, "")
            if not escaped or escaped not in _LIKE_ESCAPABLE:
                raise ValueError(
                    f"LIKE pattern {pattern!r}: a backslash must precede %, _ or a backslash"
                )
            out.append("\\" + escaped)
        else:
            out.append(_escape_char(char))
    return "'" + "".join(out) + "'"


def escape_like(text: str) -> str:
    """`text` as a LIKE pattern that matches exactly `text` (wrap it in `%` to search)."""
    return "".join("\\" + char if char in _LIKE_ESCAPABLE else char for char in text)


def _escape_char(char: str) -> str:
    if char in _ESCAPES:
        return _ESCAPES[char]
    if char < " " or char == "\x7f":
        return f"\\u{ord(char):04x}"
    return char


def format_number(value: Decimal) -> str:
    """Plain decimal notation: SOQL has no exponents."""
    if not value.is_finite():
        raise ValueError(f"SOQL numbers are finite, not {value}")
    return format(value, "f")


def parse_datetime(text: str) -> dt.datetime:
    """A SOQL datetime (`Z`, `+hh:mm` or `+hhmm`, optional fraction) as an aware UTC datetime."""
    match = _DATETIME.fullmatch(text)
    if match is None:
        raise ValueError(f"not a SOQL datetime: {text}")
    year, month, day, hour, minute, second = (int(part) for part in match.group(1, 2, 3, 4, 5, 6))
    micro = int((match.group(7) or "")[:6].ljust(6, "0"))
    offset = dt.timedelta()
    if match.group(8) is None:
        sign = 1 if match.group(9) == "+" else -1
        offset = sign * dt.timedelta(hours=int(match.group(10)), minutes=int(match.group(11)))
    zone = dt.timezone(offset)
    return dt.datetime(year, month, day, hour, minute, second, micro, zone).astimezone(dt.UTC)


def format_datetime(value: dt.datetime) -> str:
    """UTC with milliseconds, `2024-11-07T07:00:00.000Z`; microseconds only when present."""
    if value.tzinfo is None:
        raise ValueError(f"SOQL datetimes need a time zone: {value.isoformat()}")
    utc = value.astimezone(dt.UTC)
    fraction = f"{utc.microsecond:06d}"
    if fraction.endswith("000"):
        fraction = fraction[:3]
    return (
        f"{utc.year:04d}-{utc.month:02d}-{utc.day:02d}"
        f"T{utc.hour:02d}:{utc.minute:02d}:{utc.second:02d}.{fraction}Z"
    )
