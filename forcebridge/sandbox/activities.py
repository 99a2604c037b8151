"""ActivityHistory and OpenActivity: a record's closed and open activities, read-only.

Salesforce shows the activities of a Contact, Lead, Account or Opportunity through two objects
of its own, queried only as the parent's subquery (`ActivityHistories`, `OpenActivities`):
ActivityHistory holds its closed Tasks and the Events that have ended, OpenActivity its open
Tasks and the Events yet to end, each row carrying its activity's own Id. Here each is a view
over the Task and Event tables (`view_selects`). Whether an Event has ended depends on when the
query runs, so the planner adds that condition (`scope`) with the query's moment.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from forcebridge.sandbox.fieldtypes import Kind, format_datetime
from forcebridge.sandbox.schema import ObjectSpec, Schema
from forcebridge.sandbox.storage import SEQ, collation, quote

CLOSED = {"ActivityHistory": True, "OpenActivity": False}
"""Each view, and whether it holds the closed activities (else the open ones)."""
ENDS = "_ends"
"""The view column saying when an Event ends (null for a Task)."""
_EVENT_ENDS = (
    'CASE WHEN "IsAllDayEvent" = 1 '
    "THEN date(COALESCE(\"EndDate\", \"ActivityDate\"), '+1 day') || 'T00:00:00.000+0000' "
    'ELSE COALESCE("EndDateTime", "ActivityDateTime") END'
)
"""An all-day Event's `EndDateTime` is 00:00 UTC of its last day, which it lasts through."""
_SOURCES = {
    "Task": {"IsTask": "1", "ActivityType": quote("Type"), "ActivitySubtype": quote("TaskSubtype")},
    "Event": {"IsTask": "0", "ActivitySubtype": quote("EventSubtype")},
}
"""The view columns an activity does not hold under the same name."""


def view_selects(schema: Schema) -> dict[str, str]:
    """Each view of `schema` and the SELECT it stands for: its Tasks, then every Event (`scope`
    keeps those it holds at the moment of a query). A Task's position is even, an Event's odd,
    so that positions stay apart as a query cursor needs them."""
    task, event = schema.get("Task"), schema.get("Event")
    assert task is not None and event is not None
    return {
        view.name: (
            f"{_select(view, task, f'{quote(SEQ)} * 2', 'NULL')} "
            f"WHERE {quote('IsClosed')} = {int(CLOSED[view.name])} "
            f"UNION ALL {_select(view, event, f'{quote(SEQ)} * 2 + 1', _EVENT_ENDS)}"
        )
        for view in schema.objects
        if view.view
    }


def _select(view: ObjectSpec, activity: ObjectSpec, position: str, ends: str) -> str:
    """`activity`'s rows as `view`'s: each column from the field of its name (or as
    `_SOURCES` says), else null (false for a checkbox, which is never null), compared as the
    view's field is (the first part of a view gives each column its collation)."""
    sources = _SOURCES[activity.name]
    columns = [f"{position} AS {quote(SEQ)}", f"{ends} AS {quote(ENDS)}"]
    for f in view.stored_fields:
        own = activity.field(f.name)
        if f.name in sources:
            source = sources[f.name]
        elif own is not None and own.stored:
            source = quote(own.name)
        else:
            source = "0" if f.kind is Kind.BOOLEAN else "NULL"
        columns.append(f"{source} COLLATE {collation(f)} AS {quote(f.name)}")
    return f"SELECT {', '.join(columns)} FROM {quote(activity.name)}"


def scope(obj: ObjectSpec, now: dt.datetime, bind: Callable[[Any], str]) -> str | None:
    """The condition on a view's rows (`t0`) that keeps the Events it holds at `now`:
    ActivityHistory those that have ended, OpenActivity the others. None for other objects."""
    if not obj.view:
        return None
    ended = "<=" if CLOSED[obj.name] else ">"
    moment = bind(format_datetime(now))
    return f"(t0.{quote('IsTask')} = 1 OR t0.{quote(ENDS)} {ended} {moment})"
