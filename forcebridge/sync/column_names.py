"""A CSV header's column names as every reader takes them (prospects for `export`, `contacts
import`, `messages import`): read by one rule, whatever the case and however the words are
separated, if at all (`E-Mail`, `e mail` and `EMAIL` are `email`; `Sent At` and `sentat` are
`sent_at`); one it does not know answered with the known one it is likeliest a misspelling of,
one named twice refused in the same words, so `sentat`, `E-Mail` and `Company Websit` are met
alike whichever file they head."""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence


def folded(cell: str) -> str:
    """A header cell lower-cased, its words joined by underscores (`Company Websit` is
    `company_websit`), as forcebridge's columns are spelled."""
    return "_".join(cell.lower().replace("-", " ").split())


def column_name(cell: str, known: Sequence[str]) -> str:
    """The column of `known` a header cell names, ignoring case, spaces, hyphens and
    underscores; else the cell as the file writes it (trimmed), so that what refuses it quotes
    what the user sees, and an empty cell empty. A cell spelling one known name exactly
    (`mobilephone`, a custom field beside `mobile_phone`) names that one; one whose letters
    alone match two names none."""
    name = folded(cell)
    if name in known:
        return name
    letters = name.replace("_", "")
    spelled = [known_name for known_name in known if known_name.replace("_", "") == letters]
    return spelled[0] if letters and len(spelled) == 1 else cell.strip()


def did_you_mean(
    name: str, known: Sequence[str], spellings: Mapping[str, str] | None = None
) -> str:
    """` (did you mean 'sent_at'?)` after an unknown `name`, naming the nearest of `known`;
    empty when none is near enough to be a misspelling. `spellings` are other names of known
    columns, by their letters (`letters`): `Company`, as a Salesforce export heads the column
    forcebridge calls `company_name`, is answered with that one though no letter of it is
    wrong."""
    other = (spellings or {}).get(letters(name))
    if other is not None:
        return f" (did you mean {other!r}?)"
    near = difflib.get_close_matches(folded(name), known, n=1, cutoff=0.75)
    return f" (did you mean {near[0]!r}?)" if near else ""


def letters(name: str) -> str:
    """A name's letters and digits alone, lower-cased: `Account.Name` and `account name` are
    `accountname`."""
    return "".join(character for character in name.lower() if character.isalnum())


def unknown_columns(names: Sequence[str], known: Sequence[str]) -> str:
    """Why a header naming columns not in `known` is refused, each with the known one it may be
    a misspelling of (`unknown column 'sentat' (did you mean 'sent_at'?); the columns are:
    ...`); empty when it names none (an empty cell names no column)."""
    unknown = list(dict.fromkeys(name for name in names if name and name not in known))
    if not unknown:
        return ""
    named = ", ".join(f"{name!r}{did_you_mean(name, known)}" for name in unknown)
    return (
        f"unknown column{'s' if len(unknown) > 1 else ''} {named}; the columns are: "
        f"{', '.join(known)}"
    )


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
