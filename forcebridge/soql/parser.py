"""SOQL text to the typed syntax tree, with Salesforce's MALFORMED_QUERY errors.

The tree is built by `tree_builder`, imported on the first query: it loads Lark, which the
commands that only might parse SOQL (a pull's `--help`, say) need not pay for at start.
"""

from __future__ import annotations

from dataclasses import replace

from forcebridge.soql.ast import Query
from forcebridge.soql.errors import MalformedQuery

MAX_QUERY_LENGTH = 100_000
"""Salesforce refuses longer SOQL statements."""


def parse(text: str) -> Query:
    """Parse one SOQL query; raise `MalformedQuery` pointing at the first thing that is wrong."""
    if len(text) > MAX_QUERY_LENGTH:
        raise MalformedQuery(
            text, None, f"SOQL statements cannot be longer than {MAX_QUERY_LENGTH:,} characters."
        )
    from forcebridge.soql.tree_builder import build  # Lark, loaded with the first query

    return replace(build(text), text=text)
