"""What a pull must SELECT for a mapping, and how to split it when the URL grows too long.

A REST query travels in the URL of a GET, which Salesforce refuses beyond 16,384 bytes. An
object with hundreds of mapped fields is then read in several field groups, each carrying `Id`
so the pull can join the groups' records back together.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from forcebridge.mapping.describe import Catalog
from forcebridge.mapping.errors import MappingError
from forcebridge.mapping.rules import CompiledMapping

ALWAYS_SELECTED = ("Id", "SystemModstamp", "IsDeleted")
"""The record's identity, the watermark, and what tells a deletion from a change."""

URL_LIMIT = 16_384
"""Bytes Salesforce accepts in a request URL."""


def fields_to_select(sources: Iterable[str], extra: Iterable[str] = ()) -> tuple[str, ...]:
    """`ALWAYS_SELECTED`, then `sources` and `extra` (matching fields, ...), each once.

    Names compare case-insensitively, as Salesforce does; the first spelling is kept.
    """
    chosen: dict[str, str] = {}
    for name in (*ALWAYS_SELECTED, *sources, *extra):
        chosen.setdefault(name.lower(), name)
    return tuple(chosen.values())


def field_groups(
    fields: Sequence[str],
    url_length: Callable[[Sequence[str]], int],
    limit: int = URL_LIMIT,
) -> tuple[tuple[str, ...], ...]:
    """`fields` in groups whose query URL stays within `limit`; each group starts with `Id`.

    `url_length(group)` is the length of the full request URL (path, encoded SOQL with its
    WHERE and ORDER BY) selecting `group`; the caller builds it the way it will send it, so the
    split is exact whatever the encoding. Fields keep their order; one group when all fit.
    """
    groups: list[tuple[str, ...]] = []
    group = ["Id"]
    for name in fields:
        if name.lower() == "id":
            continue
        if len(group) > 1 and url_length([*group, name]) > limit:
            groups.append(tuple(group))
            group = ["Id"]
        if url_length([*group, name]) > limit:
            raise MappingError(f"a query selecting only Id and {name} is longer than {limit} bytes")
        group.append(name)
    groups.append(tuple(group))
    return tuple(groups)


def calculated_sources(
    compiled: CompiledMapping, catalog: Catalog, sobject: str
) -> tuple[str, ...]:
    """The formula and roll-up fields a pull mapping reads, and the fields it reads through a
    parent (`Account.Name`).

    Their values can change without touching the record's own `SystemModstamp` (a renamed
    Account leaves its Contacts' stamps alone), so incremental reads miss them; the
    reconciliation re-reads these.
    """
    return tuple(
        path
        for path in compiled.source_fields
        if "." in path or catalog.resolve(sobject, path)[1].calculated
    )
