"""sObject Collections through the org: per-record results, allOrNone, limits."""

from __future__ import annotations

from typing import Any

import pytest

from forcebridge.sandbox.errors import ApiError
from forcebridge.sandbox.ids import make_id
from forcebridge.sandbox.org import Org


def _contact(**values: Any) -> dict[str, Any]:
    return {"attributes": {"type": "Contact"}, **values}


def _count(org: Org) -> int:
    total: int = org.query("SELECT COUNT() FROM Contact")["totalSize"]
    return total


def test_create_reports_each_record_in_request_order(org: Org) -> None:
    results = org.collection(
        "create",
        None,
        [
            _contact(LastName="A"),
            _contact(FirstName="NoLast"),
            {"attributes": {"type": "Account"}, "Name": "Acme"},
        ],
        all_or_none=False,
    )
    assert results[0]["success"] and results[0]["id"].startswith("003")
    assert results[1] == {
        "success": False,
        "errors": [{"statusCode": "REQUIRED_FIELD_MISSING",
                    "message": "Required fields are missing: [LastName]", "fields": ["LastName"]}],
    }  # fmt: skip
    assert results[2]["success"] and results[2]["id"].startswith("001")
    assert _count(org) == 1


def test_all_or_none_rolls_everything_back(org: Org) -> None:
    results = org.collection(
        "create", None, [_contact(LastName="A"), _contact(FirstName="NoLast")], all_or_none=True
    )
    assert [r["success"] for r in results] == [False, False]
    assert results[0]["errors"][0]["statusCode"] == "ALL_OR_NONE_OPERATION_ROLLED_BACK"
    assert "id" not in results[0]
    assert results[1]["errors"][0]["statusCode"] == "REQUIRED_FIELD_MISSING"
    assert _count(org) == 0


def test_update_and_delete_report_the_ids_they_were_given(org: Org) -> None:
    first, second = (org.create("Contact", {"LastName": n}) for n in ("A", "B"))
    updates = [
        _contact(id=first, Title="CEO"),
        _contact(Id=second, LastName="x" * 81),
        _contact(Title="no id"),
    ]
    results = org.collection("update", None, updates, all_or_none=False)
    assert results[0] == {"id": first, "success": True, "errors": []}
    assert results[1]["id"] == second and results[1]["errors"][0]["statusCode"] == "STRING_TOO_LONG"
    assert results[2]["errors"][0]["statusCode"] == "MISSING_ARGUMENT"
    assert org.retrieve("Contact", first, ["Title"])["Title"] == "CEO"
    missing = make_id("003", 999)
    deleted = org.collection("delete", None, [first, missing, "nope"], all_or_none=False)
    assert deleted[0] == {"id": first, "success": True, "errors": []}
    assert [d["errors"][0]["statusCode"] for d in deleted[1:]] == ["NOT_FOUND", "MALFORMED_ID"]
    assert [d.get("id") for d in deleted] == [first, missing, None]


def test_an_update_fails_every_record_naming_an_id_another_names(org: Org) -> None:
    twice, once = (org.create("Contact", {"LastName": n}) for n in ("Twice", "Once"))
    results = org.collection(
        "update",
        None,
        [
            _contact(Id=twice, Title="First"),
            _contact(Id=once, Title="Alone"),
            _contact(Id=twice[:15], Title="Second"),
        ],
        all_or_none=False,
    )
    assert results[0] == {
        "id": twice,
        "success": False,
        "errors": [{"statusCode": "DUPLICATE_VALUE",
                    "message": f"Duplicate id specified: {twice}", "fields": []}],
    }  # fmt: skip
    assert results[2]["id"] == twice[:15]
    assert results[2]["errors"][0]["message"] == f"Duplicate id specified: {twice[:15]}"
    assert results[1] == {"id": once, "success": True, "errors": []}
    assert org.retrieve("Contact", twice, ["Title"])["Title"] is None


def test_an_upsert_keyed_on_id_fails_every_record_naming_an_id_another_names(org: Org) -> None:
    twice = org.create("Contact", {"LastName": "Twice"})
    results = org.collection(
        "upsert",
        "Contact",
        [_contact(Id=twice, Title="First"), _contact(id=twice, Title="Second")],
        all_or_none=False,
        external_field="Id",
    )
    assert [r["errors"][0]["statusCode"] for r in results] == ["DUPLICATE_VALUE"] * 2
    assert org.retrieve("Contact", twice, ["Title"])["Title"] is None


def test_update_with_all_or_none_keeps_the_old_values(org: Org) -> None:
    contact_id = org.create("Contact", {"LastName": "A", "Title": "Old"})
    results = org.collection(
        "update",
        None,
        [_contact(Id=contact_id, Title="New"), _contact(Id=make_id("003", 555), Title="x")],
        all_or_none=True,
    )
    assert results[0]["errors"][0]["statusCode"] == "ALL_OR_NONE_OPERATION_ROLLED_BACK"
    assert results[0]["id"] == contact_id
    assert org.retrieve("Contact", contact_id, ["Title"])["Title"] == "Old"


def test_upsert_reports_created_per_record(org: Org) -> None:
    existing = org.create("Contact", {"LastName": "A", "Email": "a@example.com"})
    results = org.collection(
        "upsert",
        "Contact",
        [
            _contact(Email="A@example.com", Title="Known"),
            _contact(Email="new@example.com", LastName="N"),
            _contact(LastName="NoKey"),
        ],
        all_or_none=False,
        external_field="Email",
    )
    assert results[0] == {"id": existing, "success": True, "errors": [], "created": False}
    assert results[1]["created"] is True and results[1]["success"]
    assert results[2]["success"] is False


def test_a_record_of_another_type_than_the_upsert_names_fails(org: Org) -> None:
    (result,) = org.collection(
        "upsert", "Contact", [{"attributes": {"type": "Lead"}, "Email": "x@y.com"}],
        all_or_none=False, external_field="Email",
    )  # fmt: skip
    assert result["errors"][0]["statusCode"] == "INVALID_TYPE"


def test_more_than_200_records_are_refused_whole(org: Org) -> None:
    with pytest.raises(ApiError) as raised:
        org.collection("create", None, [_contact(LastName="A")] * 201, all_or_none=False)
    assert (raised.value.status, raised.value.error_code) == (400, "EXCEEDED_ID_LIMIT")
    assert _count(org) == 0


def test_records_without_a_type_fail_alone(org: Org) -> None:
    results = org.collection(
        "create", None, [{"LastName": "A"}, _contact(LastName="B")], all_or_none=False
    )
    assert results[0]["errors"][0]["statusCode"] == "INVALID_TYPE"
    assert results[1]["success"]
