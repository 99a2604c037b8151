"""Object aliases (SOQL reference, "Alias Notation"): `SELECT c.LastName FROM Contact c`.

`FROM Contact c, c.Account a` names the queried object `c` and the parent its `Account`
relationship leads to `a`; anywhere else in the statement (SELECT, WHERE, GROUP BY, HAVING,
ORDER BY) a field path may start with an alias in place of what it stands for. The parser
resolves them as it builds each query, a subquery's and a semi-join's own aliases first, so
everything after it reads plain paths: `c.LastName` is `LastName`, `a.Name` is `Account.Name`,
and a subquery's `FROM c.Contacts` is `FROM Contact.Contacts`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, fields, is_dataclass, replace
from typing import Any

from forcebridge.soql.ast import Field, Query, SemiJoin, Subquery


def resolve_aliases(
    query: Query, object_alias: str | None, related: Sequence[tuple[Field, str]]
) -> Query:
    """`query` with every path starting with one of its aliases written out: `object_alias`
    for the queried object, and each `(path, alias)` of `related` (`c.Account a`), whose path
    may itself start with an alias named before it."""
    aliases = _Aliases(query.sobject, object_alias)
    for path, alias in related:
        steps = aliases.resolved(path).path
        if len(steps) > 1 and steps[0].lower() == query.sobject.lower():
            steps = steps[1:]
        aliases.scope[alias.lower()] = steps
    if not aliases.scope:
        return query
    return replace(
        query, **{f.name: aliases.rewritten(getattr(query, f.name)) for f in fields(query)}
    )


@dataclass
class _Aliases:
    sobject: str
    object_alias: str | None
    scope: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Each alias, in lower case, and the path from the queried object it stands for."""

    def __post_init__(self) -> None:
        if self.object_alias is not None:
            self.scope[self.object_alias.lower()] = ()

    def resolved(self, node: Field) -> Field:
        first, *rest = node.path
        if not rest or first.lower() not in self.scope:
            return node
        return replace(node, path=(*self.scope[first.lower()], *rest))

    def rewritten(self, node: Any) -> Any:
        """`node` with its fields' paths resolved. A subquery or a semi-join is a query of its
        own, its aliases resolved already, but a subquery may name its parent by the alias."""
        match node:
            case Field():
                return self.resolved(node)
            case Subquery(query=inner) if self._names_object(inner.parent_object):
                return Subquery(replace(inner, parent_object=self.sobject))
            case Query() | Subquery() | SemiJoin():
                return node
            case tuple():
                return tuple(self.rewritten(item) for item in node)
            case _ if is_dataclass(node) and not isinstance(node, type):
                return replace(
                    node, **{f.name: self.rewritten(getattr(node, f.name)) for f in fields(node)}
                )
        return node

    def _names_object(self, name: str | None) -> bool:
        alias = self.object_alias
        return name is not None and alias is not None and name.lower() == alias.lower()
