from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from forcebridge.salesforce.errors import RecordError
from forcebridge.store.models import ActivityTarget
from forcebridge.store.repositories.activity_windows import StoredWindow
from forcebridge.sync.activity_tasks import (
    Action,
    PartWrite,
    Target,
    after_failure,
    after_success,
    before_sending,
    choose_target,
    content_hash,
    decide,
    record_for,
    reopened,
    task_fields,
    task_key_field,
)

CONTACT = ("salesforce:Contact", "003000000000001AAA")
LEAD = ("salesforce:Lead", "00Q000000000001AAA")
JANE = Target("Contact", "003000000000001AAA")
NOW = dt.datetime(2024, 3, 12, 20, 0, tzinfo=dt.UTC)
DELETED = RecordError("ENTITY_IS_DELETED", "entity is deleted", ("WhoId",))


def window(**state: Any) -> StoredWindow:
    return StoredWindow(1, 7, dt.date(2024, 3, 12), 1, "fb-1-7-20240312-1", **state)


def write(stored: StoredWindow, action: Action, target: Target | None = JANE) -> PartWrite:
    fields = task_fields(
        subject="Acme Conversation",
        description="hello",
        day=stored.day,
        target=target,
        owner_id=None,
    )
    return PartWrite(stored, action, target, fields, content_hash(fields), (11, 12))


@pytest.mark.parametrize(
    ("links", "allowed", "expected"),
    [
        ([LEAD, CONTACT], ActivityTarget.BOTH, JANE),
        ([LEAD], ActivityTarget.BOTH, Target("Lead", LEAD[1])),
        ([LEAD, CONTACT], ActivityTarget.LEADS, Target("Lead", LEAD[1])),
        ([LEAD], ActivityTarget.CONTACTS, None),
        ([("csv:crm", "x1")], ActivityTarget.BOTH, None),
        ([], ActivityTarget.BOTH, None),
    ],
)
def test_the_contact_wins_when_both_are_allowed_and_nothing_else_is_a_target(
    links: list[tuple[str, str]], allowed: ActivityTarget, expected: Target | None
) -> None:
    assert choose_target(links, allowed) == expected


def test_a_task_is_a_completed_activity_on_its_day_owned_by_default_unless_chosen() -> None:
    fields = task_fields(
        subject="S", description="D", day=dt.date(2024, 3, 12), target=JANE, owner_id=None
    )

    assert fields == {
        "Subject": "S",
        "Description": "D",
        "ActivityDate": "2024-03-12",
        "Status": "Completed",
        "WhoId": JANE.record_id,
    }
    chosen = task_fields(
        subject="S", description="D", day=dt.date(2024, 3, 12), target=JANE, owner_id="005X"
    )
    assert chosen["OwnerId"] == "005X"


def _field(name: str, **facts: Any) -> dict[str, Any]:
    usable = {"externalId": True, "createable": True, "updateable": True, "length": 64}
    return {"name": name, **usable, **facts}


@pytest.mark.parametrize(
    ("field", "found"),
    [
        (_field("Forcebridge_Key__c"), "Forcebridge_Key__c"),
        (_field("fbpkg__Forcebridge_Key__c"), "fbpkg__Forcebridge_Key__c"),
        (_field("Forcebridge_Key__c", externalId=False), None),
        (_field("Forcebridge_Key__c", updateable=False), None),
        (_field("Forcebridge_Key__c", length=20), None),
        (_field("Other_Key__c"), None),
    ],
)
def test_the_key_field_is_used_only_when_the_org_has_a_usable_one(
    field: dict[str, Any], found: str | None
) -> None:
    assert task_key_field({"fields": [{"name": "Id"}, field]}) == found


def test_what_to_do_with_a_part_follows_from_its_state() -> None:
    fields_hash = "h1"

    assert decide(window(), JANE, fields_hash, key_field=None) is Action.CREATE
    assert decide(window(), JANE, fields_hash, key_field="Key__c") is Action.UPSERT
    written = window(task_id="00T1", content_hash=fields_hash)
    assert decide(written, JANE, fields_hash, key_field=None) is Action.UNCHANGED
    assert decide(written, JANE, "h2", key_field="Key__c") is Action.UPDATE
    assert decide(window(), None, fields_hash, key_field=None) is Action.HELD
    assert decide(window(parked_reason="x"), JANE, "h2", key_field=None) is Action.PARKED


def test_a_window_held_after_failing_is_no_longer_counted_as_failing() -> None:
    """Its Contact was deleted (a failed attempt), then the pull unlinked its contact: it now
    waits for a link, and is tried afresh once it has one."""
    failed = after_failure(write(window(), Action.CREATE), [DELETED], max_attempts=5)

    held = before_sending(write(failed, Action.HELD, target=None))

    assert (failed.attempts, held.attempts) == (1, 0)


def test_a_create_names_its_target_before_it_is_sent_so_a_crash_leaves_it_in_doubt() -> None:
    recorded = before_sending(write(window(), Action.CREATE))

    assert recorded.in_doubt
    assert (recorded.target_id, recorded.message_count) == (JANE.record_id, 2)


def test_records_carry_the_id_to_update_or_the_key_to_upsert_by() -> None:
    update = write(window(task_id="00T1"), Action.UPDATE)
    upsert = write(window(), Action.UPSERT)

    assert record_for(update, None)["Id"] == "00T1"
    assert record_for(update, "Key__c")["Key__c"] == "fb-1-7-20240312-1"
    assert "Id" not in record_for(upsert, "Key__c")


def test_a_written_part_keeps_its_task_and_what_it_holds() -> None:
    done = after_success(write(window(attempts=2), Action.CREATE), "00T9", NOW)

    assert (done.task_id, done.attempts, done.last_message_id, done.written_at) == (
        "00T9",
        0,
        12,
        NOW,
    )
    assert not done.in_doubt


def test_failed_attempts_add_up_until_the_window_is_parked_with_the_reason() -> None:
    once = after_failure(write(window(), Action.CREATE), [DELETED], max_attempts=3)
    twice = after_failure(write(once, Action.CREATE), [DELETED], max_attempts=3)
    thrice = after_failure(write(twice, Action.CREATE), [DELETED], max_attempts=3)

    assert (once.attempts, once.parked, twice.parked) == (1, False, False)
    assert thrice.parked_reason == "ENTITY_IS_DELETED: entity is deleted (WhoId)"
    assert not once.in_doubt  # a refused create created nothing


def test_a_task_naming_a_lead_converted_since_the_pull_spends_no_attempt() -> None:
    converted = RecordError(
        "CANNOT_UPDATE_CONVERTED_LEAD", "cannot reference converted lead", ("WhoId",)
    )
    waiting = window(attempts=4)
    for _ in range(3):
        waiting = after_failure(write(waiting, Action.CREATE), [converted], max_attempts=5)

    assert (waiting.attempts, waiting.parked) == (4, False)  # the pull moves it to the Contact


def test_new_messages_or_another_record_reopen_a_parked_window_and_nothing_else_does() -> None:
    parked = window(parked_reason="x", attempts=5, message_count=2, parked_for=JANE.record_id)
    john = Target("Contact", "003000000000002AAA")

    assert reopened(parked, 2, JANE) is parked
    assert reopened(parked, 2, None) is parked  # held: no record to try
    assert reopened(parked, 3, JANE) == window(message_count=2)
    assert reopened(parked, 2, john) == window(message_count=2)


def test_a_window_parked_remembers_the_record_it_was_writing_to() -> None:
    parked = after_failure(write(window(attempts=4), Action.CREATE), [DELETED], max_attempts=5)

    assert (parked.parked, parked.parked_for) == (True, JANE.record_id)
