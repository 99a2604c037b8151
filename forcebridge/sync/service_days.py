"""A service's days when its time zone has changed: which day an instant belongs to, and when
a day starts and ends, without ever moving a message to another day.

A change takes effect at the end of the service's current day, or of the last of the days
that follow it without a gap and have a window recorded (messages dated a little in the
future, or days of a pending zone since replaced: their Tasks are written already). That
instant is `S`: every instant before it keeps the day it had. From `S` on, an instant's day is
the later of its date in the new zone and the day after the last one before `S`: days never go
back, and each is one unbroken span. The first day after a change may last from a few hours to
about fifty (a zone far to the west starts it late by its own clock); a change more than 24
hours east skips a date altogether, as Samoa did on 30 December 2011. Several changes compose
the same way, period after period.

A day written further ahead (a message from a device whose clock is years off) does not hold
the change back: it is *kept*, its span and clock unchanged, and the new zone's days around it
stop before it (the day before it ends where it starts) and resume after it (`KeptDays`). Were
such a day to take the new zone's hours, its messages would belong to other days than the Task
that holds them, and the next message on either would show them on two Tasks or on none.

Plain data in, plain data out: the calendar is built from the current zone and the stored
earlier periods, and a change is a new calendar. The last few functions read and set a
service's two columns with it, for the command line and the pages alike.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, replace
from functools import cached_property
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import object_session

from forcebridge.store.repositories.activity_windows import window_days_after
from forcebridge.store.repositories.services import check_timezone
from forcebridge.sync.activity_windows import day_span, local_day
from forcebridge.sync.zone_notices import move_notices

if TYPE_CHECKING:
    from forcebridge.store.models import Service

_TICK = dt.timedelta(microseconds=1)
"""The smallest step between two instants: the last instant before `S` is `S - _TICK`."""


@dataclass(frozen=True)
class ZonePeriod:
    """An earlier zone of the service, in use until `until` (an instant in UTC, excluded)."""

    zone: str
    until: dt.datetime

    def to_json(self) -> dict[str, str]:
        return {"zone": self.zone, "until": self.until.astimezone(dt.UTC).isoformat()}

    @classmethod
    def from_json(cls, stored: Mapping[str, Any]) -> ZonePeriod:
        return cls(str(stored["zone"]), dt.datetime.fromisoformat(str(stored["until"])))


@dataclass(frozen=True)
class KeptDays:
    """Days `first` to `last`, written ahead of a change, that keep the span `[start, until)`
    and the clock (`zone`) they were written by, whatever the zone around them."""

    zone: str
    first: dt.date
    last: dt.date
    start: dt.datetime
    until: dt.datetime

    def to_json(self) -> dict[str, str]:
        return {
            "zone": self.zone,
            "first": self.first.isoformat(),
            "last": self.last.isoformat(),
            "from": self.start.astimezone(dt.UTC).isoformat(),
            "until": self.until.astimezone(dt.UTC).isoformat(),
        }

    @classmethod
    def from_json(cls, stored: Mapping[str, Any]) -> KeptDays:
        return cls(
            str(stored["zone"]),
            dt.date.fromisoformat(str(stored["first"])),
            dt.date.fromisoformat(str(stored["last"])),
            dt.datetime.fromisoformat(str(stored["from"])),
            dt.datetime.fromisoformat(str(stored["until"])),
        )


@dataclass(frozen=True)
class _Period:
    zone: ZoneInfo
    start: dt.datetime | None
    """None: from the beginning of time."""
    end: dt.datetime | None
    """None: for ever (the current zone)."""
    floor: dt.date | None
    """The first day the period may name: the day after the previous period's last."""
    ceiling: dt.date | None = None
    """The last day it may name: kept days' last."""

    def day_of(self, instant: dt.datetime) -> dt.date:
        day = local_day(instant, self.zone)
        day = day if self.floor is None else max(day, self.floor)
        return day if self.ceiling is None else min(day, self.ceiling)

    def first_instant_of(self, day: dt.date) -> dt.datetime | None:
        """The first instant of the period whose day is `day` or later; None when none is."""
        if self.ceiling is not None and day > self.ceiling:
            return None
        if self.floor is not None and day <= self.floor:
            candidate = self.start
        else:
            candidate = day_span(day, self.zone)[0]
            if self.start is not None:
                candidate = max(candidate, self.start)
        if candidate is None or (self.end is not None and candidate >= self.end):
            return None
        return candidate


@dataclass(frozen=True)
class ServiceCalendar:
    """The service's days: `zone` now (or once its pending change takes effect), the earlier
    `changes`, oldest first, each a zone and the instant it stopped being used, and the days
    `kept` in the zone they were written by, in order."""

    zone: str
    changes: tuple[ZonePeriod, ...] = ()
    kept: tuple[KeptDays, ...] = ()

    def __post_init__(self) -> None:
        ZoneInfo(self.zone)
        for change in self.changes:
            ZoneInfo(change.zone)
            if change.until.utcoffset() is None:
                raise ValueError(f"a zone change needs a UTC instant: {change.until.isoformat()}")
        untils = [c.until for c in self.changes]
        if any(later <= earlier for earlier, later in itertools.pairwise(untils)):
            raise ValueError("zone changes must follow each other in time")
        for kept in self.kept:
            ZoneInfo(kept.zone)
            if not (kept.first <= kept.last and kept.start < kept.until):
                raise ValueError(f"kept days need a span: {kept.to_json()}")
            if any(kept.start < until < kept.until for until in untils):
                raise ValueError("a zone change cannot fall within kept days")
        if any(b.start < a.until for a, b in itertools.pairwise(self.kept)):
            raise ValueError("kept days must follow each other in time")

    @classmethod
    def of(cls, zone: str, stored: Iterable[Mapping[str, Any]] | None) -> ServiceCalendar:
        """The calendar of a service's `timezone` and `timezone_changes` columns (which hold
        the kept days too, told apart by their `first` day)."""
        entries = list(stored or ())
        return cls(
            zone,
            tuple(ZonePeriod.from_json(e) for e in entries if "first" not in e),
            tuple(KeptDays.from_json(e) for e in entries if "first" in e),
        )

    def changes_json(self) -> list[dict[str, str]]:
        """What the `timezone_changes` column stores."""
        return [change.to_json() for change in self.changes] + [k.to_json() for k in self.kept]

    def day_of(self, instant: dt.datetime) -> dt.date:
        """The service's day `instant` belongs to; naive datetimes are refused."""
        return self._period_at(instant).day_of(instant)

    def span(self, day: dt.date) -> tuple[dt.datetime, dt.datetime]:
        """The half-open UTC range `[start, end)` of `day` (empty for a day no instant has)."""
        return self._first_instant_of(day), self._first_instant_of(day + dt.timedelta(days=1))

    def day_before(self, instant: dt.datetime) -> dt.date:
        """The day of the last instant before `instant`: the day ending there, at a day's end."""
        return self.day_of(instant - _TICK)

    def zone_at(self, instant: dt.datetime) -> ZoneInfo:
        """The zone the service's clock read at `instant`: what a transcript writes it in."""
        return self._period_at(instant).zone

    def pending(self, now: dt.datetime) -> tuple[ZonePeriod, ...]:
        """The zones the days are counted in from `now` until `zone` takes effect, each until
        its instant: the first is the one in use now; none once `zone` is. There are two when
        a pending change was replaced after days were written in it (`change_zone`)."""
        return tuple(change for change in self.changes if change.until > now)

    def switched(self, zone: str, at: dt.datetime) -> ServiceCalendar:
        """This calendar until `at`, `zone` from `at` on (no change when the zone in use just
        before `at` is `zone` already). `at` is the end of a day, so every instant before it
        keeps its day and its zone; days kept after it are not (`change_zone` keeps them)."""
        ZoneInfo(zone)
        earlier = tuple(change for change in self.changes if change.until < at)
        kept = tuple(
            days if days.until <= at else replace(days, last=self.day_before(at), until=at)
            for days in self.kept
            if days.start < at
        )
        # The zone of the period around any kept days: theirs is kept with them.
        in_use = next((c.zone for c in self.changes if at - _TICK < c.until), self.zone)
        if in_use != zone:
            earlier = (*earlier, ZonePeriod(in_use, at))
        return ServiceCalendar(zone, earlier, kept)

    @cached_property
    def _periods(self) -> tuple[_Period, ...]:
        """The spans of one zone each, in order: each change's period, cut around the kept
        days that fall in it, whose own span is a period bounded by their first and last day
        (starting no later than the first's midnight in the zone around them, `_kept`, so the
        days before them never reach their first)."""
        periods: list[_Period] = []
        start: dt.datetime | None = None
        floor: dt.date | None = None

        def add(zone: str, end: dt.datetime | None, *, kept: KeptDays | None = None) -> None:
            nonlocal start, floor
            if kept is not None:
                period = _Period(ZoneInfo(zone), start, end, kept.first, kept.last)
            else:
                period = _Period(ZoneInfo(zone), start, end, floor)
            if start is not None and end is not None and end <= start:
                return  # kept days that start where the period does leave it nothing
            periods.append(period)
            if end is not None:
                floor = period.day_of(end - _TICK) + dt.timedelta(days=1)
            start = end

        bounds = [*((c.zone, c.until) for c in self.changes), (self.zone, None)]
        kept = list(self.kept)
        for zone, end in bounds:
            while kept and (end is None or kept[0].until <= end):
                days = kept.pop(0)
                add(zone, days.start)
                add(days.zone, days.until, kept=days)
            add(zone, end)
        return tuple(periods)

    def _period_at(self, instant: dt.datetime) -> _Period:
        if instant.tzinfo is None or instant.utcoffset() is None:
            raise ValueError(f"a message time needs a time zone: {instant.isoformat()}")
        return next(p for p in self._periods if p.end is None or instant < p.end)

    def _first_instant_of(self, day: dt.date) -> dt.datetime:
        """The first instant whose day is `day` or later (days never go back)."""
        for period in self._periods:
            first = period.first_instant_of(day)
            if first is not None:
                return first
        raise AssertionError("the last period has no end")  # pragma: no cover


def change_zone(
    calendar: ServiceCalendar, zone: str, now: dt.datetime, written: Collection[dt.date] = ()
) -> ServiceCalendar:
    """The calendar once the service is moved to `zone` at `now`: from the end of its current
    day on, or of the last of the `written` days (those a window was recorded for) that follow
    it without a gap. A written day further ahead keeps its span and clock (`KeptDays`), each
    run of consecutive ones together; should the new zone's days not fit around them (a day
    kept would then lose an instant or gain one another day holds), the change waits until
    the last written day ends instead. Either way a Task written ahead (messages dated in the
    future, or a day of a pending zone) keeps its day and its clock: its messages never move to
    a day another Task holds. A change not yet in effect is replaced from the same instant (the
    end of the same day); moving back to the zone in use cancels it, but for the days already
    written in it."""
    held = calendar.day_of(now)
    ahead = sorted({day for day in written if day > held})
    while ahead and ahead[0] == held + dt.timedelta(days=1):
        held = ahead.pop(0)
    moved = calendar.switched(zone, calendar.span(held)[1])
    if not ahead:
        return moved
    runs: list[list[dt.date]] = []
    for day in ahead:
        if runs and day == runs[-1][-1] + dt.timedelta(days=1):
            runs[-1].append(day)
        else:
            runs.append([day])
    kept = [*moved.kept]
    since = calendar.span(held)[1]
    for run in runs:
        kept.append(_kept(calendar, run[0], run[-1], ZoneInfo(zone), since))
        since = kept[-1].until
    candidate = ServiceCalendar(moved.zone, moved.changes, tuple(kept))
    if all(_keeps(calendar, candidate, day) for day in ahead):
        return candidate
    return calendar.switched(zone, calendar.span(ahead[-1])[1])


def _kept(
    calendar: ServiceCalendar, first: dt.date, last: dt.date, around: ZoneInfo, since: dt.datetime
) -> KeptDays:
    """Days `first` to `last` as `calendar` has them, starting earlier (never before `since`,
    the end of the days held or kept before them) when the zone `around` them reaches `first`
    sooner: the instants between, whose day no Task holds (the day before `first` was not
    written), are `first`'s too."""
    start, until = calendar.span(first)[0], calendar.span(last)[1]
    reached = max(day_span(first, around)[0], since)
    return KeptDays(calendar.zone_at(start).key, first, last, min(start, reached), until)


def _keeps(before: ServiceCalendar, after: ServiceCalendar, day: dt.date) -> bool:
    """Whether every instant of `day` in `before` is on `day` in `after`, by the same clock."""
    start, end = before.span(day)
    if start == end:
        return True
    first, last = after.span(day)
    clock = before.zone_at(start)
    return (
        first <= start
        and end <= last
        and after.zone_at(start) == after.zone_at(end - _TICK) == clock
    )


# --- a service's columns -----------------------------------------------------------------------


def service_calendar(service: Service) -> ServiceCalendar:
    """The calendar of the service's `timezone` and `timezone_changes`."""
    return ServiceCalendar.of(service.timezone, service.timezone_changes)


@dataclass(frozen=True)
class ZoneMove:
    calendar: ServiceCalendar
    notices: tuple[str, ...]
    """What a person changing the zone should know: days that keep their hours, and a change
    held back beyond tomorrow; each with the message that dated it."""


def move_service(service: Service, zone: str, now: dt.datetime) -> ZoneMove:
    """Set the service's zone to `zone` from the end of its current day, or of the days written
    right after it (`change_zone`), refusing an unknown zone as `service create` does; the
    caller commits, holding the service's activities lease from before this call
    (`jobs.execute.holding_for_zone_change`), so no push records a later day in between. The
    service is read from, and stays in, its session."""
    session = object_session(service)
    if session is None:
        raise ValueError(f"service {service.id} is not in a session: its windows are unknown")
    calendar = service_calendar(service)
    written = window_days_after(session, service.id, calendar.day_of(now))
    moved = change_zone(calendar, check_timezone(zone), now, written)
    service.timezone, service.timezone_changes = moved.zone, moved.changes_json()
    return ZoneMove(moved, move_notices(session, service.id, calendar, moved, now))


def zone_document(service: Service, now: dt.datetime) -> dict[str, Any]:
    """The service's zone as the command line and the REST API show it: `timezone` is the one
    it is set to; `timezone_change` says, while a change has not taken effect, the zone whose
    days `to` takes over (`from`, the last of `periods`) and when; `periods` names each zone
    until then, the one in use now first (two when days were written in a pending zone since
    replaced: going back to the zone in use now, `from` is the pending one, not `to` again)."""
    pending = service_calendar(service).pending(now)
    return {
        "timezone": service.timezone,
        "timezone_change": {
            "from": pending[-1].zone,
            "to": service.timezone,
            "takes_effect_at": pending[-1].to_json()["until"],
            "periods": [period.to_json() for period in pending],
        }
        if pending
        else None,
    }


def zone_in_words(document: Mapping[str, Any]) -> str:
    """A `zone_document` in words, as the command line and the pages say it."""
    change = document["timezone_change"]
    if change is None:
        return f"Days are counted in {document['timezone']}."
    periods = ", then ".join(
        f"in {period['zone']} until {dt.datetime.fromisoformat(period['until']):%Y-%m-%d %H:%M} UTC"
        for period in change["periods"]
    )
    return f"Days are counted {periods}, then in {change['to']}."
