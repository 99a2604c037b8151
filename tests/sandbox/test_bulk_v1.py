"""Bulk API 1.0 with JSON content, driven by simple-salesforce's `sf.bulk` and by hand."""

from __future__ import annotations

import datetime as dt

import requests
from simple_salesforce import Salesforce

from forcebridge.sandbox.server import SandboxServer


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


def test_an_upsert_on_id_inserts_the_records_that_give_none(sf: Salesforce) -> None:
    existing = sf.Contact.create({"LastName": "Known"})["id"]

    known, new = sf.bulk.Contact.upsert(
        [{"Id": existing, "Title": "Kept"}, {"LastName": "Newcomer"}], "Id"
    )

    assert (known["success"], known["created"], known["id"]) == (True, False, existing)
    assert (new["success"], new["created"]) == (True, True)
    assert sf.Contact.get(new["id"])["LastName"] == "Newcomer"
    assert sf.Contact.get(existing)["Title"] == "Kept"


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
        no_job = http.get(f"{url}/750000000000099AAA", headers=headers)

    assert (no_session.status_code, no_session.json()["exceptionCode"]) == (400, "InvalidSessionId")
    assert xml.json()["exceptionCode"] == "InvalidJob"
    assert unknown.json() == {
        "exceptionCode": "InvalidEntity",
        "exceptionMessage": "Unable to find object: Nope",
    }
    assert (no_job.status_code, no_job.json()["exceptionCode"]) == (400, "InvalidJob")
