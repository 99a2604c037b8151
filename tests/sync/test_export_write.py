from __future__ import annotations

from forcebridge.salesforce.errors import LimitExceeded
from forcebridge.sync.export_model import Action, FieldError
from forcebridge.sync.export_plan import RecordPlan
from forcebridge.sync.export_write import Writer
from tests.conftest import SandboxFactory
from tests.salesforce.conftest import client_for


def lead(i: int) -> RecordPlan:
    return RecordPlan((i,), Action.CREATED, values={"LastName": f"N{i}", "Company": "C"})


def test_records_go_200_a_call_each_with_its_own_outcome(make_sandbox: SandboxFactory) -> None:
    client = client_for(make_sandbox()).client
    plans = [lead(i) for i in range(250)]
    plans[3] = RecordPlan((3,), Action.CREATED, values={"LastName": "N3"})
    plans[7] = RecordPlan((7,), Action.UNCHANGED, "00Q000000000009AAA")
    sent: list[int] = []

    outcomes = Writer(client, sent.append).write("Lead", plans)

    assert sent == [200, 49]
    assert client.usage.snapshot().api_calls == 2
    assert outcomes[3].action is Action.FAILED
    assert outcomes[3].errors == (
        FieldError("Company", "Required fields are missing: [Company]", "REQUIRED_FIELD_MISSING"),
    )
    assert (outcomes[7].action, outcomes[7].record_id) == (Action.UNCHANGED, "00Q000000000009AAA")
    created = [o for o in outcomes if o.action is Action.CREATED]
    assert len(created) == 248 and all(o.record_id for o in created)


def test_updates_carry_the_record_id_and_only_the_changes(make_sandbox: SandboxFactory) -> None:
    client = client_for(make_sandbox()).client
    [made] = client.collection_create("Lead", [{"LastName": "Old", "Company": "C"}])
    plan = RecordPlan((0,), Action.UPDATED, made.id, {"Title": "CTO"})

    [outcome] = Writer(client).write("Lead", [plan])

    assert (outcome.action, outcome.record_id) == (Action.UPDATED, made.id)
    record = client.get("Lead", str(made.id), ["LastName", "Title"])
    assert (record["LastName"], record["Title"]) == ("Old", "CTO")


def test_a_call_refused_whole_stops_the_writing_and_says_why_for_the_rest(
    make_sandbox: SandboxFactory,
) -> None:
    client = client_for(make_sandbox(api_limit=2)).client
    writer = Writer(client)

    outcomes = writer.write("Lead", [lead(i) for i in range(500)])

    assert isinstance(writer.stopped, LimitExceeded)
    assert [o.action for o in outcomes].count(Action.CREATED) == 400
    [reason] = {o.errors for o in outcomes[400:]}
    assert reason[0].code == "not_written"
    assert reason[0].message.startswith("not written: REQUEST_LIMIT_EXCEEDED")
    assert writer.write("Lead", [lead(500)])[0].action is Action.FAILED, "nothing more is sent"
    assert client.usage.snapshot().api_calls == 3
