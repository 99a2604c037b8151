"""Text is saved as Salesforce saves sObject String fields: trimmed at both ends, and a text
of only whitespace as null, on every write path (REST, collections, tree, Bulk, upsert
keys)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceMalformedRequest

from forcebridge.sandbox.errors import ApiError
from forcebridge.sandbox.records import prepare
from forcebridge.sandbox.schema import load_schema
from forcebridge.sandbox.server import SandboxServer
from tests.sandbox.bulk_v1_jobs import CsvJobs
from tests.sandbox.test_bulk_ingest import run

SCHEMA = load_schema()
Session = Callable[[SandboxServer], requests.Session]


@pytest.fixture
def session(sandbox: SandboxServer, api_for: Session) -> Iterator[requests.Session]:
    with api_for(sandbox) as http:
        yield http


def _saved(sobject: str, values: dict[str, Any]) -> dict[str, Any]:
    obj = SCHEMA.get(sobject)
    assert obj is not None
    return prepare(SCHEMA, obj, values, creating=True).values


@pytest.mark.parametrize(
    ("sobject", "field", "given", "saved"),
    [
        ("Contact", "Title", "  Chief  ", "Chief"),
        ("Contact", "Email", " a@example.com\t", "a@example.com"),
        ("Contact", "Phone", "\n555 1234 ", "555 1234"),
        ("Contact", "Description", "  two\nlines \n", "two\nlines"),
        ("Account", "Website", " example.com ", "example.com"),
        ("Account", "Industry", " Banking ", "Banking"),
        ("Contact", "Title", "   ", None),
        ("Contact", "Title", "\u00a0kept\u00a0", "\u00a0kept\u00a0"),
    ],
    ids=["string", "email", "phone", "textarea", "url", "picklist", "blank", "no-break-space"],
)
def test_text_of_every_string_type_is_saved_trimmed(
    sobject: str, field: str, given: str, saved: str | None
) -> None:
    required = {"Contact": {"LastName": "Trim"}, "Account": {"Name": "Trim"}}[sobject]

    assert _saved(sobject, required | {field: given})[field] == saved


def test_a_required_field_given_only_whitespace_is_missing() -> None:
    with pytest.raises(ApiError) as raised:
        _saved("Contact", {"LastName": " \t "})

    assert (raised.value.error_code, raised.value.fields) == (
        "REQUIRED_FIELD_MISSING",
        ["LastName"],
    )


def test_rest_create_and_update_save_trimmed_text(sf: Salesforce) -> None:
    created = sf.Contact.create({"LastName": "  Padded  ", "Department": "  d  "})["id"]
    sf.Contact.update(created, {"Title": "  t  ", "Department": "   "})

    stored = sf.Contact.get(created)
    assert (stored["LastName"], stored["Title"], stored["Department"]) == ("Padded", "t", None)


def test_rest_create_with_a_blank_required_field_fails(sf: Salesforce) -> None:
    with pytest.raises(SalesforceMalformedRequest) as raised:
        sf.Contact.create({"LastName": "   "})

    assert raised.value.content[0]["errorCode"] == "REQUIRED_FIELD_MISSING"


def test_an_upsert_key_with_spaces_matches_the_trimmed_value(sf: Salesforce) -> None:
    first = sf.Contact.upsert("Email/ trim@example.com ", {"LastName": "Key"})
    again = sf.Contact.upsert("Email/trim@example.com", {"LastName": "Key2"})

    assert (first, again) == (201, 200)
    [record] = sf.query("SELECT Email FROM Contact WHERE LastName = 'Key2'")["records"]
    assert record["Email"] == "trim@example.com"


def test_collections_and_tree_save_trimmed_text(sf: Salesforce) -> None:
    body = {"records": [{"attributes": {"type": "Contact"}, "LastName": " Coll "}]}
    [result] = sf.restful("composite/sobjects", method="POST", json=body)
    tree = {
        "records": [{"attributes": {"type": "Contact", "referenceId": "r"}, "LastName": " Tr "}]
    }
    sf.restful("composite/tree/Contact", method="POST", json=tree)

    names = {r["LastName"] for r in sf.query("SELECT LastName FROM Contact")["records"]}
    assert {"Coll", "Tr"} <= names
    assert sf.Contact.get(result["id"])["LastName"] == "Coll"


def test_bulk_uploads_save_trimmed_text_and_fail_blank_required_values(
    sandbox: SandboxServer, session: requests.Session, csv_jobs: CsvJobs, sf: Salesforce
) -> None:
    info = run(
        sandbox,
        session,
        'LastName,Title\n"  BT2  ",  x  \n"   ",y\n',
        object="Contact",
        operation="insert",
    )
    csv_jobs.batch(csv_jobs.create("insert", "Contact"), 'LastName\n"  BT1  "\n')

    assert (info["numberRecordsProcessed"], info["numberRecordsFailed"]) == (2, 1)
    found = sf.query("SELECT LastName, Title FROM Contact WHERE LastName LIKE 'BT%'")["records"]
    assert sorted((r["LastName"], r["Title"]) for r in found) == [("BT1", None), ("BT2", "x")]


def test_an_upsert_key_of_only_whitespace_is_not_specified_on_every_path(
    sandbox: SandboxServer, session: requests.Session, sf: Salesforce
) -> None:
    """A blank key would be saved as null and name no record: refused, not a new record each
    time."""
    rest = session.patch(
        f"{sandbox.base_url}/services/data/v62.0/sobjects/Contact/Email/%20%20%20",
        json={"LastName": "Up2"},
    )
    body = {
        "allOrNone": False,
        "records": [
            {"attributes": {"type": "Contact"}, "LastName": "C", "Email": blank}
            for blank in ("", "  ")
        ],
    }
    collection = sf.restful("composite/sobjects/Contact/Email", method="PATCH", json=body)
    [bulk] = sf.bulk2.Contact.upsert(
        records=[{"Email": "", "LastName": "B1"}, {"Email": "  ", "LastName": "B2"}],
        external_id_field="Email",
        wait=0.1,
    )

    assert (rest.status_code, rest.json()[0]["errorCode"]) == (400, "MISSING_ARGUMENT")
    assert rest.json()[0]["message"] == "Email not specified"
    assert [r["errors"][0]["statusCode"] for r in collection] == ["MISSING_ARGUMENT"] * 2
    failed = sf.bulk2.Contact.get_failed_records(bulk["job_id"])
    assert failed.count("MISSING_ARGUMENT:Email not specified") == 2
    made = "SELECT COUNT() FROM Contact WHERE LastName IN ('Up2', 'C', 'B1', 'B2')"
    assert sf.query(made)["totalSize"] == 0


def test_an_empty_text_filter_matches_the_blank_values_saved_as_null(sf: Salesforce) -> None:
    blank = sf.Contact.create({"LastName": "EmptyF", "Title": "   "})["id"]
    titled = sf.Contact.create({"LastName": "EmptyF", "Title": "x"})["id"]

    def ids(condition: str) -> set[str]:
        soql = f"SELECT Id FROM Contact WHERE LastName = 'EmptyF' AND {condition}"
        return {r["Id"] for r in sf.query(soql)["records"]}

    assert ids("Title = ''") == {blank}
    assert ids("Title != ''") == {titled}
    assert ids("Title IN ('', 'x')") == {blank, titled}
    assert ids("Title > ''") == {titled}
