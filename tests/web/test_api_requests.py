"""Requests the REST API cannot take as sent, each answered in its JSON shape with what to send
instead: an address with a trailing slash or an org in a service's name, a body not sent as
JSON, an empty filter; and the positions of a body's messages counted from 1, as their
report counts them."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

import pytest
from fastapi.routing import APIRoute

from forcebridge.store.models import Run, RunStatus
from forcebridge.store.repositories.orgs import get_org
from forcebridge.web import api, api_exports, api_runs, api_services
from forcebridge.web.errors import LOGIN_REASONS, SESSION_ENDED
from forcebridge.web.sessions import COOKIE_NAME
from tests.web.conftest import AdminPages, Api
from tests.web.test_api_services import message


@pytest.mark.parametrize(
    ("method", "path", "meant"),
    [
        ("GET", "/api/v1/runs/", "/api/v1/runs"),
        (
            "GET",
            "/api/v1/services/shop/contacts/?limit=2",
            "/api/v1/services/shop/contacts?limit=2",
        ),
        ("POST", "/api/v1/services/shop/messages/", "/api/v1/services/shop/messages"),
    ],
)
def test_a_trailing_slash_is_no_redirect_but_json_naming_the_path_without_it(
    api: Api, method: str, path: str, meant: str
) -> None:
    for headers in (api.headers, {}, {"Host": "evil.example"}):
        answer = api.pages.client.request(
            method, path, headers=headers, json={"messages": []}, follow_redirects=False
        )

        assert answer.status_code == 404
        assert "location" not in answer.headers
        assert answer.json() == {
            "error": "http_error",
            "message": f"No such path: the API's paths end without a slash ({meant}).",
        }


def test_a_path_the_api_lacks_with_or_without_a_slash_is_said_not_found(api: Api) -> None:
    for path in ("/api/v1/nothing", "/api/v1/nothing/"):
        answer = api.pages.client.get(path, headers=api.headers)

        assert answer.status_code == 404
        assert answer.json() == {"error": "http_error", "message": "Not Found"}


def test_a_page_with_a_trailing_slash_leads_to_the_page_by_a_relative_address(
    pages: AdminPages,
) -> None:
    pages.log_in("acme", "ann@acme.example.com")

    answer = pages.client.get(
        "/runs/?before=5", headers={"Host": "evil.example"}, follow_redirects=False
    )
    unknown = pages.client.get("/no-such-page/", follow_redirects=False)

    assert answer.status_code == 307
    assert answer.headers["location"] == "/runs?before=5"
    assert unknown.status_code == 404 and "location" not in unknown.headers


@pytest.mark.parametrize(
    ("path", "meant"),
    [
        ("/services/acme%2Fshop/contacts", "/api/v1/services/shop/contacts"),
        ("/services/acme/shop/messages", "/api/v1/services/shop/messages"),
    ],
)
def test_a_service_named_with_its_org_is_not_found_saying_how_services_are_named(
    api: Api, path: str, meant: str
) -> None:
    answer = api.pages.client.get(f"/api/v1{path}", headers=api.headers)

    assert answer.status_code == 404
    assert answer.json() == {
        "error": "not_found",
        "message": f"No service 'acme/shop': services are named without their org, as in {meant}.",
    }


@pytest.mark.parametrize(
    ("content_type", "came_as"),
    [("text/plain", "as 'text/plain'"), (None, "with no Content-Type")],
)
def test_a_body_not_sent_as_json_is_an_unsupported_media_type(
    api: Api, content_type: str | None, came_as: str
) -> None:
    headers = {**api.headers, **({"Content-Type": content_type} if content_type else {})}

    answer = api.pages.client.post(
        "/api/v1/services/shop/messages", content=b'{"messages": []}', headers=headers
    )

    assert answer.status_code == 415
    assert answer.json() == {
        "error": "unsupported_media_type",
        "message": "The body must be JSON sent with the header 'Content-Type: "
        f"application/json' (it came {came_as}).",
    }


def test_a_json_body_of_the_wrong_shape_is_still_an_invalid_request(api: Api) -> None:
    answer = api.pages.client.post(
        "/api/v1/services/shop/messages",
        content=b"[]",
        headers={**api.headers, "Content-Type": "application/vnd.api+json; charset=utf-8"},
    )

    assert (answer.status_code, answer.json()["error"]) == (422, "invalid_request")


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ({"messages": ["hello"]}, "messages.1: Input should be a valid dictionary"),
        ({"messages": [{}, {}, 3]}, "messages.3: Input should be a valid dictionary"),
    ],
)
def test_a_bad_message_in_the_body_is_named_by_its_position_from_1(
    api: Api, body: Any, named: str
) -> None:
    answer = api.post("/services/shop/messages", body)

    assert (answer.status_code, answer.json()["error"]) == (422, "invalid_request")
    assert named in answer.json()["message"]


def test_the_report_and_the_refusal_count_the_messages_alike(api: Api) -> None:
    """The third message: `line` 3 in a report, `messages.3` in a refusal."""
    report = api.post("/services/shop/messages", {"messages": [message()] * 3}).json()
    refusal = api.post("/services/shop/messages", {"messages": [message()] * 2 + [3]}).json()

    assert report["errors"][2]["line"] == 3
    assert "messages.3:" in refusal["message"]


@pytest.mark.parametrize("blank", ["", "%20"])
def test_an_empty_service_filter_is_refused_naming_the_parameter(api: Api, blank: str) -> None:
    answer = api.pages.client.get(f"/api/v1/runs?service={blank}", headers=api.headers)

    assert answer.status_code == 422
    assert answer.json() == {
        "error": "invalid_request",
        "message": "The request could not be taken: service: empty; name one of your "
        "organisation's services (`shop`, as GET /api/v1/services lists them), or leave "
        "`service` out for every service's runs.",
    }


def test_a_service_filter_naming_the_org_says_how_services_are_named(api: Api) -> None:
    answer = api.pages.client.get("/api/v1/runs?service=acme/shop", headers=api.headers)

    assert answer.status_code == 404
    assert answer.json()["message"] == (
        "No service 'acme/shop': services are named without their org, as 'shop' "
        "(GET /api/v1/services lists them)."
    )


def test_the_openapi_description_says_the_messages_are_sent_as_json(pages: AdminPages) -> None:
    described = pages.client.get("/api/v1/openapi.json").json()
    post = described["paths"]["/api/v1/services/{service}/messages"]["post"]

    assert "415" in post["responses"]
    assert "application/json" in post["requestBody"]["content"]


@pytest.mark.parametrize("path", ["/services/shop/messages", "/services/shop/streams/pull/run-now"])
def test_a_post_with_neither_token_nor_session_is_asked_to_authenticate(
    api: Api, path: str
) -> None:
    answer = api.pages.client.post(f"/api/v1{path}", json={"messages": []})

    assert answer.status_code == 401
    assert answer.json()["error"] == "login_required"
    assert answer.headers["www-authenticate"] == 'Bearer realm="forcebridge"'


def test_a_sessions_post_still_needs_its_form_token_named_as_the_header(api: Api) -> None:
    api.pages.log_in("acme", "ann@acme.example.com")

    answer = api.pages.client.post("/api/v1/services/shop/messages", json={"messages": []})
    page = api.pages.client.post("/logout", data={})

    assert answer.status_code == 403
    assert answer.json()["error"] == "csrf_rejected"
    assert "in the 'X-CSRF-Token' header" in answer.json()["message"]
    assert "Reload the page" not in answer.json()["message"]
    assert page.status_code == 403
    assert "This form has expired" in page.text  # a page's form is told of its form


@pytest.mark.parametrize("path", ["/services/shop/messages", "/services/shop/streams/pull/run-now"])
def test_an_ended_sessions_post_is_asked_to_log_in_not_refused_as_forged(
    api: Api, path: str
) -> None:
    api.pages.log_in("acme", "ann@acme.example.com")
    saved = api.pages.client.cookies.get(COOKIE_NAME)
    api.pages.post_form("/logout")
    api.pages.client.cookies.set(COOKIE_NAME, str(saved))

    answer = api.pages.client.post(f"/api/v1{path}", json={"messages": []})

    assert answer.status_code == 401
    assert answer.json() == {"error": "login_required", "message": LOGIN_REASONS[SESSION_ENDED]}


BAD_TOKEN = {"Authorization": "Bearer fbt_x"}


@pytest.mark.parametrize(
    ("headers", "body"),
    [
        ({"Content-Type": "text/plain"}, b"x"),
        ({"Content-Type": "application/json"}, b"{not json"),
        ({"Content-Type": "application/json"}, '{"messages": ["caf\xe9"]}'.encode("latin-1")),
        ({"Content-Type": "application/json"}, '{"messages": []}'.encode("utf-16")),
        ({"Content-Type": "application/json", "Content-Encoding": "gzip"}, b"\x1f\x8b\x08\x00"),
    ],
)
@pytest.mark.parametrize(
    ("credentials", "refusal"), [(BAD_TOKEN, "invalid_token"), ({}, "login_required")]
)
def test_the_caller_is_judged_before_the_body(
    api: Api,
    headers: dict[str, str],
    body: bytes,
    credentials: dict[str, str],
    refusal: str,
) -> None:
    answer = api.pages.client.post(
        "/api/v1/services/shop/messages", content=body, headers={**credentials, **headers}
    )

    assert (answer.status_code, answer.json()["error"]) == (401, refusal)


@pytest.mark.parametrize(
    ("credentials", "refusal"), [(BAD_TOKEN, "invalid_token"), ({}, "login_required")]
)
@pytest.mark.parametrize(("method", "path"), [("POST", "/services"), ("DELETE", "/runs")])
def test_the_caller_is_judged_before_the_method(
    api: Api, credentials: dict[str, str], refusal: str, method: str, path: str
) -> None:
    """A stranger learns nothing of what a path takes: 401 as for any request; 405 naming
    what it takes is for a caller who may call it."""
    refused = api.pages.client.request(method, f"/api/v1{path}", headers=credentials)
    allowed = api.pages.client.request(method, f"/api/v1{path}", headers=api.headers)

    assert (refused.status_code, refused.json()["error"]) == (401, refusal)
    assert "allow" not in refused.headers
    assert (allowed.status_code, allowed.json()["error"]) == (405, "http_error")
    assert allowed.headers["allow"] == "GET, HEAD"


@pytest.mark.parametrize("coding", ["gzip", "br", "identity, gzip"])
def test_a_body_in_a_content_coding_is_an_unsupported_media_type_naming_it(
    api: Api, coding: str
) -> None:
    answer = api.pages.client.post(
        "/api/v1/services/shop/messages",
        content=b"\x1f\x8b\x08\x00\xff",
        headers={**api.headers, "Content-Type": "application/json", "Content-Encoding": coding},
    )

    assert answer.status_code == 415
    assert answer.json() == {
        "error": "unsupported_media_type",
        "message": f"The body must be sent without a content coding (it came as "
        f"{coding.removeprefix('identity, ')!r}): leave out the 'Content-Encoding' header and "
        "send the JSON as it is.",
    }


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        ('{"messages": ["caf\xe9"]}', "latin-1"),
        *(
            (text, encoding)
            for text in ('{"messages": []}', '{"x": 1}', "[]")
            for encoding in ("utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be")
        ),
    ],
)
def test_a_body_not_in_utf8_is_said_to_need_utf8(api: Api, text: str, encoding: str) -> None:
    """UTF-16 and UTF-32, with their byte order mark or without, which Python's JSON reader
    would take: JSON between systems is UTF-8 (RFC 8259 §8.1), as the API documents."""
    answer = api.pages.client.post(
        "/api/v1/services/shop/messages",
        content=text.encode(encoding),
        headers={**api.headers, "Content-Type": "application/json"},
    )

    assert answer.status_code == 422
    assert answer.json() == {
        "error": "invalid_request",
        "message": "The request could not be taken: body: not UTF-8 text; send the JSON "
        "encoded as UTF-8.",
    }


def test_a_body_in_utf8_with_a_byte_order_mark_is_taken(api: Api) -> None:
    """RFC 8259 §8.1 lets a reader ignore the mark, as Python's does."""
    answer = api.pages.client.post(
        "/api/v1/services/shop/messages",
        content='{"messages": []}'.encode("utf-8-sig"),
        headers={**api.headers, "Content-Type": "application/json"},
    )

    assert (answer.status_code, answer.json()["read"]) == (200, 0)


@pytest.mark.parametrize("run_id", ["1.0", "01", "+1", "%201", "1_0", "1."])
def test_only_plain_digits_name_a_run(api: Api, run_id: str) -> None:
    api.pages.log_in("acme", "ann@acme.example.com")
    with api.pages.runtime.sessions() as session:
        org_id = get_org(session, "acme").id
        for _ in range(10):
            session.add(Run(org_id=org_id, stream="activities", status=RunStatus.SUCCEEDED))
        session.commit()
    assert api.pages.client.get("/api/v1/runs/1", headers=api.headers).status_code == 200

    answer = api.pages.client.get(f"/api/v1/runs/{run_id}", headers=api.headers)
    page = api.pages.client.get(f"/runs/{run_id}")

    assert answer.status_code == 404
    assert answer.json() == {
        "error": "not_found",
        "message": f"Nothing at '/api/v1/runs/{unquote(run_id)}'.",
    }
    assert page.status_code == 404 and "No such page." in page.text


@pytest.mark.parametrize("path", ["/api/v1/runs", "/api/v1/connections", "/login", "/runs"])
def test_every_get_route_answers_head_with_the_gets_headers_and_no_body(
    api: Api, path: str
) -> None:
    if path != "/login":  # which leads a signed-in admin on
        api.pages.log_in("acme", "ann@acme.example.com")

    got = api.pages.client.get(path, headers=api.headers, follow_redirects=False)
    head = api.pages.client.head(path, headers=api.headers, follow_redirects=False)

    assert got.status_code == head.status_code == 200
    assert head.content == b""
    assert head.headers["content-type"] == got.headers["content-type"]
    assert head.headers["content-length"] == got.headers["content-length"]


@pytest.mark.parametrize(("path", "allow"), [("/api/v1/runs", "GET, HEAD"), ("/runs", "GET, HEAD")])
def test_a_method_not_allowed_names_head_beside_get(api: Api, path: str, allow: str) -> None:
    answer = api.pages.client.delete(path, headers=api.headers)

    assert answer.status_code == 405
    assert answer.headers["allow"] == allow


def test_every_body_the_api_takes_is_read_strictly_as_its_json_kinds() -> None:
    """`"dry_run": "yes"` (or `1`, `"true"`) is no boolean: each body's model refuses what is
    not of the JSON kind it documents, naming the field, rather than guessing at it, and takes
    no key it does not document."""
    bodies = [
        param.field_info.annotation
        for module in (api, api_exports, api_runs, api_services)
        for route in module.router.routes
        if isinstance(route, APIRoute)
        for param in route.dependant.body_params
    ]

    assert bodies == [api_exports.NewExport, api_services.NewMessages]
    for body in bodies:
        assert (body.model_config.get("strict"), body.model_config.get("extra")) == (
            True,
            "forbid",
        ), body
