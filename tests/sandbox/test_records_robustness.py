"""Any JSON a client sends as a record is written or refused with one of Salesforce's errors,
never a crash, and what is written reads back: random values of every JSON type for Contact's
fields of every kind."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forcebridge.sandbox.errors import ApiError
from forcebridge.sandbox.org import Org

FIELDS = st.sampled_from(
    [
        "LastName", "FirstName", "Email", "Birthdate", "DoNotCall", "MailingLatitude",
        "MailingCountry", "LeadSource", "AccountId", "OwnerId", "EmailBouncedDate", "Id",
        "CreatedDate", "Nope__c", "attributes",
    ]
)  # fmt: skip
"""A few of each kind: text, email, date, checkbox, geolocation, picklist, references,
datetime, system fields, a field the object lacks."""

_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-(10**20), 10**20)
    | st.sampled_from([2**31, 2**63, 1e20, -1.5e32, 1e-30])  # past every field's digits
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=20)
    | st.sampled_from(
        ["2024-01-01", "2024-01-01T10:00:00Z", "2024-13-45", "001000000000001AAA", "", " ", "1e309"]
    )
)
VALUES = st.recursive(
    _SCALARS,
    lambda inner: (
        st.lists(inner, max_size=2) | st.dictionaries(st.text(max_size=4), inner, max_size=2)
    ),
    max_leaves=3,
)


@pytest.fixture(scope="module")
def org(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Org]:
    org = Org(tmp_path_factory.mktemp("org"))
    org.create("Account", {"Name": "Acme"})
    yield org
    org.close()


def _written_or_refused(org: Org, write: Any) -> str | None:
    try:
        return str(write())
    except ApiError as error:
        assert 400 <= error.status < 500, error
        return None


@settings(max_examples=2000, deadline=None)
@given(
    created=st.dictionaries(FIELDS, VALUES, max_size=5),
    updated=st.dictionaries(FIELDS, VALUES, max_size=3),
)
def test_any_record_is_written_or_refused_and_reads_back(
    org: Org, created: dict[str, Any], updated: dict[str, Any]
) -> None:
    record_id = _written_or_refused(org, lambda: org.create("Contact", created))
    if record_id is None:
        return
    _written_or_refused(org, lambda: org.update("Contact", record_id, updated))
    [read] = org.query(f"SELECT FIELDS(ALL) FROM Contact WHERE Id = '{record_id}' LIMIT 1")[
        "records"
    ]
    assert read["Id"] == record_id
