"""One record as read for one service: converted with the compiled mapping, and keyed for
matching (its phones in E.164, its email case-folded), before a page of them is decided
(`pull_page`). Pure functions over plain data; a value that does not convert or key is left
out with a note, so the contact keeps what it has. A reconciliation reading again a record
a pull already applied leaves out the notes that pull logged (`ToldByPulls`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, NamedTuple

from forcebridge.mapping.local_fields import LocalFields
from forcebridge.mapping.rules import CompiledMapping, ResolvedValue, resolve
from forcebridge.store.models import LogLevel
from forcebridge.sync.contact_values import KEYED_FIELDS, field_key
from forcebridge.sync.matching import InvalidKey, MatchKeys
from forcebridge.sync.pull_report import Code, Note, Outcome, Tally
from forcebridge.sync.watermark import Cursor, already_applied

_new_tuple = tuple.__new__
"""Builds a NamedTuple from all its fields in order, skipping the keyword and default handling
of its constructor (four times the cost): `keyed` builds an `Incoming` and its `MatchKeys` for
every record read."""


class UnreadableRecord(ValueError):
    """A record without the Id or `SystemModstamp` every pulled record has."""


@dataclass(frozen=True)
class Target:
    """The service a page is applied to, and how."""

    service_id: int
    source: str
    """The identity source of the stream's records, e.g. "salesforce:Lead"."""
    connection_id: int | None
    region: str
    fields: LocalFields
    update_only: bool = False
    contacts_pulled: bool = False
    """The service pulls Contacts as well: a Contact a converted Lead hands its contact to is
    read again by the Contact stream, under the service's rule (see `PageChanges.rereads`)."""


class Incoming(NamedTuple):
    """One record as read: its values by contact field, and its matching keys. A tuple: one
    is built per record and service, and tuples are what Python builds fastest."""

    external_id: str
    """Its id in its source: a Salesforce Id, or an imported row's id."""
    modstamp: dt.datetime
    deleted: bool = False
    converted_to: str | None = None
    """The Contact a converted Lead became."""
    left_scope: bool = False
    """Live, but no longer meets the service's query or routing rule: treated as deleted."""
    values: Mapping[str, ResolvedValue] = MappingProxyType({})
    keys: Mapping[str, str | None] = MappingProxyType({})
    """The matching key of each keyed field the record has (phone, mobile_phone, email)."""
    notes: tuple[Note, ...] = ()
    keyed_as: MatchKeys | None = None
    """`keys` as matching compares them, worked out once by `keyed` (None: no keys read)."""

    @property
    def match_keys(self) -> MatchKeys:
        return self.keyed_as if self.keyed_as is not None else MatchKeys(self.external_id)


def is_true(value: Any) -> bool:
    """A checkbox as REST (`true`) or Bulk CSV (`"true"`) writes it."""
    return value is True or (isinstance(value, str) and value.lower() == "true")


def parse_modstamp(record: Mapping[str, Any]) -> dt.datetime | None:
    """The record's `SystemModstamp` (REST `...+0000` or Bulk `...Z`), None if unreadable."""
    try:
        stamp = dt.datetime.fromisoformat(str(record.get("SystemModstamp")))
    except ValueError:
        return None
    return stamp if stamp.tzinfo is not None else None


def read_record(
    record: Mapping[str, Any],
    modstamp: dt.datetime | None,
    compiled: CompiledMapping,
    target: Target,
) -> Incoming:
    """The record (stamped `modstamp`, see `parse_modstamp`) converted for `target`; fields
    that do not convert are left out, with a note each."""
    salesforce_id = record.get("Id")
    if not salesforce_id or modstamp is None:
        raise UnreadableRecord(
            f"record {salesforce_id or '(no Id)'} has no readable Id and SystemModstamp"
        )
    if is_true(record.get("IsDeleted")):
        return Incoming(salesforce_id, modstamp, deleted=True)
    if is_true(record.get("IsConverted")):
        if record.get("ConvertedContactId"):
            return Incoming(salesforce_id, modstamp, converted_to=record["ConvertedContactId"])
        # Its Contact was deleted since: read-only, it stands for nobody the book could log to.
        return Incoming(salesforce_id, modstamp, deleted=True, left_scope=True)
    resolution = resolve(compiled, record)
    notes = [
        Note(LogLevel.WARNING, Code.CONVERSION_FAILED, str(error), salesforce_id, error.field)
        for error in resolution.errors
    ]
    for resolved in resolution.warned:
        notes += [
            Note(LogLevel.WARNING, Code.TRUNCATED, warning, salesforce_id, resolved.source)
            for warning in resolved.warnings
        ]
    return keyed(salesforce_id, modstamp, resolution.values, notes, target.region)


def keyed(
    external_id: str,
    modstamp: dt.datetime,
    values: dict[str, ResolvedValue],
    notes: list[Note],
    region: str,
) -> Incoming:
    """A record's values with the matching keys of its phones and email; one that cannot be
    read as a key is left out of `values`, so the contact keeps what it has, and noted."""
    keys: dict[str, str | None] = {}
    for name in KEYED_FIELDS:
        resolved = values.get(name)
        if resolved is None:
            continue
        try:
            keys[name] = field_key(name, resolved.value, region)
        except InvalidKey as invalid:
            del values[name]
            code = Code.INVALID_EMAIL if name == "email" else Code.INVALID_PHONE
            message = f"{resolved.source} {invalid}; the field was not changed"
            notes.append(Note(LogLevel.WARNING, code, message, external_id, resolved.source))
    keyed_as = match_keys(external_id, keys)
    return _new_tuple(
        Incoming, (external_id, modstamp, False, None, False, values, keys, tuple(notes), keyed_as)
    )


def match_keys(external_id: str, keys: Mapping[str, str | None]) -> MatchKeys:
    """What matching compares: the phone before the mobile, a number given twice once."""
    phone, mobile = keys.get("phone"), keys.get("mobile_phone")
    if phone and mobile and phone != mobile:
        phones: tuple[str, ...] = (phone, mobile)
    else:
        either = phone or mobile
        phones = (either,) if either else ()
    return _new_tuple(MatchKeys, (external_id, phones, keys.get("email")))


VALUE_NOTES = frozenset({Code.INVALID_PHONE, Code.INVALID_EMAIL, Code.TRUNCATED})
"""Notes about a value that say the same of it at every read: whether a phone or an email
reads, and how long a text is, depend on the value and the service's settings alone. Not
`conversion_failed`: a field's type changed in Salesforce moves no record's `SystemModstamp`,
so the reconciliation may be the first read to find its values no longer convert."""


@dataclass(frozen=True)
class ToldByPulls:
    """What the pulls of a stream have logged of the records the daily reconciliation reads
    again: a record stamped at or before the stream's watermark (`cursor`) was applied by a
    pull, which logged its values' notes; unchanged since, its own fields' values are the
    same, and so are those notes. Logging them at every reconciliation buried its log (some
    thousand `invalid_phone` entries a day in a large org), so they are left out. A value a
    target takes from a formula, a roll-up or a parent (`Account.Phone`), or that such a
    field may displace in its hierarchy, can change without the record's stamp: its notes
    stay. A full read has no such cursor (it reads from the start, under settings that may be
    new), so it logs them all. What the cursor cannot tell: a record stamped before it that
    came into the service's rule without a change of its own (the rule reads a parent's
    field) was never applied; the reconciliation that applies it first leaves its notes to
    its next change."""

    cursor: Cursor
    settled: frozenset[str]
    """The record's own fields feeding only targets that read nothing calculated."""

    @classmethod
    def of(
        cls, cursor: Cursor, compiled: CompiledMapping, calculated: Collection[str]
    ) -> ToldByPulls:
        """`calculated` is the mapping's formula, roll-up and parent sources
        (`mapping.query_fields.calculated_sources`)."""
        unsettled = {
            source.name
            for target in compiled.targets
            if any(source.name in calculated for source in target.sources)
            for source in target.sources
        }
        return cls(cursor, frozenset(compiled.source_fields) - unsettled)

    def told(self, note: Note, modstamp: dt.datetime) -> bool:
        """Whether a pull already logged `note` of the record stamped `modstamp`."""
        return (
            note.code in VALUE_NOTES
            and note.field in self.settled
            and note.record_id is not None
            and already_applied(self.cursor, modstamp, note.record_id)
        )


@dataclass
class ReadPage:
    """A page's records as read for one service, and what could not be read at all."""

    incoming: list[Incoming] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    tally: Tally = field(default_factory=Tally)
    told: ToldByPulls | None = None
    """A reconciliation's: the notes its records' pulls logged already, left out."""

    def read(
        self,
        record: Mapping[str, Any],
        modstamp: dt.datetime | None,
        compiled: CompiledMapping,
        target: Target,
    ) -> None:
        try:
            incoming = read_record(record, modstamp, compiled, target)
        except UnreadableRecord as unreadable:
            sid = record.get("Id")
            self.notes.append(Note(LogLevel.ERROR, Code.UNREADABLE_RECORD, str(unreadable), sid))
            self.tally.count(Outcome.FAILED)
            return
        told = self.told
        if told is not None and incoming.notes:
            stamp = incoming.modstamp
            notes = tuple(note for note in incoming.notes if not told.told(note, stamp))
            incoming = incoming._replace(notes=notes)
        self.incoming.append(incoming)
