"""`FORCEBRIDGE_SALESFORCE_TIMEOUT`: how long the product waits for Salesforce's answers."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from forcebridge.salesforce.transport import DEFAULT_READ_TIMEOUT, DEFAULT_TIMEOUT, timeouts
from forcebridge.settings import Settings


def test_unset_the_product_waits_as_long_as_the_client_does_by_default(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("FORCEBRIDGE_SALESFORCE_TIMEOUT", raising=False)

    waited = Settings().salesforce_timeout

    assert waited == DEFAULT_READ_TIMEOUT == 120
    assert timeouts(waited) == DEFAULT_TIMEOUT


@pytest.mark.parametrize("given", ["0", "-5", "601", "two minutes"])
def test_a_timeout_that_is_no_number_of_seconds_salesforce_would_wait_is_refused(
    monkeypatch: pytest.MonkeyPatch, given: str
) -> None:
    monkeypatch.setenv("FORCEBRIDGE_SALESFORCE_TIMEOUT", given)

    with pytest.raises(ValidationError, match="salesforce_timeout"):
        Settings()


def test_seconds_are_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FORCEBRIDGE_SALESFORCE_TIMEOUT", "30.5")

    assert timeouts(Settings().salesforce_timeout) == (10.0, 30.5)
