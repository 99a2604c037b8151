"""`FORCEBRIDGE_SALESFORCE_TIMEOUT`: how long the product waits for Salesforce's answers."""

from __future__ import annotations

import pytest
import requests
from pydantic import ValidationError

from forcebridge.cli.output import refusal_of
from forcebridge.salesforce.transport import (
    DEFAULT_READ_TIMEOUT,
    DEFAULT_TIMEOUT,
    NoAnswer,
    failure_from_exception,
    timeouts,
)
from forcebridge.settings import Settings


def test_unset_the_product_waits_as_long_as_the_client_does_by_default(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("FORCEBRIDGE_SALESFORCE_TIMEOUT", raising=False)

    waited = Settings().salesforce_timeout

    assert waited == DEFAULT_READ_TIMEOUT == 120
    assert timeouts(waited) == DEFAULT_TIMEOUT


@pytest.mark.parametrize("given", ["0", "-5", "601", "two minutes", "nan", "inf"])
def test_a_timeout_that_is_no_number_of_seconds_salesforce_would_wait_is_refused(
    monkeypatch: pytest.MonkeyPatch, given: str
) -> None:
    monkeypatch.setenv("FORCEBRIDGE_SALESFORCE_TIMEOUT", given)

    with pytest.raises(ValidationError) as caught:
        Settings()

    assert refusal_of(caught.value) == (
        "FORCEBRIDGE_SALESFORCE_TIMEOUT: must be a number of seconds more than 0 and at most "
        f"600 (not {given!r})"
    )


@pytest.mark.parametrize(("seconds", "said"), [(1, "within 1 second"), (2.5, "within 2.5 seconds")])
def test_the_seconds_waited_are_said_in_the_singular_for_one(seconds: float, said: str) -> None:
    timed_out = NoAnswer(requests.ReadTimeout("read timed out"), seconds)

    assert failure_from_exception(timed_out).message == f"no answer from Salesforce {said}"


def test_seconds_are_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FORCEBRIDGE_SALESFORCE_TIMEOUT", "30.5")

    assert timeouts(Settings().salesforce_timeout) == (10.0, 30.5)
