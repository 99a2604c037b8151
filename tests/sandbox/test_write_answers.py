"""What a REST write answers beyond its body: an upsert asked to update only, and `Location`.

Driven over HTTPS with `requests` (simple-salesforce's `upsert` sends no query parameters and
hides response headers) and through the composite resource with simple-salesforce's `restful`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import requests
from simple_salesforce import Salesforce

from forcebridge.sandbox.server import SandboxServer

SANDBOX_SETTINGS = {"schema_dir": Path(__file__).with_name("schema")}
Session = Callable[[SandboxServer], requests.Session]
NOT_FOUND = [{"errorCode": "NOT_FOUND", "message": "The requested resource does not exist"}]


def keyed(sandbox: SandboxServer, key: str, version: str = "62.0") -> str:
    return f"{sandbox.base_url}/services/data/v{version}/sobjects/Contact/External_Id__c/{key}"


def contacts_keyed(sf: Salesforce, key: str) -> int:
    soql = f"SELECT COUNT() FROM Contact WHERE External_Id__c = '{key}'"
    return int(sf.query(soql)["totalSize"])


def test_an_upsert_asked_to_update_only_creates_nothing_when_no_record_has_the_key(
    sandbox: SandboxServer, api_for: Session, sf: Salesforce
) -> None:
    api = api_for(sandbox)

    missing = api.patch(f"{keyed(sandbox, 'only-1')}?updateOnly=true", json={"LastName": "No"})

    assert (missing.status_code, missing.json()) == (404, NOT_FOUND)
    assert contacts_keyed(sf, "only-1") == 0


def test_an_upsert_asked_to_update_only_updates_the_record_with_the_key(
    sandbox: SandboxServer, api_for: Session, sf: Salesforce
) -> None:
    api = api_for(sandbox)
    created = api.patch(keyed(sandbox, "only-2"), json={"LastName": "Kept"}).json()["id"]

    updated = api.patch(f"{keyed(sandbox, 'only-2')}?updateOnly=true", json={"Title": "Dr"})

    assert (updated.status_code, updated.json()) == (
        200,
        {"id": created, "success": True, "errors": [], "created": False},
    )
    assert sf.Contact.get(created)["Title"] == "Dr"
    assert contacts_keyed(sf, "only-2") == 1


@pytest.mark.parametrize(("version", "status", "made"), [("60.0", 201, 1), ("61.0", 404, 0)])
def test_update_only_is_honoured_from_api_61(
    sandbox: SandboxServer, api_for: Session, sf: Salesforce, version: str, status: int, made: int
) -> None:
    key = f"only-v{version}"
    url = f"{keyed(sandbox, key, version)}?updateOnly=true"

    answer = api_for(sandbox).patch(url, json={"LastName": "Versioned"})

    assert answer.status_code == status
    assert contacts_keyed(sf, key) == made


def composite(sf: Salesforce, *subrequests: dict[str, Any]) -> list[dict[str, Any]]:
    body = {"allOrNone": False, "compositeRequest": list(subrequests)}
    answers: list[dict[str, Any]] = sf.restful("composite", method="POST", json=body)[
        "compositeResponse"
    ]
    return answers


def test_a_composite_upsert_asked_to_update_only_answers_as_the_route_does(
    sf: Salesforce,
) -> None:
    url = "/services/data/v62.0/sobjects/Contact/External_Id__c/only-3?updateOnly=true"

    [answer] = composite(
        sf, {"method": "PATCH", "url": url, "referenceId": "only", "body": {"LastName": "No"}}
    )

    assert (answer["httpStatusCode"], answer["body"]) == (404, NOT_FOUND)
    assert contacts_keyed(sf, "only-3") == 0


def test_a_create_names_its_record_in_location_as_a_composite_create_does(
    sandbox: SandboxServer, api_for: Session, sf: Salesforce
) -> None:
    data = f"{sandbox.base_url}/services/data/v62.0"

    plain = api_for(sandbox).post(f"{data}/sobjects/Contact", json={"LastName": "Located"})
    [inside] = composite(
        sf,
        {
            "method": "POST",
            "url": "/services/data/v62.0/sobjects/Contact",
            "referenceId": "made",
            "body": {"LastName": "Located"},
        },
    )

    record_id = plain.json()["id"]
    assert plain.status_code == 201
    assert plain.headers["Location"] == f"/services/data/v62.0/sobjects/Contact/{record_id}"
    assert inside["httpHeaders"] == {
        "Location": f"/services/data/v62.0/sobjects/Contact/{inside['body']['id']}"
    }


def test_upserts_and_posts_to_the_id_url_name_their_record_in_location(
    sandbox: SandboxServer, api_for: Session
) -> None:
    api = api_for(sandbox)
    posted = api.post(
        f"{sandbox.base_url}/services/data/v62.0/sobjects/Contact/Id", json={"LastName": "Id"}
    )
    created = api.patch(keyed(sandbox, "located"), json={"LastName": "Upserted"})
    updated = api.patch(keyed(sandbox, "located"), json={"Title": "Dr"})
    old_update = api.patch(keyed(sandbox, "located", "45.0"), json={"Title": "Prof"})

    def where(answer: requests.Response) -> str:
        return f"/services/data/v62.0/sobjects/Contact/{answer.json()['id']}"

    assert posted.headers["Location"] == where(posted)
    assert (created.status_code, created.headers["Location"]) == (201, where(created))
    assert (updated.status_code, updated.headers["Location"]) == (200, where(created))
    assert (old_update.status_code, "Location" in old_update.headers) == (204, False)
