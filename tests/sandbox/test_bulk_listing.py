"""Bulk API's "Get All Jobs" over HTTPS: `GET jobs/ingest` and `GET jobs/query` list Bulk API
2.0's jobs of their kind and Bulk API 1.0's, filtered by the guide's parameters and paged by
`nextRecordsUrl`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import requests

from forcebridge.sandbox import bulk_listing
from forcebridge.sandbox.server import SandboxServer

Session = Callable[[SandboxServer], requests.Session]
DATA = "/services/data/v62.0"


def _v2_job(sandbox: SandboxServer, session: requests.Session, kind: str, **job: str) -> str:
    answer = session.post(f"{sandbox.base_url}{DATA}/jobs/{kind}", json=job)
    assert answer.status_code == 200, answer.text
    return str(answer.json()["id"])


def _classic_job(sandbox: SandboxServer, session: requests.Session) -> str:
    answer = session.post(
        f"{sandbox.base_url}/services/async/62.0/job",
        json={
            "operation": "insert",
            "object": "Contact",
            "contentType": "JSON",
            "concurrencyMode": "Serial",
        },
        headers={"X-SFDC-Session": sandbox.access_token()},
    )
    assert answer.ok, answer.text
    return str(answer.json()["id"])


def _listed(
    sandbox: SandboxServer, session: requests.Session, kind: str, **params: str
) -> dict[str, Any]:
    answer = session.get(f"{sandbox.base_url}{DATA}/jobs/{kind}", params=params)
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def test_each_listing_holds_its_kind_of_job_and_every_bulk_1_job_by_type(
    sandbox: SandboxServer, api_for: Session
) -> None:
    session = api_for(sandbox)
    query = _v2_job(sandbox, session, "query", operation="query", query="SELECT Id FROM Contact")
    ingest = _v2_job(sandbox, session, "ingest", object="Contact", operation="insert")
    classic = _classic_job(sandbox, session)

    def types(kind: str, **params: str) -> dict[str, str]:
        body = _listed(sandbox, session, kind, **params)
        assert (body["done"], body["nextRecordsUrl"]) == (True, None)
        mine = (query, ingest, classic)
        return {job["id"]: job["jobType"] for job in body["records"] if job["id"] in mine}

    assert types("ingest") == {ingest: "V2Ingest", classic: "Classic"}
    assert types("query") == {query: "V2Query", classic: "Classic"}
    assert types("query", jobType="V2Ingest") == {ingest: "V2Ingest"}
    assert types("ingest", jobType="Classic") == {classic: "Classic"}
    assert types("ingest", jobType="BigObjectIngest") == {}
    assert types("ingest", concurrencyMode="serial") == {classic: "Classic"}
    assert types("query", concurrencyMode="Parallel") == {query: "V2Query"}
    assert types("query", isPkChunkingEnabled="true") == {}
    assert types("query", isPkChunkingEnabled="false") == {query: "V2Query", classic: "Classic"}
    (entry,) = [
        job for job in _listed(sandbox, session, "ingest")["records"] if job["id"] == classic
    ]
    assert (entry["operation"], entry["object"], entry["state"], entry["contentType"]) == (
        "insert",
        "Contact",
        "Open",
        "JSON",
    )


def test_a_long_listing_pages_by_next_records_url_and_a_deleted_job_skips_nothing(
    make_sandbox: Callable[..., SandboxServer],
    api_for: Session,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(bulk_listing, "PAGE_SIZE", 2)
    sandbox = make_sandbox()
    session = api_for(sandbox)
    jobs = [
        _v2_job(sandbox, session, "ingest", object="Contact", operation="insert") for _ in "12345"
    ]

    first = _listed(sandbox, session, "ingest", jobType="V2Ingest")
    assert ([job["id"] for job in first["records"]], first["done"]) == (jobs[:2], False)
    next_url = first["nextRecordsUrl"]
    assert next_url.startswith(f"{DATA}/jobs/ingest?jobType=V2Ingest&queryLocator=")
    gone = f"{sandbox.base_url}{DATA}/jobs/ingest/{jobs[2]}"
    assert session.patch(gone, json={"state": "Aborted"}).status_code == 200
    assert session.delete(gone).status_code == 204
    second = session.get(sandbox.base_url + next_url).json()
    assert ([job["id"] for job in second["records"]], second["done"]) == (jobs[3:], True)
    assert second["nextRecordsUrl"] is None


def test_a_query_locator_the_sandbox_never_gave_is_refused(
    sandbox: SandboxServer, api_for: Session
) -> None:
    session = api_for(sandbox)

    for locator in ("not-a-locator", "MDAxMDAwMDAwMDAwMDAwQUFB"):
        answer = session.get(
            f"{sandbox.base_url}{DATA}/jobs/query", params={"queryLocator": locator}
        )
        assert answer.status_code == 400
        assert answer.json()[0]["errorCode"] == "INVALID_QUERY_LOCATOR"
