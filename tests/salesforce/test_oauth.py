import logging
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from forcebridge.salesforce.endpoints import check_url
from forcebridge.salesforce.errors import LoginFailed, UntrustedUrl
from forcebridge.salesforce.oauth import (
    ConnectedApp,
    JwtBearerGrant,
    OAuthClient,
    RefreshTokenGrant,
    UnusableKey,
    code_challenge,
    jwt_signing_key,
    new_code_verifier,
)
from forcebridge.salesforce.usage import EndpointKind
from forcebridge.sandbox.server import SandboxServer
from tests.salesforce.conftest import REDIRECT_URI, oauth_for, walk_web_flow

APP = ConnectedApp(client_id="3MVG9app", client_secret="app-secret")


def client() -> OAuthClient:
    return OAuthClient(check_url("https://login.salesforce.com"), APP)


def test_challenge_matches_rfc_7636_appendix_b() -> None:
    verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
    assert code_challenge(verifier) == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"


def test_verifiers_are_long_unreserved_and_never_repeat() -> None:
    verifiers = {new_code_verifier() for _ in range(50)}
    assert len(verifiers) == 50
    assert all(re.fullmatch(r"[A-Za-z0-9\-._~]{43,128}", v) for v in verifiers)


def test_the_authorize_url_carries_state_and_an_s256_challenge() -> None:
    request = client().authorization_request("http://localhost:1717/OauthRedirect")
    url = urlsplit(request.url)
    assert (url.scheme, url.netloc, url.path) == (
        "https",
        "login.salesforce.com",
        "/services/oauth2/authorize",
    )
    params = {k: v[0] for k, v in parse_qs(url.query).items()}
    assert params == {
        "response_type": "code",
        "client_id": "3MVG9app",
        "redirect_uri": "http://localhost:1717/OauthRedirect",
        "scope": "api refresh_token",
        "state": request.state,
        "code_challenge": code_challenge(request.code_verifier),
        "code_challenge_method": "S256",
    }
    assert request.code_verifier not in request.url
    assert "app-secret" not in request.url
    assert "code_verifier" not in repr(request) and request.code_verifier not in repr(request)


def test_each_request_has_its_own_state() -> None:
    oauth = client()
    first = oauth.authorization_request("http://localhost/cb")
    second = oauth.authorization_request("http://localhost/cb")
    assert first.state != second.state
    assert first.code_verifier != second.code_verifier


@pytest.mark.parametrize("callback", [{"code": "aPrx1", "state": "forged"}, {"code": "aPrx1"}])
def test_a_callback_with_another_state_is_refused_as_forged(callback: dict[str, str]) -> None:
    oauth = client()
    request = oauth.authorization_request("http://localhost/cb")
    with pytest.raises(LoginFailed, match="forged") as caught:
        oauth.exchange_code(request, callback)
    assert caught.value.error_code == "state_mismatch"
    assert oauth.usage.snapshot().calls == {}


def test_a_denied_authorization_reports_salesforce_reason() -> None:
    oauth = client()
    request = oauth.authorization_request("http://localhost/cb")
    callback = {
        "error": "access_denied",
        "error_description": "end-user denied authorization",
        "state": request.state,
    }
    with pytest.raises(LoginFailed, match="end-user denied authorization") as caught:
        oauth.exchange_code(request, callback)
    assert caught.value.error_code == "access_denied"


# --- against the sandbox -------------------------------------------------------------------------


def test_web_flow_end_to_end_gives_tokens_with_a_refresh_token(sandbox: SandboxServer) -> None:
    oauth = oauth_for(sandbox)
    request = oauth.authorization_request(REDIRECT_URI)
    callback = walk_web_flow(sandbox, request.url)
    assert callback["state"] == request.state
    tokens = oauth.exchange_code(request, callback)
    assert tokens.refresh_token
    assert tokens.instance_url == sandbox.base_url
    assert tokens.org_id.startswith("00D")
    assert tokens.user_id.startswith("005")
    assert "api" in (tokens.scope or "").split()
    assert oauth.usage.snapshot().calls == {EndpointKind.OAUTH: 1}


def test_a_code_is_redeemed_once(sandbox: SandboxServer) -> None:
    oauth = oauth_for(sandbox)
    request = oauth.authorization_request(REDIRECT_URI)
    callback = walk_web_flow(sandbox, request.url)
    oauth.exchange_code(request, callback)
    with pytest.raises(LoginFailed) as caught:
        oauth.exchange_code(request, callback)
    assert caught.value.error_code == "invalid_grant"


def test_a_code_from_another_login_fails_pkce(sandbox: SandboxServer) -> None:
    oauth = oauth_for(sandbox)
    first = oauth.authorization_request(REDIRECT_URI)
    second = oauth.authorization_request(REDIRECT_URI)
    callback = walk_web_flow(sandbox, second.url)
    stolen = {**callback, "state": first.state}
    with pytest.raises(LoginFailed, match="code verifier"):
        oauth.exchange_code(first, stolen)


def test_denying_access_comes_back_as_a_login_failure(sandbox: SandboxServer) -> None:
    oauth = oauth_for(sandbox)
    request = oauth.authorization_request(REDIRECT_URI)
    callback = walk_web_flow(sandbox, request.url, allow=False)
    with pytest.raises(LoginFailed) as caught:
        oauth.exchange_code(request, callback)
    assert caught.value.error_code == "access_denied"


def test_password_grant_and_a_wrong_password(sandbox: SandboxServer) -> None:
    oauth = oauth_for(sandbox)
    tokens = oauth.password_grant(sandbox.config.username, sandbox.config.password)
    assert tokens.access_token and tokens.refresh_token is None
    with pytest.raises(LoginFailed, match="authentication failure") as caught:
        oauth.password_grant(sandbox.config.username, "not-the-password")
    assert caught.value.error_code == "invalid_grant"


def test_a_wrong_client_secret_is_refused(sandbox: SandboxServer) -> None:
    oauth = OAuthClient(
        oauth_for(sandbox).endpoint, ConnectedApp(sandbox.config.client_id, "wrong-secret")
    )
    with pytest.raises(LoginFailed) as caught:
        oauth.password_grant(sandbox.config.username, sandbox.config.password)
    assert caught.value.error_code == "invalid_client"


def test_jwt_bearer_grant_signs_for_the_login_url(sandbox: SandboxServer) -> None:
    oauth = oauth_for(sandbox)
    key = sandbox.jwt_key_file.read_text()
    tokens = oauth.renew(JwtBearerGrant(sandbox.config.username, key))
    assert tokens.instance_url == sandbox.base_url
    with pytest.raises(LoginFailed):
        oauth.jwt_bearer_grant("nobody@example.com", key)


def test_the_jwt_key_is_read_as_pem_text_and_an_rsa_private_key_alone_is_taken(
    sandbox: SandboxServer,
) -> None:
    pem = sandbox.jwt_key_file.read_bytes()
    other = ed25519.Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    openssh = b"-----BEGIN OPENSSH PRIVATE KEY-----\nb3Blbg==\n-----END OPENSSH PRIVATE KEY-----\n"

    assert jwt_signing_key(pem) == pem.decode()
    with pytest.raises(UnusableKey, match=r"^its key is Ed25519, not RSA$"):
        jwt_signing_key(other)
    with pytest.raises(UnusableKey, match=r"OpenSSH key: write it as PEM \(ssh-keygen -p -m PEM\)"):
        jwt_signing_key(openssh)
    with pytest.raises(UnusableKey, match=r"^its FOO block cannot be read$"):
        jwt_signing_key(b"-----BEGIN FOO-----\nAAAA\n-----END FOO-----\n")


def test_refresh_gives_a_new_session_and_keeps_the_refresh_token(sandbox: SandboxServer) -> None:
    oauth = oauth_for(sandbox)
    request = oauth.authorization_request(REDIRECT_URI)
    tokens = oauth.exchange_code(request, walk_web_flow(sandbox, request.url))
    renewed = oauth.renew(RefreshTokenGrant(tokens.refresh_token or ""))
    assert renewed.access_token != tokens.access_token
    assert renewed.refresh_token == tokens.refresh_token


def test_a_revoked_refresh_token_no_longer_refreshes(sandbox: SandboxServer) -> None:
    oauth = oauth_for(sandbox)
    request = oauth.authorization_request(REDIRECT_URI)
    tokens = oauth.exchange_code(request, walk_web_flow(sandbox, request.url))
    assert tokens.refresh_token
    oauth.revoke(tokens.refresh_token)
    with pytest.raises(LoginFailed) as caught:
        oauth.refresh(tokens.refresh_token)
    assert caught.value.error_code == "invalid_grant"


def test_a_login_url_that_is_not_trusted_is_refused_before_any_call(sandbox: SandboxServer) -> None:
    with pytest.raises(UntrustedUrl, match="not a Salesforce URL"):
        check_url(sandbox.base_url)


def test_no_token_or_secret_reaches_the_logs(
    sandbox: SandboxServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    oauth = oauth_for(sandbox)
    request = oauth.authorization_request(REDIRECT_URI)
    callback = walk_web_flow(sandbox, request.url)
    tokens = oauth.exchange_code(request, callback)
    renewed = oauth.refresh(tokens.refresh_token or "")
    oauth.revoke(renewed.access_token)
    assert caplog.records, "the flows should have logged something"
    secrets = [
        tokens.access_token,
        tokens.refresh_token,
        renewed.access_token,
        callback["code"],
        request.code_verifier,
        sandbox.config.client_secret,
        sandbox.config.password,
    ]
    for secret in secrets:
        assert secret and secret not in caplog.text
