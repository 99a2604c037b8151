from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote_plus

import requests

from forcebridge.sandbox.server import SandboxServer
from forcebridge.soql.ast import Comparison, Or, StringValue
from forcebridge.soql.builder import select
from forcebridge.soql.parser import parse
from forcebridge.sync.export_lookup import (
    QUERY_BUDGET,
    any_like,
    any_of,
    chunked_queries,
    find_records,
)
from tests.salesforce.conftest import client_for

BASE = select("Id", "Email").from_("Contact")


def looked_up(soql: str) -> list[str]:
    """The values a lookup query asks for, read back by the SOQL parser."""
    where = parse(soql).where
    comparisons = where.operands if isinstance(where, Or) else (where,)
    values: list[str] = []
    for comparison in comparisons:
        assert isinstance(comparison, Comparison)
        items = comparison.value if isinstance(comparison.value, tuple) else (comparison.value,)
        values.extend(item.value for item in items if isinstance(item, StringValue))
    return values


def test_a_thousand_emails_go_in_a_few_queries_each_fitting_in_a_url() -> None:
    emails = [f"person.number.{i}@example-company-{i % 97}.com" for i in range(1000)]

    queries = chunked_queries(BASE, any_of("Email"), emails)

    assert 3 <= len(queries) <= 5
    assert all(len(quote_plus(q)) <= QUERY_BUDGET for q in queries)
    assert [value for q in queries for value in looked_up(q)] == emails
    assert len(quote_plus(queries[0])) > QUERY_BUDGET * 0.95, "queries are packed full"


def test_each_value_is_asked_for_once() -> None:
    queries = chunked_queries(BASE, any_of("Email"), ["a@x.com", "b@x.com", "a@x.com"])

    assert [looked_up(q) for q in queries] == [["a@x.com", "b@x.com"]]


def test_website_domains_are_looked_up_as_text_the_website_contains() -> None:
    [query] = chunked_queries(BASE, any_like("Website"), ["acme.com", "100%_real.com"])

    assert looked_up(query) == ["%acme.com%", "%100\\%\\_real.com%"]


def test_queries_stay_within_any_budget_given() -> None:
    queries = chunked_queries(
        BASE, any_like("Website"), [f"d{i}.example.org" for i in range(50)], 600
    )

    assert len(queries) > 1
    assert all(len(quote_plus(q)) <= 600 for q in queries)


def test_records_are_found_by_any_search_once_each_and_converted_leads_never(
    sandbox: SandboxServer, api_for: Callable[[SandboxServer], requests.Session]
) -> None:
    client = client_for(sandbox).client
    first, second, converted = (
        str(result.id)
        for result in client.collection_create(
            "Lead",
            [
                {"LastName": "O'Brien", "Company": "Acme", "Email": "o'brien@acme.example"},
                {"LastName": "Smith", "Company": "Acme", "Email": "smith@acme.example"},
                {"LastName": "Jones", "Company": "Acme", "Email": "jones@acme.example"},
            ],
        )
    )
    api_for(sandbox).post(
        f"{sandbox.base_url}/sandbox/leads/{converted}/convert"
    ).raise_for_status()

    found = find_records(
        client,
        "Lead",
        ["Email"],
        [
            (any_of("Id"), [first, converted]),
            (any_of("Email"), ["O'BRIEN@acme.example", "smith@acme.example", "jones@acme.example"]),
        ],
        live_leads_only=True,
    )

    assert [record["Id"] for record in found] == sorted([first, second])
