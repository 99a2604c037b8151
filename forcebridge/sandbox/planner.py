"""A SOQL syntax tree as SQL over the org's tables: one statement, every value bound.

The planner checks every name against the schema (with Salesforce's errors, pointing into the
query); parent paths (`Account.Owner.Name`) become joins (`paths`). It also decides the layout
of each record (`results.Shape`), so rows become records with no further lookups. The WHERE
and HAVING clauses are compiled by `filters`, a semi-join's sub-select by a planner of its own
where Salesforce takes one (`semi_joins`); values are put in SOQL's order (`sorting`).
Only the queried object's deleted rows are hidden (`query`) or shown (`queryAll`); parents are
joined as they are. A child subquery is planned on its child object (`plans.ChildPlan`), read
for a whole page of parents at once, and its own subqueries likewise as deep as the API
version allows (`subqueries`); a view (ActivityHistory) is planned only as such a
subquery, Salesforce serving it nowhere else (`activities`); a TYPEOF is laid out by
`polymorphic`; GROUP BY and the aggregate functions make one `AggregateResult` row per group
(`aggregates`; `groups`, with ROLLUP and CUBE subtotals). `USING SCOPE`, `WITH
SECURITY_ENFORCED` and `FOR VIEW` change nothing: the sandbox's one user owns and sees every
record, and no last-viewed dates are kept.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

from forcebridge.sandbox import activities, subqueries
from forcebridge.sandbox.aggregates import AggregateItem, Aggregation
from forcebridge.sandbox.describe import Capabilities, capabilities
from forcebridge.sandbox.errors import ApiError
from forcebridge.sandbox.fields_function import fields_function
from forcebridge.sandbox.fieldtypes import ADDRESS_KEYS, DATE_PART, Kind
from forcebridge.sandbox.filters import condition_sql
from forcebridge.sandbox.groups import GroupItem, item_text, query_mode
from forcebridge.sandbox.paths import Paths, Step, Target, coalesce, object_name
from forcebridge.sandbox.plans import ChildPlan, Mode, Plan
from forcebridge.sandbox.polymorphic import by_type
from forcebridge.sandbox.results import Address, ByType, Children, Column, Shape
from forcebridge.sandbox.schema import FieldSpec, Schema
from forcebridge.sandbox.semi_joins import INNER_PATH, LEFT_PATH, inner_refusal, placement_refusal
from forcebridge.sandbox.sorting import selection_order, sort_terms
from forcebridge.sandbox.storage import SEQ, quote
from forcebridge.soql import ast
from forcebridge.soql.date_functions import field_refusal
from forcebridge.soql.errors import InvalidField, MalformedQuery, SoqlError
from forcebridge.soql.weeks import SUNDAY

MAX_OFFSET = 2000
_ADDRESS_SUFFIXES = {key: key[0].upper() + key[1:] for key in ADDRESS_KEYS}
"""Each part of a compound address as its field names it: `postalCode` is `MailingPostalCode`."""


def plan(
    schema: Schema,
    query: ast.Query,
    *,
    include_deleted: bool,
    now: dt.datetime,
    tz: dt.tzinfo,
    week_start: int = SUNDAY,
    api_version: str = "",
) -> Plan:
    """Check `query` against the schema and compile it, as the API version asked for
    (`62.0`; by default the newest) takes it, its date literals read in `tz` with weeks
    starting on `week_start` (the user's locale's first day); raises SoqlError or ApiError."""
    nesting = subqueries.nests(api_version)
    planner = _Planner(schema, query, now, tz, week_start, nesting=nesting)
    return planner.build(include_deleted)


@dataclass
class _Planner:
    schema: Schema
    query: ast.Query
    now: dt.datetime
    tz: dt.tzinfo
    week_start: int = SUNDAY
    columns: dict[str, int] = field(default_factory=dict)
    params: list[Any] = field(default_factory=list)
    children: list[ChildPlan] = field(default_factory=list)
    in_semi_join: bool = False
    as_child: bool = False
    """Planning a parent's subquery: the one place a view may be queried."""
    depth: int = 0
    """How many subqueries deep this one is (0: the query itself)."""
    nesting: bool = True
    """Whether subqueries may hold subqueries (API 58.0 and later)."""

    def __post_init__(self) -> None:
        self.text = self.query.text or ""
        root = self.schema.get(self.query.sobject)
        if root is None:
            raise SoqlError.invalid_type(self.text, self.query.sobject_pos, self.query.sobject)
        self.root = root
        self.paths = Paths(self.schema, root, self.text)

    def build(self, include_deleted: bool) -> Plan:
        q = self.query
        if self.root.view and not self.as_child:
            message = f"entity type {self.root.name} does not support query"
            raise ApiError(400, "INVALID_TYPE_FOR_OPERATION", message)
        if q.offset is not None and q.offset > MAX_OFFSET:
            raise ApiError(
                400, "NUMBER_OUTSIDE_VALID_RANGE", f"Maximum SOQL offset allowed is {MAX_OFFSET}"
            )
        if not self.in_semi_join:
            refused = placement_refusal(q, self.text)
            if refused is not None:
                raise refused
        mode = query_mode(q, self.text)
        shape: Shape | None = None
        keys: tuple[tuple[str, int], ...] = ()
        booleans: frozenset[str] = frozenset()
        numbers: frozenset[str] = frozenset()
        group_by = ""
        if mode is Mode.RECORDS:
            shape = Shape(id_index=self._column(f"t0.{quote('Id')}"), type_name=self.root.name)
            for item in q.select:
                if isinstance(item, ast.Fields):
                    self._select_fields_function(item, shape)
                elif isinstance(item, ast.Field):
                    if item.alias is not None:
                        raise MalformedQuery(
                            self.text, item.pos, "Only aggregate expressions use field aliasing"
                        )
                    self._select_field(item, shape)
                elif isinstance(item, ast.Label):
                    self._select_field(item.field, shape, labelled=True)
                elif isinstance(item, ast.TypeOf):
                    key, entry = by_type(
                        item, self.root, self.paths, self._column, self.text, shape.entries
                    )
                    shape.entries[key] = entry
                elif isinstance(item, ast.Subquery):
                    self._select_children(item.query, shape, include_deleted)
                elif isinstance(item, ast.DateFunction):
                    raise MalformedQuery(
                        self.text,
                        item.field.pos,
                        f"Field must be grouped or aggregated: {item_text(item)}",
                    )
        elif mode is Mode.AGGREGATE:
            keys, booleans, numbers = self._aggregation.keys()
            group_by = self._aggregation.groups.clause
        conditions = [condition_sql(self, q.where)] if q.where is not None else []
        if not include_deleted and self.root.field("IsDeleted") is not None:
            conditions.insert(0, f"t0.{quote('IsDeleted')} = 0")
        scope = activities.scope(self.root, self.now, self.bind)
        if scope is not None:
            conditions.append(scope)
        where = " AND ".join(conditions) or "1"
        having = self._having() if q.having is not None else ""
        order_by = self._order_by() if mode is not Mode.AGGREGATE else self._aggregation.order()
        return Plan(
            sobject=self.root,
            mode=mode,
            columns=tuple(self.columns),
            joins="".join(self.paths.joins) + self._aggregation.groups.joins,
            where=where,
            params=tuple(self.params),
            order_by=order_by,
            limit=q.limit,
            offset=q.offset or 0,
            shape=shape,
            aggregate_keys=keys,
            boolean_keys=booleans,
            number_keys=numbers,
            group_by=group_by,
            having=having,
            children=tuple(self.children),
        )

    # --- select list -----------------------------------------------------------------------

    @cached_property
    def _aggregation(self) -> Aggregation:
        return Aggregation(
            self.query,
            self.text,
            self.paths,
            self._column,
            self._group_expression,
            self.date_expression,
        )

    def aggregate_expression(self, item: AggregateItem) -> str:
        return self._aggregation.expression(item)

    def aggregate_is_number(self, item: AggregateItem) -> bool:
        return self._aggregation.is_number(item)

    def _having(self) -> str:
        """HAVING as SQL: aggregates compared, and fields that are grouped."""
        assert self.query.having is not None
        self._aggregation.check_having()
        return condition_sql(self, self.query.having)

    def _group_expression(self, node: GroupItem) -> str:
        if isinstance(node, ast.DateFunction):
            return self.date_expression(node)
        return self.paths.expression(
            self.resolve_filterable(node, "grouped", lambda c: c.groupable)
        )

    def _select_fields_function(self, item: ast.Fields, shape: Shape) -> None:
        for f in fields_function(self.text, item, self.root, self.query.limit):
            if f.name in shape.entries:
                raise SoqlError.selected_twice(f.name)
            self._select_field(ast.Field((f.name,)), shape)

    def _select_children(self, sub: ast.Query, shape: Shape, include_deleted: bool) -> None:
        """A subquery, planned on the child object its relationship reaches (named as the
        parent's describe names it, `Contacts`, or through the parent, `Account.Contacts`)."""
        found = self.schema.child_relationship(self.root.name, sub.sobject)
        known = found is not None
        refused = subqueries.refusal(self.text, sub, self.root, known, self.depth, self.nesting)
        if refused is not None:
            raise refused
        assert found is not None
        child, lookup = found
        key = lookup.child_relationship_name
        assert key is not None
        if key in shape.entries:
            raise SoqlError.selected_twice(key)
        on_child = replace(sub, sobject=child.name, parent_object=None, text=self.text)
        planned = _Planner(
            self.schema,
            on_child,
            self.now,
            self.tz,
            self.week_start,
            as_child=True,
            depth=self.depth + 1,
            nesting=self.nesting,
        ).build(include_deleted)
        self.children.append(ChildPlan(key, lookup.name, planned))
        shape.entries[key] = Children()

    def _select_field(self, node: ast.Field, shape: Shape, labelled: bool = False) -> None:
        """A field, or with `labelled` a picklist read as its labels (`toLabel()`)."""
        target = self.paths.resolve(node)
        for step in target.steps:
            nested = shape.entries.get(step.name)
            if isinstance(nested, ByType):
                raise SoqlError.selected_twice(step.name)
            if not isinstance(nested, Shape):
                nested = self._parent_shape(step)
                shape.entries[step.name] = nested
            shape = nested
        key = target.spec.name if target.spec is not None else "Type"
        if key in shape.entries:
            raise SoqlError.selected_twice(".".join([*(step.name for step in target.steps), key]))
        shape.entries[key] = self._labels(node, target) if labelled else self._entry(target)

    def _labels(self, node: ast.Field, target: Target) -> Column:
        """`toLabel(field)`: a picklist's column, read as the labels of its values."""
        if target.spec is None or not target.spec.picklist:
            message = f"toLabel() can only be used on picklist fields: {node.name}"
            raise InvalidField(self.text, node.pos, message)
        labels = tuple((entry.value, entry.label) for entry in target.spec.picklist)
        column = self._column(self.paths.expression(target))
        return Column(column, labels=labels, order=selection_order(target.spec))

    def _parent_shape(self, step: Step) -> Shape:
        id_column = self._column(coalesce(step.aliases, "Id"))
        if len(step.targets) == 1:
            return Shape(id_index=id_column, type_name=step.targets[0].name)
        return Shape(id_index=id_column, type_index=self._column(object_name(step)))

    def _entry(self, target: Target) -> Column | Address:
        spec = target.spec
        if spec is None:
            return Column(self._column(self.paths.expression(target)))
        if spec.kind is Kind.COMPOUND:
            parts = {p.name: p for p in target.owner.parts(spec)}
            prefix = spec.name.removesuffix("Address")
            indices = tuple(
                self._column(coalesce(target.aliases, f"{prefix}{_ADDRESS_SUFFIXES[key]}"))
                if f"{prefix}{_ADDRESS_SUFFIXES[key]}" in parts
                else None
                for key in ADDRESS_KEYS
            )
            return Address(indices)
        return Column.of(self._column(self.paths.expression(target)), spec)

    def _column(self, sql: str) -> int:
        return self.columns.setdefault(sql, len(self.columns))

    # --- order ---------------------------------------------------------------------------

    def _order_by(self) -> str:
        """The ORDER BY list, ending with the row position so ties keep one stable order."""
        terms = []
        for item in self.query.order_by:
            if isinstance(item.field, ast.DateFunction):
                raise MalformedQuery(
                    self.text,
                    item.field.field.pos,
                    f"Ordered field must be grouped or aggregated: {item_text(item.field)}",
                )
            if not isinstance(item.field, ast.Field):
                field = item.field.field
                raise MalformedQuery(
                    self.text,
                    field.pos if field is not None else None,
                    "an aggregate function can only order an aggregate query",
                )
            target = self.resolve_filterable(item.field, "sorted", lambda c: c.sortable)
            direction = item.direction.value
            default_nulls = (
                ast.Nulls.FIRST if item.direction is ast.Direction.ASC else ast.Nulls.LAST
            )
            nulls = f" NULLS {item.nulls.value}" if item.nulls not in (None, default_nulls) else ""
            exprs = sort_terms(target.spec, self.paths.expression(target))
            terms += [f"{expr} {direction}{nulls}" for expr in exprs]
        terms.append(f"t0.{quote(SEQ)}")
        return ", ".join(terms)

    # --- what the filter compiler needs --------------------------------------------------

    def resolve_filterable(
        self, node: ast.Field, verb: str, allowed: Callable[[Capabilities], bool]
    ) -> Target:
        """The field `node` names, if SOQL may filter or sort (`verb`) on it."""
        target = self.paths.resolve(node)
        spec = target.spec
        if spec is not None and (spec.kind is Kind.COMPOUND or not allowed(capabilities(spec))):
            raise InvalidField(
                self.text, node.pos, f"field '{spec.name}' can not be {verb} in a query call"
            )
        return target

    def filter_column(self, node: ast.Field) -> tuple[FieldSpec | None, str]:
        """The field a WHERE comparison names (None: a polymorphic parent's Type) and its SQL."""
        target = self.resolve_filterable(node, "filtered", lambda c: c.filterable)
        return target.spec, self.paths.expression(target)

    def date_expression(self, call: ast.DateFunction) -> str:
        """A date function as SQL, once Salesforce would take it on its field."""
        target = self.paths.resolve(call.field)
        spec = target.spec
        field_type = spec.field_type.name if spec is not None else ""
        refused = field_refusal(call, field_type, spec.name if spec else call.field.name)
        if refused is not None:
            raise InvalidField(self.text, call.field.pos, refused)
        zone = _sql_text(_zone_key(self.tz)) if call.in_user_zone else "NULL"
        return f"{DATE_PART}('{call.function.value}', {self.paths.expression(target)}, {zone})"

    def bind(self, value: Any) -> str:
        self.params.append(value)
        return "?"

    def sub_select(self, field: ast.Field, query: ast.Query) -> str:
        """A semi-join's ids as SQL (never null, so that NOT IN keeps SOQL's meaning), its
        values bound after those bound so far; refused where Salesforce refuses it
        (`semi_joins`)."""
        if self.in_semi_join:
            raise MalformedQuery(
                self.text, query.sobject_pos, "Nesting of semi join sub-selects is not supported"
            )
        if self.paths.resolve(field).steps:
            raise MalformedQuery(self.text, field.pos, LEFT_PATH)
        inner_object = self.schema.get(query.sobject)
        refused = inner_refusal(self.root, inner_object) if inner_object is not None else None
        if refused is not None:
            raise MalformedQuery(self.text, query.sobject_pos, refused)
        on_inner = replace(query, text=self.text)
        inner = _Planner(
            self.schema, on_inner, self.now, self.tz, self.week_start, in_semi_join=True
        )
        planned = inner.build(include_deleted=False)
        [selected] = query.select
        assert isinstance(selected, ast.Field)
        target = inner.paths.resolve(selected)
        if target.steps:
            raise MalformedQuery(self.text, selected.pos, INNER_PATH)
        if target.spec is None or target.spec.kind is not Kind.ID:
            message = (
                f"semi join sub selects can only query id fields, cannot use: '{selected.name}'"
            )
            raise MalformedQuery(self.text, selected.pos, message)
        column = inner.paths.expression(target)
        self.params.extend(planned.params)
        return (
            f"SELECT {column} FROM {quote(planned.sobject.name)} AS t0{planned.joins}"
            f" WHERE {planned.where} AND {column} IS NOT NULL"
        )


def _zone_key(zone: dt.tzinfo) -> str:
    """The name SQL hands back to `stored_date_part` for the user's zone."""
    key = getattr(zone, "key", None)
    if isinstance(key, str):
        return key
    if zone is dt.UTC:
        return "UTC"
    raise TypeError(f"the sandbox reads user zones by name, not {zone!r}")


def _sql_text(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
