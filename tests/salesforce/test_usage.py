from forcebridge.salesforce.usage import (
    ApiUsage,
    EndpointKind,
    UsageMeter,
    parse_limit_info,
)
from forcebridge.sandbox.limits import ApiKind


def test_limit_info_header_gives_the_remaining_allowance() -> None:
    usage = parse_limit_info("api-usage=14215/15000")
    assert usage == ApiUsage(used=14215, max=15000)
    assert usage.remaining == 785
    assert not usage.exhausted


def test_per_app_usage_next_to_it_is_ignored() -> None:
    header = "api-usage=25/5000, per-app-api-usage=17/250(appName=sample-connected-app)"
    assert parse_limit_info(header) == ApiUsage(used=25, max=5000)


def test_missing_or_odd_headers_give_nothing() -> None:
    assert parse_limit_info(None) is None
    assert parse_limit_info("") is None
    assert parse_limit_info("api-usage=lots") is None


def test_over_the_limit_is_exhausted_with_nothing_remaining() -> None:
    usage = ApiUsage(used=15_001, max=15_000)
    assert usage.exhausted
    assert usage.remaining == 0
    assert str(ApiUsage(used=1_500, max=15_000)) == "1,500 of 15,000 daily API calls used"


def test_meter_counts_by_kind_and_keeps_the_latest_header() -> None:
    meter = UsageMeter()
    for kind in (
        EndpointKind.QUERY,
        EndpointKind.QUERY_MORE,
        EndpointKind.QUERY_MORE,
        EndpointKind.OAUTH,
    ):
        meter.count(kind)
    meter.observe_limit_info("api-usage=10/100")
    meter.observe_limit_info("api-usage=12/100")
    meter.observe_limit_info(None)
    snap = meter.snapshot()
    assert snap.calls == {
        EndpointKind.QUERY: 1,
        EndpointKind.QUERY_MORE: 2,
        EndpointKind.OAUTH: 1,
    }
    assert snap.api_calls == 3
    assert snap.api_usage == ApiUsage(used=12, max=100)


def test_a_runs_own_spend_is_the_difference_of_two_snapshots() -> None:
    meter = UsageMeter()
    meter.count(EndpointKind.DESCRIBE)
    before = meter.snapshot()
    meter.count(EndpointKind.COMPOSITE)
    meter.count(EndpointKind.COMPOSITE)
    spent = meter.snapshot().minus(before)
    assert spent.calls == {EndpointKind.COMPOSITE: 2}
    assert spent.api_calls == 2


def test_kinds_are_named_as_the_sandbox_reports_them() -> None:
    assert {k.value for k in ApiKind} <= {k.value for k in EndpointKind}
