"""Any query SOQL can say gets an answer or one of Salesforce's errors from the sandbox, never
a crash: random record and aggregate queries over Contact's fields of every kind, its parents
and date functions, with any values."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forcebridge.sandbox.errors import ApiError
from forcebridge.sandbox.org import Org
from forcebridge.soql.ast import (
    Direction,
    Field,
    Nulls,
    OrderItem,
    Query,
    Subtotals,
)
from forcebridge.soql.render import to_soql
from tests.soql.strategies import aggregates_over, conditions_over, date_calls_over, query_trees

FIELDS = st.sampled_from(
    [
        "Id", "LastName", "Email", "Birthdate", "CreatedDate", "DoNotCall", "MailingAddress",
        "MailingLatitude", "LeadSource", "AccountId", "Account.Name", "Account.CreatedDate",
        "Account.NumberOfEmployees", "Owner.Name", "Nope__c",
    ]
).map(lambda path: Field(tuple(path.split("."))))  # fmt: skip
"""A few of each kind, so that queries name the same field twice as often as people do."""

_ORDER = st.builds(
    OrderItem, FIELDS, st.sampled_from(list(Direction)), st.none() | st.sampled_from(list(Nulls))
)
_CONTACT = st.just("Contact")

RECORD_QUERIES = st.builds(
    Query,
    select=st.lists(FIELDS, min_size=1, max_size=3).map(tuple),
    sobject=_CONTACT,
    where=st.none() | conditions_over(FIELDS),
    order_by=st.lists(_ORDER, max_size=2).map(tuple),
    limit=st.none() | st.integers(0, 10),
    offset=st.none() | st.integers(0, 3),
)


@st.composite
def aggregate_queries(draw: st.DrawFn) -> Query:
    """Grouped by some fields or date functions, with or without subtotals, selecting them and
    aggregates in any order."""
    keys = draw(st.lists(FIELDS | date_calls_over(FIELDS), max_size=2))
    items = aggregates_over(FIELDS)
    chosen = st.one_of(st.sampled_from(keys), items) if keys else items
    return Query(
        select=tuple(draw(st.lists(chosen, min_size=1, max_size=4))),
        sobject="Contact",
        where=draw(st.none() | conditions_over(FIELDS)),
        group_by=tuple(keys),
        subtotals=draw(st.none() | st.sampled_from(list(Subtotals))) if keys else None,
        having=draw(st.none() | conditions_over(FIELDS)),
        order_by=tuple(OrderItem(key) for key in draw(st.lists(st.sampled_from(keys), max_size=2)))
        if keys
        else (),
    )


@pytest.fixture(scope="module")
def org(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Org]:
    org = Org(tmp_path_factory.mktemp("org"))
    acme = org.create("Account", {"Name": "Acme", "NumberOfEmployees": 3})
    for n in range(4):
        org.create(
            "Contact",
            {
                "LastName": f"N{n}",
                "AccountId": acme if n % 2 else None,
                "Birthdate": f"1990-05-0{n + 1}",
                "Email": f"n{n}@example.com",
                "DoNotCall": n == 2,
            },
        )
    yield org
    org.close()


def _answered_or_refused(org: Org, query: Query) -> None:
    try:
        text = to_soql(query)
    except ValueError:
        return  # not SOQL: nothing to send
    try:
        page = org.query(text)
    except ApiError as error:
        assert 400 <= error.status < 500, error
        return
    assert page["totalSize"] >= len(page["records"])


@settings(max_examples=300, deadline=None)
@given(query=RECORD_QUERIES)
def test_every_record_query_is_answered_or_refused(org: Org, query: Query) -> None:
    _answered_or_refused(org, query)


@settings(max_examples=300, deadline=None)
@given(query=aggregate_queries())
def test_every_aggregate_query_is_answered_or_refused(org: Org, query: Query) -> None:
    _answered_or_refused(org, query)


@settings(max_examples=100, deadline=None)
@given(query=query_trees(FIELDS, _CONTACT))
def test_every_query_of_any_shape_is_answered_or_refused(org: Org, query: Query) -> None:
    _answered_or_refused(org, query)
