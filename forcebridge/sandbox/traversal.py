"""Friendly URLs: a record reached from another through relationship names.

`sobjects/Contact/{id}/Account` is the Contact's Account, `sobjects/Contact/{id}/Account/Owner`
that Account's owner, and `sobjects/Account/{id}/Contacts` the Account's Contacts, as a query
result. Every name but the last must lead from child to parent; the last may lead from parent to
children. A lookup may point at several objects (`WhoId`), so which object comes next is read off
the id each hop finds, one hop at a time.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from forcebridge.sandbox import ids
from forcebridge.sandbox.errors import not_found
from forcebridge.sandbox.schema import FieldSpec, ObjectSpec, Schema


@dataclass(frozen=True)
class Destination:
    """Where a path ends: one record (`obj`, `record_id`), or with `children` set, the records
    of `obj` whose lookup `children` holds `record_id`."""

    obj: ObjectSpec
    record_id: str
    children: FieldSpec | None = None


ReadReference = Callable[[ObjectSpec, str, FieldSpec], str | None]
"""The id a record's lookup field holds (None when empty)."""


def names_record(obj: ObjectSpec, segment: str) -> bool:
    """Whether `sobjects/T/{segment}/...` names one of T's records (a friendly URL) rather than
    an external id field (`sobjects/T/{field}/{value}`): field names never read as ids, but a
    field's own name is taken as the field."""
    record_id = ids.normalize(segment)
    return (
        record_id is not None
        and ids.key_prefix(record_id) == obj.key_prefix
        and obj.field(segment) is None
    )


def follow(
    schema: Schema,
    obj: ObjectSpec,
    record_id: str,
    names: Sequence[str],
    read_reference: ReadReference,
) -> Destination:
    """Walk `names` from the record; NOT_FOUND for a name the object has no relationship by
    (letter case aside), a children relationship before the last name, or an empty lookup."""
    for position, name in enumerate(names):
        lookup = obj.relationship(name)
        if lookup is None:
            found = schema.child_relationship(obj.name, name)
            if found is None or position != len(names) - 1:
                raise not_found()
            child, child_lookup = found
            return Destination(child, record_id, child_lookup)
        target = read_reference(obj, record_id, lookup)
        parent = schema.by_prefix(ids.key_prefix(target)) if target else None
        if target is None or parent is None:
            raise not_found()
        obj, record_id = parent, target
    return Destination(obj, record_id)
