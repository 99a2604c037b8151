"""getUpdated and getDeleted: which records changed or were deleted in a time window.

Salesforce counts whole minutes: both ends of the window are rounded down to the minute, and
the window cannot reach past now (`latestDateCovered` says how far it got) nor start more than
30 days ago (`INVALID_REPLICATION_DATE`: a replication that fell further behind reads again by
query). A deleted record's
deletion time is its `SystemModstamp`, which the delete sets.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from forcebridge.sandbox.errors import ApiError
from forcebridge.sandbox.fieldtypes import format_datetime, parse_datetime
from forcebridge.sandbox.schema import ObjectSpec
from forcebridge.sandbox.storage import Storage, quote

MAX_IDS = 600_000
"""Salesforce refuses a window with more changed records than this."""
HISTORY = dt.timedelta(days=30)
"""How far back a window may start: Salesforce keeps no older replication history."""


def get_updated(
    storage: Storage, obj: ObjectSpec, start: dt.datetime, end: dt.datetime, now: dt.datetime
) -> dict[str, Any]:
    low, high = _window(obj, start, end, now)
    live = " AND IsDeleted = 0" if obj.field("IsDeleted") is not None else ""
    rows = storage.connection().execute(
        f"SELECT {quote('Id')} FROM {quote(obj.name)} WHERE SystemModstamp >= ? "
        f"AND SystemModstamp < ?{live} ORDER BY SystemModstamp, {quote('Id')}",
        (format_datetime(low), format_datetime(high)),
    )
    found = [row[0] for row in rows]
    if len(found) > MAX_IDS:
        raise ApiError(400, "EXCEEDED_ID_LIMIT", f"More than {MAX_IDS} records changed")
    return {"ids": found, "latestDateCovered": format_datetime(high)}


def get_deleted(
    storage: Storage, obj: ObjectSpec, start: dt.datetime, end: dt.datetime, now: dt.datetime
) -> dict[str, Any]:
    low, high = _window(obj, start, end, now)
    if obj.field("IsDeleted") is None:
        raise ApiError(400, "INVALID_REPLICATION_DATE", f"{obj.name} records cannot be deleted")
    conn = storage.connection()
    table = quote(obj.name)
    rows = conn.execute(
        f"SELECT {quote('Id')}, SystemModstamp FROM {table} WHERE IsDeleted = 1 "
        "AND SystemModstamp >= ? AND SystemModstamp < ? ORDER BY SystemModstamp",
        (format_datetime(low), format_datetime(high)),
    )
    deleted = [{"id": record_id, "deletedDate": stamp} for record_id, stamp in rows]
    (earliest,) = conn.execute(
        f"SELECT MIN(SystemModstamp) FROM {table} WHERE IsDeleted = 1"
    ).fetchone()
    earliest_day = _minute(parse_datetime(earliest)) if earliest else low
    return {
        "deletedRecords": deleted,
        "earliestDateAvailable": format_datetime(earliest_day),
        "latestDateCovered": format_datetime(high),
    }


def _window(
    obj: ObjectSpec, start: dt.datetime, end: dt.datetime, now: dt.datetime
) -> tuple[dt.datetime, dt.datetime]:
    if obj.field("SystemModstamp") is None or not obj.allows("replicateable"):
        raise ApiError(400, "INVALID_TYPE", f"{obj.name} is not replicateable")
    low, high = _minute(start), _minute(min(end, now))
    if low < _minute(now - HISTORY):
        raise ApiError(400, "INVALID_REPLICATION_DATE", "startDate cannot be more than 30 days ago")
    if _minute(end) <= low:
        raise ApiError(
            400, "INVALID_REPLICATION_DATE", "The end date must be later than the start date"
        )
    return low, max(high, low)


def _minute(moment: dt.datetime) -> dt.datetime:
    aware = moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
    return aware.astimezone(dt.UTC).replace(second=0, microsecond=0)
