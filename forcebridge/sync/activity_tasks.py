"""What each window part's Task should hold and what to do about it: pure decisions.

A part is written to the contact's linked Salesforce Contact or Lead (the Contact when both are
allowed and linked). Its fields are hashed, so a part whose Task already holds exactly these
fields costs no call. A new part is created, or upserted by its key when the org has an
external-id field for it on Task; a part whose Task is known is updated by Id (setting the key
field too, so Tasks written before the field existed get it). A failed write counts an attempt;
after `max_attempts` in a row the window is parked with the reason, until new messages arrive.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import json
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from forcebridge.salesforce.errors import RecordError
from forcebridge.store.models import ActivityTarget
from forcebridge.store.repositories.activity_windows import StoredWindow
from forcebridge.sync.pull_page import CONTACT_SOURCE, LEAD_SOURCE

TASK = "Task"
KEY_FIELD = "Forcebridge_Key__c"
"""The custom field (Text, External ID, Unique) an org may add to Task to hold window keys;
found under a managed package's namespace too (`ns__Forcebridge_Key__c`)."""
KEY_FIELD_MIN_LENGTH = 40
"""Keys are `fb-<scope>-<contact>-<yyyymmdd>-<part>`, the scope 9 characters (or a service id);
40 characters hold any of them in practice (contact ids of up to 12 digits)."""
COMPLETED = "Completed"
DEFAULT_MAX_ATTEMPTS = 5

_SALESFORCE = frozenset({CONTACT_SOURCE, LEAD_SOURCE})
_SOURCES = {
    ActivityTarget.CONTACTS: (CONTACT_SOURCE,),
    ActivityTarget.LEADS: (LEAD_SOURCE,),
    ActivityTarget.BOTH: (CONTACT_SOURCE, LEAD_SOURCE),
}


@dataclass(frozen=True)
class Target:
    """The Salesforce record a Task is about (its WhoId)."""

    sobject: str
    record_id: str


def target_sources(allowed: ActivityTarget) -> tuple[str, ...]:
    """Identity sources a service logs to, in order of preference."""
    return _SOURCES[allowed]


def choose_target(links: Sequence[tuple[str, str]], allowed: ActivityTarget) -> Target | None:
    """A record of the preferred allowed source among the contact's `(source, external_id)`
    links (the lowest Id, should it have several), or None: the window is held."""
    for source in target_sources(allowed):
        record_ids = [record_id for linked, record_id in links if linked == source]
        if record_ids:
            return Target(source.partition(":")[2], min(record_ids))
    return None


def held_reason(linked: Collection[str], allowed: ActivityTarget) -> str:
    """Why a contact whose Salesforce links are of the `linked` identity sources has its
    windows held (`choose_target` found it no record), and what writes them."""
    wanted = " or ".join(source.partition(":")[2] for source in target_sources(allowed))
    others = sorted({s.partition(":")[2] for s in linked if s in _SALESFORCE} - {wanted})
    if not others:
        return f"linked to no Salesforce {wanted} yet: written once the pull links it to one"
    return (
        f"linked to a {' and a '.join(others)} only, and the service logs to {wanted}s: "
        f"written once the pull links it to a {wanted}, or logging to both (--activities-to both)"
    )


def task_key_field(describe: Mapping[str, Any]) -> str | None:
    """The Task field that holds window keys, when the org has a usable one: an external id
    that can be set on create and update and is long enough for a key."""
    for f in describe.get("fields", ()):
        name = str(f.get("name", ""))
        if not (name == KEY_FIELD or name.endswith(f"__{KEY_FIELD}")):
            continue
        usable = f.get("externalId") and f.get("createable") and f.get("updateable")
        if usable and int(f.get("length") or 0) >= KEY_FIELD_MIN_LENGTH:
            return name
    return None


class Action(enum.StrEnum):
    CREATE = "create"
    UPSERT = "upsert"
    """Create or update by the key field: the org has one, and the Task's Id is not known."""
    UPDATE = "update"
    UNCHANGED = "unchanged"
    HELD = "held"
    """The contact has no allowed Salesforce record to log to yet."""
    PARKED = "parked"


@dataclass(frozen=True)
class PartWrite:
    """The decision for one window part, and what it is based on."""

    window: StoredWindow
    action: Action
    target: Target | None
    fields: Mapping[str, Any]
    """The Task's fields (no Id, no key field)."""
    content_hash: str
    message_ids: tuple[int, ...]

    @property
    def sends(self) -> bool:
        return self.action in (Action.CREATE, Action.UPSERT, Action.UPDATE)


def task_fields(
    *,
    subject: str,
    description: str,
    day: dt.date,
    target: Target | None,
    owner_id: str | None,
) -> dict[str, Any]:
    """The Task as Salesforce stores it: a completed activity on `day`; the owner only when
    the admin chose one (else Salesforce's default, the connected user)."""
    fields: dict[str, Any] = {
        "Subject": subject,
        "Description": description,
        "ActivityDate": day.isoformat(),
        "Status": COMPLETED,
        "WhoId": target.record_id if target else None,
    }
    if owner_id:
        fields["OwnerId"] = owner_id
    return fields


def content_hash(fields: Mapping[str, Any]) -> str:
    return hashlib.sha256(
        json.dumps(fields, sort_keys=True, ensure_ascii=False).encode()
    ).hexdigest()


def decide(
    window: StoredWindow, target: Target | None, fields_hash: str, *, key_field: str | None
) -> Action:
    if window.parked:
        return Action.PARKED
    if target is None:
        return Action.HELD
    if window.task_id is not None:
        return Action.UNCHANGED if window.content_hash == fields_hash else Action.UPDATE
    return Action.UPSERT if key_field else Action.CREATE


def reopened(window: StoredWindow, message_count: int, target: Target | None) -> StoredWindow:
    """A parked window is tried again from scratch once it gained messages, or once its
    contact stands for another record than the one it was parked writing to (that record
    deleted, say, and the contact linked anew by the pull)."""
    moved = target is not None and window.parked_for not in (None, target.record_id)
    if window.parked and (message_count > window.message_count or moved):
        return replace(window, parked_reason=None, parked_for=None, attempts=0)
    return window


def record_for(write: PartWrite, key_field: str | None) -> dict[str, Any]:
    """The record to send: the fields, plus the Id to update or the key to upsert by."""
    record = dict(write.fields)
    if key_field:
        record[key_field] = write.window.key
    if write.action is Action.UPDATE:
        record["Id"] = write.window.task_id
    return record


def before_sending(write: PartWrite) -> StoredWindow:
    """The window as recorded before its write: a create names its target (marking it in doubt
    until the outcome is recorded), and every write notes the messages it covers. A held
    window's failed attempts are behind it: it waits for its contact to be linked, and is
    tried afresh then, not listed as failing with a reason that no longer holds. Its Task,
    if it had one, lacks the messages held: its content is forgotten, so that the push after
    the contact is linked again, to the same record too, writes them (`windows_to_retry`)."""
    window = replace(write.window, message_count=len(write.message_ids))
    if write.action is Action.HELD:
        window = replace(window, attempts=0, content_hash=None)
    if write.action in (Action.CREATE, Action.UPSERT) and write.target is not None:
        window = replace(
            window, target_object=write.target.sobject, target_id=write.target.record_id
        )
    return window


def after_success(write: PartWrite, task_id: str | None, now: dt.datetime) -> StoredWindow:
    if write.target is None:
        raise ValueError(f"window {write.window.key} was written without a target")
    return replace(
        before_sending(write),
        task_id=task_id or write.window.task_id,
        target_object=write.target.sobject,
        target_id=write.target.record_id,
        content_hash=write.content_hash,
        last_message_id=write.message_ids[-1] if write.message_ids else None,
        attempts=0,
        parked_reason=None,
        parked_for=None,
        written_at=now,
    )


def after_failure(
    write: PartWrite, errors: Sequence[RecordError], max_attempts: int
) -> StoredWindow:
    """One more failed attempt; parked with the reason once `max_attempts` are spent. A create
    that was refused created nothing, so the window is no longer in doubt."""
    window = before_sending(write)
    if write.action is Action.UPDATE and task_gone(errors):
        return forgotten(window)
    if write.action is not Action.UPDATE and window.task_id is None:
        window = replace(window, target_object=None, target_id=None)
    if any(e.status_code == LEAD_CONVERTED for e in errors):
        return window  # no attempt spent: the next pull hands the contact to the Contact
    attempts = window.attempts + 1
    if attempts < max_attempts:
        return replace(window, attempts=attempts)
    parked_for = write.target.record_id if write.target is not None else None
    return replace(
        window, attempts=attempts, parked_reason=failure_reason(errors), parked_for=parked_for
    )


def forgotten(window: StoredWindow) -> StoredWindow:
    """The window of a Task deleted in Salesforce: as if it had never been written."""
    return replace(
        window, task_id=None, content_hash=None, attempts=0, parked_reason=None, parked_for=None
    )


def written_anew(write: PartWrite, window: StoredWindow, key_field: str | None) -> PartWrite:
    """The write of a window whose Task was found deleted (`task_gone`): the day's Task made
    again, with every message, in the same push."""
    return replace(write, window=window, action=Action.UPSERT if key_field else Action.CREATE)


_GONE = frozenset({"ENTITY_IS_DELETED", "NOT_FOUND"})
LEAD_CONVERTED = "CANNOT_UPDATE_CONVERTED_LEAD"
"""Salesforce's refusal of a Task naming a Lead converted since the contact was last pulled."""


def task_gone(errors: Sequence[RecordError]) -> bool:
    """Whether an update was refused because the Task itself no longer exists (someone
    deleted it in Salesforce), not a record it points at (those errors name the field): the
    window then forgets it, and the push writes the day's Task anew (`written_anew`)."""
    return any(e.status_code in _GONE and not e.fields for e in errors)


_FIELD_UNKNOWN = frozenset({"INVALID_FIELD", "NOT_FOUND", "INVALID_FIELD_FOR_INSERT_UPDATE"})


def names_gone_field(message: str, status_code: str | None, key_field: str | None) -> bool:
    """Whether Salesforce refused a write for naming `key_field`, which the org no longer
    has ("No such column", "Provided external ID field does not exist"): the describe the
    push chose it from is out of date, and no write that names it can succeed."""
    return (
        key_field is not None
        and status_code in _FIELD_UNKNOWN
        and key_field.lower() in message.lower()
    )


def failure_reason(errors: Sequence[RecordError]) -> str:
    if not errors:
        return "Salesforce refused the Task without saying why"
    return "; ".join(
        f"{e.status_code}: {e.message}" + (f" ({', '.join(e.fields)})" if e.fields else "")
        for e in errors
    )
