"""OAuth 2.0 as Salesforce answers it: the token endpoint, revoke, userinfo and the identity URL.

Token responses carry Salesforce's keys (`issued_at` in milliseconds as a string, a `signature`
over the identity URL and `issued_at`, no `expires_in`); refusals are `{"error",
"error_description"}` with Salesforce's wording. OAuth calls are not API calls: not counted.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import time
from typing import Any

import jwt
from cryptography import x509
from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse, Response

from forcebridge.sandbox.auth import Grant
from forcebridge.sandbox.http_api import (
    LATEST_VERSION,
    RELEASES,
    SalesforceJSON,
    SandboxState,
    bearer_token,
    instance_url,
    sandbox_of,
)
from forcebridge.sandbox.oauth_formats import OAuthError, TokenFormat, token_answer, token_format
from forcebridge.soql.dates import known_zone

JWT_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
ALLOWED_SCOPES = ("api", "id", "web", "refresh_token", "offline_access", "openid", "full")
DEFAULT_SCOPE = "api id web refresh_token"

router = APIRouter()


def granted_scope(requested: str | None) -> str:
    """The scopes the connected app grants: those asked for, or all of its own when none are."""
    if not requested:
        return DEFAULT_SCOPE
    wanted = requested.replace(",", " ").split()
    return " ".join(scope for scope in ALLOWED_SCOPES if scope in wanted)


def pkce_matches(verifier: str, challenge: str) -> bool:
    digest = hashlib.sha256(verifier.encode()).digest()
    expected = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    return hmac.compare_digest(expected, challenge)


def identity_url(base: str, grant: Grant, org_id: str) -> str:
    return f"{base}/id/{org_id}/{grant.user_id}"


def token_signature(client_secret: str, id_url: str, issued_at: str) -> str:
    """Salesforce's `signature`: base64 HMAC-SHA256 of id + issued_at keyed by the secret."""
    mac = hmac.new(client_secret.encode(), (id_url + issued_at).encode(), hashlib.sha256)
    return base64.b64encode(mac.digest()).decode()


def _token_response(
    request: Request, grant: Grant, access_token: str, refresh_token: str | None = None
) -> dict[str, Any]:
    state = sandbox_of(request)
    base = instance_url(request)
    id_url = identity_url(base, grant, state.org.org_id)
    issued_at = str(int(time.time() * 1000))
    body: dict[str, Any] = {"access_token": access_token}
    if refresh_token:
        body["refresh_token"] = refresh_token
    body |= {
        "signature": token_signature(state.config.client_secret, id_url, issued_at),
        "scope": grant.scope,
        "instance_url": base,
        "id": id_url,
        "token_type": "Bearer",
        "issued_at": issued_at,
    }
    return body


def _check_client(state: SandboxState, params: dict[str, str], secret_required: bool) -> None:
    if params.get("client_id") != state.config.client_id:
        raise OAuthError("invalid_client_id", "client identifier invalid")
    secret = params.get("client_secret")
    if (secret_required or secret is not None) and not hmac.compare_digest(
        secret or "", state.config.client_secret
    ):
        raise OAuthError("invalid_client", "invalid client credentials")


async def _form(request: Request) -> dict[str, str]:
    """Salesforce reads token parameters from the form body, or failing that the query string."""
    params = dict(request.query_params)
    if request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        form = await request.form()
        params |= {key: value for key, value in form.items() if isinstance(value, str)}
    return params


def _authorization_code(request: Request, params: dict[str, str]) -> dict[str, Any]:
    state = sandbox_of(request)
    verifier = params.get("code_verifier")
    _check_client(state, params, secret_required=verifier is None)
    redeemed = state.auth.redeem_code(params.get("code", ""))
    if redeemed is None or redeemed.grant.client_id != state.config.client_id:
        raise OAuthError("invalid_grant", "invalid authorization code")
    if params.get("redirect_uri") != redeemed.redirect_uri:
        raise OAuthError("invalid_grant", "redirect_uri must match configuration")
    challenge = redeemed.code_challenge
    if (challenge or verifier) and not (
        challenge and verifier and pkce_matches(verifier, challenge)
    ):
        raise OAuthError("invalid_grant", "invalid code verifier")
    grant = redeemed.grant
    refresh = None
    if {"refresh_token", "offline_access"} & set(grant.scope.split()):
        refresh = state.auth.issue_refresh_token(grant)
    access = state.auth.open_session(grant, refresh_token=refresh)
    return _token_response(request, grant, access, refresh)


def _refresh_token(request: Request, params: dict[str, str]) -> dict[str, Any]:
    state = sandbox_of(request)
    _check_client(state, params, secret_required=False)
    token = params.get("refresh_token", "")
    grant = state.auth.refresh_grant(token)
    if grant is None or grant.client_id != state.config.client_id:
        raise OAuthError("invalid_grant", "expired access/refresh token")
    return _token_response(request, grant, state.auth.open_session(grant, refresh_token=token))


def _password(request: Request, params: dict[str, str]) -> dict[str, Any]:
    state = sandbox_of(request)
    _check_client(state, params, secret_required=True)
    user_id = state.auth.check_password(params.get("username", ""), params.get("password", ""))
    if user_id is None:
        raise OAuthError("invalid_grant", "authentication failure")
    grant = Grant(user_id, state.config.client_id, granted_scope(params.get("scope")))
    return _token_response(request, grant, state.auth.open_session(grant))


def _jwt_bearer(request: Request, params: dict[str, str]) -> dict[str, Any]:
    """Verify the RS256 assertion against the certificate registered with the connected app."""
    state = sandbox_of(request)
    public_key = x509.load_pem_x509_certificate(state.jwt_cert_pem).public_key()
    try:
        claims = jwt.decode(
            params.get("assertion", ""),
            public_key,  # type: ignore[arg-type]
            algorithms=["RS256"],
            audience=[instance_url(request), instance_url(request) + "/"],
            options={"require": ["iss", "sub", "aud", "exp"]},
        )
    except jwt.ExpiredSignatureError as error:
        raise OAuthError("invalid_grant", "expired authorization code") from error
    except jwt.InvalidAudienceError as error:
        raise OAuthError("invalid_grant", "audience is invalid") from error
    except jwt.PyJWTError as error:
        raise OAuthError("invalid_grant", "invalid assertion") from error
    if claims["iss"] != state.config.client_id:
        raise OAuthError("invalid_client_id", "client identifier invalid")
    user_id = state.auth.user_id(str(claims["sub"]))
    if user_id is None:
        raise OAuthError("invalid_grant", "user hasn't approved this consumer")
    grant = Grant(user_id, state.config.client_id, granted_scope(params.get("scope")))
    return _token_response(request, grant, state.auth.open_session(grant))


def _client_credentials(request: Request, params: dict[str, str]) -> dict[str, Any]:
    """A session for the connected app itself, as its run-as user (the sandbox's admin), with
    no refresh token: the app asks again with its credentials."""
    state = sandbox_of(request)
    _check_client(state, params, secret_required=True)
    grant = Grant(
        state.org.admin_user_id, state.config.client_id, granted_scope(params.get("scope"))
    )
    return _token_response(request, grant, state.auth.open_session(grant))


GRANTS = {
    "authorization_code": _authorization_code,
    "client_credentials": _client_credentials,
    "refresh_token": _refresh_token,
    "password": _password,
    JWT_GRANT: _jwt_bearer,
}


@router.post("/services/oauth2/token")
async def token(request: Request) -> Response:
    """The token endpoint; the client may authenticate in the form or by HTTP Basic, and ask
    for the answer's form (`oauth_formats`)."""
    params = dict(request.query_params)
    try:
        params = _basic_credentials(request) | await _form(request)
        grant_type = params.get("grant_type")
        if not grant_type:
            raise OAuthError("invalid_request", "grant type is missing")
        handler = GRANTS.get(grant_type)
        if handler is None:
            raise OAuthError("unsupported_grant_type", "grant type not supported")
        # Off the event loop: checking a password hash takes tens of milliseconds.
        body = await sandbox_of(request).run(handler, request, params)
    except OAuthError as refused:
        return refused.answer(_answer_form(request, params))
    return token_answer(body, _answer_form(request, params))


def _answer_form(request: Request, params: dict[str, str]) -> TokenFormat:
    return token_format(params.get("format"), request.headers.get("accept"))


@router.api_route("/services/oauth2/revoke", methods=["GET", "POST"])
async def revoke(request: Request) -> Response:
    """Revoking an access token ends it; a refresh token ends with every session it opened."""
    token = (await _form(request)).get("token")
    if not token:
        raise OAuthError("unsupported_token_type", "this token type is not supported")
    if not sandbox_of(request).auth.revoke(token):
        raise OAuthError("invalid_token", "invalid token")
    return Response(status_code=200)


@router.post("/services/oauth2/introspect")
async def introspect(request: Request) -> SalesforceJSON:
    """Whether a token is live, and what it stands for; only the connected app may ask, by its
    id and secret in the form or as HTTP Basic credentials."""
    params = await _form(request) | _basic_credentials(request)
    state = sandbox_of(request)
    _check_client(state, params, secret_required=True)
    token = params.get("token")
    if not token:
        raise OAuthError("invalid_request", "token is missing")
    found = await state.run(state.auth.introspect, token)
    if found is None:
        return SalesforceJSON({"active": False})
    grant = found.grant
    body: dict[str, Any] = {
        "active": True,
        "scope": grant.scope,
        "client_id": grant.client_id,
        "username": state.auth.username(grant.user_id),
        "sub": identity_url(instance_url(request), grant, state.org.org_id),
        "token_type": found.token_type,
    }
    if found.expires is not None and found.active_since is not None:
        issued = int(found.active_since)
        body |= {"exp": int(found.expires), "iat": issued, "nbf": issued}
    return SalesforceJSON(body)


def _basic_credentials(request: Request) -> dict[str, str]:
    """`client_id` and `client_secret` from an `Authorization: Basic` header, if one is sent."""
    scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return {}
    try:
        client_id, _, secret = base64.b64decode(encoded).decode().partition(":")
    except (ValueError, UnicodeDecodeError):
        raise OAuthError("invalid_client", "invalid client credentials") from None
    return {"client_id": client_id, "client_secret": secret}


def _identity_grant(request: Request) -> Grant | Response:
    """The identity URL takes a bearer header or, as Salesforce allows, an `oauth_token` param;
    without one it is 403 `Missing_OAuth_Token`, with one opening no session `Bad_OAuth_Token`,
    as Salesforce's "Identity URLs" lists its errors."""
    token = (
        bearer_token(request)
        or request.query_params.get("oauth_token")
        or request.query_params.get("access_token")
    )
    if not token:
        return PlainTextResponse("Missing_OAuth_Token", status_code=403)
    grant = sandbox_of(request).auth.session(token)
    return grant if grant is not None else PlainTextResponse("Bad_OAuth_Token", status_code=403)


def user_profile(
    state: SandboxState, base: str, grant: Grant, user: dict[str, Any] | None = None
) -> dict[str, Any]:
    """What the identity documents (and the SOAP login) say about the user, from the org's
    User record (read here unless the caller has it)."""
    if user is None:
        user = state.org.retrieve("User", grant.user_id)
    org_id = state.org.org_id
    rest = f"{base}/services/data/v{{version}}/"
    timezone = user.get("TimeZoneSidKey") or "GMT"
    offset = state.org.clock().astimezone(known_zone(timezone) or dt.UTC).utcoffset()
    modified = user.get("LastModifiedDate")
    return {
        "user_id": grant.user_id,
        "organization_id": org_id,
        "username": state.auth.username(grant.user_id) or user.get("Username"),
        "nick_name": user.get("CommunityNickname"),
        "display_name": user.get("Name"),
        "email": user.get("Email"),
        "email_verified": True,
        "first_name": user.get("FirstName"),
        "last_name": user.get("LastName"),
        "timezone": timezone,
        "photos": {
            "picture": f"{base}/profilephoto/005/F",
            "thumbnail": f"{base}/profilephoto/005/T",
        },
        "addr_street": user.get("Street"),
        "addr_city": user.get("City"),
        "addr_state": user.get("State"),
        "addr_country": user.get("Country"),
        "addr_zip": user.get("PostalCode"),
        "mobile_phone": user.get("MobilePhone"),
        "mobile_phone_verified": False,
        "is_lightning_login_user": False,
        "status": {"created_date": None, "body": None},
        "language": user.get("LanguageLocaleKey") or "en_US",
        "locale": user.get("LocaleSidKey") or "en_US",
        "active": user.get("IsActive", True),
        "user_type": "STANDARD",
        "utcOffset": int(offset.total_seconds() * 1000) if offset is not None else 0,
        "last_modified_date": f"{modified[:19]}Z" if modified else None,
        "is_app_installed": True,
        "urls": {
            "enterprise": f"{base}/services/Soap/c/{{version}}/{org_id}",
            "metadata": f"{base}/services/Soap/m/{{version}}/{org_id}",
            "partner": f"{base}/services/Soap/u/{{version}}/{org_id}",
            "rest": rest,
            "sobjects": f"{rest}sobjects/",
            "search": f"{rest}search/",
            "query": f"{rest}query/",
            "recent": f"{rest}recent/",
            "tooling_soap": f"{base}/services/Soap/T/{{version}}/{org_id}",
            "tooling_rest": f"{rest}tooling/",
            "profile": f"{base}/{grant.user_id}",
            "feeds": f"{rest}chatter/feeds",
            "groups": f"{rest}chatter/groups",
            "users": f"{rest}chatter/users",
            "feed_items": f"{rest}chatter/feed-items",
            "feed_elements": f"{rest}chatter/feed-elements",
            "custom_domain": base,
        },
    }


def with_version(profile: dict[str, Any], version: str | None) -> dict[str, Any]:
    """The profile with `?version=` filled into its URLs, as Salesforce fills it ("latest"
    for the newest); left as `{version}` without one, or for a version not served."""
    number = f"{LATEST_VERSION}.0" if version == "latest" else version
    if number not in RELEASES:
        return profile
    urls = {name: url.replace("{version}", number) for name, url in profile["urls"].items()}
    return profile | {"urls": urls}


@router.api_route("/id/{org_id}/{user_id}", methods=["GET", "POST"])
async def identity(org_id: str, user_id: str, request: Request) -> Response:
    grant = _identity_grant(request)
    if isinstance(grant, Response):
        return grant
    state = sandbox_of(request)
    if org_id[:15] != state.org.org_id[:15] or user_id[:15] != grant.user_id[:15]:
        return PlainTextResponse("Bad_Id", status_code=404)
    base = instance_url(request)
    profile = await state.run(user_profile, state, base, grant)
    version = request.query_params.get("version")
    body = {"id": identity_url(base, grant, state.org.org_id), "asserted_user": True}
    return SalesforceJSON(body | with_version(profile, version))


@router.api_route("/services/oauth2/userinfo", methods=["GET", "POST"])
async def userinfo(request: Request) -> Response:
    """The OpenID Connect view of the same user."""
    grant = _identity_grant(request)
    if isinstance(grant, Response):
        return grant
    state = sandbox_of(request)
    base = instance_url(request)
    profile = await state.run(user_profile, state, base, grant)
    return SalesforceJSON(
        {
            "sub": identity_url(base, grant, state.org.org_id),
            "user_id": profile["user_id"],
            "organization_id": profile["organization_id"],
            "preferred_username": profile["username"],
            "name": profile["display_name"],
            "given_name": profile["first_name"],
            "family_name": profile["last_name"],
            "email": profile["email"],
            "email_verified": True,
            "zoneinfo": profile["timezone"],
            "language": profile["language"],
            "locale": profile["locale"],
            "active": profile["active"],
            "user_type": profile["user_type"],
            "urls": profile["urls"],
        }
    )
