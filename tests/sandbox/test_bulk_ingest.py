"""Bulk API 2.0 ingest jobs, driven by simple-salesforce's `bulk2` and by hand."""

from __future__ import annotations

import csv
import gzip
import io
import time
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest
import requests
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceOperationError

from forcebridge.sandbox.bulk_csv import typed
from forcebridge.sandbox.ids import make_id
from forcebridge.sandbox.schema import FieldSpec
from forcebridge.sandbox.server import SandboxServer

Session = Callable[[SandboxServer], requests.Session]
JOBS = "/services/data/v62.0/jobs/ingest"


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


@pytest.fixture
def session(sandbox: SandboxServer, api_for: Session) -> Iterator[requests.Session]:
    with api_for(sandbox) as http:
        yield http


def test_inserted_records_report_their_ids_and_failures_name_code_message_and_field(
    sf: Salesforce,
) -> None:
    [report] = sf.bulk2.Contact.insert(
        records=[
            {"LastName": "Ingest", "Email": "in@example.com", "DoNotCall": "true"},
            {"LastName": "", "Email": "nolast@example.com"},
            {"LastName": "Bad", "Email": "not-an-email"},
        ],
        wait=0.1,
    )

    assert (report["numberRecordsProcessed"], report["numberRecordsFailed"]) == (3, 2)
    [ok] = rows(sf.bulk2.Contact.get_successful_records(report["job_id"]))
    assert (ok["sf__Created"], ok["LastName"]) == ("true", "Ingest")
    stored = sf.Contact.get(ok["sf__Id"])
    assert (stored["Email"], stored["DoNotCall"]) == ("in@example.com", True)
    failed = rows(sf.bulk2.Contact.get_failed_records(report["job_id"]))
    assert [(f["sf__Id"], f["sf__Error"]) for f in failed] == [
        ("", "REQUIRED_FIELD_MISSING:Required fields are missing: [LastName]:LastName --"),
        ("", "INVALID_EMAIL_ADDRESS:Email: invalid email address: not-an-email:Email --"),
    ]
    assert rows(sf.bulk2.Contact.get_unprocessed_records(report["job_id"])) == []


def test_a_value_of_the_wrong_type_fails_as_bulk_words_it_not_as_json(sf: Salesforce) -> None:
    [report] = sf.bulk2.Contact.insert(
        records=[
            {"LastName": "Types", "Birthdate": "1990-13-01", "DoNotCall": "false"},
            {"LastName": "Flags", "Birthdate": "", "DoNotCall": "maybe"},
        ],
        wait=0.1,
    )

    failed = rows(sf.bulk2.Contact.get_failed_records(report["job_id"]))
    uploaded = list(failed[0])[2:]  # the columns as simple-salesforce wrote them
    birthdate, do_not_call = uploaded.index("Birthdate"), uploaded.index("DoNotCall")
    assert [f["sf__Error"] for f in failed] == [
        f"INVALID_FIELD:Failed to deserialize field at col {birthdate}. Due to, '1990-13-01' is "
        "not a valid value for the type xsd:date:Birthdate --",
        f"INVALID_FIELD:Failed to deserialize field at col {do_not_call}. Due to, 'maybe' is not "
        "a valid value for the type xsd:boolean:DoNotCall --",
    ]


def test_update_sets_null_with_na_leaves_empty_cells_alone_and_delete_takes_ids(
    sf: Salesforce,
) -> None:
    contact = sf.Contact.create({"LastName": "Kept", "Email": "k@example.com", "Title": "CEO"})
    contact_id = contact["id"]

    sf.bulk2.Contact.update(
        records=[{"Id": contact_id, "Title": "", "Email": "#N/A", "LastName": "Renamed"}],
        wait=0.1,
    )
    stored = sf.Contact.get(contact_id)
    assert (stored["LastName"], stored["Title"], stored["Email"]) == ("Renamed", "CEO", None)

    sf.bulk2.Contact.delete(records=[{"Id": contact_id}], wait=0.1)
    assert sf.query(f"SELECT COUNT() FROM Contact WHERE Id = '{contact_id}'")["totalSize"] == 0


def test_an_update_of_an_id_naming_no_record_fails_invalid_cross_reference_key(
    sf: Salesforce,
) -> None:
    """As Salesforce's help (000387915) gives an incorrect Id to update: not REST's 404."""
    missing = make_id("003", 424243)

    [report] = sf.bulk2.Contact.update(records=[{"Id": missing, "Title": "Nobody"}], wait=0.1)

    [failed] = rows(sf.bulk2.Contact.get_failed_records(report["job_id"]))
    assert (failed["sf__Id"], failed["sf__Error"]) == (
        missing,
        "INVALID_CROSS_REFERENCE_KEY:invalid cross reference id: --",
    )


@pytest.mark.parametrize("operation", ["delete", "hard_delete"])
def test_a_delete_job_refuses_an_id_of_another_object_and_deletes_nothing(
    sf: Salesforce, operation: str
) -> None:
    account = sf.Account.create({"Name": "Not a Contact"})["id"]
    sf.Contact.create({"LastName": "Child", "AccountId": account})

    [report] = getattr(sf.bulk2.Contact, operation)(records=[{"Id": account}], wait=0.1)

    assert (report["numberRecordsProcessed"], report["numberRecordsFailed"]) == (1, 1)
    [failed] = rows(sf.bulk2.Contact.get_failed_records(report["job_id"]))
    assert (failed["sf__Id"], failed["sf__Error"]) == (
        "",
        f"MALFORMED_ID:Contact ID: id value of incorrect type: {account}:Id --",
    )
    children = sf.query(f"SELECT COUNT() FROM Contact WHERE AccountId = '{account}'")
    assert (sf.Account.get(account)["Name"], children["totalSize"]) == ("Not a Contact", 1)


def test_an_upsert_on_id_updates_records_with_one_and_inserts_the_rest(sf: Salesforce) -> None:
    account = sf.Account.create({"Name": "Old Name"})["id"]

    [report] = sf.bulk2.Account.upsert(
        records=[{"Id": account, "Name": "New Name"}, {"Id": "", "Name": "Brand New"}],
        external_id_field="Id",
        wait=0.1,
    )

    done = rows(sf.bulk2.Account.get_successful_records(report["job_id"]))
    assert [(r["sf__Id"] == account, r["sf__Created"], r["Name"]) for r in done] == [
        (True, "false", "New Name"),
        (False, "true", "Brand New"),
    ]
    assert sf.Account.get(account)["Name"] == "New Name"


def test_an_upsert_fails_rows_sharing_a_key_and_a_key_matching_several_records(
    sf: Salesforce,
) -> None:
    twins = [
        sf.Contact.create({"LastName": name, "Email": "twin@bulk2.example"})["id"]
        for name in ("Twin A", "Twin B")
    ]

    [report] = sf.bulk2.Contact.upsert(
        records=[
            {"Email": "dup@bulk2.example", "LastName": "One"},
            {"Email": "solo@bulk2.example", "LastName": "Solo"},
            {"Email": "dup@bulk2.example", "LastName": "Two"},
            {"Email": "twin@bulk2.example", "LastName": "Which"},
        ],
        external_id_field="Email",
        wait=0.1,
    )

    assert (report["numberRecordsProcessed"], report["numberRecordsFailed"]) == (4, 3)
    failed = rows(sf.bulk2.Contact.get_failed_records(report["job_id"]))
    duplicate = "DUPLICATE_VALUE:Duplicate external id specified: dup@bulk2.example: --"
    assert [(f["LastName"], f["sf__Error"]) for f in failed] == [
        ("One", duplicate),
        ("Two", duplicate),
        (
            "Which",
            "DUPLICATE_EXTERNAL_ID:more than one record found for external id field: "
            f"[{twins[0]}, {twins[1]}]: --",
        ),
    ]
    query = "SELECT COUNT() FROM Contact WHERE Email = 'dup@bulk2.example'"
    assert sf.query(query)["totalSize"] == 0


@pytest.mark.parametrize("operation", ["update", "upsert"])
def test_rows_naming_one_id_twice_each_fail(sf: Salesforce, operation: str) -> None:
    twice, once = (sf.Contact.create({"LastName": n})["id"] for n in ("Twice", "Once"))
    records = [
        {"Id": twice, "Title": "First"},
        {"Id": once, "Title": "Alone"},
        {"Id": twice, "Title": "Second"},
    ]
    job = getattr(sf.bulk2.Contact, operation)
    options = {"external_id_field": "Id"} if operation == "upsert" else {}

    [report] = job(records=records, wait=0.1, **options)

    assert (report["numberRecordsProcessed"], report["numberRecordsFailed"]) == (3, 2)
    failed = rows(sf.bulk2.Contact.get_failed_records(report["job_id"]))
    duplicate = f"DUPLICATE_VALUE:Duplicate id specified: {twice}: --"
    assert [(f["Title"], f["sf__Error"]) for f in failed] == [
        ("First", duplicate),
        ("Second", duplicate),
    ]
    assert sf.Contact.get(twice)["Title"] is None
    assert sf.Contact.get(once)["Title"] == "Alone"


def test_a_column_the_object_lacks_fails_the_whole_job(sf: Salesforce) -> None:
    with pytest.raises(SalesforceOperationError, match="Field name not found : Nope__c"):
        sf.bulk2.Contact.insert(records=[{"LastName": "X", "Nope__c": "y"}], wait=0.1)
    assert sf.query("SELECT COUNT() FROM Contact WHERE LastName = 'X'")["totalSize"] == 0


def create(sandbox: SandboxServer, session: requests.Session, **job: Any) -> dict[str, Any]:
    answer = session.post(sandbox.base_url + JOBS, json={"contentType": "CSV"} | job)
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def test_a_job_takes_one_upload_and_an_aborted_one_leaves_its_records_unprocessed(
    sandbox: SandboxServer, session: requests.Session
) -> None:
    job = create(sandbox, session, object="Account", operation="insert")
    assert (job["state"], job["contentUrl"]) == (
        "Open",
        f"services/data/v62.0/jobs/ingest/{job['id']}/batches",
    )
    upload = sandbox.base_url + "/" + job["contentUrl"]
    csv_headers = {"Content-Type": "text/csv"}

    first = session.put(upload, data="Name\nAbandoned\n", headers=csv_headers)
    second = session.put(upload, data="Name\nAgain\n", headers=csv_headers)
    aborted = session.patch(f"{sandbox.base_url}{JOBS}/{job['id']}", json={"state": "Aborted"})

    assert first.status_code == 201
    assert second.status_code == 400 and "multiple contents" in second.json()[0]["message"]
    assert aborted.json()["state"] == "Aborted"
    left = session.get(f"{sandbox.base_url}{JOBS}/{job['id']}/unprocessedrecords/")
    assert rows(left.text) == [{"Name": "Abandoned"}]
    closed = session.patch(f"{sandbox.base_url}{JOBS}/{job['id']}", json={"state": "Open"})
    assert closed.json()[0]["errorCode"] == "INVALIDJOBSTATE"
    assert session.delete(f"{sandbox.base_url}{JOBS}/{job['id']}").status_code == 204


@pytest.mark.parametrize(("body", "shown"), [({}, "null"), ({"state": True}, "true")])
def test_a_state_that_is_no_text_is_named_as_json_spells_it(
    sandbox: SandboxServer, session: requests.Session, body: dict[str, Any], shown: str
) -> None:
    job = create(sandbox, session, object="Account", operation="insert")

    answer = session.patch(f"{sandbox.base_url}{JOBS}/{job['id']}", json=body)

    assert answer.status_code == 400
    assert answer.json()[0]["errorCode"] == "INVALIDJOBSTATE"
    assert answer.json()[0]["message"] == f"Job {job['id']} is Open: it cannot be set to {shown}"


def test_an_upload_may_come_gzipped_and_one_not_in_utf8_is_refused(
    sandbox: SandboxServer, session: requests.Session
) -> None:
    headers = {"Content-Type": "text/csv", "Content-Encoding": "gzip"}
    job = create(sandbox, session, object="Account", operation="insert")
    zipped = session.put(
        f"{sandbox.base_url}/{job['contentUrl']}",
        data=gzip.compress("Name\nZürich AG\n".encode()),
        headers=headers,
    )
    latin = create(sandbox, session, object="Account", operation="insert")
    refused = session.put(
        f"{sandbox.base_url}/{latin['contentUrl']}",
        data=gzip.compress("Name\nZürich AG\n".encode("latin-1")),
        headers=headers,
    )

    assert zipped.status_code == 201
    left = session.get(f"{sandbox.base_url}{JOBS}/{job['id']}/unprocessedrecords")
    assert rows(left.text) == [{"Name": "Zürich AG"}]
    assert refused.status_code == 400
    [error] = refused.json()
    assert error["errorCode"] == "BULK_API_ERROR" and "not valid UTF-8" in error["message"]


def test_a_closed_job_is_processed_in_the_background_and_reports_its_counts(
    sandbox: SandboxServer, session: requests.Session
) -> None:
    job = create(sandbox, session, object="Lead", operation="insert", columnDelimiter="SEMICOLON")
    session.put(
        sandbox.base_url + "/" + job["contentUrl"],
        data="LastName;Company\nLee;Initech\nNg;Globex\n",
        headers={"Content-Type": "text/csv"},
    )

    job_url = f"{sandbox.base_url}{JOBS}/{job['id']}"
    closed = session.patch(job_url, json={"state": "UploadComplete"})

    assert closed.json()["state"] == "UploadComplete"
    for _ in range(100):
        info = session.get(job_url).json()
        if info["state"] == "JobComplete":
            break
        time.sleep(0.05)
    assert (info["state"], info["jobType"]) == ("JobComplete", "V2Ingest")
    assert (info["numberRecordsProcessed"], info["numberRecordsFailed"]) == (2, 0)
    done = session.get(f"{job_url}/successfulResults/")
    assert [line.split(";")[2:] for line in done.text.splitlines()[1:]] == [
        ['"Lee"', '"Initech"'],
        ['"Ng"', '"Globex"'],
    ]


@pytest.mark.parametrize(
    ("job", "detail"),
    [
        ({"object": "Contact", "operation": "merge"}, "Invalid operation: merge"),
        ({"object": "Nope__c", "operation": "insert"}, "Unable to find object: Nope__c"),
        ({"object": "Contact", "operation": "upsert"}, "External ID was blank for upsert"),
        (
            {"object": "Contact", "operation": "upsert", "externalIdFieldName": "LastName"},
            "Field name provided, LastName does not match an External ID, Salesforce Id, or "
            "indexed field for Contact",
        ),
        ({"object": "Contact", "operation": "insert", "contentType": "JSON"}, "contentType: JSON."),
        ({"object": "Contact", "operation": None}, "Invalid operation: null."),
        ({"object": "Contact", "operation": True}, "Invalid operation: true."),
        ({"object": "Contact", "operation": "insert", "lineEnding": None}, "lineEnding: null."),
        (
            {"object": "Contact", "operation": "insert", "columnDelimiter": None},
            "Invalid columnDelimiter: null.",
        ),
    ],
)
def test_bad_jobs_are_refused_at_creation(
    sandbox: SandboxServer, session: requests.Session, job: dict[str, Any], detail: str
) -> None:
    answer = session.post(sandbox.base_url + JOBS, json={"contentType": "CSV"} | job)
    assert answer.status_code == 400
    assert answer.json()[0]["errorCode"] == "INVALIDJOB"
    assert detail in answer.json()[0]["message"]


def test_a_serial_concurrency_mode_asked_for_is_not_user_configurable_so_the_job_runs_parallel(
    sandbox: SandboxServer, session: requests.Session
) -> None:
    created = session.post(
        sandbox.base_url + JOBS,
        json={"object": "Contact", "operation": "insert", "concurrencyMode": "Serial"},
    )
    status = session.get(f"{sandbox.base_url}{JOBS}/{created.json()['id']}")

    assert created.status_code == 200
    assert (created.json()["concurrencyMode"], status.json()["concurrencyMode"]) == (
        "Parallel",
        "Parallel",
    )


@pytest.mark.parametrize(
    ("kind", "text", "value"),
    [
        ("boolean", "TRUE", True),
        ("boolean", "0", False),
        ("int", "42", 42),
        ("double", "2.5", 2.5),
        ("double", "999999999999999999", Decimal("999999999999999999")),
        ("double", "lots", "lots"),
        ("string", "#N/A", None),
        ("date", "2024-01-31", "2024-01-31"),
    ],
)
def test_csv_values_are_read_by_field_type(kind: str, text: str, value: object) -> None:
    spec = FieldSpec(name="F", type=kind, label="F")
    assert typed(spec, text) == value


def run(sandbox: SandboxServer, session: requests.Session, data: str, **job: Any) -> dict[str, Any]:
    """Create an ingest job, upload `data`, close it, and wait for it to finish: its info."""
    created = create(sandbox, session, **job)
    session.put(
        f"{sandbox.base_url}/{created['contentUrl']}",
        data=data.encode(),
        headers={"Content-Type": "text/csv"},
    )
    job_url = f"{sandbox.base_url}{JOBS}/{created['id']}"
    session.patch(job_url, json={"state": "UploadComplete"})
    for _ in range(100):
        info: dict[str, Any] = session.get(job_url).json()
        if info["state"] in ("JobComplete", "Failed"):
            return info
        time.sleep(0.05)
    raise AssertionError(f"job {created['id']} did not finish: {info['state']}")


def test_a_row_with_more_values_than_the_header_fails_alone_and_results_keep_the_header_width(
    sandbox: SandboxServer, session: requests.Session, sf: Salesforce
) -> None:
    info = run(
        sandbox,
        session,
        "LastName,Title\nWide,Chief,Extra\nNarrow,Clerk\n",
        object="Contact",
        operation="insert",
    )

    assert (info["state"], info["numberRecordsProcessed"], info["numberRecordsFailed"]) == (
        "JobComplete",
        2,
        1,
    )
    job_url = f"{sandbox.base_url}{JOBS}/{info['id']}"
    done = list(csv.reader(io.StringIO(session.get(f"{job_url}/successfulResults").text)))
    failed = list(csv.reader(io.StringIO(session.get(f"{job_url}/failedResults").text)))
    assert {len(row) for row in done} == {len(done[0])} == {4}
    assert {len(row) for row in failed} == {len(failed[0])} == {4}
    assert done[1][2:] == ["Narrow", "Clerk"]
    assert failed[1] == [
        "",
        "INVALID_FIELD:Row has 3 values but the header names 2 columns: the value at col 2 has "
        "no field: --",
        "Wide",
        "Chief",
    ]
    assert sf.query("SELECT COUNT() FROM Contact WHERE LastName = 'Wide'")["totalSize"] == 0


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("LastName,Title,Title", "InvalidBatch : Duplicate field name : Title"),
        ("LastName,Title,title", "InvalidBatch : Duplicate field name : Title"),
        ("LastName, Title", "InvalidBatch : Field name not found :  Title"),
    ],
)
def test_a_header_naming_a_field_twice_or_with_a_space_fails_the_whole_job(
    sandbox: SandboxServer, session: requests.Session, sf: Salesforce, header: str, message: str
) -> None:
    cells = ",".join(["Headed", *["Dr"] * header.count(",")])

    info = run(sandbox, session, f"{header}\n{cells}\n", object="Contact", operation="insert")

    assert (info["state"], info["errorMessage"]) == ("Failed", message)
    assert sf.query("SELECT COUNT() FROM Contact WHERE LastName = 'Headed'")["totalSize"] == 0


@pytest.mark.parametrize(
    ("data", "unprocessed"),
    [
        ("LastName,Title\r\nA,B\r\n", '"LastName","Title"\n"A","B"\n'),
        ('LastName,Title\nA,"B\n', '"LastName","Title"\n'),
        ("Nope,Title\nA,B\n", '"Nope","Title"\n"A","B"\n'),
    ],
    ids=["line-ending", "unreadable", "unknown-field"],
)
def test_a_failed_jobs_results_files_keep_the_uploaded_header_as_a_completed_ones_do(
    sandbox: SandboxServer, session: requests.Session, data: str, unprocessed: str
) -> None:
    info = run(sandbox, session, data, object="Contact", operation="insert")
    job_url = f"{sandbox.base_url}{JOBS}/{info['id']}"
    columns = unprocessed.partition("\n")[0]

    assert info["state"] == "Failed"
    assert session.get(f"{job_url}/unprocessedrecords").text == unprocessed
    assert session.get(f"{job_url}/successfulResults").text == f'"sf__Id","sf__Created",{columns}\n'
    assert session.get(f"{job_url}/failedResults").text == f'"sf__Id","sf__Error",{columns}\n'
