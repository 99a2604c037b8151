"""A service's days when its time zone has changed: which day an instant belongs to, and when
a day starts and ends, without ever moving a message to another day.

A change takes effect at the end of the service's current day, or of the latest day a window
was recorded for when that is later (messages dated in the future, or days of a pending zone
since replaced: their Tasks are written already). That instant is `S`: every instant before it
keeps the day it had. From `S` on, an instant's day is the later of its date in the new
zone and the day after the last one before `S`: days never go back, and each is one unbroken
span. The first day after a change may last from a few hours to about fifty (a zone far to the
west starts it late by its own clock); a change more than 24 hours east skips a date altogether,
as Samoa did on 30 December 2011. Several changes compose the same way, period after period.

Plain data in, plain data out: the calendar is built from the current zone and the stored
earlier periods, and a change is a new calendar. The last few functions read and set a
service's two columns with it, for the command line and the pages alike.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import object_session

from forcebridge.store.repositories.activity_windows import last_window_day
from forcebridge.store.repositories.services import check_timezone
from forcebridge.sync.activity_windows import day_span, local_day

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
class _Period:
    zone: ZoneInfo
    start: dt.datetime | None
    """None: from the beginning of time."""
    end: dt.datetime | None
    """None: for ever (the current zone)."""
    floor: dt.date | None
    """The first day the period may name: the day after the previous period's last."""

    def day_of(self, instant: dt.datetime) -> dt.date:
        day = local_day(instant, self.zone)
        return day if self.floor is None else max(day, self.floor)

    def first_instant_of(self, day: dt.date) -> dt.datetime | None:
        """The first instant of the period whose day is `day` or later; None when none is."""
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
    """The service's days: `zone` now (or once its pending change takes effect), and the
    earlier `changes`, oldest first, each a zone and the instant it stopped being used."""

    zone: str
    changes: tuple[ZonePeriod, ...] = ()

    def __post_init__(self) -> None:
        ZoneInfo(self.zone)
        for change in self.changes:
            ZoneInfo(change.zone)
            if change.until.utcoffset() is None:
                raise ValueError(f"a zone change needs a UTC instant: {change.until.isoformat()}")
        untils = [c.until for c in self.changes]
        if any(later <= earlier for earlier, later in itertools.pairwise(untils)):
            raise ValueError("zone changes must follow each other in time")

    @classmethod
    def of(cls, zone: str, stored: Iterable[Mapping[str, Any]] | None) -> ServiceCalendar:
        """The calendar of a service's `timezone` and `timezone_changes` columns."""
        return cls(zone, tuple(ZonePeriod.from_json(c) for c in stored or ()))

    def changes_json(self) -> list[dict[str, str]]:
        """What the `timezone_changes` column stores."""
        return [change.to_json() for change in self.changes]

    def day_of(self, instant: dt.datetime) -> dt.date:
        """The service's day `instant` belongs to; naive datetimes are refused."""
        return self._period_at(instant).day_of(instant)

    def span(self, day: dt.date) -> tuple[dt.datetime, dt.datetime]:
        """The half-open UTC range `[start, end)` of `day` (empty for a day no instant has)."""
        return self._first_instant_of(day), self._first_instant_of(day + dt.timedelta(days=1))

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
        keeps its day and its zone."""
        ZoneInfo(zone)
        kept = tuple(change for change in self.changes if change.until < at)
        in_use = self._period_at(at - _TICK).zone.key
        return ServiceCalendar(zone, kept if in_use == zone else (*kept, ZonePeriod(in_use, at)))

    @cached_property
    def _periods(self) -> tuple[_Period, ...]:
        periods: list[_Period] = []
        start: dt.datetime | None = None
        floor: dt.date | None = None
        for zone, end in [*((c.zone, c.until) for c in self.changes), (self.zone, None)]:
            period = _Period(ZoneInfo(zone), start, end, floor)
            periods.append(period)
            if end is not None:
                floor = period.day_of(end - _TICK) + dt.timedelta(days=1)
            start = end
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
    calendar: ServiceCalendar, zone: str, now: dt.datetime, last_day: dt.date | None = None
) -> ServiceCalendar:
    """The calendar once the service is moved to `zone` at `now`: from the end of its current
    day on, or of `last_day` (the latest day a window was recorded for) when that is later.
    A Task written ahead (messages dated in the future, or a day of a pending zone) so keeps
    its day and its clock: its messages never move to a day another Task holds. A change not
    yet in effect is replaced from the same instant (the end of the same day); moving back to
    the zone in use cancels it, but for the days already written in it."""
    current_end = calendar.span(calendar.day_of(now))[1]
    kept_until = current_end if last_day is None else max(current_end, calendar.span(last_day)[1])
    return calendar.switched(zone, kept_until)


# --- a service's columns -----------------------------------------------------------------------


def service_calendar(service: Service) -> ServiceCalendar:
    """The calendar of the service's `timezone` and `timezone_changes`."""
    return ServiceCalendar.of(service.timezone, service.timezone_changes)


def move_service(service: Service, zone: str, now: dt.datetime) -> ServiceCalendar:
    """Set the service's zone to `zone` from the end of its current day, or of the latest day
    it recorded a window for (`change_zone`), refusing an unknown zone as `service create`
    does; the caller commits, holding the service's activities lease from before this call
    (`jobs.execute.holding_for_zone_change`), so no push records a later day in between. The
    service is read from, and stays in, its session."""
    session = object_session(service)
    if session is None:
        raise ValueError(f"service {service.id} is not in a session: its windows are unknown")
    last_day = last_window_day(session, service.id)
    moved = change_zone(service_calendar(service), check_timezone(zone), now, last_day)
    service.timezone, service.timezone_changes = moved.zone, moved.changes_json()
    return moved


def zone_document(service: Service, now: dt.datetime) -> dict[str, Any]:
    """The service's zone as the command line and the REST API show it: `timezone` is the one
    it is set to; `timezone_change` says, while a change has not taken effect, which zone its
    days are counted in now (`from`), and from when in `to`; `periods` names each zone until
    then, the one in use first (two when days were written in a pending zone since replaced)."""
    pending = service_calendar(service).pending(now)
    return {
        "timezone": service.timezone,
        "timezone_change": {
            "from": pending[0].zone,
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
