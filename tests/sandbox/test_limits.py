"""The daily allowance and the injected faults, as pure objects (HTTP behaviour: test_http_*)."""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable

import pytest
import requests
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceMalformedRequest, SalesforceRefusedRequest

from forcebridge.sandbox.limits import (
    ApiKind,
    ApiUsage,
    Faults,
    FaultSettings,
    limits_payload,
)
from forcebridge.sandbox.server import SandboxServer

SandboxFactory = Callable[..., SandboxServer]


def test_allowance_counts_by_kind_and_refuses_past_the_limit() -> None:
    usage = ApiUsage(3)
    assert usage.admit(ApiKind.QUERY)
    assert usage.admit(ApiKind.QUERY_MORE)
    assert usage.admit(ApiKind.QUERY)
    assert not usage.admit(ApiKind.SOBJECT)
    snapshot = usage.snapshot()
    assert (snapshot.used, snapshot.limit) == (3, 3)
    assert snapshot.by_kind == {"query": 2, "queryMore": 1}
    assert snapshot.header == "api-usage=3/3"


def test_allowance_counts_the_calls_of_the_last_24_hours_not_since_midnight() -> None:
    now = dt.datetime(2024, 11, 7, 23, 59, 30, tzinfo=dt.UTC)
    usage = ApiUsage(2, clock=lambda: now)
    assert usage.admit(ApiKind.QUERY)
    now += dt.timedelta(hours=12)
    assert usage.admit(ApiKind.SOBJECT)
    assert not usage.admit(ApiKind.QUERY)  # midnight has passed, the calls have not

    now = dt.datetime(2024, 11, 8, 23, 59, 59, tzinfo=dt.UTC)
    assert not usage.admit(ApiKind.QUERY)  # the first call is 24 hours old, not older
    now += dt.timedelta(seconds=1)
    assert usage.admit(ApiKind.QUERY)
    snapshot = usage.snapshot()
    assert (snapshot.used, snapshot.by_kind) == (2, {"sobject": 1, "query": 1})
    now += dt.timedelta(hours=24, minutes=1)
    assert usage.snapshot().used == 0


def test_limits_payload_reports_remaining_calls() -> None:
    usage = ApiUsage(10)
    usage.admit(ApiKind.LIMITS)
    payload = limits_payload(usage.snapshot())
    assert payload["DailyApiRequests"] == {"Max": 10, "Remaining": 9}
    assert payload["DailyBulkV2QueryJobs"]["Max"] > 0


def test_fault_rates_zero_and_one_are_certain() -> None:
    never = Faults(FaultSettings())
    always = Faults(FaultSettings(fail_rate=1.0, lock_rate=1.0))
    assert not any(never.server_unavailable() or never.row_locked() for _ in range(100))
    assert all(always.server_unavailable() and always.row_locked() for _ in range(100))


def test_fault_rate_is_roughly_the_fraction_asked_and_seedable() -> None:
    first = Faults(FaultSettings(fail_rate=0.3), random.Random(7))
    second = Faults(FaultSettings(fail_rate=0.3), random.Random(7))
    rolls = [first.server_unavailable() for _ in range(2000)]
    assert rolls == [second.server_unavailable() for _ in range(2000)]
    assert 0.25 < sum(rolls) / len(rolls) < 0.35


# --- over HTTPS, as clients meet them -------------------------------------------------------


def test_calls_past_the_allowance_get_403_request_limit_exceeded(
    make_sandbox: SandboxFactory, salesforce_for: Callable[..., Salesforce]
) -> None:
    sandbox = make_sandbox(api_limit=3)
    sf = salesforce_for(sandbox)
    for _ in range(3):
        sf.limits()
    with pytest.raises(SalesforceRefusedRequest) as refused:
        sf.describe()
    assert refused.value.status == 403
    assert refused.value.content == [
        {"message": "TotalRequests Limit exceeded.", "errorCode": "REQUEST_LIMIT_EXCEEDED"}
    ]
    assert sandbox.usage().used == 3
    sandbox.reset_usage()
    assert sf.limits()["DailyApiRequests"] == {"Max": 3, "Remaining": 2}


def test_usage_is_counted_by_kind_and_readable_without_spending_calls(
    make_sandbox: SandboxFactory,
    salesforce_for: Callable[..., Salesforce],
    api_for: Callable[[SandboxServer], requests.Session],
) -> None:
    sandbox = make_sandbox()
    sf = salesforce_for(sandbox)
    sf.describe()
    sf.Contact.describe()
    sf.limits()
    sf.Contact.create({"LastName": "Usage"})
    session = api_for(sandbox)
    for _ in range(2):
        usage = session.get(sandbox.base_url + "/sandbox/usage").json()
        assert usage == {
            "used": 4,
            "limit": sandbox.config.api_limit,
            "byKind": {"describe": 2, "limits": 1, "sobject": 1},
        }
    assert session.post(sandbox.base_url + "/sandbox/usage/reset").status_code == 204
    assert sandbox.usage().used == 0


def test_fail_rate_one_answers_every_call_503_server_unavailable(
    make_sandbox: SandboxFactory, api_for: Callable[[SandboxServer], requests.Session]
) -> None:
    sandbox = make_sandbox(fail_rate=1.0)
    answer = api_for(sandbox).get(sandbox.base_url + "/services/data/v62.0/limits")
    assert answer.status_code == 503
    assert answer.headers["content-type"] == "application/json;charset=UTF-8"
    assert answer.json()[0]["errorCode"] == "SERVER_UNAVAILABLE"
    assert sandbox.usage().used == 0


def test_api_disabled_answers_403_api_disabled_for_org(
    make_sandbox: SandboxFactory, api_for: Callable[[SandboxServer], requests.Session]
) -> None:
    sandbox = make_sandbox(api_disabled=True)
    answer = api_for(sandbox).get(sandbox.base_url + "/services/data/v62.0/sobjects")
    assert answer.status_code == 403
    assert answer.json()[0]["errorCode"] == "API_DISABLED_FOR_ORG"


def test_latency_is_added_to_every_call(
    make_sandbox: SandboxFactory, api_for: Callable[[SandboxServer], requests.Session]
) -> None:
    sandbox = make_sandbox(latency_ms=200)
    session = api_for(sandbox)
    started = time.perf_counter()
    session.get(sandbox.base_url + "/services/data/v62.0/limits")
    assert time.perf_counter() - started >= 0.2


def test_an_injected_fault_waits_the_latency_too(
    make_sandbox: SandboxFactory, api_for: Callable[[SandboxServer], requests.Session]
) -> None:
    sandbox = make_sandbox(fail_rate=1.0, latency_ms=200)
    started = time.perf_counter()
    answer = api_for(sandbox).get(sandbox.base_url + "/services/data/v62.0/limits")
    assert answer.status_code == 503
    assert time.perf_counter() - started >= 0.2


def test_a_write_whose_client_hangs_up_during_the_latency_is_still_made(
    make_sandbox: SandboxFactory, api_for: Callable[[SandboxServer], requests.Session]
) -> None:
    """Salesforce runs a request it has received whether or not the client waits for the
    answer: a worker killed mid-call leaves a write in doubt, not undone."""
    sandbox = make_sandbox(latency_ms=1500)
    session = api_for(sandbox)
    url = sandbox.base_url + "/services/data/v62.0/sobjects/Contact"
    with pytest.raises(requests.Timeout):
        session.post(url, json={"LastName": "In doubt"}, timeout=(5, 0.3))
    session.close()
    deadline = time.monotonic() + 10
    found = 0
    while time.monotonic() < deadline and not found:
        time.sleep(0.3)
        query = sandbox.base_url + "/services/data/v62.0/query"
        answer = api_for(sandbox).get(
            query, params={"q": "SELECT COUNT() FROM Contact WHERE LastName = 'In doubt'"}
        )
        found = answer.json()["totalSize"]
    assert found == 1


def test_lock_rate_one_fails_record_writes_with_unable_to_lock_row(
    make_sandbox: SandboxFactory, salesforce_for: Callable[..., Salesforce]
) -> None:
    sandbox = make_sandbox(lock_rate=1.0)
    sf = salesforce_for(sandbox)
    with pytest.raises(SalesforceMalformedRequest) as refused:
        sf.Contact.create({"LastName": "Locked"})
    assert refused.value.content[0]["errorCode"] == "UNABLE_TO_LOCK_ROW"
    results = sf.restful(
        "composite/sobjects",
        method="POST",
        json={
            "allOrNone": False,
            "records": [
                {"attributes": {"type": "Contact"}, "LastName": "One"},
                {"attributes": {"type": "Contact"}, "LastName": "Two"},
            ],
        },
    )
    assert [result["success"] for result in results] == [False, False]
    assert {result["errors"][0]["statusCode"] for result in results} == {"UNABLE_TO_LOCK_ROW"}
    assert sf.query("SELECT COUNT() FROM Contact")["totalSize"] == 0
    assert sf.limits()["DailyApiRequests"]["Max"] > 0
