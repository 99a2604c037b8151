"""An aggregate query planned: the keys of its `AggregateResult` rows, its aggregate functions
as SQL, what HAVING may compare, and the order of its groups.

The groups themselves (GROUP BY, ROLLUP and CUBE) are `groups`; values are put in SOQL's
order by `sorting`, so ORDER BY an aggregate, a grouped field, or nothing at all orders a
picklist by its defined values and text by its upper-case characters alike.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

from forcebridge.sandbox.decimals import AVG_NUMBERS, SUM_NUMBERS
from forcebridge.sandbox.describe import capabilities
from forcebridge.sandbox.fieldtypes import Kind
from forcebridge.sandbox.groups import (
    AGGREGATES,
    GroupItem,
    Groups,
    compared,
    group_key,
    item_pos,
    item_text,
    masked,
)
from forcebridge.sandbox.paths import Paths, Target
from forcebridge.sandbox.sorting import extreme, extreme_order, in_number_order, sort_terms
from forcebridge.soql import ast
from forcebridge.soql.errors import InvalidField, MalformedQuery

AggregateItem = ast.Count | ast.Aggregate | ast.Grouping
_NUMBER_FUNCTIONS = {"SUM": SUM_NUMBERS, "AVG": AVG_NUMBERS}
"""SUM and AVG as SQL, for a number field's values."""


@dataclass
class Aggregation:
    """One aggregate query's planning; the planner hands it the query's parent paths, its
    select columns and how to compile a grouped item and a date function."""

    query: ast.Query
    text: str
    paths: Paths
    column: Callable[[str], int]
    """The index of an SQL expression among the selected columns (added when new)."""
    group_expression: Callable[[GroupItem], str]
    date_expression: Callable[[ast.DateFunction], str]

    @cached_property
    def groups(self) -> Groups:
        """The query's groups, each resolved once for the select list, HAVING and ORDER BY."""
        return Groups.of(self.query, self.group_expression, self._sorted_as)

    def _sorted_as(self, node: GroupItem, sql: str) -> list[str]:
        if isinstance(node, ast.Field):
            return sort_terms(self.paths.resolve(node).spec, sql)
        return [sql]

    def keys(self) -> tuple[tuple[tuple[str, int], ...], frozenset[str], frozenset[str]]:
        """The keys of an aggregate result, in SELECT order, each with its column: grouped
        fields under their alias or own name, functions under their alias or `expr0`, `expr1`,
        ... as Salesforce numbers them; the keys of grouped checkboxes; and those holding a
        number field's values (`decimals`). Items that say the same thing share a column."""
        keys: list[tuple[str, int]] = []
        booleans: set[str] = set()
        numbers: set[str] = set()
        groups = self.groups
        unnamed = 0
        for item in self.query.select:
            kind: Kind | None = None
            if isinstance(item, ast.Field):
                target = self.paths.resolve(item)
                name = target.spec.name if target.spec is not None else "Type"
                sql = groups.expressions[group_key(item)]
                kind = target.spec.kind if target.spec is not None else None
                pos = item.pos
            elif isinstance(item, ast.DateFunction):
                sql = groups.expressions.get(group_key(item)) or masked(
                    groups.flags.get(group_key(item.field)), self.date_expression(item)
                )
                pos = item.field.pos
            else:
                assert isinstance(item, AGGREGATES) and item.field is not None
                sql = self.expression(item)
                kind = Kind.NUMBER if self.is_number(item) else None
                pos = item.field.pos
            if item.alias is not None:
                key = item.alias
                pos = item.alias_pos
            elif isinstance(item, ast.Field):
                key = name
            else:
                key = f"expr{unnamed}"
                unnamed += 1
            if any(key.lower() == taken.lower() for taken, _ in keys):
                # Two grouped fields both called `Name` (Account.Name, Owner.Name) need
                # aliases, as Salesforce says: none of their values is dropped.
                raise MalformedQuery(self.text, pos, f"duplicate alias: {key}")
            keys.append((key, self.column(sql)))
            if kind is Kind.BOOLEAN:
                booleans.add(key)
            elif kind is Kind.NUMBER:
                numbers.add(key)
        return tuple(keys), frozenset(booleans), frozenset(numbers)

    def expression(self, item: AggregateItem) -> str:
        """An aggregate function (or `GROUPING()`) as SQL, once Salesforce would take it."""
        if isinstance(item, ast.Grouping):
            return self.groups.grouping(item, self.text)
        function, target = self._checked(item)
        expr = self.paths.expression(target)
        if function == "COUNT_DISTINCT":
            return f"COUNT(DISTINCT {expr})"
        if function in ("MIN", "MAX"):
            sql = extreme(function, target.spec, expr)
        elif self.is_number(item):
            sql = f"{_NUMBER_FUNCTIONS[function]}({expr})"
        else:
            sql = f"{function}({expr})"
        return in_number_order(sql) if self.is_number(item) else sql

    def is_number(self, item: AggregateItem) -> bool:
        """Whether `item` gives a number field's value, stored as its digits (`decimals`):
        SUM, AVG, MIN and MAX of one, whose SQL compares by value as the field does."""
        if not isinstance(item, ast.Aggregate) or item.function is ast.Function.COUNT_DISTINCT:
            return False
        spec = self.paths.resolve(item.field).spec
        return spec is not None and spec.kind is Kind.NUMBER

    def _checked(self, item: ast.Count | ast.Aggregate) -> tuple[str, Target]:
        """The function's name and the field it reads, if the field supports it."""
        assert item.field is not None
        function = "COUNT" if isinstance(item, ast.Count) else item.function.value
        target = self.paths.resolve(item.field)
        spec = target.spec
        numeric = spec is not None and spec.kind in (Kind.INTEGER, Kind.NUMBER)
        allowed = spec is None or capabilities(spec).aggregatable
        if (function in ("SUM", "AVG") and not numeric) or not allowed:
            name = spec.name if spec is not None else item.field.name
            raise InvalidField(
                self.text,
                item.field.pos,
                f"field {name} does not support aggregate operator {function}",
            )
        return function, target

    def check_having(self) -> None:
        """HAVING compares aggregates and grouped fields only, and needs a GROUP BY."""
        assert self.query.having is not None
        if not self.query.group_by:
            raise MalformedQuery(self.text, None, "HAVING can only be used with GROUP BY")
        for node in compared(self.query.having):
            if group_key(node) not in self.groups.expressions:
                raise MalformedQuery(
                    self.text,
                    item_pos(node),
                    f"Field must be grouped or aggregated: {item_text(node)}",
                )

    def order(self) -> str:
        """An aggregate result's order: the ORDER BY aggregates and fields, which must be
        grouped, each in SOQL's order of its values, then the groups themselves, so the order
        is stable."""
        groups = self.groups
        terms = []
        for item in self.query.order_by:
            node = item.field
            if isinstance(node, AGGREGATES):
                exprs = self._order_terms(node)
            elif group_key(node) not in groups.expressions:
                raise MalformedQuery(
                    self.text,
                    item_pos(node),
                    f"Ordered field must be grouped or aggregated: {item_text(node)}",
                )
            else:
                exprs = groups.sort_terms[group_key(node)]
            nulls = f" NULLS {item.nulls.value}" if item.nulls is not None else ""
            terms += [f"{expr} {item.direction.value}{nulls}" for expr in exprs]
        return ", ".join([*terms, *groups.order])

    def _order_terms(self, item: AggregateItem) -> list[str]:
        """ORDER BY an aggregate: MIN() and MAX() as the field's values sort (a picklist in
        its defined order), the others as the numbers they are."""
        if isinstance(item, ast.Aggregate) and item.function.value in ("MIN", "MAX"):
            function, target = self._checked(item)
            return extreme_order(function, target.spec, self.paths.expression(target))
        return [self.expression(item)]
