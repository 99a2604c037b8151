"""Uploaded Bulk CSV read as strictly as Salesforce reads it: unreadable quoting and the wrong
line ending fail the job (no row silently swallowed), and every line after the header is a
record, a blank one included."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator

import pytest
import requests
from simple_salesforce import Salesforce

from forcebridge.sandbox.server import SandboxServer
from tests.sandbox.bulk_v1_jobs import CsvJobs, text_of
from tests.sandbox.test_bulk_ingest import JOBS, rows, run

Session = Callable[[SandboxServer], requests.Session]


@pytest.fixture
def session(sandbox: SandboxServer, api_for: Session) -> Iterator[requests.Session]:
    with api_for(sandbox) as http:
        yield http


def _count(sf: Salesforce, prefix: str) -> int:
    soql = f"SELECT COUNT() FROM Contact WHERE LastName LIKE '{prefix}%'"
    return int(sf.query(soql)["totalSize"])


UNREADABLE = [
    (
        'LastName,Title\nUQ1,"abc\nUQ2,T\n',
        "InvalidBatch : Failed to parse CSV. EOF reached before closing an opened quote",
    ),
    (
        'LastName,Title\nUQ1,ab"c\nUQ2,T\n',
        "InvalidBatch : Failed to parse CSV. Found unescaped quote. A value with quote should be "
        "within a quote",
    ),
    (
        'LastName,Title\nUQ1,"ab"c\nUQ2,T\n',
        "InvalidBatch : Failed to parse CSV. Not expecting more text after end quote",
    ),
]


@pytest.mark.parametrize(("data", "message"), UNREADABLE)
def test_unreadable_quoting_fails_the_ingest_job_and_writes_nothing(
    sandbox: SandboxServer, session: requests.Session, sf: Salesforce, data: str, message: str
) -> None:
    info = run(sandbox, session, data, object="Contact", operation="insert")

    assert (info["state"], info["errorMessage"]) == ("Failed", message)
    assert _count(sf, "UQ") == 0


@pytest.mark.parametrize(("data", "message"), UNREADABLE)
def test_unreadable_quoting_fails_a_bulk_v1_csv_batch(
    csv_jobs: CsvJobs, sf: Salesforce, data: str, message: str
) -> None:
    batch = csv_jobs.batch(csv_jobs.create("insert", "Contact"), data)

    assert (text_of(batch, "state"), text_of(batch, "stateMessage")) == ("Failed", message)
    assert _count(sf, "UQ") == 0


def test_quoted_values_keep_delimiters_line_breaks_and_doubled_quotes(
    sandbox: SandboxServer, session: requests.Session, sf: Salesforce
) -> None:
    data = 'LastName,Title\nQV1,"a, ""b""\nc"\n'

    info = run(sandbox, session, data, object="Contact", operation="insert")

    assert (info["state"], info["numberRecordsFailed"]) == ("JobComplete", 0)
    [record] = sf.query("SELECT Title FROM Contact WHERE LastName = 'QV1'")["records"]
    assert record["Title"] == 'a, "b"\nc'


@pytest.mark.parametrize(
    ("ending", "data"),
    [
        ("LF", "LastName,Title\r\nLE1,T\r\n"),
        ("CRLF", "LastName,Title\nLE1,T\n"),
        ("CRLF", "LastName,Title\r\nLE1,T\nLE2,T\r\n"),
    ],
)
def test_data_not_in_the_jobs_line_ending_fails_the_job(
    sandbox: SandboxServer, session: requests.Session, sf: Salesforce, ending: str, data: str
) -> None:
    job = {"object": "Contact", "operation": "insert", "lineEnding": ending}

    info = run(sandbox, session, data, **job)

    assert (info["state"], info["errorMessage"]) == (
        "Failed",
        f"ClientInputError : LineEnding is invalid on user data. Current LineEnding setting is "
        f"{ending}",
    )
    assert _count(sf, "LE") == 0


def test_data_in_the_jobs_crlf_line_ending_is_read(
    sandbox: SandboxServer, session: requests.Session, sf: Salesforce
) -> None:
    job = {"object": "Contact", "operation": "insert", "lineEnding": "CRLF"}

    info = run(sandbox, session, "LastName,Title\r\nLE1,T\r\n", **job)

    assert (info["state"], info["numberRecordsProcessed"]) == ("JobComplete", 1)


def _job_results(session: requests.Session, sandbox: SandboxServer, job: str, kind: str) -> str:
    return session.get(f"{sandbox.base_url}{JOBS}/{job}/{kind}").text


def test_a_blank_line_in_a_one_column_ingest_upload_is_a_record_with_an_empty_value(
    sandbox: SandboxServer, session: requests.Session, sf: Salesforce
) -> None:
    info = run(sandbox, session, "LastName\nB1a\n\nB1c\n", object="Contact", operation="insert")

    assert (info["state"], info["numberRecordsProcessed"], info["numberRecordsFailed"]) == (
        "JobComplete",
        3,
        1,
    )
    [failed] = rows(_job_results(session, sandbox, info["id"], "failedResults"))
    assert (failed["sf__Error"], failed["LastName"]) == (
        "REQUIRED_FIELD_MISSING:Required fields are missing: [LastName]:LastName --",
        "",
    )
    assert _count(sf, "B1") == 2


def test_a_blank_line_in_a_wider_upload_is_a_record_whose_values_are_all_empty(
    sandbox: SandboxServer, session: requests.Session, sf: Salesforce
) -> None:
    data = "LastName,Title\nBL1,T\n\nBL2,T\n\n"

    info = run(sandbox, session, data, object="Contact", operation="insert")

    assert (info["state"], info["numberRecordsProcessed"], info["numberRecordsFailed"]) == (
        "JobComplete",
        4,
        2,
    )
    assert _count(sf, "BL") == 2


def test_a_blank_line_in_a_bulk_v1_csv_batch_keeps_its_place_in_the_results(
    csv_jobs: CsvJobs, sf: Salesforce
) -> None:
    job = csv_jobs.create("insert", "Contact")
    batch = csv_jobs.batch(job, "LastName\nV1a\n\nV1c\n")

    result = csv_jobs.get(f"{text_of(job, 'id')}/batch/{text_of(batch, 'id')}/result")
    [_, first, blank, last] = list(csv.reader(io.StringIO(result.text)))
    assert [first[1], blank[1], last[1]] == ["true", "false", "true"]
    assert blank[3].startswith("REQUIRED_FIELD_MISSING:")


def test_an_empty_id_row_in_a_delete_fails_in_its_place(
    sandbox: SandboxServer, session: requests.Session, sf: Salesforce
) -> None:
    ids = [sf.Contact.create({"LastName": f"DE{n}"})["id"] for n in range(2)]

    info = run(
        sandbox, session, f"Id\n{ids[0]}\n\n{ids[1]}\n", object="Contact", operation="delete"
    )

    assert (info["numberRecordsProcessed"], info["numberRecordsFailed"]) == (3, 1)
    assert _count(sf, "DE") == 0
