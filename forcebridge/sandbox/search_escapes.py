"""SOSL's reserved characters: which a search term must escape, and what an escaped one means.

Salesforce's SOSL guide ("FIND {SearchQuery}", Reserved Characters) reserves
`? & | ! { } [ ] ( ) ^ ~ * : \\ " ' + -`: inside the braces each must be preceded by a backslash
to be read as itself, quoted phrase or not, and one that is not is an error. Five of them mean
something bare (`*` and `?` are wildcards, `"` quotes a phrase, `(` and `)` group, and `\\`
escapes), so only the others are refused bare, with the lexer error Salesforce answers,
MALFORMED_SEARCH "line 1:11 mismatched character '-' expecting '}'" (the line, and the column
counted from 0).

An escaped reserved character is one character of the text searched for. Each of them is
punctuation, which the search index splits words at, so `\\-` in `Marie\\-Pier` makes the phrase
"marie pier", and an escaped wildcard is no wildcard: `FIND {Why not\\?}` looks for the words
"why" and "not", not for "not" and one more letter. The term parser reads every escape as the
bare character, so an escaped wildcard is handed to it as an escaped hyphen, which it splits
words at in the same way.
"""

from __future__ import annotations

import dataclasses
import re

from forcebridge.sandbox.errors import ApiError
from forcebridge.soql.search import MalformedSearch, Search, parse_search

RESERVED = frozenset("?&|!{}[]()^~*:\\\"'+-")
MEANINGFUL = frozenset('*?"()\\')
"""The reserved characters that do something used bare."""
MUST_ESCAPE = RESERVED - MEANINGFUL

_TERM_START = re.compile(r"\s*FIND\s*\{", re.IGNORECASE)


def parse_escaped(sosl: str) -> Search:
    """`sosl` parsed as Salesforce reads it: an unescaped reserved character in the term is
    refused (`ApiError`), an escaped wildcard is a literal one; other errors are the parser's
    `MalformedSearch`, worded on `sosl` as given."""
    start = _TERM_START.match(sosl)
    if start is None:
        return parse_search(sosl)
    read = _read_term(sosl, start.end())
    try:
        search = parse_search(read)
    except MalformedSearch as error:
        raise MalformedSearch(sosl, error.pos, error.detail) from None
    return dataclasses.replace(search, text=sosl)


def escape(text: str) -> str:
    """`text` as a search term that means what it says, but for its wildcards, quotes,
    parentheses and operators: each other reserved character, and the backslash, escaped."""
    return "".join(f"\\{c}" if c in MUST_ESCAPE or c == "\\" else c for c in text)


def _read_term(sosl: str, position: int) -> str:
    """`sosl` with its term, from `position` to the closing brace, checked for reserved
    characters left bare, and its escaped wildcards made escaped hyphens (same length, so
    every position the parser reports still points into `sosl`)."""
    read = list(sosl)
    while position < len(sosl) and sosl[position] != "}":
        character = sosl[position]
        if character == "\\" and position + 1 < len(sosl):
            if sosl[position + 1] in "*?":
                read[position + 1] = "-"
            position += 2
            continue
        if character in MUST_ESCAPE:
            raise _unescaped(sosl, position)
        position += 1
    return "".join(read)


def _unescaped(sosl: str, position: int) -> ApiError:
    """Salesforce's MALFORMED_SEARCH for a reserved character left bare: its line, a caret
    under the character, and the row and column (from 0) it stands at."""
    line_start = sosl.rfind("\n", 0, position) + 1
    line_end = sosl.find("\n", position)
    line = sosl[line_start : line_end if line_end >= 0 else len(sosl)]
    row = sosl.count("\n", 0, position) + 1
    column = position - line_start
    message = (
        f"\n{line}\n{' ' * column}^\nERROR at Row:{row}:Column:{column}\n"
        f"line {row}:{column} mismatched character '{sosl[position]}' expecting '}}'"
    )
    return ApiError(400, "MALFORMED_SEARCH", message)
