"""Finding the records an export may update: a few batched queries, never one per prospect.

A REST query travels in the URL, and Salesforce refuses a request whose URI and headers pass
16,384 bytes (SOQL's own 100,000-character limit is never the binding one). So the values to
look up are packed into as few queries as fit `QUERY_BUDGET` bytes of URL-encoded SOQL each:
about 300 emails, or 250 website domains, a query.

Accounts are found by website domain with `Website LIKE '%acme.com%'` (a website is free text:
`https://www.acme.com/`, `acme.com`), which can also find `notacme.com`; the plan keeps only
exact domain matches. Converted Leads are never found: Salesforce refuses to update them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import quote_plus

from forcebridge.soql.builder import Filter, QueryBuilder, contains, eq, in_, select, to_soql

if TYPE_CHECKING:
    from forcebridge.salesforce.client import SalesforceClient

#: URL-encoded bytes of SOQL per lookup query, leaving room under Salesforce's 16,384 bytes
#: for the rest of the URL and the headers.
QUERY_BUDGET = 12_000

Record = dict[str, Any]
Condition = Callable[[Sequence[str]], Filter]


def _encoded_length(query: QueryBuilder) -> int:
    return len(quote_plus(to_soql(query.build())))


def chunked_queries(
    base: QueryBuilder, condition: Condition, values: Sequence[str], budget: int = QUERY_BUDGET
) -> list[str]:
    """`base` narrowed by `condition` over all of `values`, as few queries as fit `budget`.

    A value's cost is what adding it again to a one-value query adds, so packing is exact up to
    the parentheses a second value brings (a few bytes to spare per query).
    """
    queries: list[str] = []
    chunk: list[str] = []
    used = 0
    for value in dict.fromkeys(values):
        alone = _encoded_length(base.where(condition([value])))
        if alone > budget:
            raise ValueError(f"{value[:40]!r}... is too long to look up in a query")
        cost = _encoded_length(base.where(condition([value, value]))) - alone
        if chunk and used + cost > budget:
            queries.append(to_soql(base.where(condition(chunk)).build()))
            chunk, used = [], 0
        if not chunk:
            used = alone
        else:
            used += cost
        chunk.append(value)
    if chunk:
        queries.append(to_soql(base.where(condition(chunk)).build()))
    return queries


def any_like(field: str) -> Condition:
    """`field` contains any of the values (an OR of LIKEs)."""

    def condition(values: Sequence[str]) -> Filter:
        first, *rest = (contains(field, value) for value in values)
        for other in rest:
            first = first | other
        return first

    return condition


def any_of(field: str) -> Condition:
    return lambda values: in_(field, values)


def find_records(
    client: SalesforceClient,
    sobject: str,
    fields: Iterable[str],
    searches: Sequence[tuple[Condition, Sequence[str]]],
    *,
    live_leads_only: bool = False,
) -> list[Record]:
    """Records matching any search (a condition over its values), each once, in Id order."""
    chosen = select(*dict.fromkeys(["Id", *fields])).from_(sobject)
    if live_leads_only:
        chosen = chosen.where(eq("IsConverted", False))
    found: dict[str, Record] = {}
    for condition, values in searches:
        if not values:
            continue
        for soql in chunked_queries(chosen, condition, values):
            for record in client.query_all_records(soql):
                found[str(record["Id"])] = record
    return [found[key] for key in sorted(found)]
