"""A login and tokens as a password-flow connection to the forcebridge sandbox would store."""

from __future__ import annotations

from forcebridge.store.models import AuthMethod, ConnectionKind
from forcebridge.store.repositories.connections import Login, Tokens

LOGIN = Login(
    kind=ConnectionKind.FORCEBRIDGE_SANDBOX,
    login_url="https://127.0.0.1:8443",
    auth_method=AuthMethod.PASSWORD,
    client_id="3MVG9forcebridge.sandbox.client",
    api_version="61.0",
    client_secret="sandbox-client-secret",
    username="admin@sandbox.forcebridge.dev",
    password="sandbox-password",
    ca_file="/data/ca.pem",
)
TOKENS = Tokens(
    "00D000000000001!first-access",
    "https://127.0.0.1:8443",
    refresh_token="first-refresh",
    salesforce_org_id="00D000000000001AAA",
    salesforce_user_id="005000000000001AAA",
)
