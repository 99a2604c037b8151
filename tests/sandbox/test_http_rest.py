"""Objects and records over REST with simple-salesforce: describe, CRUD, upsert, replication."""

from __future__ import annotations

import datetime as dt
import gzip
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import requests
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import (
    SalesforceError,
    SalesforceMalformedRequest,
    SalesforceMoreThanOneRecord,
    SalesforceResourceNotFound,
)

from forcebridge.sandbox.server import SandboxServer
from tests.sandbox.clocks import Clock

SANDBOX_SETTINGS = {"schema_dir": Path(__file__).with_name("schema")}
Session = Callable[[SandboxServer], requests.Session]
SandboxFactory = Callable[..., SandboxServer]
DATA = "/services/data/v62.0"


def test_describe_global_lists_the_standard_objects(sf: Salesforce) -> None:
    names = {entry["name"] for entry in sf.describe()["sobjects"]}
    assert {"Account", "Contact", "Lead", "Task", "User"} <= names


def test_object_basic_info_has_its_describe_entry_and_recent_items(sf: Salesforce) -> None:
    info = sf.Contact.metadata()
    assert info["objectDescribe"]["name"] == "Contact"
    assert info["objectDescribe"]["keyPrefix"] == "003"
    assert info["recentItems"] == []


def test_describe_follows_a_real_org(sf: Salesforce) -> None:
    fields = {f["name"]: f for f in sf.Contact.describe()["fields"]}
    assert fields["Phone"]["label"] == "Business Phone"
    assert fields["MailingCity"]["compoundFieldName"] == "MailingAddress"
    assert fields["External_Id__c"]["externalId"] is True


def test_describes_revalidate_with_if_modified_since(
    sandbox: SandboxServer, api_for: Session
) -> None:
    api = api_for(sandbox)
    url = f"{sandbox.base_url}{DATA}/sobjects/Contact/describe"
    first = api.get(url)
    last_modified = first.headers["Last-Modified"]
    assert first.status_code == 200 and first.json()["name"] == "Contact"

    unchanged = api.get(url, headers={"If-Modified-Since": last_modified})
    assert (unchanged.status_code, unchanged.content) == (304, b"")

    stale = api.get(
        url,
        headers={"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"},
    )
    assert stale.status_code == 200 and stale.json()["name"] == "Contact"
    catalogue = f"{sandbox.base_url}{DATA}/sobjects"
    assert api.get(catalogue, headers={"If-Modified-Since": last_modified}).status_code == 304


def test_records_answer_conditional_requests_by_date_and_account_tag(
    make_sandbox: Callable[..., SandboxServer], api_for: Session
) -> None:
    clock = Clock()
    sandbox = make_sandbox(clock=clock)
    api = api_for(sandbox)
    rows = f"{sandbox.base_url}{DATA}/sobjects"
    account = f"{rows}/Account/{sandbox.org.create('Account', {'Name': 'Acme'})}"
    contact = f"{rows}/Contact/{sandbox.org.create('Contact', {'LastName': 'Ng'})}"
    first = api.get(account)
    tag, since = first.headers["ETag"], first.headers["Last-Modified"]
    assert "ETag" not in api.get(contact).headers  # Account records only

    assert api.get(account, headers={"If-None-Match": tag}).status_code == 304
    assert api.get(contact, headers={"If-Modified-Since": since}).status_code == 304
    assert api.patch(account, json={"Name": "Acme 2"}, headers={"If-Match": tag}).status_code == 204
    stale = api.patch(account, json={"Name": "Acme 3"}, headers={"If-Match": tag})
    assert stale.status_code == 412 and stale.json()[0]["errorCode"] == "PRECONDITION_FAILED"
    assert api.get(account).json()["Name"] == "Acme 2"  # the stale write changed nothing

    clock.advance(minutes=1)
    api.patch(contact, json={"Title": "CTO"})
    assert api.get(contact, headers={"If-Modified-Since": since}).json()["Title"] == "CTO"
    late = api.patch(contact, json={"Title": "CEO"}, headers={"If-Unmodified-Since": since})
    assert late.status_code == 412
    unreadable = api.patch(contact, json={"Title": "CEO"}, headers={"If-Match": "nope"})
    assert unreadable.status_code == 400


def test_an_if_modified_since_later_than_the_servers_clock_is_ignored(
    make_sandbox: Callable[..., SandboxServer], api_for: Session
) -> None:
    clock = Clock()
    sandbox = make_sandbox(clock=clock)
    api = api_for(sandbox)
    contact = f"{sandbox.base_url}{DATA}/sobjects/Contact/"
    contact += sandbox.org.create("Contact", {"LastName": "Ng"})
    ahead = {"If-Modified-Since": "Fri, 01 Jan 2100 00:00:00 GMT"}  # RFC 2616 §14.25: invalid

    read = api.get(contact, headers=ahead)
    assert read.status_code == 200 and read.json()["LastName"] == "Ng"
    described = api.get(f"{sandbox.base_url}{DATA}/sobjects/Contact/describe", headers=ahead)
    assert described.status_code == 200 and described.json()["name"] == "Contact"


def test_a_record_by_external_id_answers_conditional_requests_as_by_id(
    sandbox: SandboxServer, sf: Salesforce
) -> None:
    """The same record, the same validators (`Last-Modified`, an Account's `ETag`) and the
    same 304, whether the URL names it by Id or by an external id."""
    rows = f"{sandbox.base_url}{DATA}/sobjects"
    contact = sf.Contact.create({"LastName": "Keyed", "External_Id__c": "ext-validated"})["id"]
    account = sf.Account.create({"Name": "Keyed Co", "Account_Key__c": "K-validated"})["id"]
    pairs = [
        (f"{rows}/Contact/{contact}", f"{rows}/Contact/External_Id__c/ext-validated"),
        (f"{rows}/Account/{account}", f"{rows}/Account/Account_Key__c/K-validated"),
    ]

    for by_id, by_key in pairs:
        plain, keyed = (sf.session.get(url, headers=sf.headers) for url in (by_id, by_key))
        validators = {k: plain.headers.get(k) for k in ("Last-Modified", "ETag")}
        assert {k: keyed.headers.get(k) for k in validators} == validators
        assert validators["Last-Modified"] and keyed.json() == plain.json()
        since = {"If-Modified-Since": validators["Last-Modified"]}
        assert sf.session.get(by_key, headers=sf.headers | since).status_code == 304


def test_unknown_object_is_404_not_found(sf: Salesforce) -> None:
    with pytest.raises(SalesforceResourceNotFound) as missing:
        sf.restful("sobjects/Nope__c/")
    assert missing.value.content[0]["errorCode"] == "NOT_FOUND"


def test_create_read_update_delete(sf: Salesforce) -> None:
    created = sf.Contact.create({"FirstName": "Ada", "LastName": "Lovelace"})
    assert created["success"] is True and created["errors"] == []
    record_id = created["id"]
    assert record_id.startswith("003") and len(record_id) == 18

    record = sf.Contact.get(record_id)
    assert (record["Name"], record["attributes"]["type"]) == ("Ada Lovelace", "Contact")
    assert sf.Contact.update(record_id, {"Title": "Countess"}) == 204
    assert sf.Contact.get(record_id)["Title"] == "Countess"
    assert sf.Contact.delete(record_id) == 204
    with pytest.raises(SalesforceResourceNotFound):
        sf.Contact.get(record_id)


def test_request_bodies_may_come_compressed_and_answers_come_gzipped_on_request(
    sandbox: SandboxServer, api_for: Session
) -> None:
    api = api_for(sandbox)
    url = f"{sandbox.base_url}{DATA}/sobjects/Contact"
    body = b'{"LastName": "Zipped"}'

    gzipped = api.post(url, data=gzip.compress(body), headers=_encoded("gzip"))
    deflated = api.post(url, data=zlib.compress(body), headers=_encoded("deflate"))
    broken = api.post(url, data=b"not gzip at all", headers=_encoded("gzip"))

    assert (gzipped.status_code, deflated.status_code) == (201, 201), gzipped.text
    record = api.get(f"{url}/{gzipped.json()['id']}", headers={"Accept-Encoding": "gzip"})
    assert record.headers["Content-Encoding"] == "gzip" and record.json()["LastName"] == "Zipped"
    assert broken.status_code == 400 and broken.json()[0]["errorCode"] == "INVALID_REQUEST"


def _encoded(encoding: str) -> dict[str, str]:
    return {"Content-Type": "application/json", "Content-Encoding": encoding}


def test_a_users_time_zone_locale_and_language_are_restricted_picklists(sf: Salesforce) -> None:
    fields = {f["name"]: f for f in sf.User.describe()["fields"]}
    [user] = sf.query("SELECT Id FROM User")["records"]

    for name in ("TimeZoneSidKey", "LocaleSidKey", "LanguageLocaleKey"):
        assert fields[name]["restrictedPicklist"] is True
        with pytest.raises(SalesforceMalformedRequest) as refused:
            sf.User.update(user["Id"], {name: "Mars/Olympus"})
        [error] = refused.value.content
        assert (error["errorCode"], error["fields"]) == (
            "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
            [name],
        )
    sf.User.update(user["Id"], {"TimeZoneSidKey": "Europe/Paris", "LocaleSidKey": "fr_FR"})


def test_a_record_cannot_be_its_own_parent(sf: Salesforce) -> None:
    account = sf.Account.create({"Name": "Acme"})["id"]
    with pytest.raises(SalesforceMalformedRequest) as refused:
        sf.Account.update(account, {"ParentId": account})
    [error] = refused.value.content
    assert (error["errorCode"], error["fields"]) == ("CIRCULAR_DEPENDENCY", ["ParentId"])


def test_a_lookup_to_a_deleted_record_is_a_bad_request_naming_the_field(sf: Salesforce) -> None:
    account = sf.Account.create({"Name": "Gone Co"})["id"]
    contact = sf.Contact.create({"LastName": "Stays"})["id"]
    sf.Account.delete(account)
    deleted = [
        {"message": "entity is deleted", "errorCode": "ENTITY_IS_DELETED", "fields": ["AccountId"]}
    ]

    with pytest.raises(SalesforceMalformedRequest) as created:
        sf.Contact.create({"LastName": "Orphan", "AccountId": account})
    with pytest.raises(SalesforceMalformedRequest) as updated:
        sf.Contact.update(contact, {"AccountId": account})
    subrequest = {
        "method": "POST",
        "url": f"{DATA}/sobjects/Contact",
        "referenceId": "orphan",
        "body": {"LastName": "Orphan", "AccountId": account},
    }
    composite = sf.restful("composite", method="POST", json={"compositeRequest": [subrequest]})

    assert created.value.content == updated.value.content == deleted
    [answer] = composite["compositeResponse"]
    assert (answer["httpStatusCode"], answer["body"]) == (400, deleted)
    with pytest.raises(SalesforceResourceNotFound) as addressed:  # the URL's own record
        sf.Account.get(account)
    assert addressed.value.content[0]["errorCode"] == "ENTITY_IS_DELETED"


def test_a_post_with_the_http_method_override_is_an_update(
    sandbox: SandboxServer, api_for: Session
) -> None:
    api = api_for(sandbox)
    contact = sandbox.org.create("Contact", {"LastName": "Ng"})
    url = f"{sandbox.base_url}{DATA}/sobjects/Contact/{contact}"

    overridden = api.post(url, params={"_HttpMethod": "PATCH"}, json={"Title": "CTO"})

    assert (overridden.status_code, overridden.content) == (204, b"")
    assert api.get(url).json()["Title"] == "CTO"
    assert api.post(url, json={"Title": "CEO"}).status_code == 405  # without it, still a POST


def test_get_honours_the_fields_parameter(sf: Salesforce) -> None:
    record_id = sf.Contact.create({"LastName": "Hopper", "Title": "Rear Admiral"})["id"]
    record = sf.restful(f"sobjects/Contact/{record_id}", params={"fields": "LastName,Title"})
    assert {k: v for k, v in record.items() if k != "attributes"} == {
        "LastName": "Hopper",
        "Title": "Rear Admiral",
    }


def test_create_without_a_required_field_is_refused(sf: Salesforce) -> None:
    with pytest.raises(SalesforceMalformedRequest) as refused:
        sf.Contact.create({"FirstName": "Nameless"})
    assert refused.value.content[0]["errorCode"] == "REQUIRED_FIELD_MISSING"
    assert refused.value.content[0]["fields"] == ["LastName"]


def test_a_checkbox_given_as_text_is_read_when_true_or_false_and_refused_otherwise(
    sf: Salesforce,
) -> None:
    record_id = sf.Contact.create({"LastName": "Texted", "DoNotCall": "true"})["id"]
    sf.Contact.update(record_id, {"HasOptedOutOfEmail": "false", "DoNotCall": "false"})
    with pytest.raises(SalesforceMalformedRequest) as refused:
        sf.Contact.update(record_id, {"DoNotCall": "1"})

    assert sf.Contact.get(record_id)["DoNotCall"] is False
    [error] = refused.value.content
    assert error["errorCode"] == "JSON_PARSER_ERROR"
    assert "Cannot deserialize instance of boolean from VALUE_STRING value 1" in error["message"]


def test_create_answers_201(sandbox: SandboxServer, api_for: Session) -> None:
    answer = api_for(sandbox).post(
        f"{sandbox.base_url}{DATA}/sobjects/Contact", json={"LastName": "Created"}
    )
    assert answer.status_code == 201
    assert set(answer.json()) == {"id", "success", "errors"}


def test_a_post_to_the_id_url_creates_as_an_upsert_would(
    sandbox: SandboxServer, api_for: Session
) -> None:
    answer = api_for(sandbox).post(
        f"{sandbox.base_url}{DATA}/sobjects/Contact/Id", json={"LastName": "Posted"}
    )

    assert answer.status_code == 201
    assert answer.json() | {"id": None} == {
        "id": None, "success": True, "errors": [], "created": True
    }  # fmt: skip
    assert sandbox.org.retrieve("Contact", answer.json()["id"])["LastName"] == "Posted"


@pytest.mark.parametrize("key", ["External_Id__c", "Id"])
def test_an_upsert_key_given_no_value_takes_a_post_and_refuses_a_patch_or_delete(
    sandbox: SandboxServer, sf: Salesforce, api_for: Session, key: str
) -> None:
    with pytest.raises(SalesforceError) as patched:  # simple-salesforce's URL: `Contact/{key}/`
        sf.Contact.upsert(f"{key}/", {"LastName": "Blank key"})
    deleted = api_for(sandbox).delete(f"{sandbox.base_url}{DATA}/sobjects/Contact/{key}/")
    posted = api_for(sandbox).post(
        f"{sandbox.base_url}{DATA}/sobjects/Contact/{key}/", json={"LastName": "Posted"}
    )

    assert patched.value.status == 405
    assert patched.value.content == [
        {
            "errorCode": "METHOD_NOT_ALLOWED",
            "message": "HTTP Method 'PATCH' not allowed. Allowed are GET,HEAD,POST",
        }
    ]
    assert (deleted.status_code, deleted.json()[0]["message"]) == (
        405,
        "HTTP Method 'DELETE' not allowed. Allowed are GET,HEAD,POST",
    )
    assert (posted.status_code, posted.json()["created"]) == (201, True)
    assert sf.Contact.get(posted.json()["id"])["LastName"] == "Posted"


@pytest.mark.parametrize("key", ["External_Id__c", "Id"])
def test_every_method_at_an_upsert_key_given_no_value_answers_alike(
    sandbox: SandboxServer, api_for: Session, key: str
) -> None:
    """Each 405 there names GET, HEAD and POST in its message and its `Allow` header; a GET
    or HEAD finds no record, the key having no value, rather than denying the field exists."""
    api = api_for(sandbox)
    url = f"{sandbox.base_url}{DATA}/sobjects/Contact/{key}/"
    sandbox.org.create("Contact", {"LastName": "Keyed", "External_Id__c": "K-1"})

    refused = {method: api.request(method, url) for method in ("PATCH", "DELETE", "PUT")}
    read, head = api.get(url), api.head(url)

    for method, answer in refused.items():
        assert (answer.status_code, answer.headers.get("Allow")) == (405, "GET, HEAD, POST")
        assert answer.json() == [
            {
                "errorCode": "METHOD_NOT_ALLOWED",
                "message": f"HTTP Method '{method}' not allowed. Allowed are GET,HEAD,POST",
            }
        ]
    assert (read.status_code, read.json()) == (
        404,
        [{"errorCode": "NOT_FOUND", "message": "The requested resource does not exist"}],
    )
    assert (head.status_code, head.content) == (404, b"")


def test_a_post_to_a_name_that_is_no_key_field_is_not_found(
    sandbox: SandboxServer, api_for: Session
) -> None:
    api = api_for(sandbox)
    record = sandbox.org.create("Contact", {"LastName": "Kept"})

    by_title = api.post(f"{sandbox.base_url}{DATA}/sobjects/Contact/Title", json={})
    by_record = api.post(f"{sandbox.base_url}{DATA}/sobjects/Contact/{record}", json={})

    assert (by_title.status_code, by_title.json()[0]["message"]) == (
        404,
        "Provided external ID field does not exist or is not accessible: Title",
    )
    assert (by_record.status_code, by_record.headers["allow"]) == (405, "HEAD, GET, PATCH, DELETE")


@pytest.mark.parametrize(
    "resource", ["describe/layouts", "describe/compactLayouts", "listviews", "quickActions"]
)
def test_describe_sub_resources_not_served_are_plain_not_found(
    sandbox: SandboxServer, api_for: Session, resource: str
) -> None:
    answer = api_for(sandbox).get(f"{sandbox.base_url}{DATA}/sobjects/Contact/{resource}")

    assert answer.status_code == 404
    assert answer.json() == [
        {"errorCode": "NOT_FOUND", "message": "The requested resource does not exist"}
    ]


def test_upsert_by_external_id_creates_then_updates(
    sandbox: SandboxServer, api_for: Session, sf: Salesforce
) -> None:
    url = f"{sandbox.base_url}{DATA}/sobjects/Contact/External_Id__c/ext-1"
    created = api_for(sandbox).patch(url, json={"LastName": "Turing"})
    assert created.status_code == 201
    assert created.json()["created"] is True
    updated = api_for(sandbox).patch(url, json={"LastName": "Turing", "Title": "Dr"})
    assert updated.status_code == 200
    assert updated.json() == {
        "id": created.json()["id"],
        "success": True,
        "errors": [],
        "created": False,
    }
    assert sf.Contact.get(created.json()["id"])["Title"] == "Dr"


@pytest.mark.parametrize(
    ("version", "created", "updated"),
    [
        ("45.0", (201, {"success": True, "errors": []}), (204, None)),
        (
            "46.0",
            (201, {"success": True, "errors": [], "created": True}),
            (200, {"success": True, "errors": [], "created": False}),
        ),
    ],
)
def test_an_upsert_answers_as_its_api_version_does(
    sandbox: SandboxServer,
    api_for: Session,
    version: str,
    created: tuple[int, dict[str, Any]],
    updated: tuple[int, dict[str, Any] | None],
) -> None:
    api = api_for(sandbox)
    url = f"{sandbox.base_url}/services/data/v{version}/sobjects/Contact/External_Id__c/v{version}"

    first = api.patch(url, json={"LastName": "Versioned"})
    second = api.patch(url, json={"Title": "Dr"})

    record_id = first.json()["id"]
    assert (first.status_code, {k: v for k, v in first.json().items() if k != "id"}) == created
    assert second.status_code == updated[0]
    if updated[1] is None:
        assert second.content == b""
    else:
        assert second.json() == {"id": record_id} | updated[1]
    assert sandbox.org.retrieve("Contact", record_id)["Title"] == "Dr"


def test_a_post_to_the_id_url_says_created_from_version_46(
    sandbox: SandboxServer, api_for: Session
) -> None:
    api = api_for(sandbox)
    answers = {
        version: api.post(
            f"{sandbox.base_url}/services/data/v{version}/sobjects/Contact/Id",
            json={"LastName": "Posted"},
        )
        for version in ("45.0", "46.0")
    }

    assert {v: (a.status_code, "created" in a.json()) for v, a in answers.items()} == {
        "45.0": (201, False),
        "46.0": (201, True),
    }


def test_get_by_external_id_finds_the_record_and_honours_fields(
    sandbox: SandboxServer, api_for: Session, sf: Salesforce
) -> None:
    record_id = sf.Contact.create({"LastName": "Hopper", "External_Id__c": "ext-grace"})["id"]
    found = sf.Contact.get_by_custom_id("External_Id__c", "ext-grace")
    assert (found["Id"], found["LastName"]) == (record_id, "Hopper")
    url = f"{sandbox.base_url}{DATA}/sobjects/Contact/External_Id__c/ext-grace?fields=Id"
    assert set(api_for(sandbox).get(url).json()) == {"attributes", "Id"}
    with pytest.raises(SalesforceResourceNotFound):
        sf.Contact.get_by_custom_id("External_Id__c", "nobody")
    with pytest.raises(SalesforceResourceNotFound) as not_external:
        sf.Contact.get_by_custom_id("LastName", "Hopper")
    assert "external ID field" in not_external.value.content[0]["message"]


def test_a_write_may_name_its_parent_by_an_external_id(sf: Salesforce) -> None:
    account = sf.Account.create({"Name": "Keyed Co", "Account_Key__c": "K-1"})["id"]
    other = sf.Account.create({"Name": "Other Co", "Account_Key__c": "K-2"})["id"]

    created = sf.Contact.create({"LastName": "Keyed", "Account": {"Account_Key__c": "K-1"}})
    sf.Contact.update(created["id"], {"Account": {"Account_Key__c": "K-2"}})
    upserted = sf.Contact.upsert(
        "External_Id__c/keyed-2", {"LastName": "Upserted", "Account": {"Account_Key__c": "K-1"}}
    )

    assert sf.Contact.get(created["id"])["AccountId"] == other
    assert upserted == 201
    assert sf.Contact.get_by_custom_id("External_Id__c", "keyed-2")["AccountId"] == account


@pytest.mark.parametrize(
    ("parent", "code", "detail"),
    [
        (
            {"Account_Key__c": "missing"},
            "INVALID_FIELD",
            "Foreign key external ID: missing not found",
        ),
        (
            {"Account_Key__c": None},
            "INVALID_FIELD",
            "Foreign key external ID: null not found for field Account_Key__c in entity Account",
        ),
        ({"Name": "Keyed Co"}, "INVALID_FIELD", "by one external ID field"),
        ({"attributes": {"type": "Lead"}, "Account_Key__c": "K-1"}, "INVALID_TYPE", "Lead"),
    ],
)
def test_a_parent_key_that_names_no_one_parent_is_refused(
    sf: Salesforce, parent: dict[str, Any], code: str, detail: str
) -> None:
    with pytest.raises(SalesforceMalformedRequest) as refused:
        sf.Contact.create({"LastName": "Orphan", "Account": parent})

    [error] = refused.value.content
    assert (error["errorCode"], error["fields"]) == (code, ["AccountId"])
    assert detail in error["message"]


def test_a_parent_key_in_a_bulk_csv_column_links_each_record(sf: Salesforce) -> None:
    account = sf.Account.create({"Name": "Bulk Keyed Co", "Account_Key__c": "K-9"})["id"]

    [report] = sf.bulk2.Contact.insert(
        records=[
            {"LastName": "Linked", "Account.Account_Key__c": "K-9"},
            {"LastName": "Unlinked", "Account.Account_Key__c": "K-404"},
        ]
    )

    assert (report["numberRecordsProcessed"], report["numberRecordsFailed"]) == (2, 1)
    [linked] = sf.query("SELECT AccountId FROM Contact WHERE LastName = 'Linked'")["records"]
    assert linked["AccountId"] == account


def test_na_in_a_bulk_parent_key_column_clears_the_lookup(sf: Salesforce) -> None:
    account = sf.Account.create({"Name": "Cleared Co", "Account_Key__c": "K-NA"})["id"]
    contact = sf.Contact.create({"LastName": "Unlinking", "AccountId": account})["id"]

    [report] = sf.bulk2.Contact.update(records=[{"Id": contact, "Account.Account_Key__c": "#N/A"}])

    assert (report["numberRecordsProcessed"], report["numberRecordsFailed"]) == (1, 0)
    assert sf.Contact.get(contact)["AccountId"] is None


def test_upsert_matching_several_records_is_300(sf: Salesforce) -> None:
    for name in ("Twin A", "Twin B"):
        sf.Contact.create({"LastName": name, "External_Id__c": "twin"})
    with pytest.raises(SalesforceMoreThanOneRecord) as several:
        sf.Contact.upsert("External_Id__c/twin", {"LastName": "Which"})
    assert several.value.status == 300
    assert len(several.value.content) == 2


@pytest.mark.parametrize("named", ["External_Id__c", "external_id__c", "Id"])
def test_an_upsert_naming_its_key_or_id_in_the_body_is_refused(
    sandbox: SandboxServer, api_for: Session, sf: Salesforce, named: str
) -> None:
    existing = sf.Contact.create({"LastName": "Keyed", "External_Id__c": f"body-{named}"})["id"]
    value = existing if named == "Id" else f"body-{named}"
    url = f"{sandbox.base_url}{DATA}/sobjects/Contact/External_Id__c/body-{named}"

    answer = api_for(sandbox).patch(url, json={"LastName": "Changed", named: value})

    assert answer.status_code == 400
    [error] = answer.json()
    assert (error["errorCode"], error["fields"]) == ("INVALID_FIELD", [named])
    assert named in error["message"]
    assert sf.Contact.get(existing)["LastName"] == "Keyed"


class MovableClock:
    """The org's clock: replication only covers whole minutes that have passed."""

    def __init__(self) -> None:
        self.now = dt.datetime(2024, 11, 7, 7, 0, 30, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture
def replicating(
    make_sandbox: SandboxFactory, salesforce_for: Callable[..., Salesforce]
) -> tuple[SandboxServer, Salesforce, MovableClock, dict[str, str]]:
    """A sandbox where, two minutes ago, one Contact was created and another deleted."""
    clock = MovableClock()
    sandbox = make_sandbox(clock=clock)
    sf = salesforce_for(sandbox)
    ids = {"kept": sf.Contact.create({"LastName": "Kept"})["id"]}
    ids["dropped"] = sf.Contact.create({"LastName": "Dropped"})["id"]
    sf.Contact.delete(ids["dropped"])
    clock.now += dt.timedelta(minutes=2)
    return sandbox, sf, clock, ids


def test_get_updated_and_get_deleted_with_simple_salesforce(
    replicating: tuple[SandboxServer, Salesforce, MovableClock, dict[str, str]],
) -> None:
    _, sf, clock, ids = replicating
    start, end = clock.now - dt.timedelta(minutes=10), clock.now
    updated = sf.Contact.updated(start, end)
    assert updated["ids"] == [ids["kept"]]
    assert updated["latestDateCovered"] == "2024-11-07T07:02:00.000+0000"
    deleted = sf.Contact.deleted(start, end)["deletedRecords"]
    assert [entry["id"] for entry in deleted] == [ids["dropped"]]


def test_replication_dates_with_an_unencoded_plus_still_parse(
    replicating: tuple[SandboxServer, Salesforce, MovableClock, dict[str, str]],
    api_for: Session,
) -> None:
    sandbox, _, _, ids = replicating
    window = "start=2024-11-07T06:50:00+00:00&end=2024-11-07T07:05:00+00:00"
    answer = api_for(sandbox).get(f"{sandbox.base_url}{DATA}/sobjects/Contact/updated/?{window}")
    assert answer.status_code == 200, answer.text
    assert answer.json()["ids"] == [ids["kept"]]


@pytest.mark.parametrize(
    ("query", "code"),
    [("", "MISSING_ARGUMENT"), ("?start=yesterday&end=today", "INVALID_REPLICATION_DATE")],
)
def test_replication_without_usable_dates_is_400(
    sandbox: SandboxServer, api_for: Session, query: str, code: str
) -> None:
    answer = api_for(sandbox).get(f"{sandbox.base_url}{DATA}/sobjects/Contact/updated{query}")
    assert answer.status_code == 400
    assert answer.json()[0]["errorCode"] == code


def test_record_counts_give_each_named_objects_live_records(sf: Salesforce) -> None:
    before = sf.restful("limits/recordCount", params={"sObjects": "Lead"})["sObjects"]
    kept = sf.Lead.create({"LastName": "Counted", "Company": "Count Co"})["id"]
    gone = sf.Lead.create({"LastName": "Gone", "Company": "Count Co"})["id"]
    sf.Lead.delete(gone)

    named = sf.restful("limits/recordCount", params={"sObjects": "Lead,Nope__c"})["sObjects"]
    every = sf.restful("limits/recordCount")["sObjects"]

    assert kept
    [lead] = named
    assert lead == {"count": (before[0]["count"] if before else 0) + 1, "name": "Lead"}
    assert {"Account", "Contact", "Lead"} <= {entry["name"] for entry in every}


def test_limits_report_the_daily_allowance(sandbox: SandboxServer, sf: Salesforce) -> None:
    limits = sf.limits()
    assert limits["DailyApiRequests"]["Max"] == sandbox.config.api_limit
    assert (
        limits["DailyApiRequests"]["Remaining"] == sandbox.config.api_limit - sandbox.usage().used
    )


def test_an_upsert_keys_value_is_the_rest_of_the_path_further_slashes_included(
    sandbox: SandboxServer, api_for: Session
) -> None:
    """docs/sandbox.md: an extra segment after the value is part of the value."""
    api = api_for(sandbox)
    url = f"{sandbox.base_url}{DATA}/sobjects/Contact/Email"

    extra = api.patch(f"{url}/a@example.com/extra", json={"LastName": "Extra"})
    encoded = api.patch(f"{url}/a%2Fb@example.com", json={"LastName": "Slash"})

    assert extra.status_code == 400
    assert extra.json()[0]["message"] == "Email: invalid email address: a@example.com/extra"
    assert encoded.status_code == 201
    assert api.get(f"{url}/a%2Fb@example.com").json()["Email"] == "a/b@example.com"
