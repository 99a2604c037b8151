"""The client side of Salesforce's OAuth 2.0 flows, against any checked login URL.

Web-server flow with PKCE (S256) and `state`, username-password, JWT bearer, refresh token, and
revoke. Each call goes through the same retry loop and usage meter as the REST client; refusals
come back as `LoginFailed` with OAuth's `error` and `error_description`. No secret is logged.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

import jwt
import requests
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from cryptography.hazmat.primitives.serialization import load_pem_private_key

from forcebridge.salesforce.endpoints import LoginEndpoint, check_url
from forcebridge.salesforce.errors import AuthenticationLost, LoginFailed, SalesforceError
from forcebridge.salesforce.redaction import get_logger
from forcebridge.salesforce.retry import AttemptFailed, Retrier
from forcebridge.salesforce.tokens import TokenSet
from forcebridge.salesforce.transport import (
    failure_from_exception,
    failure_from_response,
    http_session,
)
from forcebridge.salesforce.usage import EndpointKind, UsageMeter

JWT_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
JWT_LIFETIME_SECONDS = 180
DEFAULT_SCOPE = "api refresh_token"

log = get_logger(__name__)


def new_code_verifier() -> str:
    """A PKCE verifier: 86 URL-safe characters from 64 random bytes (RFC 7636 allows 43-128)."""
    return secrets.token_urlsafe(64)


def code_challenge(verifier: str) -> str:
    """The S256 challenge: unpadded base64url of the verifier's SHA-256."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


@dataclass(frozen=True)
class ConnectedApp:
    """The connected app forcebridge logs in as."""

    client_id: str
    client_secret: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class AuthorizationRequest:
    """What the web flow must remember between sending the admin away and the callback."""

    url: str
    redirect_uri: str
    state: str
    code_verifier: str = field(repr=False)


@dataclass(frozen=True)
class RefreshTokenGrant:
    refresh_token: str = field(repr=False)


@dataclass(frozen=True)
class PasswordGrant:
    username: str
    password: str = field(repr=False)


@dataclass(frozen=True)
class JwtBearerGrant:
    username: str
    private_key: str = field(repr=False)


class UnusableKey(ValueError):
    """A key that cannot sign a JWT bearer assertion; the message says what the file holds."""


_PEM_LABEL = re.compile(r"-----BEGIN ([A-Z0-9 ]+)-----")
_HELD = {
    "CERTIFICATE": "it holds a certificate",
    "PUBLIC KEY": "it holds a public key",
    "RSA PUBLIC KEY": "it holds a public key",
    "OPENSSH PRIVATE KEY": "it holds an OpenSSH key: write it as PEM (ssh-keygen -p -m PEM)",
}


def jwt_signing_key(data: bytes) -> str:
    """The PEM text of `data` when it is an RSA private key, unencrypted: Salesforce's JWT
    bearer flow takes RS256 alone, and the key is kept to sign later logins with no one there
    to type a passphrase. Anything else raises `UnusableKey`, before a login is tried with it."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise UnusableKey("it is not text: a DER key is written as PEM by openssl pkey") from None
    try:
        key = load_pem_private_key(data, password=None)
    except TypeError:  # cryptography's refusal of an encrypted key read without a password
        raise UnusableKey("it is encrypted: write it decrypted (openssl pkey)") from None
    except ValueError:
        label = _PEM_LABEL.search(text)
        raise UnusableKey(
            _HELD.get(label[1], f"its {label[1]} block cannot be read")
            if label
            else "it holds no PEM block (-----BEGIN ...-----)"
        ) from None
    if not isinstance(key, RSAPrivateKey):
        raise UnusableKey(f"its key is {type(key).__name__.removesuffix('PrivateKey')}, not RSA")
    return text


#: The ways a session can be obtained again without a person in the loop.
RenewalGrant = RefreshTokenGrant | PasswordGrant | JwtBearerGrant


class OtherOrgSession(AuthenticationLost):
    """A renewed session belongs to another Salesforce org than the connection's (a refreshed
    sandbox is a new org with the same login): it is not used, and the connection needs
    attention as if its authorization were lost."""


def other_org(linked_org_id: str | None, tokens: TokenSet) -> str | None:
    """Why `tokens` cannot serve a connection linked to Salesforce org `linked_org_id` (another
    org's records would not match what its services synced); None when they can: the same org,
    or none linked yet."""
    if linked_org_id in (None, tokens.org_id):
        return None
    return f"linked to Salesforce org {linked_org_id}, but this login is to org {tokens.org_id}"


@dataclass(frozen=True)
class UserIdentity:
    """What the identity service says of the logged-in user."""

    username: str | None
    time_zone: str | None
    locale: str | None
    """`LocaleSidKey` (`en_GB`), whose first day of the week starts the week date literals."""


class OAuthClient:
    """OAuth flows against one login endpoint for one connected app."""

    def __init__(
        self,
        endpoint: LoginEndpoint,
        app: ConnectedApp,
        *,
        usage: UsageMeter | None = None,
        retrier: Retrier | None = None,
        session: requests.Session | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.endpoint = endpoint
        self.app = app
        self.usage = usage or UsageMeter()
        self._retrier = retrier or Retrier()
        self._session = session or http_session(ca_file=endpoint.ca_file)
        self._clock = clock

    # --- web-server flow ----------------------------------------------------------------------

    def authorization_request(
        self, redirect_uri: str, *, scope: str = DEFAULT_SCOPE, prompt: str | None = None
    ) -> AuthorizationRequest:
        """The URL to send the admin to, with a fresh `state` and PKCE verifier to remember."""
        state = secrets.token_urlsafe(32)
        verifier = new_code_verifier()
        params = {
            "response_type": "code",
            "client_id": self.app.client_id,
            "redirect_uri": redirect_uri,
            "scope": scope,
            "state": state,
            "code_challenge": code_challenge(verifier),
            "code_challenge_method": "S256",
        }
        if prompt:
            params["prompt"] = prompt
        url = f"{self.endpoint.url}/services/oauth2/authorize?{urlencode(params)}"
        return AuthorizationRequest(url, redirect_uri, state, verifier)

    def exchange_code(self, request: AuthorizationRequest, callback: Mapping[str, str]) -> TokenSet:
        """Redeem the callback's code, after checking it answers `request` and not a forgery."""
        if not hmac.compare_digest(callback.get("state", ""), request.state):
            raise LoginFailed(
                "the callback's state does not match the login that was started: it may be forged,"
                " so it was refused; start the connection again",
                error_code="state_mismatch",
            )
        if "error" in callback:
            raise LoginFailed(
                callback.get("error_description") or callback["error"],
                error_code=callback["error"],
            )
        if not callback.get("code"):
            raise LoginFailed("the callback carries no authorization code", error_code="no_code")
        form = {
            "grant_type": "authorization_code",
            "code": callback["code"],
            "redirect_uri": request.redirect_uri,
            "code_verifier": request.code_verifier,
            **self._client_fields(),
        }
        return self._token(form, idempotent=False)

    # --- grants without a browser -------------------------------------------------------------

    def password_grant(self, username: str, password: str) -> TokenSet:
        """Username-password flow; `password` includes the security token when the org asks one."""
        form = {"grant_type": "password", "username": username, "password": password}
        return self._token({**form, **self._client_fields()})

    def jwt_bearer_grant(self, username: str, private_key: str) -> TokenSet:
        """JWT bearer flow: an RS256 assertion signed with the connected app's certificate key."""
        now = int(self._clock())
        claims = {
            "iss": self.app.client_id,
            "sub": username,
            "aud": self.endpoint.url,
            "exp": now + JWT_LIFETIME_SECONDS,
        }
        assertion = jwt.encode(claims, private_key, algorithm="RS256")
        return self._token({"grant_type": JWT_GRANT, "assertion": assertion})

    def refresh(self, refresh_token: str) -> TokenSet:
        form = {"grant_type": "refresh_token", "refresh_token": refresh_token}
        return self._token({**form, **self._client_fields()}, keep_refresh=refresh_token)

    def renew(self, grant: RenewalGrant) -> TokenSet:
        """A new session by whichever grant the connection was made with."""
        match grant:
            case RefreshTokenGrant(refresh_token=token):
                return self.refresh(token)
            case PasswordGrant(username=username, password=password):
                return self.password_grant(username, password)
            case JwtBearerGrant(username=username, private_key=key):
                return self.jwt_bearer_grant(username, key)

    def user_identity(self, tokens: TokenSet) -> UserIdentity:
        """Who logged in, from the identity service: the username an admin recognises the
        connection by, and the time zone and locale Salesforce reads a query's date literals
        such as `TODAY` and `THIS_WEEK` in (`America/New_York`, `en_GB`)."""
        trusted = [self.endpoint] if self.endpoint.ca_file else []
        site = urlsplit(tokens.id_url)
        check_url(f"{site.scheme}://{site.netloc}", trusted)  # the token goes to Salesforce only
        headers = {"Authorization": f"Bearer {tokens.access_token}"}
        identity = self._send("GET", tokens.id_url, headers=headers).json()
        username, locale = identity.get("username"), identity.get("locale")
        return UserIdentity(
            str(username) if username else None,
            str(identity.get("timezone") or "GMT"),
            str(locale) if locale else None,
        )

    def revoke(self, token: str) -> None:
        """End a refresh token (and its sessions) or an access token."""
        self._post("revoke", {"token": token})
        log.info("revoked a token at %s", self.endpoint.url)

    def discard(self, token: str) -> None:
        """End a session that will not be used, if Salesforce lets us: it goes with a refusal,
        which matters more than a failure to revoke it."""
        try:
            self.revoke(token)
        except SalesforceError as error:
            log.warning("could not revoke a session that is not used: %s", error)

    # --- plumbing -----------------------------------------------------------------------------

    def _client_fields(self) -> dict[str, str]:
        fields = {"client_id": self.app.client_id}
        if self.app.client_secret:
            fields["client_secret"] = self.app.client_secret
        return fields

    def _token(
        self, form: dict[str, str], *, idempotent: bool = True, keep_refresh: str | None = None
    ) -> TokenSet:
        payload = self._post("token", form, idempotent=idempotent).json()
        tokens = TokenSet.from_response(payload, keep_refresh=keep_refresh)
        trusted = [self.endpoint] if self.endpoint.ca_file else []
        check_url(tokens.instance_url, trusted)
        log.info("obtained a session for user %s of org %s", tokens.user_id, tokens.org_id)
        return tokens

    def _post(
        self, path: str, form: dict[str, str], *, idempotent: bool = True
    ) -> requests.Response:
        url = f"{self.endpoint.url}/services/oauth2/{path}"
        return self._send("POST", url, data=form, idempotent=idempotent)

    def _send(
        self, method: str, url: str, *, idempotent: bool = True, **options: Any
    ) -> requests.Response:
        headers = {"Accept": "application/json", **options.pop("headers", {})}

        def attempt() -> requests.Response:
            self.usage.count(EndpointKind.OAUTH)
            try:
                response = self._session.request(method, url, headers=headers, **options)
            except requests.RequestException as exc:
                raise AttemptFailed(failure_from_exception(exc)) from None
            if response.status_code >= 400:
                raise AttemptFailed(failure_from_response(response))
            return response

        return self._retrier.run(attempt, idempotent=idempotent)
