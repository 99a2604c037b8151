"""Friendly URLs: a record reached from another through relationship names.

`sobjects/T/{first}/{rest}` is a record by external id (`first` names the field, `rest` is the
value) unless `first` is one of T's ids; then `rest` names relationships (`RecordPaths`).

`sobjects/Contact/{id}/Account` is the Contact's Account, `sobjects/Contact/{id}/Account/Owner`
that Account's owner, and `sobjects/Account/{id}/Contacts` the Account's Contacts, as a query
result. Every name but the last must lead from child to parent; the last may lead from parent to
children. A lookup may point at several objects (`WhoId`), so which object comes next is read off
the id each hop finds, one hop at a time.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from forcebridge.sandbox import ids
from forcebridge.sandbox.errors import from_soql, method_not_allowed, not_found
from forcebridge.sandbox.preconditions import Preconditions, Validators
from forcebridge.sandbox.query import DEFAULT_BATCH, select_where
from forcebridge.sandbox.schema import FieldSpec, ObjectSpec, Schema
from forcebridge.soql.errors import SoqlError

if TYPE_CHECKING:
    from forcebridge.sandbox.org import Org


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


class RecordPaths:
    """The org's answers to `sobjects/T/{first}/{rest}`, for the REST routes and composite
    subrequests alike."""

    def __init__(self, org: Org) -> None:
        self.org = org

    def read(
        self,
        sobject: str,
        first: str,
        rest: str,
        fields: Sequence[str] | None,
        preconditions: Preconditions,
        *,
        api_version: str,
    ) -> tuple[dict[str, Any] | None, Validators | None]:
        """`GET sobjects/T/{first}/{rest}`: by relationships from a record when `first` is one
        of T's ids, else by external id (`first` the field, `rest` the value). A record is read
        as `GET sobjects/T/id` reads it, under the request's conditions (None when the client
        holds it already: 304) and with its validators; a children relationship's records are
        a query result, with none."""
        if self._names_record(sobject, first):
            end = self._follow(sobject, first, rest.split("/"))
            if end.children is not None:
                page = self._children(end.obj, end.children, end.record_id, fields, api_version)
                return page, None
            sobject, record_id = end.obj.name, end.record_id
        else:
            record_id = self.org.by_external_id(sobject, first, rest, api_version)
        return self.org.conditional_retrieve(
            sobject, record_id, fields, preconditions, api_version=api_version
        )

    def write(
        self,
        sobject: str,
        first: str,
        rest: str,
        values: dict[str, Any],
        *,
        api_version: str,
        update_only: bool = False,
    ) -> tuple[str, bool] | None:
        """`PATCH sobjects/T/{first}/{rest}`: the parent relationships lead to updated (None),
        or an upsert by external id: (id, created); `update_only` creates no record."""
        if self._names_record(sobject, first):
            self.update_related(sobject, first, rest.split("/"), values)
            return None
        return self.org.upsert(
            sobject, first, rest, values, api_version=api_version, update_only=update_only
        )

    def delete(self, sobject: str, first: str, rest: str, *, api_version: str) -> None:
        """`DELETE sobjects/T/{first}/{rest}`: the parent relationships lead to, or the record
        with that external id."""
        if self._names_record(sobject, first):
            self.delete_related(sobject, first, rest.split("/"))
        else:
            self.org.delete_by_external_id(sobject, first, rest, api_version=api_version)

    def _names_record(self, sobject: str, segment: str) -> bool:
        return names_record(self.org.writes.sobject(sobject), segment)

    def _children(
        self,
        child: ObjectSpec,
        lookup: FieldSpec,
        parent_id: str,
        fields: Sequence[str] | None,
        api_version: str,
    ) -> dict[str, Any]:
        """`GET sobjects/T/id/.../Children`: the first page of the `child` records whose
        `lookup` holds `parent_id`, as a query result."""
        query = select_where(child, fields, lookup.name, parent_id)
        try:
            return self.org.queries.run(
                query, include_deleted=False, batch_size=DEFAULT_BATCH, api_version=api_version
            )
        except SoqlError as error:
            raise from_soql(error) from None

    def update_related(
        self, sobject: str, record_id: str, relationships: Sequence[str], values: dict[str, Any]
    ) -> None:
        """`PATCH sobjects/T/id/Rel/...`: update the parent record the relationships lead to."""
        end = self._parent(sobject, record_id, relationships, "PATCH")
        self.org.update(end.obj.name, end.record_id, values)

    def delete_related(self, sobject: str, record_id: str, relationships: Sequence[str]) -> None:
        """`DELETE sobjects/T/id/Rel/...`: delete the parent record the relationships lead to."""
        end = self._parent(sobject, record_id, relationships, "DELETE")
        self.org.delete(end.obj.name, end.record_id)

    def _follow(self, sobject: str, record_id: str, relationships: Sequence[str]) -> Destination:
        obj = self.org.writes.sobject(sobject)
        record_id = self.org.writes.record_id(obj, record_id)
        self.org.writes.live_row(self.org.storage.connection(), obj, record_id)
        return follow(self.org.schema, obj, record_id, relationships, self._reference)

    def _parent(
        self, sobject: str, record_id: str, relationships: Sequence[str], method: str
    ) -> Destination:
        """Only a path to one record can be written through, as Salesforce has it."""
        end = self._follow(sobject, record_id, relationships)
        if end.children is not None:
            raise method_not_allowed(method, ["GET"])
        return end

    def _reference(self, obj: ObjectSpec, record_id: str, lookup: FieldSpec) -> str | None:
        """The id a live record's `lookup` holds (NOT_FOUND / ENTITY_IS_DELETED otherwise)."""
        row = self.org.writes.live_row(self.org.storage.connection(), obj, record_id)
        value = row.get(lookup.name)
        return str(value) if value else None
