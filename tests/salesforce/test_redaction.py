import logging

import pytest

from forcebridge.salesforce.redaction import (
    MASK,
    RedactingFilter,
    get_logger,
    mask_query_strings,
    mask_query_values,
    redact,
)

SESSION = "00D5g000004abcdEAA!AQ4AQKm.dTq_9xZ"


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        (f"Authorization: Bearer {SESSION}", "Authorization: Bearer"),
        (
            '{"access_token": "abc123", "instance_url": "https://x.my.salesforce.com"}',
            "instance_url",
        ),
        ("grant_type=refresh_token&refresh_token=5Aep861xyz&client_id=app", "client_id=app"),
        ("{'client_secret': 'shh', 'client_id': 'app'}", "'client_id': 'app'"),
        (f"session {SESSION} expired", "expired"),
        ("code=aPrx123==&state=xyz", "state=xyz"),
        ("username=a@b.c&password=hunter2", "username=a@b.c"),
    ],
)
def test_secrets_are_masked_and_the_rest_kept(text: str, kept: str) -> None:
    cleaned = redact(text)
    assert MASK in cleaned
    assert kept in cleaned
    for secret in (SESSION, "abc123", "5Aep861xyz", "shh", "aPrx123", "hunter2"):
        assert secret not in cleaned


def test_grant_type_names_are_not_mistaken_for_secrets() -> None:
    assert redact("grant_type=refresh_token") == "grant_type=refresh_token"


@pytest.mark.parametrize(
    "text",
    [
        "MALFORMED_QUERY: unexpected token: 'FROM'",
        "the custom query does not parse: unexpected token: '<EOF>' (row 1, column 81)",
        "the code: 'A1' is not a picklist value",
    ],
)
def test_prose_naming_a_secret_word_is_kept_whole(text: str) -> None:
    """Salesforce's own parse errors say "unexpected token": an operator needs the token."""
    assert redact(text) == text


def test_a_secret_in_a_dataclass_repr_is_masked() -> None:
    cleaned = redact("Tokens(access_token='abc123', instance_url='https://x')")
    assert "abc123" not in cleaned and "instance_url='https://x'" in cleaned


def test_the_filter_cleans_formatted_arguments(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("test.redaction.handler")
    handler_filter = RedactingFilter()
    caplog.handler.addFilter(handler_filter)
    try:
        with caplog.at_level(logging.INFO, logger=logger.name):
            logger.info("sending %s", {"refresh_token": "5Aep861xyz"})
    finally:
        caplog.handler.removeFilter(handler_filter)
    assert "5Aep861xyz" not in caplog.text
    assert MASK in caplog.text


def test_package_loggers_clean_their_own_records_and_exceptions(
    caplog: pytest.LogCaptureFixture,
) -> None:
    logger = get_logger("forcebridge.salesforce.test_redaction")
    assert get_logger(logger.name) is logger
    assert sum(isinstance(f, RedactingFilter) for f in logger.filters) == 1
    with caplog.at_level(logging.INFO, logger=logger.name):
        try:
            raise RuntimeError(f"refused Bearer {SESSION}")
        except RuntimeError:
            logger.exception("call failed for token=%s", SESSION)
    assert SESSION not in caplog.text


@pytest.mark.parametrize(
    ("url", "masked"),
    [
        (
            "/services/data/v62.0/query/?q=SELECT+Id+FROM+Lead",
            f"/services/data/v62.0/query/?q={MASK}",
        ),
        (
            "/jobs/query/750/results?locator=abc&maxRecords=10",
            f"/jobs/query/750/results?locator={MASK}&maxRecords={MASK}",
        ),
        ("/search?o%27brien%40example.com", f"/search?{MASK}"),
        (
            "/services/data/v62.0/sobjects/Lead/describe",
            "/services/data/v62.0/sobjects/Lead/describe",
        ),
    ],
)
def test_a_urls_query_values_are_masked_and_its_path_and_names_kept(url: str, masked: str) -> None:
    assert mask_query_values(url) == masked


def test_urllib3_records_quote_urls_without_their_query_values() -> None:
    """Only the URL arguments change: the line keeps its method, path, status and length."""
    url = "/services/data/v62.0/query/?q=SELECT+Id+FROM+Contact+WHERE+Email+%3D+%27o%40ex.com%27"
    record = logging.LogRecord(
        "urllib3.connectionpool",
        logging.DEBUG,
        __file__,
        1,
        '%s://%s:%s "%s %s %s" %s %s',
        ("https", "acme.my.salesforce.com", 443, "GET", url, "HTTP/1.1", 200, 40),
        None,
    )
    ours = logging.LogRecord("forcebridge.sync", logging.INFO, __file__, 1, "%s", (url,), None)

    assert RedactingFilter().filter(record) and RedactingFilter().filter(ours)

    assert record.getMessage() == (
        f'https://acme.my.salesforce.com:443 "GET /services/data/v62.0/query/?q={MASK} HTTP/1.1"'
        " 200 40"
    )
    assert ours.getMessage() == url


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        (
            "Max retries exceeded with url: /services/data/v62.0/query/?q=SELECT+Id%27o%40e.com%27"
            " (Caused by SSLError('wrong version number'))",
            f"Max retries exceeded with url: /services/data/v62.0/query/?q={MASK}"
            " (Caused by SSLError('wrong version number'))",
        ),
        (
            "from https://x.my.salesforce.com/a?b=1&c=2 and /d?e=3",
            f"from https://x.my.salesforce.com/a?b={MASK}&c={MASK} and /d?e={MASK}",
        ),
        ("Connection aborted? no URL here", "Connection aborted? no URL here"),
    ],
)
def test_the_urls_quoted_in_text_lose_their_query_values(text: str, masked: str) -> None:
    assert mask_query_strings(text) == masked


def test_uvicorns_access_lines_keep_their_path_without_its_query_values() -> None:
    """An admin page's `?soql=` holds what the admin typed; a token may ride in a query too."""
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        (
            "127.0.0.1:50000",
            "GET",
            "/services/1?soql=SELECT+Id+WHERE+Email%3D%27o%40e.com%27",
            "1.1",
            200,
        ),
        None,
    )

    assert RedactingFilter().filter(record)

    assert record.getMessage() == f'127.0.0.1:50000 - "GET /services/1?soql={MASK} HTTP/1.1" 200'
