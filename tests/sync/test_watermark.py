from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from hypothesis import given, settings
from hypothesis import strategies as st

from forcebridge.sync.watermark import START, Cursor, advance, already_applied, horizon

T0 = dt.datetime(2024, 11, 7, 9, 0, tzinfo=dt.UTC)
OVERLAP = dt.timedelta(seconds=120)


def at(seconds: float) -> dt.datetime:
    return T0 + dt.timedelta(seconds=seconds)


def test_a_record_written_in_the_same_second_after_a_page_is_still_read() -> None:
    cursor = advance(START, [(at(0), "003A"), (at(5), "003B")], limit=at(60))
    assert cursor == Cursor(at(5), frozenset({"003B"}))
    assert already_applied(cursor, at(5), "003B")
    assert not already_applied(cursor, at(5), "003C")
    assert already_applied(cursor, at(0), "003A")
    assert not already_applied(cursor, at(6), "003B")


def test_ids_at_the_same_instant_accumulate_across_pages() -> None:
    first = advance(START, [(at(5), "003A")], limit=at(60))
    second = advance(first, [(at(5), "003A"), (at(5), "003B")], limit=at(60))
    assert second == Cursor(at(5), frozenset({"003A", "003B"}))


def test_the_cursor_stops_at_the_horizon_so_later_records_are_read_again() -> None:
    limit = horizon(at(100), OVERLAP)
    assert limit == at(-20)
    cursor = advance(START, [(at(-30), "003A"), (at(90), "003B")], limit=limit)
    assert cursor == Cursor(at(-30), frozenset({"003A"}))
    assert not already_applied(cursor, at(90), "003B")


def test_nothing_applied_leaves_the_cursor_as_it_was() -> None:
    cursor = Cursor(at(5), frozenset({"003A"}))
    assert advance(cursor, [], limit=at(60)) is cursor
    assert advance(cursor, [(at(1), "003Z")], limit=at(60)) is cursor
    assert START.is_initial and not cursor.is_initial


def test_unordered_rows_give_the_cursor_the_ordered_ones_give() -> None:
    rows = [(at(3), "003C"), (at(1), "003A"), (at(3), "003B"), (at(2), "003D")]
    assert advance(START, rows, limit=at(60)) == advance(START, sorted(rows), limit=at(60))


@dataclass(frozen=True)
class Version:
    record_id: str
    modstamp: int
    committed: int
    """Seconds after T0 it became visible: up to OVERLAP after its modstamp."""


@st.composite
def histories(draw: st.DrawFn) -> list[Version]:
    versions: list[Version] = []
    for record_id in ("003A", "003B", "003C", "003D", "003E"):
        stamps = sorted(draw(st.lists(st.integers(0, 600), min_size=1, max_size=3, unique=True)))
        committed = 0
        for stamp in stamps:
            committed = max(committed, stamp + draw(st.integers(0, int(OVERLAP.total_seconds()))))
            versions.append(Version(record_id, stamp, committed))
    return versions


def visible(history: list[Version], now: int) -> dict[str, int]:
    """Each record's modstamp as a query at `now` sees it."""
    seen: dict[str, int] = {}
    for version in history:
        if version.committed <= now:
            seen[version.record_id] = max(seen.get(version.record_id, -1), version.modstamp)
    return seen


def run(
    history: list[Version], cursor: Cursor, store: dict[str, int], now: int, page: int, crash: int
) -> Cursor:
    """One incremental run: read, apply page by page, stop early after `crash` pages."""
    rows = sorted(
        (at(stamp), record_id)
        for record_id, stamp in visible(history, now).items()
        if cursor.modstamp is None or at(stamp) >= cursor.modstamp
    )
    limit = horizon(at(now), OVERLAP)
    for number, start in enumerate(range(0, len(rows), page)):
        if number == crash:
            break
        chunk = rows[start : start + page]
        for stamp, record_id in chunk:
            if not already_applied(cursor, stamp, record_id):
                store[record_id] = int((stamp - T0).total_seconds())
        cursor = advance(cursor, chunk, limit)
    return cursor


@settings(max_examples=300)
@given(
    histories(),
    st.lists(
        st.tuples(st.integers(0, 900), st.integers(1, 3), st.integers(0, 4)), min_size=1, max_size=6
    ),
)
def test_no_version_is_ever_lost_to_late_commits_page_boundaries_or_crashes(
    history: list[Version], runs: list[tuple[int, int, int]]
) -> None:
    cursor, store = START, {}
    for now, page, crash in sorted(runs):
        cursor = run(history, cursor, store, now, page, crash)
    final = max(v.committed for v in history) + 1
    run(history, cursor, store, final, page=2, crash=-1)
    assert store == visible(history, final)
