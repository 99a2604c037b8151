"""Rows to records in Salesforce's JSON shape, with the work decided once per query.

A `Shape` says where each key of a record comes from in a result row; `record_builder` turns
it into a function that builds one record dict per row with no per-row decisions beyond what
each column needs (booleans from 0/1, numbers as decimals from their stored digits, addresses
from their parts, picklist labels for `toLabel()`, a multi-select picklist's values in the
order the picklist defines them, as Salesforce returns them whatever order they were written
in, parents as nested records with their own `attributes`, or null).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

from forcebridge.sandbox import decimals
from forcebridge.sandbox.fieldtypes import ADDRESS_KEYS, Kind
from forcebridge.sandbox.schema import FieldSpec
from forcebridge.sandbox.sorting import selection_order

Row = Sequence[Any]
Builder = Callable[[Row], dict[str, Any] | None]


@dataclass(frozen=True)
class Column:
    index: int
    boolean: bool = False
    labels: tuple[tuple[str, str], ...] = ()
    """`toLabel()`: each picklist value's label (a multi-select's values are each replaced)."""
    order: tuple[str, ...] = ()
    """A multi-select picklist's values in their defined order, the order its selected values
    are returned in; values it does not define follow, as they were written."""
    number: bool = False
    """A number field's, read as the decimal its stored digits spell (`decimals`)."""

    @classmethod
    def of(cls, index: int, spec: FieldSpec) -> Column:
        """Column `index`, holding the values of field `spec`."""
        return cls(
            index,
            boolean=spec.kind is Kind.BOOLEAN,
            order=selection_order(spec),
            number=spec.kind is Kind.NUMBER,
        )


@dataclass(frozen=True)
class Address:
    """A compound address: the row index of each part, in `ADDRESS_KEYS` order (None: absent)."""

    indices: tuple[int | None, ...]


@dataclass(frozen=True)
class Children:
    """Where a subquery's child records go in their parent's record: built as null, then
    filled once the page's parents are known (`QueryEngine`)."""


@dataclass
class Shape:
    """One record (the queried object, or a parent reached through a relationship)."""

    id_index: int
    type_name: str | None = None
    type_index: int | None = None
    """For a polymorphic parent, the column holding its object name."""
    entries: dict[str, Entry] = field(default_factory=dict)


@dataclass
class ByType:
    """A TYPEOF parent: a shape for each object a WHEN names, another for the rest (ELSE)."""

    type_index: int
    id_index: int
    branches: dict[str, Shape]
    otherwise: Shape | None


Entry = Column | Address | Children | Shape | ByType
"""What one key of a record is built from."""


def record_builder(shape: Shape, api_root: str) -> Builder:
    """Records of `shape`; their `attributes.url` under `api_root` (`/services/data/v62.0/`,
    or the Tooling API's `/services/data/v62.0/tooling/`)."""
    base = f"{api_root}sobjects/"
    getters = [(key, _getter(entry, api_root)) for key, entry in shape.entries.items()]
    id_index, type_name, type_index = shape.id_index, shape.type_name, shape.type_index

    def build(row: Row) -> dict[str, Any] | None:
        record_id = row[id_index]
        if record_id is None:
            return None
        sobject = type_name if type_name is not None else row[type_index]  # type: ignore[index]
        record: dict[str, Any] = {
            "attributes": {"type": sobject, "url": f"{base}{sobject}/{record_id}"}
        }
        for key, get in getters:
            record[key] = get(row)
        return record

    return build


def _getter(entry: Entry, api_root: str) -> Callable[[Row], Any]:
    if isinstance(entry, Shape):
        return record_builder(entry, api_root)
    if isinstance(entry, ByType):
        return _by_type_getter(entry, api_root)
    if isinstance(entry, Children):
        return lambda row: None
    if isinstance(entry, Address):
        return _address_getter(entry)
    index = entry.index
    if entry.boolean:
        return lambda row: None if row[index] is None else bool(row[index])
    if entry.number:
        return lambda row: decimals.read(row[index])
    if entry.labels or entry.order:
        return _picklist_getter(index, dict(entry.labels), entry.order)
    return itemgetter(index)


def _picklist_getter(
    index: int, labels: dict[str, str], order: tuple[str, ...]
) -> Callable[[Row], Any]:
    """A picklist's value as its label (`labels`), a multi-select's values in `order`."""
    rank = {value.casefold(): n for n, value in enumerate(order)}

    def get(row: Row) -> Any:
        value = row[index]
        if not isinstance(value, str):
            return value
        parts = value.split(";")
        if rank:
            parts.sort(key=lambda part: rank.get(part.casefold(), len(rank)))
        return ";".join(labels.get(part, part) for part in parts)

    return get


def _by_type_getter(entry: ByType, api_root: str) -> Callable[[Row], Any]:
    """The branch for the parent's object builds it; a parent no branch names (and no ELSE)
    comes as its `attributes` alone."""
    builders = {name: record_builder(shape, api_root) for name, shape in entry.branches.items()}
    otherwise = record_builder(entry.otherwise, api_root) if entry.otherwise else None
    bare = record_builder(Shape(entry.id_index, type_index=entry.type_index), api_root)
    type_index = entry.type_index

    def get(row: Row) -> dict[str, Any] | None:
        build = builders.get(row[type_index]) or otherwise or bare
        return build(row)

    return get


def _address_getter(address: Address) -> Callable[[Row], Any]:
    pairs = [(key, i) for key, i in zip(ADDRESS_KEYS, address.indices, strict=True)]

    def get(row: Row) -> dict[str, Any] | None:
        value = {key: None if i is None else row[i] for key, i in pairs}
        return value if any(v is not None for v in value.values()) else None

    return get
