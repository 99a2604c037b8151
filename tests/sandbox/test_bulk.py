"""Bulk API 2.0 query jobs, read back as CSV by simple-salesforce's `bulk2` and by hand."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceMalformedRequest

from forcebridge.sandbox.bulk import (
    DEFAULT_MAX_RECORDS,
    decode_locator,
    encode_locator,
    max_records,
)
from forcebridge.sandbox.bulk_csv import csv_value
from forcebridge.sandbox.errors import ApiError
from forcebridge.sandbox.server import SandboxServer

Session = Callable[[SandboxServer], requests.Session]
JOBS = "/services/data/v62.0/jobs/query"
PEOPLE = [("Ada", "Lovelace"), ("Alan", "Turing"), ("Grace", "Hopper"), ("Edsger", "Dijkstra")]


def rows(text: str, delimiter: str = ",") -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


@pytest.fixture(scope="module")
def people(sf: Salesforce) -> list[str]:
    """Four contacts, one of them deleted afterwards, one at a company."""
    account = sf.Account.create({"Name": "Analytical Engines"})["id"]
    records: list[dict[str, Any]] = [
        {"attributes": {"type": "Contact"}, "FirstName": first, "LastName": last}
        for first, last in PEOPLE
    ]
    records[0]["AccountId"] = account
    results = sf.restful(
        "composite/sobjects", method="POST", json={"allOrNone": True, "records": records}
    )
    ids = [result["id"] for result in results]
    sf.Contact.delete(ids[-1])
    return ids


@pytest.fixture
def session(sandbox: SandboxServer, api_for: Session) -> Iterator[requests.Session]:
    with api_for(sandbox) as http:
        yield http


def create_job(sandbox: SandboxServer, session: requests.Session, **job: str) -> dict[str, Any]:
    answer = session.post(sandbox.base_url + JOBS, json={"operation": "query"} | job)
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def wait_until_complete(
    sandbox: SandboxServer, session: requests.Session, job_id: str
) -> dict[str, Any]:
    for _ in range(200):
        info = dict(session.get(f"{sandbox.base_url}{JOBS}/{job_id}").json())
        if info["state"] != "InProgress":
            return info
    raise AssertionError(f"job {job_id} never finished")


def test_simple_salesforce_bulk2_query_reads_every_page(sf: Salesforce, people: list[str]) -> None:
    pages = list(
        sf.bulk2.Contact.query(
            "SELECT Id, FirstName, LastName FROM Contact ORDER BY LastName",
            max_records=2,
            wait=0,
        )
    )
    assert len(pages) == 2
    body = [row for page in pages for row in rows(page)[1:]]
    assert [row[2] for row in body] == ["Hopper", "Lovelace", "Turing"]
    assert all(rows(page)[0] == ["Id", "FirstName", "LastName"] for page in pages)


def test_query_all_job_includes_deleted_records(sf: Salesforce, people: list[str]) -> None:
    pages = sf.bulk2.Contact.query_all("SELECT LastName, IsDeleted FROM Contact", wait=0)
    body = [row for page in pages for row in rows(page)[1:]]
    assert ["Dijkstra", "true"] in body
    assert len(body) == len(PEOPLE)


def test_job_lifecycle_and_results_paging_by_locator(
    sandbox: SandboxServer, session: requests.Session, people: list[str]
) -> None:
    created = create_job(sandbox, session, query="SELECT Id FROM Contact ORDER BY Id")
    assert created["id"].startswith("750") and len(created["id"]) == 18
    assert (created["state"], created["object"], created["contentType"]) == (
        "UploadComplete",
        "Contact",
        "CSV",
    )
    info = wait_until_complete(sandbox, session, created["id"])
    assert (info["state"], info["numberRecordsProcessed"]) == ("JobComplete", 3)

    results = f"{sandbox.base_url}{JOBS}/{created['id']}/results"
    first = session.get(results, params={"maxRecords": 2})
    assert first.headers["content-type"].startswith("text/csv")
    assert first.headers["sforce-numberofrecords"] == "2"
    locator = first.headers["sforce-locator"]
    assert locator != "null"
    last = session.get(results, params={"maxRecords": 2, "locator": locator})
    assert (last.headers["sforce-numberofrecords"], last.headers["sforce-locator"]) == ("1", "null")
    ids = [row[0] for row in rows(first.text)[1:] + rows(last.text)[1:]]
    assert ids == sorted(people[:3])

    listed = session.get(sandbox.base_url + JOBS).json()
    assert created["id"] in [job["id"] for job in listed["records"]]
    assert session.delete(f"{sandbox.base_url}{JOBS}/{created['id']}").status_code == 204
    gone = session.get(f"{sandbox.base_url}{JOBS}/{created['id']}")
    assert gone.status_code == 404


def test_parent_fields_nulls_and_formats_follow_bulk_csv(
    sandbox: SandboxServer, session: requests.Session, people: list[str]
) -> None:
    job = create_job(
        sandbox,
        session,
        query="SELECT LastName, Account.Name, Email, IsDeleted, CreatedDate FROM Contact"
        " ORDER BY LastName",
        columnDelimiter="SEMICOLON",
        lineEnding="CRLF",
    )
    wait_until_complete(sandbox, session, job["id"])
    text = session.get(f"{sandbox.base_url}{JOBS}/{job['id']}/results").text
    assert text.startswith('"LastName";"Account.Name";"Email";"IsDeleted";"CreatedDate"\r\n')
    table = rows(text, delimiter=";")
    assert table[1][:4] == ["Hopper", "", "", "false"]
    assert table[2][:2] == ["Lovelace", "Analytical Engines"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", table[1][4])


@pytest.mark.parametrize(
    ("job", "code"),
    [
        ({"query": "SELECT FROM Contact"}, "MALFORMED_QUERY"),
        ({"query": "SELECT Nope__c FROM Contact"}, "INVALID_FIELD"),
        ({"query": "SELECT COUNT() FROM Contact"}, "INVALIDJOB"),
        ({"query": "SELECT Id, (SELECT Id FROM Contacts) FROM Account"}, "INVALIDJOB"),
        ({"query": "SELECT Title FROM Contact GROUP BY Title"}, "INVALIDJOB"),
        ({"query": "SELECT TYPEOF Who WHEN Lead THEN Company END FROM Task"}, "INVALIDJOB"),
        ({"query": "SELECT Id FROM Contact LIMIT 10 OFFSET 5"}, "INVALIDJOB"),
        ({"query": "SELECT Id, MailingAddress FROM Contact"}, "INVALIDJOB"),
        ({"query": "SELECT Id, Account.BillingAddress FROM Contact"}, "INVALIDJOB"),
        ({"query": "SELECT Id FROM Contact", "operation": "upsert"}, "INVALIDJOB"),
        ({"query": "SELECT Id FROM Contact", "columnDelimiter": "SPACE"}, "INVALIDJOB"),
    ],
)
def test_bad_jobs_are_refused_at_creation(
    sandbox: SandboxServer, session: requests.Session, job: dict[str, str], code: str
) -> None:
    answer = session.post(sandbox.base_url + JOBS, json={"operation": "query"} | job)
    assert answer.status_code == 400
    assert answer.json()[0]["errorCode"] == code


@pytest.mark.parametrize(
    ("job", "message"),
    [
        ({"columnDelimiter": True}, "Invalid columnDelimiter: true."),
        ({"lineEnding": None}, "Invalid lineEnding: null."),
    ],
)
def test_a_setting_that_is_no_text_is_named_as_json_spells_it(
    sandbox: SandboxServer, session: requests.Session, job: dict[str, Any], message: str
) -> None:
    body = {"operation": "query", "query": "SELECT Id FROM Contact"} | job
    answer = session.post(sandbox.base_url + JOBS, json=body)
    assert answer.status_code == 400
    assert answer.json()[0]["errorCode"] == "INVALIDJOB"
    assert answer.json()[0]["message"].startswith(message)


@pytest.mark.parametrize("content_type", ["JSON", "XML", "csv", None])
def test_a_query_job_in_any_format_but_csv_is_refused_not_answered_in_csv(
    sf: Salesforce, content_type: str | None
) -> None:
    """CSV is "the only supported value" of `contentType` (Bulk API 2.0, "Create a Query
    Job"): a job asking for another is refused, as an ingest job asking for one is."""
    job = {"operation": "query", "query": "SELECT Id FROM Contact", "contentType": content_type}
    with pytest.raises(SalesforceMalformedRequest) as query_job:
        sf.restful("jobs/query", method="POST", json=job)
    ingest = {"object": "Contact", "operation": "insert", "contentType": content_type}
    with pytest.raises(SalesforceMalformedRequest) as ingest_job:
        sf.restful("jobs/ingest", method="POST", json=ingest)

    shown = "null" if content_type is None else content_type
    for refused in (query_job, ingest_job):
        assert refused.value.content == [
            {"errorCode": "INVALIDJOB", "message": f"Invalid contentType: {shown}. Use CSV"}
        ]
    assert sf.restful("jobs/query", method="POST", json=job | {"contentType": "CSV"})["id"]


def test_a_finished_job_cannot_be_aborted_and_unknown_jobs_are_404(
    sandbox: SandboxServer, session: requests.Session
) -> None:
    job = create_job(sandbox, session, query="SELECT Id FROM Contact")
    wait_until_complete(sandbox, session, job["id"])
    abort = session.patch(f"{sandbox.base_url}{JOBS}/{job['id']}", json={"state": "Aborted"})
    assert abort.status_code == 400
    assert abort.json()[0]["errorCode"] == "INVALIDJOBSTATE"
    unknown = session.get(f"{sandbox.base_url}{JOBS}/750000000000000AAA/results")
    assert unknown.status_code == 404


def test_csv_values_are_written_as_bulk_api_writes_them() -> None:
    assert csv_value(None) == ""
    assert csv_value(True) == "true"
    assert csv_value(12.5) == "12.5"
    assert csv_value("2024-11-07T07:00:00.000+0000") == "2024-11-07T07:00:00.000Z"
    assert csv_value("2024-11-07") == "2024-11-07"


def test_locators_round_trip_and_garbage_is_refused() -> None:
    assert decode_locator(encode_locator(10_000)) == 10_000
    with pytest.raises(ApiError) as refused:
        decode_locator("not a locator!")
    assert refused.value.status == 400


def test_max_records_is_a_positive_number_or_every_record() -> None:
    assert max_records("2") == 2
    assert max_records(None) == DEFAULT_MAX_RECORDS
    for raw in ("0", "-1", "", "ten", "1.5", "\u0663"):
        with pytest.raises(ApiError) as refused:
            max_records(raw)
        assert (refused.value.status, refused.value.error_code) == (400, "INVALIDREQUEST")


def test_results_with_max_records_zero_are_refused(
    sandbox: SandboxServer, session: requests.Session, people: list[str]
) -> None:
    created = create_job(sandbox, session, query="SELECT Id FROM Contact")
    wait_until_complete(sandbox, session, created["id"])
    results = f"{sandbox.base_url}{JOBS}/{created['id']}/results"

    for value in ("0", "-5"):
        refused = session.get(results, params={"maxRecords": value})
        assert refused.status_code == 400
        assert refused.json()[0]["errorCode"] == "INVALIDREQUEST"
    assert session.get(results).headers["sforce-numberofrecords"] == str(len(people) - 1)


def test_a_to_label_column_carries_the_labels_under_the_fields_name(sf: Salesforce) -> None:
    contact = sf.Contact.create({"LastName": "Labelled", "CleanStatus": "Matched"})["id"]

    [csv_text] = sf.bulk2.Contact.query(
        f"SELECT Id, toLabel(CleanStatus), LastName FROM Contact WHERE Id = '{contact}'"
    )

    assert csv_text.splitlines() == [
        '"Id","CleanStatus","LastName"',
        f'"{contact}","In Sync","Labelled"',
    ]


@pytest.mark.parametrize("resource", ["results", "resultPages"])
def test_results_asked_in_another_api_version_are_409(
    sandbox: SandboxServer, session: requests.Session, people: list[str], resource: str
) -> None:
    created = create_job(sandbox, session, query="SELECT Id FROM Contact")
    wait_until_complete(sandbox, session, created["id"])
    other = JOBS.replace("v62.0", "v59.0")

    answer = session.get(f"{sandbox.base_url}{other}/{created['id']}/{resource}")

    assert answer.status_code == 409
    assert answer.json()[0]["errorCode"] == "INVALIDJOB"


def test_result_pages_list_results_urls_to_fetch_in_parallel(
    sandbox: SandboxServer, session: requests.Session, people: list[str]
) -> None:
    created = create_job(sandbox, session, query="SELECT Id FROM Contact")
    wait_until_complete(sandbox, session, created["id"])

    answer = session.get(f"{sandbox.base_url}{JOBS}/{created['id']}/resultPages")

    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["done"], body["nextRecordsUrl"]) == (True, None)
    [page] = body["resultPages"]
    results = session.get(sandbox.base_url + page["resultUrl"])
    assert page["resultUrl"] == f"{JOBS}/{created['id']}/results"
    info = wait_until_complete(sandbox, session, created["id"])
    assert len(rows(results.text)) - 1 == info["numberRecordsProcessed"] > 0
