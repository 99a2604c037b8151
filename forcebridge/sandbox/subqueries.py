"""Parent-to-child subqueries: how one names its relationship, and how deep they nest.

A subquery's FROM names a child relationship as the parent's describe does (`Contacts`), or
through the parent object (`Account.Contacts`, as "Understanding Relationship Names" writes
it). From API version 58.0, REST and SOAP queries nest subqueries in subqueries: five levels
of parent-to-child relationships in all, the queried object being the first ("Relationship
Query Limitations"); before it, subqueries go one level below the queried object only.
"""

from __future__ import annotations

from forcebridge.sandbox.schema import ObjectSpec
from forcebridge.soql import ast
from forcebridge.soql.errors import MalformedQuery, SoqlError

MAX_CHILD_LEVELS = 4
"""How deep subqueries nest below the queried object."""
NESTED_SINCE = 58.0
"""The API version from which subqueries nest."""


def nests(api_version: str) -> bool:
    """Whether `api_version` (`62.0`; empty for the newest) takes subqueries in subqueries."""
    return not api_version or float(api_version) >= NESTED_SINCE


def relationship_name(sub: ast.Query) -> str:
    """The relationship as the subquery's FROM names it: `Contacts`, `Account.Contacts`."""
    if sub.parent_object is None:
        return sub.sobject
    return f"{sub.parent_object}.{sub.sobject}"


def refusal(
    text: str, sub: ast.Query, parent: ObjectSpec, known: bool, depth: int, nesting: bool
) -> SoqlError | None:
    """Why `sub`, a subquery in a query of `parent` `depth` subqueries deep (0: the query
    itself), is refused (None: it is not): a relationship `parent` lacks (not `known`, or named
    through another object), or a subquery nested deeper than `nesting` (API 58.0 and later)
    and `MAX_CHILD_LEVELS` allow."""
    name = relationship_name(sub)
    through = sub.parent_object
    if not known or (through is not None and through.lower() != parent.name.lower()):
        return SoqlError.invalid_child_relationship(text, sub.sobject_pos, name)
    if depth and not nesting:
        message = f"Subqueries in a subquery need API version {NESTED_SINCE:.1f} or later"
        return MalformedQuery(text, sub.sobject_pos, message)
    if depth >= MAX_CHILD_LEVELS:
        message = (
            f"A query can follow at most {MAX_CHILD_LEVELS + 1} levels of parent-to-child "
            f"relationships; {name} is level {depth + 2}"
        )
        return MalformedQuery(text, sub.sobject_pos, message)
    return None
