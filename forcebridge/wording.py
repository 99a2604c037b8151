"""How forcebridge words what it says on pages and on the command line: counts with their
nouns, and messages made sentences, so two shown one after the other never read as one."""

from __future__ import annotations

from collections.abc import Sequence


def plural(count: int, noun: str) -> str:
    """ "1 change", "2 changes", "1,440 changes"."""
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def capitalised(text: str) -> str:
    """`text` with a capital first letter, unless it starts with a name or an address, which
    stay spelled as they are."""
    first = text.split(" ", 1)[0]
    if "://" in first or not first.isalpha():
        return text
    return text[:1].upper() + text[1:]


def sentence(text: str) -> str:
    """`text` as a sentence of its own: capitalised, and ending with a full stop."""
    text = capitalised(text.strip())
    return text if text.endswith((".", "!", "?")) else f"{text}."


QUOTED_AT_MOST = 40
"""How many characters of a typed value a message quotes: a field name's worth."""


def quoted(value: str) -> str:
    """A typed value as a message quotes it: whole when short, else its start and its length,
    so a 5,000-character name says it is long in a line instead of filling the page."""
    if len(value) <= QUOTED_AT_MOST:
        return repr(value)
    return f"{value[:QUOTED_AT_MOST]!r}... ({len(value):,} characters)"


def listed(names: Sequence[str]) -> str:
    """ "a", "a and b", "a, b and c"."""
    if len(names) < 2:
        return "".join(names)
    return f"{', '.join(names[:-1])} and {names[-1]}"


def json_kind(value: object) -> str:
    """What JSON calls the kind of `value`, for a problem that names it as the file or the
    request spells it ("not a number", not Python's "not int")."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return "a list" if isinstance(value, list) else "an object"
