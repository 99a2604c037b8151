"""Bulk API 1.0: JSON jobs driven by simple-salesforce's `sf.bulk`, CSV jobs (XML infos) by hand;
jsforce's `bulk` is driven in `test_clients`."""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io

import pytest
import requests
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceGeneralError, SalesforceMalformedRequest

from forcebridge.sandbox.clients import simple_salesforce
from forcebridge.sandbox.ids import make_id
from forcebridge.sandbox.server import SandboxServer
from tests.sandbox.bulk_v1_jobs import NS, CsvJobs, text_of


def test_dml_batches_give_one_result_per_record_in_order(sf: Salesforce) -> None:
    inserted = sf.bulk.Contact.insert(
        [{"LastName": "Bulk One", "Email": "one@example.com"}, {"Email": "noname@example.com"}]
    )

    ok, failed = inserted
    assert (ok["success"], ok["created"], ok["errors"]) == (True, True, [])
    assert ok["id"].startswith("003")
    assert (failed["success"], failed["id"]) == (False, None)
    assert [(e["statusCode"], e["fields"]) for e in failed["errors"]] == [
        ("REQUIRED_FIELD_MISSING", ["LastName"])
    ]

    [updated] = sf.bulk.Contact.update([{"Id": ok["id"], "Title": "CTO"}])
    [upserted] = sf.bulk.Contact.upsert([{"Id": ok["id"], "Department": "R&D"}], "Id")
    assert (updated["created"], upserted["created"]) == (False, False)
    stored = sf.Contact.get(ok["id"])
    assert (stored["Title"], stored["Department"]) == ("CTO", "R&D")

    [deleted] = sf.bulk.Contact.delete([{"Id": ok["id"]}])
    assert deleted["success"] is True
    gone = sf.bulk.Contact.query_all(
        f"SELECT Id, IsDeleted FROM Contact WHERE Id = '{ok['id']}'", lazy_operation=False
    )
    assert [(r["Id"], r["IsDeleted"]) for r in gone] == [(ok["id"], True)]


def test_an_update_of_an_id_naming_no_record_fails_invalid_cross_reference_key(
    sf: Salesforce,
) -> None:
    """As Salesforce's help (000387915) gives an incorrect Id to update or upsert."""
    missing = make_id("003", 424244)

    [updated] = sf.bulk.Contact.update([{"Id": missing, "Title": "Nobody"}])
    [upserted] = sf.bulk.Contact.upsert([{"Id": missing, "Title": "Nobody"}], "Id")

    for result in (updated, upserted):
        assert (result["success"], result["created"]) == (False, False)
        assert [(e["statusCode"], e["message"]) for e in result["errors"]] == [
            ("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id")
        ]


def test_an_upsert_on_id_inserts_the_records_that_give_none(sf: Salesforce) -> None:
    existing = sf.Contact.create({"LastName": "Known"})["id"]

    known, new = sf.bulk.Contact.upsert(
        [{"Id": existing, "Title": "Kept"}, {"LastName": "Newcomer"}], "Id"
    )

    assert (known["success"], known["created"], known["id"]) == (True, False, existing)
    assert (new["success"], new["created"]) == (True, True)
    assert sf.Contact.get(new["id"])["LastName"] == "Newcomer"
    assert sf.Contact.get(existing)["Title"] == "Kept"


def test_an_upsert_fails_records_sharing_a_key_and_a_key_matching_several(
    sf: Salesforce,
) -> None:
    twins = [
        sf.Contact.create({"LastName": name, "Email": "twin@bulk1.example"})["id"]
        for name in ("Twin A", "Twin B")
    ]

    one, solo, two, which = sf.bulk.Contact.upsert(
        [
            {"Email": "dup@bulk1.example", "LastName": "One"},
            {"Email": "solo@bulk1.example", "LastName": "Solo"},
            {"Email": "DUP@bulk1.example", "LastName": "Two"},
            {"Email": "twin@bulk1.example", "LastName": "Which"},
        ],
        "Email",
    )

    assert (solo["success"], solo["created"]) == (True, True)
    assert [(e["statusCode"], e["message"]) for r in (one, two) for e in r["errors"]] == [
        ("DUPLICATE_VALUE", "Duplicate external id specified: dup@bulk1.example"),
        ("DUPLICATE_VALUE", "Duplicate external id specified: DUP@bulk1.example"),
    ]
    assert [(e["statusCode"], e["message"]) for e in which["errors"]] == [
        (
            "DUPLICATE_EXTERNAL_ID",
            f"more than one record found for external id field: [{twins[0]}, {twins[1]}]",
        )
    ]
    query = "SELECT COUNT() FROM Contact WHERE Email = 'dup@bulk1.example'"
    assert sf.query(query)["totalSize"] == 0


@pytest.mark.parametrize("operation", ["update", "upsert"])
def test_records_naming_one_id_twice_each_fail(sf: Salesforce, operation: str) -> None:
    twice, once = (sf.Contact.create({"LastName": n})["id"] for n in ("Twice", "Once"))
    records = [
        {"Id": twice, "Title": "First"},
        {"Id": once, "Title": "Alone"},
        {"Id": twice, "Title": "Second"},
    ]
    job = getattr(sf.bulk.Contact, operation)

    first, alone, second = job(records, "Id") if operation == "upsert" else job(records)

    assert alone["success"] is True
    assert [(e["statusCode"], e["message"]) for r in (first, second) for e in r["errors"]] == [
        ("DUPLICATE_VALUE", f"Duplicate id specified: {twice}"),
    ] * 2
    assert sf.Contact.get(twice)["Title"] is None


def test_query_results_carry_dates_and_datetimes_as_epoch_milliseconds(sf: Salesforce) -> None:
    account = sf.Account.create({"Name": "Epoch Co"})["id"]
    contact = sf.Contact.create(
        {"LastName": "Epoch", "Birthdate": "1990-05-01", "AccountId": account}
    )["id"]

    [record] = sf.bulk.Contact.query(
        f"SELECT Id, Birthdate, CreatedDate, Account.Name FROM Contact WHERE Id = '{contact}'",
        lazy_operation=False,
    )

    rest = sf.Contact.get(contact)
    created = dt.datetime.strptime(rest["CreatedDate"], "%Y-%m-%dT%H:%M:%S.%f%z")
    assert record["Birthdate"] == int(dt.datetime(1990, 5, 1, tzinfo=dt.UTC).timestamp() * 1000)
    assert record["CreatedDate"] == int(created.timestamp() * 1000)
    assert record["Account"]["Name"] == "Epoch Co"
    assert record["attributes"]["type"] == "Contact"


def test_errors_come_in_bulk_api_1_shape(sandbox: SandboxServer) -> None:
    url = f"{sandbox.base_url}/services/async/62.0/job"
    with requests.Session() as http:
        http.verify = str(sandbox.ca_file)
        http.trust_env = False
        job = {"operation": "insert", "object": "Contact"}
        no_session = http.post(url, json=job)
        headers = {"X-SFDC-Session": sandbox.access_token()}
        xml = http.post(url, headers=headers, json=job | {"contentType": "XML"})
        unknown = http.post(url, headers=headers, json=job | {"object": "Nope"})
        unkeyed = http.post(
            url,
            headers=headers,
            json=job | {"operation": "upsert", "externalIdFieldName": "LastName"},
        )
        no_job = http.get(
            f"{url}/750000000000099AAA", headers=headers | {"Content-Type": "application/json"}
        )

    assert (no_session.status_code, no_session.json()["exceptionCode"]) == (400, "InvalidSessionId")
    assert xml.json()["exceptionCode"] == "InvalidJob"
    assert unknown.json() == {
        "exceptionCode": "InvalidEntity",
        "exceptionMessage": "Unable to find object: Nope",
    }
    assert (no_job.status_code, no_job.json()["exceptionCode"]) == (400, "InvalidJob")
    assert unkeyed.json()["exceptionCode"] == "InvalidJob"
    assert "LastName does not match an External ID" in unkeyed.json()["exceptionMessage"]


def test_a_csv_job_reports_in_xml_and_gives_csv_results(csv_jobs: CsvJobs) -> None:
    job = csv_jobs.create("insert", "Contact")
    assert job.tag == f"{{{NS['sf']}}}jobInfo"
    assert (text_of(job, "state"), text_of(job, "contentType")) == ("Open", "CSV")
    assert text_of(job, "createdDate").endswith("Z")

    batch = csv_jobs.batch(
        job,
        'LastName,Email,HasOptedOutOfEmail\n"Lovelace, Ada",ada@example.com,true\n'
        ",nobody@example.com,\n",
    )
    assert text_of(batch, "state") == "Completed"
    assert (text_of(batch, "numberRecordsProcessed"), text_of(batch, "numberRecordsFailed")) == (
        "2",
        "1",
    )

    result = csv_jobs.get(f"{text_of(job, 'id')}/batch/{text_of(batch, 'id')}/result")
    assert result.headers["content-type"].startswith("text/csv")
    header, ok, failed = list(csv.reader(io.StringIO(result.text)))
    assert header == ["Id", "Success", "Created", "Error"]
    assert (ok[0][:3], ok[1:]) == ("003", ["true", "true", ""])
    assert failed[:3] == ["", "false", "false"]
    assert failed[3] == "REQUIRED_FIELD_MISSING:Required fields are missing: [LastName]:LastName --"

    listed = CsvJobs.xml(csv_jobs.get(f"{text_of(job, 'id')}/batch"))
    assert [text_of(b, "id") for b in listed.findall("sf:batchInfo", NS)] == [text_of(batch, "id")]
    closed = CsvJobs.xml(
        csv_jobs.http.post(
            f"{csv_jobs.url}/{text_of(job, 'id')}",
            data=f'<jobInfo xmlns="{NS["sf"]}"><state>Closed</state></jobInfo>',
            headers=csv_jobs.xml_headers(),
        )
    )
    assert (text_of(closed, "state"), text_of(closed, "numberBatchesCompleted")) == ("Closed", "1")


def test_csv_values_are_read_by_field_type(csv_jobs: CsvJobs, sf: Salesforce) -> None:
    contact = sf.Contact.create({"LastName": "Typed", "Title": "CEO", "Department": "Sales"})["id"]
    job = csv_jobs.create("update", "Contact")

    csv_jobs.batch(job, f"Id,Title,Department,HasOptedOutOfEmail\n{contact},#N/A,,true\n")

    stored = sf.Contact.get(contact)
    assert (stored["Title"], stored["Department"], stored["HasOptedOutOfEmail"]) == (
        None,
        "Sales",
        True,
    )


def test_a_csv_value_of_the_wrong_type_fails_as_bulk_words_it(csv_jobs: CsvJobs) -> None:
    job = csv_jobs.create("insert", "Contact")
    batch = csv_jobs.batch(job, "LastName,Birthdate\nTypes,1990-13-01\n")

    result = csv_jobs.get(f"{text_of(job, 'id')}/batch/{text_of(batch, 'id')}/result")
    [_, failed] = list(csv.reader(io.StringIO(result.text)))
    assert failed[3] == (
        "INVALID_FIELD:Failed to deserialize field at col 1. Due to, '1990-13-01' is not a valid "
        "value for the type xsd:date:Birthdate --"
    )


def test_a_csv_batch_naming_an_unknown_field_fails_whole(csv_jobs: CsvJobs) -> None:
    job = csv_jobs.create("insert", "Contact")

    batch = csv_jobs.batch(job, "LastName,Nope__c\nAda,1\n")

    assert text_of(batch, "state") == "Failed"
    assert text_of(batch, "stateMessage") == "InvalidBatch : Field name not found : Nope__c"
    assert text_of(batch, "numberRecordsProcessed") == "0"


def test_a_csv_batch_naming_a_field_twice_fails_whole(csv_jobs: CsvJobs) -> None:
    job = csv_jobs.create("insert", "Contact")

    batch = csv_jobs.batch(job, "LastName,Title,Title\nAda,Dr,Prof\n")

    assert text_of(batch, "state") == "Failed"
    assert text_of(batch, "stateMessage") == "InvalidBatch : Duplicate field name : Title"


def test_a_csv_row_with_more_values_than_the_header_fails_alone(csv_jobs: CsvJobs) -> None:
    job = csv_jobs.create("insert", "Contact")

    batch = csv_jobs.batch(job, "LastName,Title\nWide,Chief,Extra\nNarrow,Clerk\n")

    result = csv_jobs.get(f"{text_of(job, 'id')}/batch/{text_of(batch, 'id')}/result")
    [_, failed, ok] = list(csv.reader(io.StringIO(result.text)))
    assert (text_of(batch, "state"), text_of(batch, "numberRecordsFailed")) == ("Completed", "1")
    assert failed[1:] == [
        "false",
        "false",
        "INVALID_FIELD:Row has 3 values but the header names 2 columns: the value at col 2 has "
        "no field: --",
    ]
    assert ok[1:3] == ["true", "true"]


def test_a_csv_query_gives_an_xml_result_list_and_csv_records(
    csv_jobs: CsvJobs, sf: Salesforce
) -> None:
    account = sf.Account.create({"Name": "Csv Co"})["id"]
    sf.Contact.create({"LastName": "Queried", "AccountId": account, "Birthdate": "1990-05-01"})
    job = csv_jobs.create("query", "Contact")

    batch = csv_jobs.batch(
        job, "SELECT LastName, Birthdate, Account.Name FROM Contact WHERE LastName = 'Queried'"
    )
    empty = csv_jobs.batch(job, "SELECT Id FROM Contact WHERE LastName = 'Nobody'")

    base = f"{text_of(job, 'id')}/batch/{text_of(batch, 'id')}/result"
    ids = CsvJobs.xml(csv_jobs.get(base))
    assert ids.tag == f"{{{NS['sf']}}}result-list"
    [result_id] = [r.text for r in ids.findall("sf:result", NS)]
    records = list(csv.DictReader(io.StringIO(csv_jobs.get(f"{base}/{result_id}").text)))
    assert records == [{"LastName": "Queried", "Birthdate": "1990-05-01", "Account.Name": "Csv Co"}]

    base = f"{text_of(job, 'id')}/batch/{text_of(empty, 'id')}/result"
    [empty_id] = [r.text for r in CsvJobs.xml(csv_jobs.get(base)).findall("sf:result", NS)]
    assert csv_jobs.get(f"{base}/{empty_id}").text == "Records not found for this query"


def test_a_query_batch_that_does_not_parse_fails_naming_why(csv_jobs: CsvJobs) -> None:
    job = csv_jobs.create("query", "Contact")

    batch = csv_jobs.batch(job, "SELECT Id FROM Contact WHERE")

    assert text_of(batch, "state") == "Failed"
    assert text_of(batch, "stateMessage") == (
        "InvalidBatch : Failed to process query: MALFORMED_QUERY:  SELECT Id FROM Contact WHERE"
        "                             ^ ERROR at Row:1:Column:29 unexpected token: '<EOF>'"
    )


def test_a_query_batch_naming_an_unknown_field_fails_as_a_live_org_words_it(
    sf: Salesforce,
) -> None:
    """The stateMessage a live org gives (ForceCLI issue 531): the query error on one line,
    each newline a space, after the lead-in every failed query batch has."""
    with pytest.raises(SalesforceGeneralError) as failed:
        sf.bulk.Account.query("SELECT Id, BadField FROM Account")

    assert failed.value.content == (
        "InvalidBatch : Failed to process query: INVALID_FIELD:  SELECT Id, BadField FROM Account"
        "            ^ ERROR at Row:1:Column:12 No such column 'BadField' on entity 'Account'. "
        "If you are attempting to use a custom field, be sure to append the '__c' after the "
        "custom field name. Please reference your WSDL or the describe call for the "
        "appropriate names."
    )


def test_a_query_batch_naming_another_object_than_the_job_fails(sf: Salesforce) -> None:
    """simple-salesforce issue 502: a live org fails the batch rather than answer with records
    of an object the job is not about."""
    sf.Contact.create({"LastName": "Not an Account"})

    with pytest.raises(SalesforceGeneralError) as failed:
        sf.bulk.Account.query("SELECT Id, LastName FROM Contact LIMIT 3")

    assert failed.value.content == (
        "InvalidBatch : Failed to process query: INVALID_TYPE_FOR_OPERATION: The root entity of "
        "the requested query (Contact) does not match the entity of the requested Bulk API Job "
        "(Account)."
    )
    assert sf.bulk.Contact.query("SELECT Id FROM contact LIMIT 1")


def test_a_retired_api_version_is_400_invalid_version(sandbox: SandboxServer) -> None:
    """Salesforce's help on retired versions: Bulk API answers 400 InvalidVersion."""
    retired = simple_salesforce(sandbox, version="25.0")

    with pytest.raises(SalesforceMalformedRequest) as refused:
        retired.bulk.Contact.insert([{"LastName": "Too Old"}])

    assert refused.value.status == 400
    assert refused.value.content["exceptionCode"] == "InvalidVersion"


@pytest.mark.parametrize(
    ("soql", "why"),
    [
        ("SELECT COUNT() FROM Contact", "Aggregate queries"),
        ("SELECT LastName FROM Contact GROUP BY LastName", "Aggregate queries"),
        ("SELECT Id FROM Contact LIMIT 1 OFFSET 2", "OFFSET"),
        ("SELECT Id, MailingAddress FROM Contact", "compound data"),
    ],
)
def test_a_query_batch_bulk_cannot_run_fails_as_salesforce_fails_it(
    csv_jobs: CsvJobs, soql: str, why: str
) -> None:
    """Salesforce runs these over REST but not in bulk: a script tested here must not meet
    the refusal for the first time in production."""
    job = csv_jobs.create("query", "Contact")

    batch = csv_jobs.batch(job, soql)

    assert text_of(batch, "state") == "Failed"
    message = text_of(batch, "stateMessage")
    assert message.startswith("InvalidBatch : Failed to process query: FUNCTIONALITY_NOT_ENABLED")
    assert why in message


def test_a_csv_batch_may_come_gzipped_and_one_not_in_utf8_is_refused(
    csv_jobs: CsvJobs, sf: Salesforce
) -> None:
    job = csv_jobs.create("insert", "Contact")
    url = f"{csv_jobs.url}/{text_of(job, 'id')}/batch"
    headers = csv_jobs.session | {"Content-Type": "text/csv", "Content-Encoding": "gzip"}

    zipped = csv_jobs.http.post(
        url, data=gzip.compress("LastName\nGzípped\n".encode()), headers=headers
    )
    latin = csv_jobs.http.post(
        url, data=gzip.compress("LastName\nGzípped\n".encode("latin-1")), headers=headers
    )

    assert zipped.status_code == 200, zipped.text
    batch = CsvJobs.xml(
        csv_jobs.get(f"{text_of(job, 'id')}/batch/{text_of(CsvJobs.xml(zipped), 'id')}")
    )
    assert text_of(batch, "state") == "Completed"
    assert sf.query("SELECT COUNT() FROM Contact WHERE LastName = 'Gzípped'")["totalSize"] == 1
    error = CsvJobs.xml(latin)
    assert (latin.status_code, error.tag) == (400, f"{{{NS['sf']}}}error")
    assert text_of(error, "exceptionCode") == "InvalidBatch"
    assert "not valid UTF-8" in text_of(error, "exceptionMessage")


def test_errors_answer_in_xml_unless_the_request_is_json(csv_jobs: CsvJobs) -> None:
    no_session = csv_jobs.http.get(f"{csv_jobs.url}/750000000000099AAA")
    unreadable = csv_jobs.http.post(
        csv_jobs.url, data="<jobInfo><operation>", headers=csv_jobs.xml_headers()
    )
    entity = csv_jobs.http.post(
        csv_jobs.url,
        data='<!DOCTYPE j [<!ENTITY x "insert">]><jobInfo><operation>&x;</operation></jobInfo>',
        headers=csv_jobs.xml_headers(),
    )

    error = CsvJobs.xml(no_session)
    assert (no_session.status_code, error.tag) == (400, f"{{{NS['sf']}}}error")
    assert text_of(error, "exceptionCode") == "InvalidSessionId"
    assert text_of(CsvJobs.xml(unreadable), "exceptionCode") == "InvalidJob"
    assert text_of(CsvJobs.xml(entity), "exceptionCode") == "InvalidJob"


def test_a_delete_batch_refuses_an_id_of_another_object_and_deletes_nothing(
    sf: Salesforce,
) -> None:
    account = sf.Account.create({"Name": "Not a Contact"})["id"]
    sf.Contact.create({"LastName": "Child", "AccountId": account})

    [refused] = sf.bulk.Contact.delete([{"Id": account}])

    assert refused["success"] is False
    assert [(e["statusCode"], e["message"]) for e in refused["errors"]] == [
        ("MALFORMED_ID", f"Contact ID: id value of incorrect type: {account}")
    ]
    children = sf.query(f"SELECT COUNT() FROM Contact WHERE AccountId = '{account}'")
    assert (sf.Account.get(account)["Name"], children["totalSize"]) == ("Not a Contact", 1)
