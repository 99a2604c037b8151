import datetime as dt

import pytest

from forcebridge.salesforce.errors import LoginFailed
from forcebridge.salesforce.tokens import InMemoryTokenSink, TokenSet

RESPONSE = {
    "access_token": "00D5g000004abcdEAA!AQ.secret-access",
    "refresh_token": "5Aep861secret-refresh",
    "signature": "sig",
    "scope": "refresh_token api",
    "instance_url": "https://acme.my.salesforce.com",
    "id": "https://login.salesforce.com/id/00D5g000004abcdEAA/0055g00000AbCdEAAZ",
    "token_type": "Bearer",
    "issued_at": "1730970000123",
}


def test_a_token_response_becomes_a_token_set_with_org_and_user() -> None:
    tokens = TokenSet.from_response(RESPONSE)
    assert tokens.access_token == RESPONSE["access_token"]
    assert tokens.refresh_token == RESPONSE["refresh_token"]
    assert tokens.org_id == "00D5g000004abcdEAA"
    assert tokens.user_id == "0055g00000AbCdEAAZ"
    assert tokens.issued_at == dt.datetime(2024, 11, 7, 9, 0, 0, 123000, tzinfo=dt.UTC)
    assert tokens.scope == "refresh_token api"


def test_a_refresh_answer_without_refresh_token_keeps_the_one_we_had() -> None:
    answer = {k: v for k, v in RESPONSE.items() if k != "refresh_token"}
    assert TokenSet.from_response(answer, keep_refresh="5Aep861old").refresh_token == "5Aep861old"
    assert TokenSet.from_response(answer).refresh_token is None


def test_tokens_never_show_in_a_repr() -> None:
    text = repr(TokenSet.from_response(RESPONSE))
    assert "secret" not in text
    assert "acme.my.salesforce.com" in text


@pytest.mark.parametrize("missing", ["access_token", "instance_url", "id"])
def test_an_incomplete_response_is_a_login_failure(missing: str) -> None:
    with pytest.raises(LoginFailed, match=missing):
        TokenSet.from_response({k: v for k, v in RESPONSE.items() if k != missing})


def test_an_identity_url_of_another_shape_is_refused() -> None:
    with pytest.raises(LoginFailed, match="identity URL"):
        TokenSet.from_response({**RESPONSE, "id": "https://login.salesforce.com/whoami"})


def test_the_in_memory_sink_keeps_renewals_in_order() -> None:
    sink = InMemoryTokenSink()
    assert sink.latest is None
    first = TokenSet.from_response(RESPONSE)
    second = TokenSet.from_response({**RESPONSE, "access_token": "00D5g000004abcdEAA!AQ.next"})
    sink.tokens_renewed(first)
    sink.tokens_renewed(second)
    assert sink.renewed == [first, second]
    assert sink.latest is second
