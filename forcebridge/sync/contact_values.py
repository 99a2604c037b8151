"""A contact's values as the mapping layer types them, and as the store keeps them.

Built-in fields are text columns. Custom fields live in one JSON document, where values are
kept exactly: numbers as their decimal text (`"10.50"`, never a float), dates, datetimes and
times in ISO 8601 with the offset they came with, checkboxes as JSON booleans. A number's
text is the one conversion spells it by its Salesforce field's scale (`5.0` for a Percent(5,
1) holding 5, whether REST sent `5.0` or Bulk CSV `5`); one stored in another spelling (by a
version before 2026-12) is written again the next time its record is read. Matching keys
(E.164 phones, the case-folded email) are derived here too, so they always agree with the
values they index.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from forcebridge.mapping.converters import number_text
from forcebridge.mapping.local_fields import LocalFields, LocalType
from forcebridge.mapping.rules import ResolvedValue, is_empty
from forcebridge.store.repositories.contacts import BUILTIN_FIELDS, KEY_COLUMNS
from forcebridge.sync.matching import email_key, phone_key

KEYED_FIELDS = {"phone": "phone_e164", "mobile_phone": "mobile_e164", "email": "email_normalized"}
"""Built-in fields matching reads, and the column holding each one's key."""
EMPTY_CONTACT: Mapping[str, Any] = {
    **dict.fromkeys((*BUILTIN_FIELDS, *KEY_COLUMNS)),
    "custom": {},
    "deleted_in_source": False,
}


class StoredNumber(Decimal):
    """A custom number as stored, equal only to a number of the same spelling: `5` is not
    `5.0`. So `plan_update`, which compares values, writes a number again whose text is not
    the one conversion now gives it (the text REST or Bulk CSV happened to spell, before the
    text was made one), once, at its record's next read, as it does a text field's. A
    subclass, so Python asks it first whichever side of `!=` it stands on; to anything but
    a `Decimal` it compares as a `Decimal` does."""

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Decimal):
            return self.as_tuple() == other.as_tuple()
        return super().__eq__(other)

    def __ne__(self, other: object) -> bool:
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    __hash__ = Decimal.__hash__


_DECODERS: dict[LocalType, Callable[[Any], Any]] = {
    LocalType.NUMBER: StoredNumber,
    LocalType.DATE: dt.date.fromisoformat,
    LocalType.DATETIME: dt.datetime.fromisoformat,
    LocalType.TIME: dt.time.fromisoformat,
}


def encode_custom(value: Any) -> Any:
    """A typed custom value as JSON, exactly."""
    if isinstance(value, Decimal):
        return number_text(value)
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return value


def decode_custom(value: Any, kind: LocalType) -> Any:
    """A stored custom value typed as conversion produces it (None if it no longer reads)."""
    decode = _DECODERS.get(kind)
    if value is None or decode is None:
        return value
    try:
        return decode(value)
    except (ValueError, ArithmeticError):
        return None


def typed_values(columns: Mapping[str, Any], fields: LocalFields) -> dict[str, Any]:
    """The contact's current value of every field, by field name, for `plan_update`."""
    values = {name: columns.get(name) for name in BUILTIN_FIELDS}
    custom = columns.get("custom") or {}
    for field in fields:
        if field.custom:
            values[field.name] = decode_custom(custom.get(field.name), field.type)
    return values


def with_changes(
    columns: Mapping[str, Any],
    changes: Mapping[str, Any],
    fields: LocalFields,
    keys: Mapping[str, str | None],
) -> dict[str, Any]:
    """The store's columns after `changes` (typed, by field name); `keys` holds the matching
    key of each changed phone, mobile and email (see `field_keys`)."""
    updated = dict(columns)
    custom = dict(columns.get("custom") or {})
    custom_names = fields.custom_names
    for name, value in changes.items():
        if name in custom_names:
            # A cleared value goes, so a contact shows it as one that never had it does.
            if value is None:
                custom.pop(name, None)
            else:
                custom[name] = encode_custom(value)
        else:
            updated[name] = value
    updated["custom"] = custom
    for name, column in KEYED_FIELDS.items():
        if name in changes:
            updated[column] = keys.get(name)
    return updated


def created_columns(
    values: Mapping[str, ResolvedValue], fields: LocalFields, keys: Mapping[str, str | None]
) -> dict[str, Any]:
    """A new contact's columns: `with_changes(EMPTY_CONTACT, plan_update(values, {}), ...)`
    in one pass, without the changes in between. Most records of a first pull are creates:
    this is a sixth of deciding them."""
    columns = dict(EMPTY_CONTACT)
    custom = {}
    custom_names = fields.custom_names
    for name, resolved in values.items():
        if resolved.value is None:
            continue
        if name in custom_names:
            custom[name] = encode_custom(resolved.value)
        else:
            columns[name] = resolved.value
    columns["custom"] = custom
    for name, key in keys.items():
        columns[KEYED_FIELDS[name]] = key
    return columns


def field_key(name: str, value: str | None, region: str) -> str | None:
    """The matching key of a keyed field's value; `InvalidKey` when it cannot be read."""
    return email_key(value) if name == "email" else phone_key(value, region)


def merged_columns(kept: Mapping[str, Any], merged: Mapping[str, Any]) -> dict[str, Any]:
    """The columns of a contact `kept` that absorbs the contact `merged` (one person, known
    twice): its own values stay; a field it lacks takes the other's value, with its matching
    key, so nothing the merged contact held is lost."""
    columns = dict(kept)
    for name in BUILTIN_FIELDS:
        if is_empty(columns.get(name)) and not is_empty(merged.get(name)):
            columns[name] = merged[name]
            if name in KEYED_FIELDS:
                columns[KEYED_FIELDS[name]] = merged.get(KEYED_FIELDS[name])
    own = {k: v for k, v in (kept.get("custom") or {}).items() if not is_empty(v)}
    columns["custom"] = {**(merged.get("custom") or {}), **own}
    columns["deleted_in_source"] = False
    return columns
