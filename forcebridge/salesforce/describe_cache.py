"""Describe results kept per (connection, API version, object), behind a port the store implements.

Describes are large and change rarely, and verification runs before every sync: reading them from
a cache keeps verification from spending the API budget. An entry older than the client's
`describe_max_age` is revalidated with `If-Modified-Since`, which costs a call but no payload when
nothing changed (`known_since`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any, Protocol

#: The `sobject` of a describeGlobal entry.
GLOBAL = ""

DESCRIBE_MAX_AGE = dt.timedelta(hours=1)
"""How long a describe is trusted before it is revalidated, unless told otherwise."""


@dataclass(frozen=True)
class DescribeKey:
    connection_id: str
    api_version: str
    sobject: str = GLOBAL


@dataclass(frozen=True)
class CachedDescribe:
    """A describe payload, when it was fetched, and when Salesforce last confirmed it unchanged."""

    payload: dict[str, Any]
    fetched_at: dt.datetime
    checked_at: dt.datetime

    def confirmed(self, at: dt.datetime) -> CachedDescribe:
        return replace(self, checked_at=at)


def is_fresh(entry: CachedDescribe, now: dt.datetime, max_age: dt.timedelta) -> bool:
    """Trust the entry without asking Salesforce?"""
    return now - entry.checked_at < max_age


CLOCK_SKEW = dt.timedelta(minutes=10)
"""How far this machine's clock may be ahead of Salesforce's without a changed describe being
taken for an unchanged one."""


def known_since(entry: CachedDescribe | None, *, refresh: bool) -> dt.datetime | None:
    """The `If-Modified-Since` to revalidate `entry` with; None to fetch it whole.

    The entry was fetched at this machine's time, and Salesforce compares it with its own: a
    field changed just after the fetch, by a clock a little behind, would look older and be
    missed for good (every later revalidation asks from later still). So the time asked from is
    `CLOCK_SKEW` earlier, at the cost of one whole describe after a change made in that margin.
    A refresh asked for because Salesforce refused a field fetches whole: the cache is then
    known to be wrong, whatever the clocks say."""
    if entry is None or refresh:
        return None
    return entry.fetched_at - CLOCK_SKEW


class DescribeCacheStore(Protocol):
    """Where describe results live between calls and processes."""

    def get(self, key: DescribeKey) -> CachedDescribe | None: ...

    def put(self, key: DescribeKey, entry: CachedDescribe) -> None: ...


class InMemoryDescribeCache:
    """A dict; for tests, scripts, and clients that live for one run."""

    def __init__(self) -> None:
        self._entries: dict[DescribeKey, CachedDescribe] = {}

    def get(self, key: DescribeKey) -> CachedDescribe | None:
        return self._entries.get(key)

    def put(self, key: DescribeKey, entry: CachedDescribe) -> None:
        self._entries[key] = entry
