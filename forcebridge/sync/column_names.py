"""A file's column name the reader does not know, answered with the known one it is likeliest
a misspelling of: one answer for every CSV reader, so `sentat` and `Company Websit` are met
alike."""

from __future__ import annotations

import difflib
from collections.abc import Sequence


def folded(cell: str) -> str:
    """A header cell lower-cased, its words joined by underscores (`Company Websit` is
    `company_websit`), as forcebridge's columns are spelled."""
    return "_".join(cell.lower().replace("-", " ").split())


def did_you_mean(name: str, known: Sequence[str]) -> str:
    """` (did you mean 'sent_at'?)` after an unknown `name`, naming the nearest of `known`;
    empty when none is near enough to be a misspelling."""
    near = difflib.get_close_matches(folded(name), known, n=1, cutoff=0.75)
    return f" (did you mean {near[0]!r}?)" if near else ""
