"""Values Salesforce fills in itself, over REST with simple-salesforce: checkboxes never null,
an Opportunity's stage facts and fiscal period, an Event's start, end and date; and, in an org
on a clock the test controls, when a Task was completed."""

from __future__ import annotations

from typing import Any

import pytest
from simple_salesforce import Salesforce

from forcebridge.sandbox.org import Org
from tests.sandbox.clocks import Clock

OPPORTUNITY_FIELDS = (
    "Probability",
    "IsClosed",
    "IsWon",
    "ForecastCategory",
    "ForecastCategoryName",
    "ExpectedRevenue",
    "FiscalYear",
    "FiscalQuarter",
    "Fiscal",
)
EVENT_FIELDS = (
    "ActivityDateTime",
    "StartDateTime",
    "DurationInMinutes",
    "EndDateTime",
    "ActivityDate",
    "EndDate",
)


def _read(sf: Salesforce, sobject: str, record_id: str, fields: tuple[str, ...]) -> dict[str, Any]:
    record = getattr(sf, sobject).get(record_id)
    return {name: record[name] for name in fields}


@pytest.mark.parametrize(
    ("sobject", "values", "checkboxes"),
    [
        ("Account", {"Name": "Boxed Co"}, ("IsPartner", "IsCustomerPortal")),
        ("Contact", {"LastName": "Boxed"}, ("IsEmailBounced", "DoNotCall")),
        ("Task", {"Subject": "Boxed"}, ("IsArchived", "IsClosed")),
        (
            "Event",
            {
                "Subject": "Boxed",
                "ActivityDateTime": "2026-03-02T09:00:00Z",
                "DurationInMinutes": 30,
            },
            ("IsChild", "IsGroupEvent", "IsArchived"),
        ),
        (
            "Opportunity",
            {"Name": "Boxed", "StageName": "Prospecting", "CloseDate": "2026-03-31"},
            ("IsClosed", "IsWon", "HasOpportunityLineItem"),
        ),
    ],
)
def test_every_non_nillable_checkbox_is_false_when_not_given(
    sf: Salesforce, sobject: str, values: dict[str, Any], checkboxes: tuple[str, ...]
) -> None:
    record_id = getattr(sf, sobject).create(values)["id"]

    assert _read(sf, sobject, record_id, checkboxes) == dict.fromkeys(checkboxes, False)
    where = " AND ".join(f"{name} = false" for name in checkboxes)
    found = sf.query(f"SELECT Id FROM {sobject} WHERE {where}")["records"]
    assert record_id in [r["Id"] for r in found]


def test_an_opportunity_takes_its_stage_facts_and_fiscal_period(sf: Salesforce) -> None:
    deal = {"Name": "Staged", "StageName": "Value Proposition", "CloseDate": "2026-11-15"}
    open_id = sf.Opportunity.create(deal | {"Amount": 1000})["id"]
    won_id = sf.Opportunity.create(deal | {"StageName": "Closed Won", "CloseDate": "2026-02-01"})[
        "id"
    ]

    assert _read(sf, "Opportunity", open_id, OPPORTUNITY_FIELDS) == {
        "Probability": 50.0,
        "IsClosed": False,
        "IsWon": False,
        "ForecastCategory": "Pipeline",
        "ForecastCategoryName": "Pipeline",
        "ExpectedRevenue": 500.0,
        "FiscalYear": 2026,
        "FiscalQuarter": 4,
        "Fiscal": "2026 4",
    }
    assert _read(sf, "Opportunity", won_id, OPPORTUNITY_FIELDS) == {
        "Probability": 100.0,
        "IsClosed": True,
        "IsWon": True,
        "ForecastCategory": "Closed",
        "ForecastCategoryName": "Closed",
        "ExpectedRevenue": None,
        "FiscalYear": 2026,
        "FiscalQuarter": 1,
        "Fiscal": "2026 1",
    }
    staged = "SELECT COUNT() FROM Opportunity WHERE Name = 'Staged' AND IsClosed = false"
    assert sf.query(staged)["totalSize"] == 1


def test_an_opportunity_is_recomputed_when_its_stage_amount_or_dates_change(
    sf: Salesforce,
) -> None:
    deal = {"Name": "Moving", "StageName": "Prospecting", "CloseDate": "2026-01-10"}
    record_id = sf.Opportunity.create(deal | {"Amount": 2000, "Probability": 25})["id"]
    fields = ("Probability", "ExpectedRevenue", "ForecastCategory", "IsClosed", "Fiscal")
    assert _read(sf, "Opportunity", record_id, fields) == {
        "Probability": 25.0,
        "ExpectedRevenue": 500.0,
        "ForecastCategory": "Pipeline",
        "IsClosed": False,
        "Fiscal": "2026 1",
    }

    sf.Opportunity.update(record_id, {"StageName": "Negotiation/Review", "CloseDate": "2026-08-01"})
    assert _read(sf, "Opportunity", record_id, fields) == {
        "Probability": 90.0,
        "ExpectedRevenue": 1800.0,
        "ForecastCategory": "Pipeline",
        "IsClosed": False,
        "Fiscal": "2026 3",
    }

    sf.Opportunity.update(record_id, {"Amount": 1000, "Probability": 40})
    assert _read(sf, "Opportunity", record_id, ("Probability", "ExpectedRevenue")) == {
        "Probability": 40.0,
        "ExpectedRevenue": 400.0,
    }

    sf.Opportunity.update(record_id, {"StageName": "Closed Lost"})
    assert _read(sf, "Opportunity", record_id, (*fields, "IsWon")) == {
        "Probability": 0.0,
        "ExpectedRevenue": 0.0,
        "ForecastCategory": "Omitted",
        "IsClosed": True,
        "IsWon": False,
        "Fiscal": "2026 3",
    }


def test_an_event_ends_its_duration_after_it_starts(sf: Salesforce) -> None:
    record_id = sf.Event.create(
        {"Subject": "Call", "ActivityDateTime": "2026-03-02T23:30:00Z", "DurationInMinutes": 90}
    )["id"]

    assert _read(sf, "Event", record_id, EVENT_FIELDS) == {
        "ActivityDateTime": "2026-03-02T23:30:00.000+0000",
        "StartDateTime": "2026-03-02T23:30:00.000+0000",
        "DurationInMinutes": 90,
        "EndDateTime": "2026-03-03T01:00:00.000+0000",
        "ActivityDate": "2026-03-02",
        "EndDate": "2026-03-03",
    }

    sf.Event.update(record_id, {"ActivityDateTime": "2026-04-01T10:00:00Z"})
    moved = _read(sf, "Event", record_id, ("StartDateTime", "EndDateTime", "ActivityDate"))
    assert moved == {
        "StartDateTime": "2026-04-01T10:00:00.000+0000",
        "EndDateTime": "2026-04-01T11:30:00.000+0000",
        "ActivityDate": "2026-04-01",
    }
    sf.Event.update(record_id, {"DurationInMinutes": 15})
    assert sf.Event.get(record_id)["EndDateTime"] == "2026-04-01T10:15:00.000+0000"


def test_an_event_given_its_start_and_end_takes_its_duration(sf: Salesforce) -> None:
    record_id = sf.Event.create(
        {
            "Subject": "Workshop",
            "StartDateTime": "2026-05-04T08:00:00Z",
            "EndDateTime": "2026-05-04T12:00:00Z",
        }
    )["id"]

    assert _read(sf, "Event", record_id, EVENT_FIELDS) == {
        "ActivityDateTime": "2026-05-04T08:00:00.000+0000",
        "StartDateTime": "2026-05-04T08:00:00.000+0000",
        "DurationInMinutes": 240,
        "EndDateTime": "2026-05-04T12:00:00.000+0000",
        "ActivityDate": "2026-05-04",
        "EndDate": "2026-05-04",
    }


def test_an_all_day_event_runs_from_its_date_to_the_end_of_its_last_day(sf: Salesforce) -> None:
    record_id = sf.Event.create(
        {"Subject": "Offsite", "IsAllDayEvent": True, "ActivityDate": "2026-06-10"}
    )["id"]

    assert _read(sf, "Event", record_id, EVENT_FIELDS) == {
        "ActivityDateTime": "2026-06-10T00:00:00.000+0000",
        "StartDateTime": "2026-06-10T00:00:00.000+0000",
        "DurationInMinutes": 1440,
        "EndDateTime": "2026-06-10T00:00:00.000+0000",
        "ActivityDate": "2026-06-10",
        "EndDate": "2026-06-10",
    }

    sf.Event.update(record_id, {"DurationInMinutes": 2880})
    assert _read(sf, "Event", record_id, ("EndDateTime", "EndDate")) == {
        "EndDateTime": "2026-06-11T00:00:00.000+0000",
        "EndDate": "2026-06-11",
    }


def test_a_task_saved_closed_is_stamped_completed_until_it_is_reopened(
    org: Org, clock: Clock
) -> None:
    def completed(task_id: str) -> Any:
        return org.retrieve("Task", task_id, ["CompletedDateTime"])["CompletedDateTime"]

    open_task = org.create("Task", {"Subject": "Call back"})
    assert completed(open_task) is None
    done = org.create("Task", {"Subject": "Called", "Status": "Completed"})
    assert completed(done) == "2024-11-07T15:30:00.000+0000"

    clock.advance(hours=1)
    org.update("Task", done, {"Subject": "Called twice"})
    assert completed(done) == "2024-11-07T15:30:00.000+0000"
    org.update("Task", open_task, {"Status": "Completed"})
    assert completed(open_task) == "2024-11-07T16:30:00.000+0000"

    clock.advance(hours=1)
    org.update("Task", done, {"Status": "In Progress"})
    assert completed(done) is None
    clock.advance(hours=1)
    org.update("Task", done, {"Status": "Completed"})
    assert completed(done) == "2024-11-07T18:30:00.000+0000"


def test_a_task_created_without_a_subtype_is_a_task_whatever_api_creates_it(
    sf: Salesforce,
) -> None:
    sf.Task.create({"Subject": "Plain"})
    sf.Task.create({"Subject": "Rang", "TaskSubtype": "Call"})
    sf.restful(
        "composite/sobjects",
        method="POST",
        json={"records": [{"attributes": {"type": "Task"}, "Subject": "Collected"}]},
    )
    create = {"method": "POST", "url": f"/services/data/v{sf.sf_version}/sobjects/Task"}
    sf.restful(
        "composite",
        method="POST",
        json={"compositeRequest": [create | {"referenceId": "t", "body": {"Subject": "Composed"}}]},
    )
    sf.bulk2.Task.insert(records=[{"Subject": "Loaded"}], wait=0)
    sf.bulk.Task.insert([{"Subject": "Loaded by 1.0"}])

    subjects = "'Plain', 'Rang', 'Collected', 'Composed', 'Loaded', 'Loaded by 1.0'"
    rows = sf.query(f"SELECT Subject, TaskSubtype FROM Task WHERE Subject IN ({subjects})")
    assert {row["Subject"]: row["TaskSubtype"] for row in rows["records"]} == {
        "Plain": "Task",
        "Rang": "Call",
        "Collected": "Task",
        "Composed": "Task",
        "Loaded": "Task",
        "Loaded by 1.0": "Task",
    }
