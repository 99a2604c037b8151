"""Which activity window a message belongs to: its contact and its day in the service's time
zone (its `ServiceCalendar`, which keeps the days of a zone it had before), and the idempotency
key of each Task that window becomes.

A day is a local calendar day, so it lasts 23 or 25 hours across a DST change and starts
wherever the zone's midnight falls (where midnight itself is skipped, at the first instant that
exists). Every instant belongs to exactly one day: `day_span(local_day(t))` contains `t`.

The key names the service, contact, day and part and nothing else, so it is the same on every
run and on every machine: a Task found by its key is the window's Task, whoever wrote it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from forcebridge.sync.service_days import ServiceCalendar

KEY_PREFIX = "fb"
FUTURE_TOLERANCE = dt.timedelta(minutes=5)
"""Clocks disagree a little; a message dated later than this after now is dated in the future
(it is still logged, on the day it names, with a note)."""


@dataclass(frozen=True, order=True)
class WindowKey:
    """One contact's conversation on one local day (ordered by day, then contact)."""

    day: dt.date
    contact_id: int


def local_day(moment: dt.datetime, zone: ZoneInfo) -> dt.date:
    """The calendar day `moment` falls on in `zone`; naive datetimes are refused."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"a message time needs a time zone: {moment.isoformat()}")
    return moment.astimezone(zone).date()


def day_span(day: dt.date, zone: ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
    """The half-open UTC range `[start, end)` of `day` in `zone`."""
    return _day_start(day, zone), _day_start(day + dt.timedelta(days=1), zone)


def _day_start(day: dt.date, zone: ZoneInfo) -> dt.datetime:
    """The first instant of `day` in `zone`, in UTC.

    Local midnight with `fold=0` is the earlier of two midnights when clocks fall back over it,
    and, when clocks spring forward over it, reads with the offset before the jump: the UTC
    instant of the first local time that exists that day.
    """
    return dt.datetime.combine(day, dt.time(), tzinfo=zone).astimezone(dt.UTC)


def window_of(contact_id: int, sent_at: dt.datetime, calendar: ServiceCalendar) -> WindowKey:
    return WindowKey(calendar.day_of(sent_at), contact_id)


def windows_touched(
    messages: Iterable[tuple[int, dt.datetime]], calendar: ServiceCalendar
) -> list[WindowKey]:
    """The distinct windows of `(contact_id, sent_at)` pairs, in order."""
    return sorted({window_of(contact_id, sent_at, calendar) for contact_id, sent_at in messages})


def dated_in_future(sent_at: dt.datetime, now: dt.datetime) -> bool:
    return sent_at > now + FUTURE_TOLERANCE


def idempotency_key(scope: str, window: WindowKey, part: int) -> str:
    """`fb-<scope>-<contact>-<yyyymmdd>-<part>`: the same window part always has this key.
    `scope` is the service's (`task_key_scope`, or its id for a service made before)."""
    if part < 1:
        raise ValueError(f"parts are numbered from 1, not {part}")
    return f"{KEY_PREFIX}-{scope}-{window.contact_id}-{window.day:%Y%m%d}-{part}"
