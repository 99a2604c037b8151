"""OAuth 2.0 over HTTPS: the token endpoint's grants, revoke, introspection, identity, session
expiry."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl
from xml.etree import ElementTree

import jwt
import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceExpiredSession

from forcebridge.sandbox.oauth_formats import TokenFormat, preferred_format
from forcebridge.sandbox.server import SandboxServer
from tests.sandbox.oauth_calls import (
    Https,
    api_status,
    assert_oauth_error,
    password_form,
    token_call,
)

JWT_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
SandboxFactory = Callable[..., SandboxServer]


# --- password grant and token responses -----------------------------------------------------


def test_password_grant_answers_like_salesforce(sandbox: SandboxServer, https_for: Https) -> None:
    answer = token_call(sandbox, https_for, **password_form(sandbox))
    assert answer.status_code == 200
    body: dict[str, Any] = answer.json()
    assert set(body) == {
        "access_token",
        "instance_url",
        "id",
        "token_type",
        "issued_at",
        "signature",
        "scope",
    }
    assert body["token_type"] == "Bearer"
    assert body["instance_url"] == sandbox.base_url
    org_id, user_id = sandbox.org.org_id, sandbox.org.admin_user_id
    assert body["id"] == f"{sandbox.base_url}/id/{org_id}/{user_id}"
    assert body["access_token"].startswith(org_id[:15] + "!AQ")
    assert body["issued_at"].isdigit() and abs(int(body["issued_at"]) / 1000 - time.time()) < 60
    mac = hmac.new(
        sandbox.config.client_secret.encode(),
        (body["id"] + body["issued_at"]).encode(),
        hashlib.sha256,
    )
    assert body["signature"] == base64.b64encode(mac.digest()).decode()
    assert api_status(sandbox, https_for, body["access_token"]).status_code == 200


@pytest.mark.parametrize(
    ("override", "error", "description"),
    [
        ({"password": "wrong"}, "invalid_grant", "authentication failure"),
        ({"username": "nobody@example.com"}, "invalid_grant", "authentication failure"),
        ({"client_id": "someone-else"}, "invalid_client_id", "client identifier invalid"),
        ({"client_secret": "wrong"}, "invalid_client", "invalid client credentials"),
        (
            {"grant_type": "device_code"},
            "unsupported_grant_type",
            "grant type not supported",
        ),
    ],
)
def test_password_grant_refusals(
    sandbox: SandboxServer,
    https_for: Https,
    override: dict[str, str],
    error: str,
    description: str,
) -> None:
    answer = token_call(sandbox, https_for, **password_form(sandbox, **override))
    assert_oauth_error(answer, error, description)


def token_in_form(answer: requests.Response) -> dict[str, str]:
    """A token answer's keys, in whichever of the forms Salesforce offers it came."""
    media = answer.headers["content-type"].split(";")[0]
    if media == "application/x-www-form-urlencoded":
        return dict(parse_qsl(answer.text))
    if media == "application/xml":
        root = ElementTree.fromstring(answer.text)
        assert root.tag == "OAuth"
        return {element.tag: element.text or "" for element in root}
    assert media == "application/json"
    return dict(answer.json())


@pytest.mark.parametrize(
    ("asked", "headers", "media"),
    [
        ({"format": "urlencoded"}, {}, "application/x-www-form-urlencoded"),
        ({"format": "xml"}, {}, "application/xml"),
        ({"format": "json"}, {"Accept": "application/xml"}, "application/json"),
        ({}, {"Accept": "application/x-www-form-urlencoded"}, "application/x-www-form-urlencoded"),
        ({}, {"Accept": "text/html, application/xml;q=0.9"}, "application/xml"),
        ({}, {"Accept": "*/*"}, "application/json"),
        ({}, {"Accept": "application/json;q=0.5, application/xml"}, "application/xml"),
    ],
)
def test_a_token_and_a_refusal_come_in_the_form_asked_for(
    sandbox: SandboxServer,
    https_for: Https,
    asked: dict[str, str],
    headers: dict[str, str],
    media: str,
) -> None:
    """Salesforce's token endpoint answers as `format` asks, else as `Accept` asks, else JSON."""
    url = sandbox.base_url + "/services/oauth2/token"
    granted = https_for(sandbox).post(url, data=password_form(sandbox, **asked), headers=headers)
    refused = https_for(sandbox).post(
        url, data=password_form(sandbox, password="wrong", **asked), headers=headers
    )

    assert granted.status_code == 200
    assert granted.headers["content-type"].split(";")[0] == media
    token = token_in_form(granted)
    assert token["token_type"] == "Bearer" and token["instance_url"] == sandbox.base_url
    assert api_status(sandbox, https_for, token["access_token"]).status_code == 200
    assert refused.status_code == 400
    assert refused.headers["content-type"].split(";")[0] == media
    assert token_in_form(refused) == {
        "error": "invalid_grant",
        "error_description": "authentication failure",
    }


@pytest.mark.parametrize(
    ("accept", "form"),
    [
        ("application/json;q=0.5, application/xml", TokenFormat.XML),
        ("application/xml;q=0.5, application/json;q=0.9", TokenFormat.JSON),
        ("application/xml, application/json", TokenFormat.XML),  # equals: the first named
        ("application/json;q=0.8, application/x-www-form-urlencoded;q=0.8", TokenFormat.JSON),
        ("application/json;q=0, application/xml;q=0.1", TokenFormat.XML),
        ("application/json;q=0, */*", TokenFormat.URLENCODED),  # anything but JSON
        ("text/html, application/xhtml+xml, application/xml;q=0.9, */*;q=0.8", TokenFormat.XML),
        ("application/xml;q=0.2, */*", TokenFormat.JSON),
        ("application/xml;q=0", TokenFormat.JSON),  # nothing acceptable: the default
        ("application/xml;q=high, application/x-www-form-urlencoded;q=0.1", TokenFormat.URLENCODED),
        ("", TokenFormat.JSON),
    ],
)
def test_accept_picks_the_form_of_highest_quality(accept: str, form: TokenFormat) -> None:
    """HTTP's content negotiation: the highest `q`, ties in the order given, `q=0` refused
    (the first acceptable form was taken, whatever its `q`)."""
    assert preferred_format(accept) is form


def test_unknown_or_malformed_bearer_token_is_401_invalid_session_id(
    sandbox: SandboxServer, https_for: Https
) -> None:
    for headers in ({"Authorization": "Bearer 00D!AQforged"}, {}):
        answer = https_for(sandbox).get(
            sandbox.base_url + "/services/data/v62.0/limits", headers=headers
        )
        assert answer.status_code == 401
        assert answer.json() == [
            {"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}
        ]


# --- JWT bearer -----------------------------------------------------------------------------


def jwt_assertion(sandbox: SandboxServer, key: Any = None, **claims: Any) -> str:
    if key is None:
        key = serialization.load_pem_private_key(sandbox.jwt_key_file.read_bytes(), None)
    body = {
        "iss": sandbox.config.client_id,
        "sub": sandbox.config.username,
        "aud": sandbox.base_url,
        "exp": int(time.time()) + 180,
    } | claims
    return jwt.encode(body, key, algorithm="RS256")  # type: ignore[arg-type]


def test_jwt_bearer_with_the_sandbox_key_gives_a_session(
    sandbox: SandboxServer, https_for: Https
) -> None:
    answer = token_call(sandbox, https_for, grant_type=JWT_GRANT, assertion=jwt_assertion(sandbox))
    assert answer.status_code == 200
    assert "refresh_token" not in answer.json()
    assert api_status(sandbox, https_for, answer.json()["access_token"]).status_code == 200


def test_client_credentials_by_http_basic_give_the_apps_own_session(
    sandbox: SandboxServer, https_for: Https
) -> None:
    """What simple-salesforce sends for `Salesforce(consumer_key=, consumer_secret=, domain=)`."""
    config = sandbox.config

    def basic(secret: str) -> requests.Response:
        pair = base64.b64encode(f"{config.client_id}:{secret}".encode()).decode()
        return https_for(sandbox).post(
            sandbox.base_url + "/services/oauth2/token",
            data={"grant_type": "client_credentials"},
            headers={"Authorization": f"Basic {pair}"},
        )

    answer, wrong = basic(config.client_secret), basic("not-the-secret")

    assert answer.status_code == 200
    assert "refresh_token" not in answer.json()
    assert api_status(sandbox, https_for, answer.json()["access_token"]).status_code == 200
    assert (wrong.status_code, wrong.json()["error"]) == (400, "invalid_client")


@pytest.mark.parametrize(
    ("claims", "error", "description"),
    [
        ({"aud": "https://login.example.com"}, "invalid_grant", "audience is invalid"),
        ({"exp": int(time.time()) - 600}, "invalid_grant", "expired authorization code"),
        ({"iss": "stranger"}, "invalid_client_id", "client identifier invalid"),
        ({"sub": "nobody@example.com"}, "invalid_grant", "user hasn't approved this consumer"),
    ],
)
def test_jwt_bearer_refusals(
    sandbox: SandboxServer,
    https_for: Https,
    claims: dict[str, Any],
    error: str,
    description: str,
) -> None:
    assertion = jwt_assertion(sandbox, **claims)
    answer = token_call(sandbox, https_for, grant_type=JWT_GRANT, assertion=assertion)
    assert_oauth_error(answer, error, description)


def test_jwt_signed_with_another_key_is_an_invalid_assertion(
    sandbox: SandboxServer, https_for: Https
) -> None:
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    assertion = jwt_assertion(sandbox, key=stranger)
    answer = token_call(sandbox, https_for, grant_type=JWT_GRANT, assertion=assertion)
    assert_oauth_error(answer, "invalid_grant", "invalid assertion")


# --- revoke, identity, expiry ---------------------------------------------------------------


def test_revoking_an_access_token_ends_it(sandbox: SandboxServer, https_for: Https) -> None:
    token = sandbox.access_token()
    revoke_url = sandbox.base_url + "/services/oauth2/revoke"
    assert https_for(sandbox).post(revoke_url, data={"token": token}).status_code == 200
    assert api_status(sandbox, https_for, token).status_code == 401
    again = https_for(sandbox).post(revoke_url, data={"token": token})
    assert_oauth_error(again, "invalid_token", "invalid token")


def test_identity_url_and_userinfo_describe_the_admin(
    sandbox: SandboxServer, https_for: Https
) -> None:
    body = token_call(sandbox, https_for, **password_form(sandbox)).json()
    headers = {"Authorization": f"Bearer {body['access_token']}"}
    identity = https_for(sandbox).get(body["id"], headers=headers)
    assert identity.status_code == 200
    assert identity.json()["username"] == sandbox.config.username
    assert identity.json()["user_id"] == sandbox.org.admin_user_id
    assert identity.json()["urls"]["rest"] == f"{sandbox.base_url}/services/data/v{{version}}/"
    userinfo = https_for(sandbox).get(
        sandbox.base_url + "/services/oauth2/userinfo", headers=headers
    )
    assert userinfo.json()["preferred_username"] == sandbox.config.username
    assert userinfo.json()["sub"] == body["id"]
    refused = https_for(sandbox).get(body["id"], headers={"Authorization": "Bearer forged"})
    assert refused.status_code == 403


@pytest.mark.parametrize("path", ["identity", "/services/oauth2/userinfo"])
@pytest.mark.parametrize(
    ("headers", "refusal"),
    [({}, "Missing_OAuth_Token"), ({"Authorization": "Bearer forged"}, "Bad_OAuth_Token")],
)
def test_identity_without_a_live_token_names_what_was_wrong(
    sandbox: SandboxServer, https_for: Https, path: str, headers: dict[str, str], refusal: str
) -> None:
    """Salesforce's "Identity URLs" tells a token not sent from one that opens no session."""
    org_id, user_id = sandbox.org.org_id, sandbox.org.admin_user_id
    url = f"/id/{org_id}/{user_id}" if path == "identity" else path

    answer = https_for(sandbox).get(sandbox.base_url + url, headers=headers)

    assert (answer.status_code, answer.text) == (403, refusal)


def test_the_identity_url_answers_every_field_salesforce_documents(
    sandbox: SandboxServer, https_for: Https
) -> None:
    body = token_call(sandbox, https_for, **password_form(sandbox)).json()
    headers = {"Authorization": f"Bearer {body['access_token']}"}

    identity = https_for(sandbox).get(body["id"], headers=headers).json()

    assert {
        "id", "asserted_user", "user_id", "organization_id", "username", "nick_name",
        "display_name", "email", "email_verified", "first_name", "last_name", "timezone",
        "photos", "addr_street", "addr_city", "addr_state", "addr_country", "addr_zip",
        "mobile_phone", "mobile_phone_verified", "is_lightning_login_user", "status", "urls",
        "active", "user_type", "language", "locale", "utcOffset", "last_modified_date",
        "is_app_installed",
    } <= set(identity)  # fmt: skip
    assert identity["nick_name"] == "sandbox.admin" and identity["email_verified"] is True
    assert set(identity["photos"]) == {"picture", "thumbnail"}
    assert identity["status"] == {"created_date": None, "body": None}
    assert isinstance(identity["utcOffset"], int) and identity["is_app_installed"] is True
    assert identity["last_modified_date"].endswith("Z")


def test_identity_urls_take_the_version_asked_for(sandbox: SandboxServer, https_for: Https) -> None:
    body = token_call(sandbox, https_for, **password_form(sandbox)).json()
    headers = {"Authorization": f"Bearer {body['access_token']}"}
    org_id = sandbox.org.org_id

    urls = https_for(sandbox).get(f"{body['id']}?version=62.0", headers=headers).json()["urls"]
    latest = https_for(sandbox).get(f"{body['id']}?version=latest", headers=headers).json()

    assert urls["partner"] == f"{sandbox.base_url}/services/Soap/u/62.0/{org_id}"
    assert urls["tooling_rest"] == f"{sandbox.base_url}/services/data/v62.0/tooling/"
    assert latest["urls"]["rest"] == f"{sandbox.base_url}/services/data/v68.0/"


def introspect(sandbox: SandboxServer, https: Https, token: str, **client: str) -> Any:
    config = sandbox.config
    form = {"token": token, "client_id": config.client_id, "client_secret": config.client_secret}
    return https(sandbox).post(sandbox.base_url + "/services/oauth2/introspect", data=form | client)


def test_introspection_describes_a_live_token_and_not_an_ended_one(
    sandbox: SandboxServer, https_for: Https
) -> None:
    body = token_call(sandbox, https_for, **password_form(sandbox)).json()
    before = time.time()

    live = introspect(sandbox, https_for, body["access_token"]).json()
    https_for(sandbox).post(
        sandbox.base_url + "/services/oauth2/revoke", data={"token": body["access_token"]}
    )
    ended = introspect(sandbox, https_for, body["access_token"]).json()

    assert live["active"] is True
    assert live["token_type"] == "access_token"
    assert (live["client_id"], live["username"]) == (
        sandbox.config.client_id,
        sandbox.config.username,
    )
    assert live["sub"] == body["id"]
    assert live["nbf"] == live["iat"] <= before + 1 < live["exp"]
    assert ended == {"active": False}
    assert introspect(sandbox, https_for, "not-a-token").json() == {"active": False}


def test_introspection_takes_basic_credentials_and_refuses_other_apps(
    sandbox: SandboxServer, https_for: Https
) -> None:
    token = sandbox.access_token()
    config = sandbox.config
    basic = base64.b64encode(f"{config.client_id}:{config.client_secret}".encode()).decode()
    answer = https_for(sandbox).post(
        sandbox.base_url + "/services/oauth2/introspect",
        data={"token": token},
        headers={"Authorization": f"Basic {basic}"},
    )
    assert answer.json()["active"] is True
    wrong = introspect(sandbox, https_for, token, client_secret="guess")
    assert_oauth_error(wrong, "invalid_client", "invalid client credentials")


def test_idle_session_expires_into_invalid_session_id(
    make_sandbox: SandboxFactory, salesforce_for: Callable[..., Salesforce]
) -> None:
    sandbox = make_sandbox(session_lifetime=0.5)
    sf = salesforce_for(sandbox)
    assert sf.limits()["DailyApiRequests"]["Max"] > 0
    time.sleep(0.6)
    with pytest.raises(SalesforceExpiredSession) as expired:
        sf.limits()
    assert expired.value.content[0]["errorCode"] == "INVALID_SESSION_ID"
