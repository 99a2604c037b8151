"""How forcebridge words what it says on pages and on the command line: counts with their
nouns, and messages made sentences, so two shown one after the other never read as one."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence


def plural(count: int, noun: str) -> str:
    """ "1 change", "2 changes", "1,440 changes"."""
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def capitalised(text: str, typed: Iterable[str] = ()) -> str:
    """`text` with a capital first letter, unless it starts with a name or an address, or with
    one of the `typed` values it names as they were typed (a whole word of it: "c" typed is
    not the start of "connection"), which stay spelled as they are."""
    first = text.split(" ", 1)[0]
    if "://" in first or not first.isalpha() or any(_starts(text, v) for v in typed):
        return text
    return text[:1].upper() + text[1:]


def _starts(text: str, word: str) -> bool:
    return bool(word) and text.startswith(word) and not text[len(word) : len(word) + 1].isalnum()


def sentence(text: str, typed: Iterable[str] = ()) -> str:
    """`text` as a sentence of its own: capitalised (`typed` as `capitalised` takes it), and
    ending with a full stop."""
    text = capitalised(text.strip(), typed)
    return text if text.endswith((".", "!", "?")) else f"{text}."


QUOTED_AT_MOST = 40
"""How many characters of a typed value a message quotes: a field name's worth."""


def quoted(value: str) -> str:
    """A typed value as a message quotes it: whole when short, else its start and its length,
    so a 5,000-character name says it is long in a line instead of filling the page."""
    if len(value) <= QUOTED_AT_MOST:
        return repr(value)
    return f"{value[:QUOTED_AT_MOST]!r}... ({len(value):,} characters)"


SHORTENED_TO = 100
"""How many characters of a reason a one-line summary keeps (a list of runs)."""


def shortened(text: str, at_most: int = SHORTENED_TO) -> str:
    """`text` on one line, cut after its last whole word that fits in `at_most` characters
    (with "..." after it) when it is longer: a reason of many lines summed up in a list."""
    text = " ".join(text.split())
    if len(text) <= at_most:
        return text
    cut = text[: at_most - 3]
    return (cut.rsplit(" ", 1)[0] if " " in cut else cut).rstrip(" ,;:") + "..."


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


def when_due(at: dt.datetime, now: dt.datetime) -> str:
    """When something scheduled for `at` runs, as a person reads it at `now`: "due now" once
    its time has come (not a moment past, which reads as something missed), else how long it
    is to wait and the time in UTC ("in 4 min (07:08 UTC)", "in 2 h 5 min (09:13 UTC)"), and
    from a day away its date ("on 2026-12-09 07:08 UTC").

    Both are read as clocks are, to the minute begun: the wait is the minutes from the clock
    the reader sees now to the one shown (at 08:24:35, a run at 08:27:56 is "in 3 min (08:27
    UTC)", never "in 4 min" with a clock saying 08:27); less than that is "in under 1 min"."""
    if at <= now:
        return "due now"
    utc = at.astimezone(dt.UTC)
    minutes = (_minute_begun(at) - _minute_begun(now)) // dt.timedelta(minutes=1)
    if minutes >= 24 * 60:
        return f"on {utc:%Y-%m-%d %H:%M} UTC"
    hours, minutes = divmod(minutes, 60)
    wait = " ".join([f"{hours} h"] * bool(hours) + [f"{minutes} min"] * bool(minutes))
    return f"in {wait or 'under 1 min'} ({utc:%H:%M} UTC)"


def _minute_begun(moment: dt.datetime) -> dt.datetime:
    return moment.replace(second=0, microsecond=0)
