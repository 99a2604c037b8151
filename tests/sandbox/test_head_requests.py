"""HEAD on the REST resources: the GET's status and headers, and no body."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import requests

from forcebridge.sandbox.server import SandboxServer

SANDBOX_SETTINGS = {"schema_dir": Path(__file__).with_name("schema")}
Session = Callable[[SandboxServer], requests.Session]
DATA = "/services/data/v62.0"


def test_a_head_on_a_record_answers_its_gets_status_and_headers_without_a_body(
    sandbox: SandboxServer, api_for: Session
) -> None:
    api = api_for(sandbox)
    record_id = sandbox.org.create("Account", {"Name": "Acme"})
    url = f"{sandbox.base_url}{DATA}/sobjects/Account/{record_id}"

    got, head = api.get(url), api.head(url)

    assert (head.status_code, head.content) == (200, b"")
    for name in ("Content-Type", "Content-Length", "ETag", "Last-Modified"):
        assert head.headers[name] == got.headers[name]
    assert head.headers["Sforce-Limit-Info"].startswith("api-usage=")


def test_a_head_tells_whether_a_record_exists_and_whether_it_changed(
    sandbox: SandboxServer, api_for: Session
) -> None:
    api = api_for(sandbox)
    rows = f"{sandbox.base_url}{DATA}/sobjects/Contact"
    url = f"{rows}/{sandbox.org.create('Contact', {'LastName': 'Ng'})}"
    gone = f"{rows}/{sandbox.org.create('Contact', {'LastName': 'Gone'})}"
    api.delete(gone)
    since = api.head(url).headers["Last-Modified"]

    unchanged = api.head(url, headers={"If-Modified-Since": since})
    missing = api.head(gone)

    assert (unchanged.status_code, unchanged.content) == (304, b"")
    assert (missing.status_code, missing.content) == (404, b"")


def test_a_head_reaches_the_versions_the_describes_and_records_by_external_id(
    sandbox: SandboxServer, api_for: Session, https_for: Session
) -> None:
    api = api_for(sandbox)
    sandbox.org.create("Contact", {"LastName": "Keyed", "External_Id__c": "head-1"})

    answers = [
        https_for(sandbox).head(f"{sandbox.base_url}/services/data"),
        api.head(f"{sandbox.base_url}{DATA}/sobjects/Contact/describe/"),
        api.head(f"{sandbox.base_url}{DATA}/sobjects/Contact/External_Id__c/head-1"),
        api.head(f"{sandbox.base_url}{DATA}/query", params={"q": "SELECT Id FROM Contact"}),
    ]

    assert [(a.status_code, a.content) for a in answers] == [(200, b"")] * 4
    assert all(a.headers["Content-Type"] == "application/json;charset=UTF-8" for a in answers)


def test_a_head_is_checked_as_its_get_is(sandbox: SandboxServer, https_for: Session) -> None:
    answer = https_for(sandbox).head(f"{sandbox.base_url}{DATA}/sobjects/Contact/describe")

    assert (answer.status_code, answer.content) == (401, b"")


def test_a_head_where_no_get_is_served_is_405_naming_what_is(
    sandbox: SandboxServer, api_for: Session
) -> None:
    answer = api_for(sandbox).head(f"{sandbox.base_url}{DATA}/composite/graph")

    assert answer.status_code == 405
    assert answer.headers["Allow"] == "POST"


def test_a_head_outside_the_rest_api_is_not_taken_for_a_get(
    sandbox: SandboxServer, api_for: Session, https_for: Session
) -> None:
    token = sandbox.access_token()

    revoked = https_for(sandbox).head(
        f"{sandbox.base_url}/services/oauth2/revoke", params={"token": token}
    )
    still = https_for(sandbox).get(
        f"{sandbox.base_url}{DATA}/limits", headers={"Authorization": f"Bearer {token}"}
    )

    assert revoked.status_code == 405
    assert still.status_code == 200
