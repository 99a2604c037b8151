"""`query?explain=`: the plans a query could take, cheapest first, in Salesforce's shape."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import requests

from forcebridge.sandbox.errors import ApiError
from forcebridge.sandbox.org import Org
from forcebridge.sandbox.server import SandboxServer

PLAN_KEYS = {
    "cardinality", "fields", "leadingOperationType", "notes", "relativeCost",
    "sobjectCardinality", "sobjectType",
}  # fmt: skip


@pytest.fixture
def contacts(org: Org) -> Org:
    for number in range(300):
        org.create("Contact", {"LastName": f"Person {number}", "Title": "Buyer"})
    return org


def test_a_filter_on_an_indexed_field_leads_with_its_index(contacts: Org) -> None:
    contact_id = contacts.query("SELECT Id FROM Contact LIMIT 1")["records"][0]["Id"]

    plans = contacts.explain(f"SELECT Id FROM Contact WHERE Id = '{contact_id}'")["plans"]

    assert [p["leadingOperationType"] for p in plans] == ["Index", "TableScan"]
    assert all(set(plan) == PLAN_KEYS for plan in plans)
    assert (plans[0]["fields"], plans[0]["cardinality"]) == (["Id"], 1)
    assert plans[0]["relativeCost"] < 1 <= plans[1]["relativeCost"]
    assert plans[1]["sobjectCardinality"] == 300


def test_an_unindexed_filter_scans_the_table_and_says_why(contacts: Org) -> None:
    plans = contacts.explain("SELECT Id FROM Contact WHERE Title = 'Buyer'")["plans"]

    assert [p["leadingOperationType"] for p in plans] == ["TableScan"]
    assert plans[0]["notes"] == [
        {
            "description": "Not considering filter for optimization because unindexed",
            "fields": ["Title"],
            "tableEnumOrId": "Contact",
        }
    ]


def test_a_query_that_would_not_run_is_refused_as_a_query_is(contacts: Org) -> None:
    with pytest.raises(ApiError) as refused:
        contacts.explain("SELECT Nope__c FROM Contact")
    assert refused.value.error_code == "INVALID_FIELD"


def test_explain_is_answered_over_rest(
    sandbox: SandboxServer, api_for: Callable[[SandboxServer], requests.Session]
) -> None:
    answer = api_for(sandbox).get(
        f"{sandbox.base_url}/services/data/v62.0/query",
        params={"explain": "SELECT Id FROM Contact WHERE SystemModstamp > 2024-01-01T00:00:00Z"},
    )

    assert answer.status_code == 200
    assert {p["leadingOperationType"] for p in answer.json()["plans"]} == {"Index", "TableScan"}
