"""Keys sent to an `IN (...)` list a chunk at a time, each chunk well under every driver's limit
on bound parameters; sorted, so that the lookups read their index in order."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from typing import Any


def sorted_chunks(items: Collection[Any], size: int) -> Iterator[list[Any]]:
    ordered = sorted(items)
    for start in range(0, len(ordered), size):
        yield ordered[start : start + size]
