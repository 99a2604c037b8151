"""What a pull reads: its streams, and the one query that serves every service reading one object.

Services sharing a connection and an object form a group that is read once: the query selects
the union of the fields their mappings need (plus `Id`, `SystemModstamp`, `IsDeleted`, and what
Lead conversion and routing read), from the oldest of their watermarks, and keeps the records
any of them wants. Every query is written with `forcebridge.soql.builder`.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import quote_plus

from forcebridge.mapping.errors import MappingError
from forcebridge.mapping.query_fields import ALWAYS_SELECTED, URL_LIMIT, field_groups
from forcebridge.soql import ast
from forcebridge.soql.builder import Filter, gte, select, to_soql
from forcebridge.soql.errors import SoqlError
from forcebridge.soql.parser import parse
from forcebridge.store.models import PullObjects, Service

LEAD_CONVERSION_FIELDS = ("IsConverted", "ConvertedContactId")
PAGE_SIZE = 2_000
"""Records per REST page, and per page of Bulk rows the engine applies at once."""


class PlanError(ValueError):
    """A stream that cannot be read as configured; the message says what to fix, and
    `problem` which setting: the mapping (`mapping_invalid`) or the custom query
    (`query_invalid`)."""

    def __init__(self, message: str, *, problem: str = "mapping_invalid") -> None:
        super().__init__(message)
        self.problem = problem


@dataclass(frozen=True)
class Stream:
    """One object a service pulls: `pull:Contact`, `pull:Lead`, or its custom query."""

    name: str
    sobject: str
    query: ast.Query | None = None

    @property
    def condition(self) -> ast.Condition | None:
        """The custom query's own WHERE, if any."""
        return None if self.query is None else self.query.where

    @property
    def selected(self) -> tuple[str, ...] | None:
        """The fields the custom query selects, as written; None for a whole object."""
        if self.query is None:
            return None
        return tuple(item.name for item in self.query.select if isinstance(item, ast.Field))


CONTACTS = Stream("pull:Contact", "Contact")
LEADS = Stream("pull:Lead", "Lead")
CUSTOM = "pull:custom"
"""The stream of a custom query, whatever object it reads."""


def service_streams(pull_objects: PullObjects, pull_soql: str | None) -> tuple[Stream, ...]:
    """The streams a service pulls, Leads before Contacts: a Lead converted since the last run
    hands its contact over to its Contact before that Contact is read."""
    if pull_objects is PullObjects.CONTACTS:
        return (CONTACTS,)
    if pull_objects is PullObjects.LEADS:
        return (LEADS,)
    if pull_objects is PullObjects.BOTH:
        return (LEADS, CONTACTS)
    if not pull_soql:
        raise PlanError(
            "the service pulls a custom query but has none; configure it", problem="query_invalid"
        )
    try:
        query = parse(pull_soql)
    except SoqlError as error:
        raise PlanError(
            f"the custom query does not parse: {error.located}", problem="query_invalid"
        ) from None
    return (Stream(CUSTOM, query.sobject, query),)


def stream_names(pull_objects: PullObjects) -> tuple[str, ...]:
    """The names of the streams a service pulling `pull_objects` has, known without its query:
    a query that no longer parses fails its stream, not one no schedule knows."""
    if pull_objects is PullObjects.CUSTOM:
        return (CUSTOM,)
    return tuple(s.name for s in service_streams(pull_objects, None))


def identity_source(sobject: str) -> str:
    """How contacts remember a record of `sobject`: `salesforce:Contact`."""
    return f"salesforce:{sobject}"


def member_condition(stream: Stream, routing: ast.Condition | None) -> ast.Condition | None:
    """Which records of the stream are a service's: its custom query's WHERE and its routing."""
    parts = [c for c in (stream.condition, routing) if c is not None]
    if len(parts) < 2:
        return parts[0] if parts else None
    return ast.And(tuple(parts))


@dataclass(frozen=True)
class ReadPlan:
    sobject: str
    fields: tuple[str, ...]
    """Every field to read; `Id`, `SystemModstamp` and `IsDeleted` first."""
    since: dt.datetime | None
    """Read records with `SystemModstamp >=` this; None reads them all."""
    condition: ast.Condition | None
    """Records no member wants are not read at all."""

    def soql(self, fields: Sequence[str] | None = None, *, ordered: bool = True) -> str:
        """The query selecting `fields` (all by default); ordered for REST paging, unordered
        for Bulk API 2.0, whose chunking an ORDER BY would defeat."""
        filters = []
        if self.since is not None:
            filters.append(gte("SystemModstamp", self.since))
        if self.condition is not None:
            filters.append(Filter(self.condition))
        query = select(*(fields or self.fields)).from_(self.sobject).where(*filters)
        if ordered:
            query = query.order_by("SystemModstamp", "Id")
        return to_soql(query.build())


def read_plan(
    sobject: str,
    needs: Iterable[Sequence[str]],
    since: dt.datetime | None,
    conditions: Sequence[ast.Condition | None],
) -> ReadPlan:
    """The group's query: the fields every member `needs`, from `since` (the oldest member's
    watermark), and the OR of the members' conditions (no condition if one has none)."""
    wanted = [*ALWAYS_SELECTED]
    for names in needs:
        wanted.extend(names)
    fields = _ordered_fields(wanted)
    if not conditions or any(c is None for c in conditions):
        condition = None
    else:
        unique = tuple(dict.fromkeys(c for c in conditions if c is not None))
        condition = unique[0] if len(unique) == 1 else ast.Or(unique)
    return ReadPlan(sobject, fields, since, condition)


def _ordered_fields(names: Iterable[str]) -> tuple[str, ...]:
    """Each name once (case-insensitively); paths through parents before plain fields, as only
    the query can read them (see `split_fields`)."""
    chosen: dict[str, str] = {}
    for name in names:
        chosen.setdefault(name.lower(), name)
    fields = list(chosen.values())
    head = [f for f in fields if f in ALWAYS_SELECTED or f in LEAD_CONVERSION_FIELDS]
    paths = [f for f in fields if "." in f and f not in head]
    plain = [f for f in fields if f not in head and f not in paths]
    return (*head, *paths, *plain)


def query_url_length(
    instance_url: str, api_version: str, plan: ReadPlan
) -> Callable[[Sequence[str]], int]:
    """The length of the queryAll URL that would select a given group of fields."""
    prefix = len(f"{instance_url}/services/data/v{api_version}/queryAll/?q=")
    return lambda fields: prefix + len(quote_plus(plan.soql(fields)))


def split_fields(
    plan: ReadPlan, url_length: Callable[[Sequence[str]], int], limit: int = URL_LIMIT
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The fields the REST query selects, and those fetched by Id for each page afterwards
    (when the query would pass Salesforce's URL limit). Only plain fields can be fetched by Id:
    a path through a parent that does not fit is refused."""
    try:
        first, *rest = field_groups(plan.fields, url_length, limit)
    except MappingError as error:
        raise PlanError(
            f"the query for {plan.sobject} is too long for Salesforce ({error}): shorten its "
            "condition (the custom query's WHERE or the routing rule)"
        ) from None
    head = (*ALWAYS_SELECTED, *LEAD_CONVERSION_FIELDS)
    later = tuple(name for group in rest for name in group if name != "Id")
    too_late = [name for name in later if "." in name or name in head]
    if too_late:
        raise PlanError(
            f"the query for {plan.sobject} is too long for Salesforce even with these fields "
            f"alone: {', '.join(too_late)}; map fewer parent fields"
        )
    return first, later


STRING_LIMIT = 4_000
"""The longest string Salesforce takes in a WHERE clause."""


def condition_problems(
    sobject: str, condition: ast.Condition | None, instance_url: str, api_version: str
) -> list[str]:
    """What Salesforce would refuse in a stream's condition, before any run sends it: a string
    longer than Salesforce takes, or a condition so long that no read could select even `Id`
    within the URL limit."""
    problems = [
        f"a string in the condition is {len(value.value):,} characters long; Salesforce takes "
        f"{STRING_LIMIT:,} at most"
        for comparison in ast.comparisons(condition)
        for value in _values(comparison.value)
        if isinstance(value, ast.StringValue) and len(value.value) > STRING_LIMIT
    ]
    plan = read_plan(sobject, [()], dt.datetime(2000, 1, 1, tzinfo=dt.UTC), [condition])
    try:
        split_fields(plan, query_url_length(instance_url, api_version, plan))
    except PlanError as error:
        problems.append(str(error))
    return problems


def _values(value: object) -> tuple[object, ...]:
    return value if isinstance(value, tuple) else (value,)


@dataclass(frozen=True)
class CallProjection:
    """Salesforce API calls a pull is expected to spend per day."""

    runs_per_day: int
    """Runs as the runs page lists them: one per object each time the service pulls."""
    reads: int
    """Each run reads its object once, plus a page per 2,000 changes."""
    reconciliation: int
    """The daily Bulk read of every Id, per object."""

    @property
    def total(self) -> int:
        return self.reads + self.reconciliation


def projected_calls(
    interval_minutes: int, objects: int, records: int, changes_per_day: int
) -> CallProjection:
    """What pulling `objects` objects holding `records` records in all, `changes_per_day` of
    them changed a day, every `interval_minutes`, costs. Bulk results come 10,000 rows a page
    and a job takes about three status checks."""
    runs = math.ceil(24 * 60 / interval_minutes) * objects
    reads = runs + math.ceil(changes_per_day / PAGE_SIZE)
    reconciliation = objects * 4 + math.ceil(records / 10_000)
    return CallProjection(runs, reads, reconciliation)


def shares_a_read(mine: Iterable[Stream], theirs: Iterable[Stream]) -> bool:
    """Whether two services on one connection read some object together (the same stream of
    the same object), and so pay its scheduled reads once."""
    read = {(s.name, s.sobject.lower()) for s in mine}
    return any((s.name, s.sobject.lower()) in read for s in theirs)


def pull_streams(service: Service) -> tuple[Stream, ...]:
    """The service's streams, or `PlanError` when it cannot pull at all."""
    if service.connection_id is None:
        raise PlanError("the service has no Salesforce connection; connect one first")
    return service_streams(service.pull_objects, service.pull_soql)
