"""A window's messages as the Task fields of each of its parts, before any stored state is
looked at: pure, so what a window becomes depends on its messages and settings alone."""

from __future__ import annotations

import functools
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from forcebridge.store.repositories.contacts import StoredContact
from forcebridge.store.repositories.messages import StoredMessage
from forcebridge.sync.activity_tasks import Target, content_hash, task_fields
from forcebridge.sync.activity_windows import WindowKey, idempotency_key, window_of
from forcebridge.sync.service_days import ServiceCalendar
from forcebridge.sync.transcript import (
    ContactName,
    TranscriptMessage,
    TranscriptNote,
    render_transcript,
    task_subject,
)


@dataclass(frozen=True)
class DraftSettings:
    """What a service's settings say about its Tasks."""

    key_scope: str
    """What the service's keys begin with (see `idempotency_key`)."""
    calendar: ServiceCalendar
    """The service's days, and the zone each message's time is written in."""
    product_name: str
    subject_template: str | None = None
    owner_id: str | None = None


@dataclass(frozen=True)
class Draft:
    """One window part, rendered."""

    window: WindowKey
    part: int
    key: str
    target: Target | None
    fields: Mapping[str, Any]
    content_hash: str
    message_ids: tuple[int, ...]


@dataclass(frozen=True)
class DraftedWindow:
    drafts: tuple[Draft, ...]
    notes: tuple[TranscriptNote, ...]


def by_window(
    messages: Iterable[StoredMessage], calendar: ServiceCalendar, wanted: Collection[WindowKey]
) -> dict[WindowKey, list[StoredMessage]]:
    """`messages` grouped by window, keeping only the `wanted` windows."""
    grouped: dict[WindowKey, list[StoredMessage]] = {}
    for message in messages:
        window = window_of(message.contact_id, message.sent_at, calendar)
        if window in wanted:
            grouped.setdefault(window, []).append(message)
    return grouped


def draft_window(
    settings: DraftSettings,
    window: WindowKey,
    messages: Sequence[StoredMessage],
    name: ContactName,
    target: Target | None,
) -> DraftedWindow:
    key_for_part = functools.partial(idempotency_key, settings.key_scope, window)
    transcript = render_transcript(
        [
            TranscriptMessage(m.id, m.sent_at, m.direction.value, m.channel, m.author, m.body)
            for m in messages
        ],
        settings.calendar.zone_at,
        key_for_part,
    )
    drafts = []
    for part in transcript.parts:
        fields = task_fields(
            subject=task_subject(
                settings.subject_template, settings.product_name, name, part.number
            ),
            description=part.description,
            day=window.day,
            target=target,
            owner_id=settings.owner_id,
        )
        drafts.append(
            Draft(
                window,
                part.number,
                key_for_part(part.number),
                target,
                fields,
                content_hash(fields),
                part.message_ids,
            )
        )
    return DraftedWindow(tuple(drafts), transcript.notes)


def contact_name(contact_id: int, contact: StoredContact | None) -> ContactName:
    """The contact's name, or what else identifies them (email, phone) when they have none."""
    values: Mapping[str, Any] = contact.values if contact else {}
    fallback = next(
        (v for v in (values.get(k) for k in ("email", "phone", "mobile_phone")) if v),
        f"contact {contact_id}",
    )
    return ContactName(values.get("first_name"), values.get("last_name"), fallback)
