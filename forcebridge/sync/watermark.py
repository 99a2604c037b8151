"""Where an incremental read resumes: a `SystemModstamp` and the Ids already applied at it.

The most reported defect of Salesforce connectors is a record silently skipped: written in the
same second as the last record read, or committed by a long transaction after a later record
was already read. The cursor here avoids both:

- Reads are inclusive, `SystemModstamp >= modstamp`, ordered by `(SystemModstamp, Id)`; the
  Ids already applied at exactly `modstamp` are skipped (the tie-breaker), so a record written
  in the same second as the last one read is still read, and a page boundary falling inside a
  second loses nothing.
- The cursor never passes the run's `horizon`: its start time minus an `overlap`. Records
  stamped later are applied but read once more by the next run, so a transaction that
  committed up to `overlap` late is still seen. Re-applying a record changes nothing.

The cursor advances page by page (with the page, in one transaction), so a crash loses at most
the page in flight. It works on unordered input too (a Bulk job's rows): folded over every row
it gives the same result, but may only be saved once every row is applied.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

DEFAULT_OVERLAP = dt.timedelta(minutes=2)
"""How late a commit may be and still be read; changes that recent are read twice."""


@dataclass(frozen=True)
class Cursor:
    """`modstamp` None means nothing was applied yet: the next read is a full one."""

    modstamp: dt.datetime | None = None
    ids: frozenset[str] = frozenset()
    """Ids applied whose `SystemModstamp` is exactly `modstamp`."""

    @property
    def is_initial(self) -> bool:
        return self.modstamp is None


START = Cursor()


def horizon(run_started_at: dt.datetime, overlap: dt.timedelta = DEFAULT_OVERLAP) -> dt.datetime:
    """The latest modstamp a run started at `run_started_at` may move its cursor to."""
    return run_started_at - overlap


def already_applied(cursor: Cursor, modstamp: dt.datetime, record_id: str) -> bool:
    """Whether this version of the record was applied by an earlier page or run."""
    if cursor.modstamp is None or modstamp > cursor.modstamp:
        return False
    return modstamp < cursor.modstamp or record_id in cursor.ids


def advance(
    cursor: Cursor, applied: Iterable[tuple[dt.datetime, str]], limit: dt.datetime
) -> Cursor:
    """The cursor once the `(SystemModstamp, Id)` pairs of `applied` are stored, kept at or
    below `limit` (the run's horizon)."""
    modstamp, ids = cursor.modstamp, set(cursor.ids)
    for stamp, record_id in applied:
        if stamp > limit or (modstamp is not None and stamp < modstamp):
            continue
        if stamp != modstamp:
            modstamp, ids = stamp, set()
        ids.add(record_id)
    if modstamp == cursor.modstamp and ids == cursor.ids:
        return cursor
    return Cursor(modstamp, frozenset(ids))
