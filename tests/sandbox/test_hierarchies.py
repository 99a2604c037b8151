"""Hierarchy lookups (Account.ParentId, Contact.ReportsToId, User.ManagerId) never loop."""

from __future__ import annotations

from typing import Any

import pytest

from forcebridge.sandbox.errors import ApiError
from forcebridge.sandbox.org import Org


def _refusal(org: Org, sobject: str, record_id: str, values: dict[str, Any]) -> ApiError:
    with pytest.raises(ApiError) as raised:
        org.update(sobject, record_id, values)
    return raised.value


def test_an_account_cannot_be_its_own_parent(org: Org) -> None:
    acme = org.create("Account", {"Name": "Acme"})
    error = _refusal(org, "Account", acme, {"ParentId": acme})
    assert (error.status, error.error_code, error.fields) == (
        400,
        "CIRCULAR_DEPENDENCY",
        ["ParentId"],
    )
    assert error.message == f"Parent Account ID: {acme} cannot be its own parent"
    assert org.retrieve("Account", acme, ["ParentId"])["ParentId"] is None


def test_a_parent_below_the_record_in_its_hierarchy_is_refused(org: Org) -> None:
    top = org.create("Account", {"Name": "Top"})
    middle = org.create("Account", {"Name": "Middle", "ParentId": top})
    bottom = org.create("Account", {"Name": "Bottom", "ParentId": middle})

    for child in (middle, bottom):
        error = _refusal(org, "Account", top, {"ParentId": child})
        assert error.error_code == "CIRCULAR_DEPENDENCY"
        assert error.message == (
            f"Parent Account ID: {child} is below {top} in its hierarchy and cannot be its parent"
        )
    org.update("Account", bottom, {"ParentId": top})  # moving within the tree is fine
    org.update("Account", middle, {"ParentId": bottom})
    assert org.retrieve("Account", top, ["ParentId"])["ParentId"] is None


def test_contacts_and_users_cannot_report_to_themselves(org: Org) -> None:
    ana = org.create("Contact", {"LastName": "Ng"})
    assert _refusal(org, "Contact", ana, {"ReportsToId": ana}).fields == ["ReportsToId"]
    bo = org.create("Contact", {"LastName": "Diaz", "ReportsToId": ana})
    assert _refusal(org, "Contact", ana, {"ReportsToId": bo}).error_code == "CIRCULAR_DEPENDENCY"
    [admin] = org.query("SELECT Id FROM User")["records"]
    error = _refusal(org, "User", admin["Id"], {"ManagerId": admin["Id"]})
    assert (error.error_code, error.fields) == ("CIRCULAR_DEPENDENCY", ["ManagerId"])


def test_a_collection_closing_a_loop_fails_the_record_that_closes_it(org: Org) -> None:
    first = org.create("Account", {"Name": "First"})
    second = org.create("Account", {"Name": "Second"})
    results = org.collection(
        "update",
        None,
        [
            {"attributes": {"type": "Account"}, "Id": first, "ParentId": second},
            {"attributes": {"type": "Account"}, "Id": second, "ParentId": first},
        ],
        all_or_none=False,
    )
    assert results[0]["success"]
    assert results[1]["errors"][0]["statusCode"] == "CIRCULAR_DEPENDENCY"
    assert org.retrieve("Account", second, ["ParentId"])["ParentId"] is None
