from __future__ import annotations

import datetime as dt

from forcebridge.store.models import Direction
from forcebridge.store.repositories.contacts import StoredContact
from forcebridge.store.repositories.messages import StoredMessage
from forcebridge.sync.activity_drafts import DraftSettings, by_window, contact_name, draft_window
from forcebridge.sync.activity_tasks import Target
from forcebridge.sync.activity_windows import WindowKey
from forcebridge.sync.service_days import ServiceCalendar

NEW_YORK = ServiceCalendar("America/New_York")
TUESDAY = WindowKey(dt.date(2024, 3, 12), 7)
JANE = Target("Contact", "003000000000001AAA")


def said(id: int, contact_id: int, hour_utc: int, body: str = "hi") -> StoredMessage:
    sent_at = dt.datetime(2024, 3, 12, hour_utc, 0, tzinfo=dt.UTC)
    return StoredMessage(id, contact_id, Direction.INBOUND, "sms", "Jane", body, sent_at)


def test_messages_are_grouped_into_the_windows_asked_for() -> None:
    messages = [said(1, 7, 14), said(2, 7, 2), said(3, 8, 14)]  # 02:00 UTC is the 11th there

    grouped = by_window(messages, NEW_YORK, {TUESDAY})

    assert grouped == {TUESDAY: [messages[0]]}


def test_every_part_of_a_window_is_a_task_with_its_own_key_and_hash() -> None:
    settings = DraftSettings(
        "3", NEW_YORK, "Acme", "Chat with {name}", owner_id="005000000000001AAA"
    )
    long = "words " * 4_000

    drafted = draft_window(
        settings,
        TUESDAY,
        [said(1, 7, 14, long), said(2, 7, 15, long)],
        contact_name(7, None),
        JANE,
    )

    first, second = drafted.drafts
    assert (first.key, second.key) == ("fb-3-7-20240312-1", "fb-3-7-20240312-2")
    assert (first.fields["Subject"], second.fields["Subject"]) == (
        "Chat with contact 7",
        "Chat with contact 7 (part 2)",
    )
    assert first.fields["OwnerId"] == second.fields["OwnerId"] == "005000000000001AAA"
    assert first.content_hash != second.content_hash
    assert (first.message_ids, second.message_ids) == ((1,), (2,))


def test_a_contact_without_a_name_is_called_by_their_email_or_phone() -> None:
    def stored(**values: str | None) -> StoredContact:
        return StoredContact(1, {"first_name": None, "last_name": None, **values})

    assert contact_name(1, stored(first_name="Jane", last_name="Doe")).full == "Jane Doe"
    assert contact_name(1, stored(email="jane@example.com", phone="+1201")).full == (
        "jane@example.com"
    )
    assert contact_name(1, stored(email=None, phone="+12015550101")).full == "+12015550101"
