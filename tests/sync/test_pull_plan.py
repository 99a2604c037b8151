from __future__ import annotations

import datetime as dt

import pytest

from forcebridge.soql.ast import Or
from forcebridge.store.models import PullObjects
from forcebridge.sync.pull_plan import (
    CONTACTS,
    LEADS,
    PlanError,
    projected_calls,
    read_plan,
    service_streams,
    split_fields,
)
from forcebridge.sync.routing import Route

SINCE = dt.datetime(2024, 11, 7, 9, 0, tzinfo=dt.UTC)


def test_leads_are_pulled_before_contacts_so_conversions_are_seen_first() -> None:
    assert service_streams(PullObjects.BOTH, None) == (LEADS, CONTACTS)


def test_a_custom_query_that_no_longer_parses_stops_its_stream() -> None:
    with pytest.raises(PlanError, match="does not parse"):
        service_streams(PullObjects.CUSTOM, "SELECT Id FROM")


def test_one_query_serves_a_group_from_its_oldest_watermark() -> None:
    west, east = Route.parse("Region__c = 'West'"), Route.parse("Region__c = 'East'")
    plan = read_plan(
        "Contact",
        [("LastName", "Account.Name"), ("lastname", "Email", "Region__c")],
        SINCE,
        [west.condition, east.condition],
    )

    assert plan.fields == (
        "Id", "SystemModstamp", "IsDeleted", "Account.Name", "LastName", "Email", "Region__c",
    )  # fmt: skip
    assert isinstance(plan.condition, Or)
    assert plan.soql(("Id", "LastName")) == (
        "SELECT Id, LastName FROM Contact WHERE SystemModstamp >= 2024-11-07T09:00:00.000Z "
        "AND (Region__c = 'West' OR Region__c = 'East') ORDER BY SystemModstamp, Id"
    )
    assert "ORDER BY" not in plan.soql(ordered=False)


def test_a_member_reading_everything_leaves_the_group_query_unfiltered() -> None:
    plan = read_plan(
        "Contact", [("LastName",)], None, [Route.parse("Title = 'CEO'").condition, None]
    )
    assert plan.condition is None
    assert plan.soql() == (
        "SELECT Id, SystemModstamp, IsDeleted, LastName FROM Contact ORDER BY SystemModstamp, Id"
    )


def test_fields_past_the_url_limit_are_fetched_by_id_but_parent_paths_must_fit() -> None:
    names = [f"Field_{n:03d}__c" for n in range(40)]
    plan = read_plan("Contact", [names], None, [None])

    query, joined = split_fields(plan, lambda fields: 20 * len(fields), limit=400)

    assert query == plan.fields[:20] and joined == plan.fields[20:]
    too_deep = read_plan("Contact", [[*names, *(f"Account.F{n}" for n in range(30))]], None, [None])
    with pytest.raises(PlanError, match=r"Account\.F"):
        split_fields(too_deep, lambda fields: 20 * len(fields), limit=400)


def test_the_projection_counts_runs_changes_and_the_daily_reconciliation() -> None:
    projection = projected_calls(
        interval_minutes=5, objects=2, records=100_000, changes_per_day=5_000
    )
    # Each object's pull is a run of its own, as the runs page lists them.
    assert (projection.runs_per_day, projection.reads) == (288 * 2, 288 * 2 + 3)
    assert projection.reconciliation == 2 * 4 + 10
    assert projection.total == projection.reads + projection.reconciliation
