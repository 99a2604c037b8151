"""ActivityHistories and OpenActivities: a record's closed and open Tasks and Events, read as
Salesforce serves them, only through a parent's subquery, and never written."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from forcebridge.sandbox.errors import ApiError
from forcebridge.sandbox.org import Org
from forcebridge.sandbox.query import CHILD_BATCH
from tests.sandbox.clocks import Clock

RECORDED = Path("/work/shared/salesforce/describe")
VIEWS = ("ActivityHistory", "OpenActivity")
BOTH = (
    "(SELECT Subject FROM ActivityHistories ORDER BY Subject), "
    "(SELECT Subject FROM OpenActivities ORDER BY Subject)"
)


@pytest.fixture
def crm(org: Org) -> dict[str, str]:
    """An Account with a Contact and an Opportunity, and a Lead; the clock stands at
    2024-11-07 15:30 UTC."""
    acme = org.create("Account", {"Name": "Acme"})
    return {
        "acme": acme,
        "ana": org.create("Contact", {"LastName": "Ng", "AccountId": acme}),
        "deal": org.create(
            "Opportunity",
            {
                "Name": "Deal",
                "StageName": "Prospecting",
                "CloseDate": "2025-01-31",
                "AccountId": acme,
            },
        ),
        "lead": org.create("Lead", {"LastName": "Lee", "Company": "Initech"}),
    }


def _activities(org: Org, sobject: str, record_id: str) -> tuple[list[str], list[str]]:
    """The subjects of the record's ActivityHistories and OpenActivities."""
    (record,) = org.query(f"SELECT {BOTH} FROM {sobject} WHERE Id = '{record_id}'")["records"]
    return _subjects(record["ActivityHistories"]), _subjects(record["OpenActivities"])


def _subjects(result: dict[str, Any] | None) -> list[str]:
    """A child result's subjects; none when it is null, as it is without children."""
    return [row["Subject"] for row in result["records"]] if result else []


def _timed(subject: str, start: str, *, minutes: int) -> dict[str, Any]:
    return {"Subject": subject, "StartDateTime": start, "DurationInMinutes": minutes}


def _all_day(subject: str, day: str) -> dict[str, Any]:
    return {"Subject": subject, "IsAllDayEvent": True, "ActivityDate": day}


def _refusal(org: Org, soql: str) -> ApiError:
    with pytest.raises(ApiError) as raised:
        org.query(soql)
    return raised.value


def test_history_holds_closed_tasks_and_ended_events_open_activities_the_rest(
    org: Org, crm: dict[str, str]
) -> None:
    ana = {"WhoId": crm["ana"]}
    org.create("Task", ana | {"Subject": "Called", "Status": "Completed"})
    org.create("Task", ana | {"Subject": "Call back"})
    org.create("Event", ana | _timed("Met", "2024-11-07T14:00:00Z", minutes=30))
    org.create("Event", ana | _timed("Meeting now", "2024-11-07T15:00:00Z", minutes=60))
    org.create("Event", ana | _all_day("Offsite today", "2024-11-07"))

    assert _activities(org, "Contact", crm["ana"]) == (
        ["Called", "Met"],
        ["Call back", "Meeting now", "Offsite today"],
    )


def test_an_event_moves_to_the_history_once_it_has_ended(
    org: Org, clock: Clock, crm: dict[str, str]
) -> None:
    ana = {"WhoId": crm["ana"]}
    org.create("Event", ana | _timed("Review", "2024-11-07T16:00:00Z", minutes=60))
    org.create("Event", ana | _all_day("Offsite", "2024-11-07"))
    assert _activities(org, "Contact", crm["ana"]) == ([], ["Offsite", "Review"])

    clock.advance(hours=1, minutes=30)  # 17:00, the Review's end
    assert _activities(org, "Contact", crm["ana"]) == (["Review"], ["Offsite"])

    clock.advance(hours=7)  # midnight: the all-day Offsite is over
    assert _activities(org, "Contact", crm["ana"]) == (["Offsite", "Review"], [])


def test_each_parent_sees_the_activities_salesforce_relates_to_it(
    org: Org, crm: dict[str, str]
) -> None:
    org.create("Task", {"Subject": "Ana's call", "WhoId": crm["ana"], "Status": "Completed"})
    org.create("Task", {"Subject": "Deal's call", "WhatId": crm["deal"]})
    org.create("Task", {"Subject": "Lead's call", "WhoId": crm["lead"], "Status": "Completed"})

    assert _activities(org, "Contact", crm["ana"]) == (["Ana's call"], [])
    assert _activities(org, "Opportunity", crm["deal"]) == ([], ["Deal's call"])
    assert _activities(org, "Lead", crm["lead"]) == (["Lead's call"], [])
    # an Account's include its contacts' and opportunities' (by the activity's AccountId)
    assert _activities(org, "Account", crm["acme"]) == (["Ana's call"], ["Deal's call"])


def test_rows_read_as_the_activity_they_show(org: Org, crm: dict[str, str]) -> None:
    task = org.create(
        "Task",
        {"Subject": "Called", "WhoId": crm["ana"], "WhatId": crm["deal"], "Status": "Completed",
         "Type": "Call", "ActivityDate": "2024-11-06"},
    )  # fmt: skip
    met_at_hq = _timed("Met", "2024-11-01T09:00:00Z", minutes=45) | {"Location": "HQ"}
    event = org.create("Event", met_at_hq | {"WhoId": crm["ana"]})

    (record,) = org.query(
        "SELECT (SELECT Id, IsTask, ActivityType, Status, IsClosed, ActivityDate, Location, "
        "DurationInMinutes, Who.Name, What.Name FROM ActivityHistories ORDER BY ActivityDate) "
        f"FROM Contact WHERE Id = '{crm['ana']}'"
    )["records"]

    met, called = record["ActivityHistories"]["records"]
    assert met["attributes"] == {
        "type": "ActivityHistory",
        "url": f"/services/data/v62.0/sobjects/ActivityHistory/{event}",
    }
    assert (met["Id"], met["IsTask"], met["Location"], met["DurationInMinutes"]) == (
        event, False, "HQ", 45
    )  # fmt: skip
    assert (called["Id"], called["IsTask"], called["ActivityType"], called["Status"]) == (
        task, True, "Call", "Completed"
    )  # fmt: skip
    assert (called["IsClosed"], called["ActivityDate"], called["Location"]) == (
        True, "2024-11-06", None
    )  # fmt: skip
    assert (called["Who"]["Name"], called["What"]["Name"]) == ("Ng", "Deal")


def test_a_subquery_filters_activities_as_any_child_case_insensitively(
    org: Org, crm: dict[str, str]
) -> None:
    ana = {"WhoId": crm["ana"]}
    org.create(
        "Event", ana | _timed("Met", "2024-11-01T09:00:00Z", minutes=45) | {"Location": "HQ"}
    )
    org.create("Event", ana | _timed("Met", "2024-11-02T09:00:00Z", minutes=45))
    org.create("Task", ana | {"Subject": "Met", "Status": "Completed"})

    (record,) = org.query(
        "SELECT (SELECT Location, IsTask FROM ActivityHistories WHERE Location = 'hq' "
        f"OR IsTask = true ORDER BY IsTask) FROM Contact WHERE Id = '{crm['ana']}'"
    )["records"]

    rows = record["ActivityHistories"]["records"]
    assert [(row["Location"], row["IsTask"]) for row in rows] == [("HQ", False), (None, True)]


def test_activities_past_a_batch_page_as_any_child_result(org: Org, crm: dict[str, str]) -> None:
    for n in range(CHILD_BATCH + 1):
        org.create("Task", {"Subject": f"T{n:03d}", "WhoId": crm["ana"], "Status": "Completed"})

    (record,) = org.query(
        "SELECT (SELECT Subject FROM ActivityHistories ORDER BY Subject DESC) FROM Contact "
        f"WHERE Id = '{crm['ana']}'"
    )["records"]
    first = record["ActivityHistories"]
    rest = org.query_more(first["nextRecordsUrl"])

    assert (first["totalSize"], first["done"], len(first["records"])) == (201, False, 200)
    assert (rest["done"], [row["Subject"] for row in rest["records"]]) == (True, ["T000"])


def test_query_all_shows_deleted_activities_and_query_does_not(
    org: Org, crm: dict[str, str]
) -> None:
    kept = org.create("Task", {"Subject": "Kept", "WhoId": crm["ana"], "Status": "Completed"})
    gone = org.create("Task", {"Subject": "Gone", "WhoId": crm["ana"], "Status": "Completed"})
    org.delete("Task", gone)
    soql = (
        "SELECT (SELECT Id, IsDeleted FROM ActivityHistories ORDER BY Subject) FROM Contact "
        f"WHERE Id = '{crm['ana']}'"
    )

    live = org.query(soql)["records"][0]["ActivityHistories"]["records"]
    everything = org.query(soql, include_deleted=True)["records"][0]["ActivityHistories"]

    assert [row["Id"] for row in live] == [kept]
    assert [(row["Id"], row["IsDeleted"]) for row in everything["records"]] == [
        (gone, True), (kept, False)
    ]  # fmt: skip


@pytest.mark.parametrize(
    "soql",
    [
        "SELECT Id FROM ActivityHistory",
        "SELECT Subject FROM OpenActivity WHERE IsTask = true",
        "SELECT Id FROM Contact WHERE Id IN (SELECT WhoId FROM ActivityHistory)",
    ],
)
def test_the_views_are_queried_only_through_a_parent(org: Org, soql: str) -> None:
    refused = _refusal(org, soql)

    assert (refused.status, refused.error_code) == (400, "INVALID_TYPE_FOR_OPERATION")
    assert refused.message.endswith("does not support query")


def test_the_views_are_never_written(org: Org, crm: dict[str, str]) -> None:
    task = org.create("Task", {"Subject": "Called", "WhoId": crm["ana"], "Status": "Completed"})
    refusals = []
    for write in (
        lambda: org.create("ActivityHistory", {"Subject": "Called"}),
        lambda: org.update("ActivityHistory", task, {"Subject": "Renamed"}),
        lambda: org.delete("OpenActivity", task),
        lambda: org.custom_fields.create(
            {"FullName": "ActivityHistory.Mood__c",
             "Metadata": {"type": "Text", "label": "Mood", "length": 20}}
        ),
    ):  # fmt: skip
        with pytest.raises(ApiError) as raised:
            write()
        refusals.append((raised.value.status, raised.value.error_code))

    assert refusals == [
        (400, "INVALID_TYPE_FOR_OPERATION"),
        (400, "MALFORMED_ID"),  # an activity's id is no ActivityHistory id
        (400, "MALFORMED_ID"),
        (400, "FIELD_INTEGRITY_EXCEPTION"),
    ]
    assert _activities(org, "Contact", crm["ana"]) == (["Called"], [])


def test_deleting_a_parent_takes_its_activities_and_the_views_follow(
    org: Org, crm: dict[str, str]
) -> None:
    org.create("Task", {"Subject": "Called", "WhoId": crm["ana"], "Status": "Completed"})
    org.create("Task", {"Subject": "Listed", "WhatId": crm["acme"], "Status": "Completed"})

    org.delete("Contact", crm["ana"])

    assert org.query("SELECT Subject FROM Task")["records"][0]["Subject"] == "Listed"
    assert _activities(org, "Account", crm["acme"]) == (["Listed"], [])


def test_the_views_survive_custom_fields_coming_and_going_on_activities(
    org: Org, crm: dict[str, str]
) -> None:
    outcome = {"type": "Text", "label": "Outcome", "length": 40}
    made = org.custom_fields.create({"FullName": "Task.Outcome__c", "Metadata": outcome})
    org.create("Task", {"Subject": "Called", "WhoId": crm["ana"], "Outcome__c": "Yes"})
    org.custom_fields.delete(made)

    assert _activities(org, "Contact", crm["ana"]) == ([], ["Called"])


@pytest.mark.parametrize("name", ["Account", "Contact", "Lead", "Opportunity"])
def test_describe_gives_the_child_relationships_a_real_org_gives(org: Org, name: str) -> None:
    if not RECORDED.is_dir():
        pytest.skip("no recorded describe payloads here")
    recorded = json.loads((RECORDED / f"{name}.json").read_text())

    assert _view_children(org.describe(name)) == _view_children(recorded)


def _view_children(describe: dict[str, Any]) -> list[dict[str, Any]]:
    children = (c for c in describe["childRelationships"] if c["childSObject"] in VIEWS)
    return sorted(children, key=lambda c: str(c["childSObject"]))


def test_the_views_are_described_read_only_and_queryable_as_salesforce_lists_them(
    org: Org,
) -> None:
    listed = {entry["name"]: entry for entry in org.describe_global()["sobjects"]}
    history = org.describe("ActivityHistory")

    for name in VIEWS:
        entry = listed[name]
        assert entry["queryable"] is True and entry["keyPrefix"] is None
        assert not any(entry[k] for k in ("createable", "updateable", "deletable", "searchable"))
    assert {f["name"] for f in history["fields"]} >= {"IsTask", "ActivityType", "WhoId", "WhatId"}
    assert not any(f["createable"] or f["updateable"] for f in history["fields"])
    assert not set(VIEWS) & set(dict(org.record_counts()))
