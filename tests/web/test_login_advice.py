"""What the pop-up advises for each way Salesforce refuses a web login."""

from __future__ import annotations

import pytest

from forcebridge.web.login_advice import login_advice


@pytest.mark.parametrize(
    ("error", "description", "advised"),
    [
        ("invalid_grant", "invalid authorization code", "start connecting again"),
        ("invalid_grant", "expired authorization code", "start connecting again"),
        ("invalid_grant", "invalid code verifier", "start connecting again"),
        ("invalid_grant", "ip restricted or invalid login hours", "ask your Salesforce admin"),
        ("invalid_grant", "something new", "start connecting again"),
        ("invalid_client_id", "client identifier invalid", "check the connected app's client id"),
        ("invalid_client", "invalid client credentials", "client secret"),
        ("redirect_uri_mismatch", "redirect_uri must match", "/oauth/callback"),
        ("inactive_user", "user is inactive", "log in as an active Salesforce user"),
        ("rate_limit_exceeded", "too many requests", "wait a few minutes"),
        ("unheard_of", "", "check the connected app's client id and secret"),
    ],
)
def test_each_refusal_gets_the_advice_that_mends_it(
    error: str, description: str, advised: str
) -> None:
    assert advised in login_advice(error, description)


def test_a_refused_code_is_not_blamed_on_the_connected_app() -> None:
    assert "client" not in login_advice("invalid_grant", "invalid authorization code")
