"""What a person changing a service's time zone should know: a change held back beyond
tomorrow by days with Tasks written already, and days kept in the zone they were written by;
each named with the latest message that dated it, since a device's clock set wrong is the usual
cause. `service_days.move_service` returns them; `service configure` says them on stderr.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from forcebridge.store.repositories.messages import latest_between

if TYPE_CHECKING:
    from forcebridge.sync.service_days import ServiceCalendar


def move_notices(
    session: Session,
    service_id: int,
    calendar: ServiceCalendar,
    moved: ServiceCalendar,
    now: dt.datetime,
) -> tuple[str, ...]:
    """What moving the service's days from `calendar` to `moved` at `now` holds back or keeps.
    A change held back names its cancel: asking for the zone whose days it takes over (the
    last pending one, never the zone just asked for), whose days then go on."""
    today = calendar.day_of(now)

    def dated(start: dt.datetime, end: dt.datetime) -> str:
        latest = latest_between(session, service_id, start, end)
        if latest is None:
            return ""
        future = " (in the future: a device's clock set wrong?)" if latest.sent_at > now else ""
        return (
            f" (the latest message, of contact {latest.contact_id}, is dated "
            f"{latest.sent_at.astimezone(dt.UTC).isoformat()}{future})"
        )

    notices = []
    pending = moved.pending(now)
    tomorrow_end = calendar.span(today + dt.timedelta(days=1))[1]
    if pending and pending[-1].until > tomorrow_end:
        until, before = pending[-1].until, pending[-1].zone
        last = calendar.day_before(until)
        notices.append(
            f"{moved.zone} takes effect only at {until:%Y-%m-%d %H:%M} UTC, when {last} ends: "
            f"the days until then have Tasks written already{dated(*calendar.span(last))}, "
            f"and keep their hours. Nothing is lost meanwhile; to go on counting days in "
            f"{before} after that, cancel the change (--timezone {before})."
        )
    for days in moved.kept:
        if days.until > tomorrow_end:
            span = str(days.first) if days.first == days.last else f"{days.first} to {days.last}"
            notices.append(
                f"{span} keep{'s' if days.first == days.last else ''} {days.zone}'s hours: "
                f"Tasks were written for {'it' if days.first == days.last else 'them'} "
                f"already{dated(days.start, days.until)}. The days around are {moved.zone}'s."
            )
    return tuple(notices)
