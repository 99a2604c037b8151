"""sObject Collections as plain data: 200-record chunks, request bodies, one result per record.

The client sends what these functions build and merges what comes back, so a write of any size
ends as exactly one `RecordResult` per input record, in input order.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar

from forcebridge.salesforce.errors import RecordError

#: Records per sObject Collections write (Salesforce refuses more).
WRITE_CHUNK = 200
#: Ids per sObject Collections retrieve by POST.
RETRIEVE_CHUNK = 2000

T = TypeVar("T")


class CollectionWrite(enum.Enum):
    CREATE = "create"
    UPDATE = "update"
    UPSERT = "upsert"
    DELETE = "delete"

    @property
    def idempotent(self) -> bool:
        """Sending it twice does no harm, so an unanswered call may be sent again."""
        return self is not CollectionWrite.CREATE


@dataclass(frozen=True)
class RecordResult:
    """What happened to one record of a collection write."""

    success: bool
    id: str | None = None
    created: bool = False
    errors: tuple[RecordError, ...] = ()


def chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def write_body(
    sobject: str, records: Sequence[Mapping[str, Any]], all_or_none: bool
) -> dict[str, Any]:
    """The JSON body of a create, update or upsert: each record typed by `attributes`."""
    typed = [{"attributes": {"type": sobject}, **json_ready(record)} for record in records]
    return {"allOrNone": all_or_none, "records": typed}


def parse_results(
    write: CollectionWrite, answer: Sequence[Mapping[str, Any]]
) -> list[RecordResult]:
    """Salesforce's result array as `RecordResult`s; a create that succeeded created its record."""
    return [
        RecordResult(
            success=bool(item.get("success")),
            id=item.get("id"),
            created=bool(
                item.get("created", write is CollectionWrite.CREATE and item.get("success"))
            ),
            errors=tuple(RecordError.from_json(e) for e in item.get("errors") or ()),
        )
        for item in answer
    ]


def json_ready(value: Any) -> Any:
    """`value` with the Decimals this package reads numbers as turned back into JSON numbers."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, Mapping):
        return {key: json_ready(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [json_ready(item) for item in value]
    return value
