"""What every REST call goes through: versions, sessions, errors, headers, trailing slashes."""

from __future__ import annotations

import asyncio
import http.client
import logging
import select
import ssl
import time
from collections.abc import Callable

import httpx
import pytest
import requests
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceMalformedRequest, SalesforceResourceNotFound
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import Message, Receive, Scope, Send

from forcebridge.sandbox.app import SalesforceEdge
from forcebridge.sandbox.limits import ApiUsage
from forcebridge.sandbox.server import SandboxServer

Session = Callable[[SandboxServer], requests.Session]
JSON_TYPE = "application/json;charset=UTF-8"
DATA = "/services/data/v62.0"


def test_versions_list_needs_no_session_and_covers_every_version_not_retired(
    sandbox: SandboxServer, https_for: Session
) -> None:
    answer = https_for(sandbox).get(sandbox.base_url + "/services/data/")
    versions = [entry["version"] for entry in answer.json()]
    assert versions == [f"{major}.0" for major in range(31, 69)]
    assert answer.json()[0] == {
        "label": "Summer '14", "url": "/services/data/v31.0", "version": "31.0"
    }  # fmt: skip
    assert answer.json()[-2:] == [
        {"label": "Summer '26", "url": "/services/data/v67.0", "version": "67.0"},
        {"label": "Winter '27", "url": "/services/data/v68.0", "version": "68.0"},
    ]


def test_an_idle_connection_stays_open_for_the_next_request(sandbox: SandboxServer) -> None:
    """Clients reuse connections; one the server closed after a few idle seconds could fail a
    request sent at that moment, and requests does not send a POST again."""
    context = ssl.create_default_context(cafile=str(sandbox.ca_file))
    host, port = sandbox.base_url.removeprefix("https://").split(":")
    connection = http.client.HTTPSConnection(host, int(port), context=context)
    try:
        connection.request("GET", "/services/data/")
        assert connection.getresponse().read()
        assert connection.sock is not None

        time.sleep(6)  # past uvicorn's default keep-alive of 5 s
        closed, _, _ = select.select([connection.sock], [], [], 0)

        assert not closed  # a connection the server closed reads as its end
        connection.request("GET", "/services/data/")
        assert connection.getresponse().status == 200
    finally:
        connection.close()


@pytest.mark.parametrize("version", ["31.0", "42.0", "50.0", "62.0", "66.0", "67.0", "68.0"])
def test_supported_versions_answer(sandbox: SandboxServer, api_for: Session, version: str) -> None:
    answer = api_for(sandbox).get(f"{sandbox.base_url}/services/data/v{version}/")
    assert answer.status_code == 200
    assert answer.json()["sobjects"] == f"/services/data/v{version}/sobjects"
    identity = api_for(sandbox).get(answer.json()["identity"])
    assert identity.json()["organization_id"] == sandbox.org.org_id


def test_the_resources_index_lists_what_the_sandbox_serves_under_the_version(
    sandbox: SandboxServer, api_for: Session
) -> None:
    session = api_for(sandbox)
    index = session.get(f"{sandbox.base_url}{DATA}/").json()
    composite = session.get(sandbox.base_url + index["composite"])
    tooling = session.get(
        sandbox.base_url + index["tooling"] + "/query", params={"q": "SELECT Id FROM CustomField"}
    )

    assert set(index) == {
        "sobjects", "query", "queryAll", "search", "parameterizedSearch", "recent",
        "composite", "limits", "jobs", "tooling", "identity",
    }  # fmt: skip
    assert index["tooling"] == f"{DATA}/tooling"
    assert composite.json() == {
        name: f"{DATA}/composite/{name}" for name in ("tree", "batch", "sobjects", "graph")
    }
    assert (tooling.status_code, tooling.json()["done"]) == (200, True)


def test_a_retired_version_is_410_gone(sandbox: SandboxServer, api_for: Session) -> None:
    answer = api_for(sandbox).get(f"{sandbox.base_url}/services/data/v30.0/limits")
    assert answer.status_code == 410
    assert answer.json()[0]["errorCode"] == "GONE"


@pytest.mark.parametrize("version", ["69.0", "62", "31.5", "latest"])
def test_unsupported_version_is_404_not_found(
    sandbox: SandboxServer, api_for: Session, version: str
) -> None:
    answer = api_for(sandbox).get(f"{sandbox.base_url}/services/data/v{version}/limits")
    assert answer.status_code == 404
    assert answer.json() == [
        {"message": "The requested resource does not exist", "errorCode": "NOT_FOUND"}
    ]


def test_unknown_route_is_404_not_found(sandbox: SandboxServer, api_for: Session) -> None:
    answer = api_for(sandbox).get(f"{sandbox.base_url}{DATA}/nothing/here")
    assert answer.status_code == 404
    assert answer.json()[0]["errorCode"] == "NOT_FOUND"
    assert answer.headers["content-type"] == JSON_TYPE


def test_apex_rest_names_the_url_no_class_is_mapped_to(
    sandbox: SandboxServer, api_for: Session, https_for: Session
) -> None:
    url = f"{sandbox.base_url}/services/apexrest/MyClass/sub"
    signed_in = api_for(sandbox).post(url, json={})
    anonymous = https_for(sandbox).get(url)

    assert signed_in.status_code == 404
    assert signed_in.json() == [
        {"errorCode": "NOT_FOUND", "message": "Could not find a match for URL /MyClass/sub"}
    ]
    assert (anonymous.status_code, anonymous.json()[0]["errorCode"]) == (401, "INVALID_SESSION_ID")


def test_wrong_method_is_405_naming_the_allowed_ones(
    sandbox: SandboxServer, api_for: Session
) -> None:
    answer = api_for(sandbox).put(f"{sandbox.base_url}{DATA}/sobjects/Contact/003000000000001AAA")
    assert answer.status_code == 405
    assert answer.json() == [
        {
            "message": "HTTP Method 'PUT' not allowed. Allowed are HEAD,GET,PATCH,DELETE",
            "errorCode": "METHOD_NOT_ALLOWED",
        }
    ]
    assert answer.headers["allow"] == "HEAD, GET, PATCH, DELETE"


@pytest.mark.parametrize("body", [b"{not json", b"", b"[1, 2"])
def test_bad_json_is_400_json_parser_error(
    sandbox: SandboxServer, api_for: Session, body: bytes
) -> None:
    answer = api_for(sandbox).post(
        f"{sandbox.base_url}{DATA}/sobjects/Contact/",
        data=body,
        headers={"Content-Type": "application/json"},
    )
    assert answer.status_code == 400
    assert answer.json()[0]["errorCode"] == "JSON_PARSER_ERROR"


def test_simple_salesforce_sees_bad_json_as_a_malformed_request(sf: Salesforce) -> None:
    with pytest.raises(SalesforceMalformedRequest) as refused:
        sf.restful("sobjects/Contact/", method="POST", data="{oops")
    assert refused.value.content[0]["errorCode"] == "JSON_PARSER_ERROR"


@pytest.mark.parametrize("path", ["/limits", "/limits/", "/sobjects", "/sobjects/"])
def test_routes_answer_with_and_without_trailing_slash_without_redirect(
    sandbox: SandboxServer, api_for: Session, path: str
) -> None:
    answer = api_for(sandbox).get(f"{sandbox.base_url}{DATA}{path}", allow_redirects=False)
    assert answer.status_code == 200


def test_every_response_is_salesforce_json_with_the_usage_header(
    sandbox: SandboxServer, api_for: Session
) -> None:
    for path in ("/sobjects", "/nope", "/query?q=SELECT+Nonsense"):
        answer = api_for(sandbox).get(f"{sandbox.base_url}{DATA}{path}")
        assert answer.headers["content-type"] == JSON_TYPE
        used = sandbox.usage()
        assert answer.headers["sforce-limit-info"] == f"api-usage={used.used}/{used.limit}"


def test_no_org_usage_goes_to_a_caller_who_named_no_org(
    sandbox: SandboxServer, https_for: Session
) -> None:
    """The versions list is no call against an org (the REST guide's "Limit Info Header"
    leaves it out), and a 401's caller is no org's: a live org's 401 carries no usage."""
    http = https_for(sandbox)
    versions = http.get(sandbox.base_url + "/services/data/")
    refused = http.get(
        f"{sandbox.base_url}{DATA}/limits", headers={"Authorization": "Bearer not-a-session"}
    )

    assert (versions.status_code, refused.status_code) == (200, 401)
    assert "sforce-limit-info" not in versions.headers
    assert "sforce-limit-info" not in refused.headers


def test_simple_salesforce_reads_api_usage_from_the_header(
    sandbox: SandboxServer, sf: Salesforce
) -> None:
    sf.describe()
    usage = sf.api_usage["api-usage"]
    assert (usage.used, usage.total) == (sandbox.usage().used, sandbox.config.api_limit)


def test_unknown_object_surfaces_in_simple_salesforce_as_not_found(sf: Salesforce) -> None:
    with pytest.raises(SalesforceResourceNotFound):
        sf.restful("sobjects/NoSuchObject__c/describe/")


def test_session_ids_are_accepted_with_the_oauth_scheme_too(
    sandbox: SandboxServer, https_for: Session
) -> None:
    answer = https_for(sandbox).get(
        f"{sandbox.base_url}{DATA}/limits",
        headers={"Authorization": f"OAuth {sandbox.access_token()}"},
    )
    assert answer.status_code == 200


def test_an_unexpected_exception_becomes_500_unknown_exception_and_is_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def broken(request: Request) -> Response:
        raise RuntimeError("engine bug")

    async def fetch() -> httpx.Response:
        edge = Middleware(SalesforceEdge, usage=ApiUsage(10))
        app = Starlette(routes=[Route("/boom", broken)], middleware=[edge])
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="https://sandbox") as client:
            return await client.get("/boom/?access_token=secret")

    caplog.set_level(logging.INFO, logger="forcebridge.sandbox")
    answer = asyncio.run(fetch())
    assert answer.status_code == 500
    assert answer.json() == [
        {"message": "An unexpected error occurred.", "errorCode": "UNKNOWN_EXCEPTION"}
    ]
    assert answer.headers["sforce-limit-info"] == "api-usage=0/10"
    assert "engine bug" in caplog.text
    assert "GET /boom 500" in caplog.text
    assert "secret" not in caplog.text


def test_a_client_that_hangs_up_is_no_unexpected_error(caplog: pytest.LogCaptureFixture) -> None:
    async def hung_up(scope: Scope, receive: Receive, send: Send) -> None:
        raise ClientDisconnect()

    async def receive() -> Message:
        return {"type": "http.disconnect"}

    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    scope: Scope = {"type": "http", "method": "POST", "path": "/gone", "query_string": b"",
                    "headers": [], "root_path": ""}  # fmt: skip
    caplog.set_level(logging.INFO, logger="forcebridge.sandbox")
    asyncio.run(SalesforceEdge(hung_up, usage=ApiUsage(10))(scope, receive, send))

    assert sent == []  # nobody to answer
    assert "the client disconnected" in caplog.text
    assert "unexpected error" not in caplog.text
