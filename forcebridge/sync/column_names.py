"""A CSV header's column names as every reader takes them: read leniently (`Sent At` is
`sent_at`), one it does not know answered with the known one it is likeliest a misspelling of,
one named twice refused in the same words, so `sentat` and `Company Websit` are met alike."""

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


def named_twice(cells: Sequence[str], names: Sequence[str]) -> str:
    """Why a header whose `cells` name a column (`names`, as read) more than once is refused
    (`the header names email ('email', 'E-mail') more than once: keep one column each`), empty
    when it names each once: reading one of the two would drop the other's values unsaid."""
    repeated = sorted({name for name in names if name and names.count(name) > 1})
    spelled = list(zip(cells, names, strict=True))
    named = "; ".join(
        f"{name} ({', '.join(repr(cell.strip()) for cell, n in spelled if n == name)})"
        for name in repeated
    )
    return f"the header names {named} more than once: keep one column each" if named else ""
