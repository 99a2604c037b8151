"""SOQL execution and query cursors: `query`, `queryAll` and the pages that follow them.

The first page fixes the result set: the positions of every matching row, in order, are read
from the indexes in one statement and kept in memory as the cursor. Each page then fetches
only its own rows by position (one statement, joined through `json_each`), so page N costs the
same as page 1 and rows written after the query started neither appear nor shift the pages.
The locator in `nextRecordsUrl` is the cursor's id and the number of rows returned so far, as
Salesforce's is; asking for the same locator again returns the same page.

A subquery's result pages on its own, as Salesforce's does: past `CHILD_BATCH` children, a
parent's result holds the first batch and a `nextRecordsUrl` of its own, a cursor over that
parent's children kept and read as a query's is. A subquery's own subqueries (API 58.0 and
later) are read the same way for the child records a result holds, one statement per level.
The child records a page carries, at any depth, count toward its batch size, as Salesforce's
query options say they do: a page holds the parents that fit with their children, and always
at least one.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from array import array
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from forcebridge.sandbox import decimals
from forcebridge.sandbox.errors import ApiError
from forcebridge.sandbox.ids import QUERY_LOCATOR_PREFIX, random_id
from forcebridge.sandbox.planner import plan
from forcebridge.sandbox.plans import ChildPlan, Mode, Plan
from forcebridge.sandbox.results import record_builder
from forcebridge.sandbox.schema import ObjectSpec, Schema
from forcebridge.sandbox.storage import Storage
from forcebridge.soql import ast
from forcebridge.soql.weeks import SUNDAY

MIN_BATCH, MAX_BATCH = 200, 2000
DEFAULT_BATCH = MAX_BATCH
"""Records a query page holds unless the client asks for fewer, as Salesforce serves them."""
CHILD_BATCH = 200
"""Child records a parent's subquery result holds before the rest go to its `nextRecordsUrl`:
the first batch Salesforce is seen returning for a large child result (jsforce's tests against
a live org expect at most 200; older reports show 499, from when a batch was 500)."""
CURSOR_IDLE_SECONDS = 15 * 60.0
"""Salesforce drops a cursor after 15 minutes without a fetch."""
MAX_CURSORS = 64
PARENTS_PER_STATEMENT = 1000
"""Parents whose children one statement reads (their ids are listed in it)."""


def invalid_locator() -> ApiError:
    return ApiError(400, "INVALID_QUERY_LOCATOR", "invalid query locator")


@dataclass
class _Cursor:
    plan: Plan
    positions: array[int]
    batch_size: int
    last_used: float = field(default_factory=time.monotonic)


@dataclass
class _Family:
    """One parent's child records through one subquery: the positions of all of them, the
    records its result holds (the first `CHILD_BATCH`, with their own subqueries' results),
    how many records those are with all they carry, and the cursors over what they carry
    past its first batch."""

    positions: array[int] = field(default_factory=lambda: array("q"))
    records: list[dict[str, Any]] = field(default_factory=list)
    weight: int = 0
    kept: dict[str, _Cursor] = field(default_factory=dict)


_Found = dict[str, _Family]
"""A subquery's child records of some parents, by parent id."""


class QueryEngine:
    """Runs planned queries against storage and keeps the cursors of unfinished ones."""

    def __init__(
        self,
        schema: Schema,
        storage: Storage,
        clock: Callable[[], dt.datetime],
        tz: dt.tzinfo,
        *,
        idle_seconds: float = CURSOR_IDLE_SECONDS,
        max_cursors: int = MAX_CURSORS,
        api: str = "",
    ) -> None:
        """`api`: where the answers' URLs point under a version, `tooling/` for the Tooling
        API's queries."""
        self.schema = schema
        self.api = api
        self.storage = storage
        self.clock = clock
        self.tz = tz
        self.idle_seconds = idle_seconds
        self.max_cursors = max_cursors
        self._cursors: OrderedDict[str, _Cursor] = OrderedDict()
        self._lock = threading.Lock()

    def plan(
        self,
        query: ast.Query,
        *,
        include_deleted: bool,
        tz: dt.tzinfo | None = None,
        week_start: int = SUNDAY,
        api_version: str = "",
    ) -> Plan:
        """`query` planned now, as `api_version` (by default the newest) takes it; its date
        literals read in `tz` (by default the org's zone), weeks starting on `week_start`."""
        return plan(
            self.schema,
            query,
            include_deleted=include_deleted,
            now=self.clock(),
            tz=tz or self.tz,
            week_start=week_start,
            api_version=api_version,
        )

    def run(
        self,
        query: ast.Query,
        *,
        include_deleted: bool,
        batch_size: int,
        api_version: str,
        tz: dt.tzinfo | None = None,
        week_start: int = SUNDAY,
    ) -> dict[str, Any]:
        """The first page of `query`'s result."""
        planned = self.plan(
            query,
            include_deleted=include_deleted,
            tz=tz,
            week_start=week_start,
            api_version=api_version,
        )
        conn = self.storage.connection()
        if planned.mode is Mode.COUNT:
            (total,) = conn.execute(*planned.count_sql()).fetchone()
            return {"totalSize": total, "done": True, "records": []}
        if planned.mode is Mode.AGGREGATE:
            rows = conn.execute(*planned.aggregate_sql()).fetchmany(MAX_BATCH + 1)
            if len(rows) > MAX_BATCH:
                raise ApiError(
                    400,
                    "EXCEEDED_ID_LIMIT",
                    "Aggregate query does not support queryMore(), use LIMIT to restrict the "
                    "results to a single batch",
                )
            records = [_aggregate_result(planned, row) for row in rows]
            return {"totalSize": len(records), "done": True, "records": records}
        positions = array("q", (row[0] for row in conn.execute(*planned.positions_sql())))
        cursor = _Cursor(planned, positions, _clamp(batch_size))
        return self._page(cursor, None, 0, cursor.batch_size, api_version)

    def count(self, obj: ObjectSpec) -> int:
        """How many live records `obj` holds (`SELECT COUNT() FROM obj`)."""
        query = ast.Query((ast.Count(),), obj.name, text=f"SELECT COUNT() FROM {obj.name}")
        page = self.run(query, include_deleted=False, batch_size=MIN_BATCH, api_version="")
        return int(page["totalSize"])

    def first_record(self, query: ast.Query, api_version: str) -> dict[str, Any] | None:
        """The first record `query` matches (deleted ones included), or None."""
        page = self.run(query, include_deleted=True, batch_size=MIN_BATCH, api_version=api_version)
        records: list[dict[str, Any]] = page["records"]
        return records[0] if records else None

    def more(self, locator: str, *, batch_size: int | None, api_version: str) -> dict[str, Any]:
        """The page that `locator` (a locator or a whole `nextRecordsUrl`) points at."""
        cursor_id, start = _parse_locator(locator)
        with self._lock:
            self._expire()
            cursor = self._cursors.get(cursor_id)
            if cursor is None or start > len(cursor.positions):
                raise invalid_locator()
            cursor.last_used = time.monotonic()
            self._cursors.move_to_end(cursor_id)
        size = _clamp(batch_size) if batch_size is not None else cursor.batch_size
        return self._page(cursor, cursor_id, start, size, api_version)

    def _page(
        self, cursor: _Cursor, cursor_id: str | None, start: int, size: int, api_version: str
    ) -> dict[str, Any]:
        """The `size` records from `start`, a parent's children among them: the parents read
        are cut to those that fit with the children they carry."""
        chunk = cursor.positions[start : start + size]
        kept: dict[str, _Cursor] = {}
        records: list[Any] = []
        end = start + len(chunk)
        if chunk:
            shape = cursor.plan.shape
            assert shape is not None
            build = record_builder(shape, self._root(api_version))
            rows = (
                self.storage.connection()
                .execute(cursor.plan.page_sql(), (json.dumps(chunk.tolist()),))
                .fetchall()
            )
            records = [build(row) for row in rows]
            parents = {row[shape.id_index]: rec for row, rec in zip(rows, records, strict=True)}
            children = [
                (c, self._children(c, list(parents), api_version)) for c in cursor.plan.children
            ]
            weights = (
                1 + sum(found[parent_id].weight for _, found in children if parent_id in found)
                for parent_id in parents
            )
            taken = _fitting(weights, size)
            if taken < len(records):
                records, end = records[:taken], start + taken
                parents = dict(list(parents.items())[:taken])
            for child, found in children:
                for parent_id, record in parents.items():
                    kept |= self._attach(child, record, found.get(parent_id), api_version)
        page = self._result(cursor, cursor_id, end, records, api_version, kept)
        self._keep(kept)
        return page

    def _result(
        self,
        cursor: _Cursor,
        cursor_id: str | None,
        end: int,
        records: list[Any],
        api_version: str,
        kept: dict[str, _Cursor],
    ) -> dict[str, Any]:
        """A query result of `records`, which end at `end` in `cursor`; while more follow, it
        says where, and `cursor` (under `cursor_id`, else a new id) joins `kept`."""
        total = len(cursor.positions)
        result: dict[str, Any] = {"totalSize": total, "done": end >= total}
        if end < total:
            cursor_id = cursor_id or random_id(QUERY_LOCATOR_PREFIX)
            kept[cursor_id] = cursor
            result["nextRecordsUrl"] = f"{self._root(api_version)}query/{cursor_id}-{end}"
        result["records"] = records
        return result

    def _root(self, api_version: str) -> str:
        return f"/services/data/v{api_version}/{self.api}"

    def _children(self, child: ChildPlan, ids: list[str], api_version: str) -> _Found:
        """The child records of the parents `ids`, a statement for each `PARENTS_PER_STATEMENT`
        of them: each parent's positions, and the records of its first `CHILD_BATCH`, which
        carry their own subqueries' results."""
        planned = child.plan
        shape = planned.shape
        assert shape is not None
        build = record_builder(shape, self._root(api_version))
        found: _Found = {}
        held: dict[str, tuple[_Family, dict[str, Any]]] = {}
        conn = self.storage.connection()
        for start in range(0, len(ids), PARENTS_PER_STATEMENT):
            batch = ids[start : start + PARENTS_PER_STATEMENT]
            sql = planned.rows_of_parents_sql(child.lookup, len(batch))
            for *row, position, parent_id in conn.execute(sql, (*planned.params, *batch)):
                family = found.setdefault(parent_id, _Family())
                if planned.limit is not None and len(family.positions) >= planned.limit:
                    continue
                family.positions.append(position)
                if len(family.records) < CHILD_BATCH:
                    record = build(row)
                    assert record is not None
                    family.records.append(record)
                    family.weight += 1
                    held[row[shape.id_index]] = (family, record)
        for grandchild in planned.children if held else ():
            nested = self._children(grandchild, list(held), api_version)
            for record_id, (family, record) in held.items():
                mine = nested.get(record_id)
                family.kept |= self._attach(grandchild, record, mine, api_version)
                family.weight += mine.weight if mine is not None else 0
        return found

    def _attach(
        self, child: ChildPlan, record: dict[str, Any], family: _Family | None, api_version: str
    ) -> dict[str, _Cursor]:
        """A record's child records through `child` as a result of their own, or null when
        there are none. A result past `CHILD_BATCH` records holds the first batch; the cursors
        over the rest (and over what its records carry past their first batch) are returned,
        to be kept."""
        if family is None:
            record[child.key] = None
            return {}
        kept = dict(family.kept)
        cursor = _Cursor(child.plan, family.positions, CHILD_BATCH)
        records = family.records
        record[child.key] = self._result(cursor, None, len(records), records, api_version, kept)
        return kept

    def _keep(self, cursors: dict[str, _Cursor]) -> None:
        """Keep one page's cursors (its query's and its children's) as the newest; past
        `max_cursors`, the oldest others are dropped, never one of these."""
        if not cursors:
            return
        with self._lock:
            self._expire()
            for cursor_id, cursor in cursors.items():
                self._cursors[cursor_id] = cursor
                self._cursors.move_to_end(cursor_id)
            while len(self._cursors) > max(self.max_cursors, len(cursors)):
                self._cursors.popitem(last=False)

    def _expire(self) -> None:
        deadline = time.monotonic() - self.idle_seconds
        for cursor_id in [k for k, c in self._cursors.items() if c.last_used < deadline]:
            del self._cursors[cursor_id]


def _aggregate_result(planned: Plan, row: Any) -> dict[str, Any]:
    record: dict[str, Any] = {"attributes": {"type": "AggregateResult"}}
    for key, column in planned.aggregate_keys:
        value = row[column]
        if key in planned.number_keys:
            value = decimals.read(value)
        elif key in planned.boolean_keys and value is not None:
            value = bool(value)
        record[key] = value
    return record


def _fitting(weights: Iterable[int], size: int) -> int:
    """How many of the records weighing `weights` (a parent and its children) a page of
    `size` holds: those that fit, and the first one whatever it weighs."""
    used = taken = 0
    for weight in weights:
        if taken and used + weight > size:
            break
        used, taken = used + weight, taken + 1
    return taken


def _clamp(batch_size: int) -> int:
    return min(max(batch_size, MIN_BATCH), MAX_BATCH)


def _parse_locator(locator: str) -> tuple[str, int]:
    """`01g...-2000`, or a `/services/data/vXX.X/query[All]/01g...-2000` path."""
    tail = locator.strip().rstrip("/").rsplit("/", 1)[-1]
    cursor_id, dash, position = tail.rpartition("-")
    if not dash or not position.isdigit() or not cursor_id.startswith(QUERY_LOCATOR_PREFIX):
        raise invalid_locator()
    return cursor_id, int(position)


def select_fields(obj: ObjectSpec, fields: Sequence[str] | None) -> ast.Query:
    """`SELECT fields FROM obj`, built as a tree (no text to escape): every field when none is
    named, a name given twice counted once."""
    names = list(fields) if fields else [f.name for f in obj.fields]
    select = tuple(
        ast.Field(tuple(n.split("."))) for n in dict.fromkeys(n.strip() for n in names) if n
    )
    return ast.Query(select, obj.name, text="")


def select_where(
    obj: ObjectSpec, fields: Sequence[str] | None, key: str, record_id: str
) -> ast.Query:
    """`SELECT fields FROM obj WHERE key = 'record_id'`, as `select_fields` builds it."""
    where = ast.Comparison(ast.Field((key,)), ast.Operator.EQ, ast.StringValue(record_id))
    return replace(select_fields(obj, fields), where=where)
