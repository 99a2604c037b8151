"""Whether a query aggregates (`query_mode`), and an aggregate query's groups as SQL: GROUP BY
fields and date functions, and the subtotal rows of ROLLUP and CUBE.

SQLite has no ROLLUP or CUBE. Each row is joined instead to every grouping set, a row of
flags (`VALUES (0, 0), (0, 1), (1, 1)` for a ROLLUP of two), and each grouped item is masked
to null where its flag is set; one GROUP BY over the flags and the masked items then gives the
groups and their subtotals together, and `GROUPING(field)` is the field's flag.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from forcebridge.sandbox.count_queries import count_refusal
from forcebridge.sandbox.plans import Mode
from forcebridge.soql import ast
from forcebridge.soql.errors import MalformedQuery
from forcebridge.soql.render import date_call

MAX_SUBTOTALED = 3
"""Salesforce's most fields in a GROUP BY ROLLUP or CUBE."""

GroupItem = ast.Field | ast.DateFunction
AGGREGATES = (ast.Count, ast.Aggregate, ast.Grouping)


def query_mode(query: ast.Query, text: str) -> Mode:
    """Whether `query` reads records, counts them (`COUNT()`) or aggregates groups; an
    aggregate query's other select items must be grouped, as Salesforce requires."""
    items = query.select
    if not query.group_by and not any(isinstance(i, AGGREGATES) for i in items):
        return Mode.RECORDS
    if any(isinstance(i, ast.Count) and i.field is None for i in items):
        refusal = count_refusal(query, text)
        if refusal is not None:
            raise refusal
        return Mode.COUNT
    grouped = {group_key(node) for node in query.group_by}
    for item in items:
        if isinstance(item, AGGREGATES):
            continue
        if isinstance(item, ast.Field):
            if item.name.lower() in grouped:
                continue
            name, pos = item.name, item.pos
        elif isinstance(item, ast.DateFunction):
            # Or by its field, as Salesforce allows for a date field (a datetime field
            # cannot be grouped: the planner refuses to group it).
            if {group_key(item), group_key(item.field)} & grouped:
                continue
            name, pos = item_text(item), item.field.pos
        elif isinstance(item, ast.Subquery):
            name, pos = item.query.sobject, item.query.sobject_pos
        elif isinstance(item, ast.Label):
            name, pos = f"toLabel({item.field.name})", item.field.pos
        elif isinstance(item, ast.TypeOf):
            name, pos = f"TYPEOF {item.relationship}", item.pos
        else:
            name, pos = f"FIELDS({item.kind})", None
        raise MalformedQuery(text, pos, f"Field must be grouped or aggregated: {name}")
    return Mode.AGGREGATE


@dataclass(frozen=True)
class Groups:
    """What an aggregate query groups by, each item known by `group_key`."""

    expressions: dict[str, str]
    """Each item's SQL, null on a row that subtotals over it."""
    sort_terms: dict[str, list[str]]
    """Each item's SQL as it sorts, in SOQL's order of its values (`sorting.sort_terms`)."""
    flags: dict[str, str]
    """With ROLLUP or CUBE, each item's flag: 1 on a row that subtotals over it."""
    subtotals: ast.Subtotals | None

    @classmethod
    def of(
        cls,
        query: ast.Query,
        expression: Callable[[GroupItem], str],
        sorted_as: Callable[[GroupItem, str], list[str]],
    ) -> Groups:
        """The groups of `query`, each item's SQL given by `expression` (which checks it) and
        put in order by the terms `sorted_as` gives for that SQL."""
        keys = dict.fromkeys(group_key(node) for node in query.group_by)  # once each, in order
        flags: dict[str, str] = {}
        if query.subtotals is not None:
            if len(keys) > MAX_SUBTOTALED:
                raise MalformedQuery(
                    query.text or "",
                    None,
                    f"GROUP BY {query.subtotals.value} takes at most {MAX_SUBTOTALED} fields",
                )
            flags = {key: f"gs.column{n}" for n, key in enumerate(keys, 1)}
        expressions = {
            group_key(node): masked(flags.get(group_key(node)), expression(node))
            for node in query.group_by
        }
        sort_terms = {
            group_key(node): sorted_as(node, expressions[group_key(node)])
            for node in query.group_by
        }
        return cls(expressions, sort_terms, flags, query.subtotals)

    @property
    def clause(self) -> str:
        """The GROUP BY list: the grouping set's flags, then the items."""
        return ", ".join([*self.flags.values(), *self.expressions.values()])

    @property
    def joins(self) -> str:
        """The join to the grouping sets, for ROLLUP and CUBE."""
        if self.subtotals is None:
            return ""
        rows = grouping_sets(self.subtotals, len(self.flags))
        values = ", ".join("(" + ", ".join(map(str, flags)) + ")" for flags in rows)
        return f" CROSS JOIN (VALUES {values}) AS gs"

    @property
    def order(self) -> list[str]:
        """The groups' own order, which makes the result's stable and, with no ORDER BY, is
        the order ORDER BY would give them (a picklist's defined order, text by its upper-case
        characters): each subtotal row comes after the rows it adds up, the grand total
        last."""
        terms = []
        for key, sorted_terms in self.sort_terms.items():
            terms += [self.flags[key], *sorted_terms] if key in self.flags else sorted_terms
        return terms

    def grouping(self, item: ast.Grouping, text: str) -> str:
        """`GROUPING(field)` as SQL; refused unless the field is one the query subtotals."""
        if self.subtotals is None:
            raise MalformedQuery(
                text, item.field.pos, "GROUPING() needs GROUP BY ROLLUP or GROUP BY CUBE"
            )
        flag = self.flags.get(group_key(item.field))
        if flag is None:
            raise MalformedQuery(
                text,
                item.field.pos,
                f"GROUPING({item.field.name}) names a field the query does not group by",
            )
        return flag


def grouping_sets(subtotals: ast.Subtotals, count: int) -> list[list[int]]:
    """The flags of each grouping set over `count` items, 1 where the set subtotals over the
    item: ROLLUP(a, b) groups by (a, b), by (a) and by nothing; CUBE(a, b) by every subset."""
    if subtotals is ast.Subtotals.ROLLUP:
        return [[0] * (count - rolled) + [1] * rolled for rolled in range(count + 1)]
    return [[int(bit) for bit in f"{n:0{count}b}"] for n in range(2**count)]


def masked(flag: str | None, sql: str) -> str:
    """`sql`, or null on the rows where `flag` is set."""
    return sql if flag is None else f"CASE WHEN {flag} THEN NULL ELSE {sql} END"


def group_key(node: GroupItem) -> str:
    """What identifies a GROUP BY item wherever the query names it again: a field's name, or a
    date function of one, case-folded."""
    return item_text(node).lower()


def item_text(node: GroupItem) -> str:
    """A grouped item as the query writes it: `Account.Name`, `CALENDAR_YEAR(CloseDate)`."""
    return node.name if isinstance(node, ast.Field) else date_call(node)


def item_pos(node: GroupItem) -> int | None:
    return node.pos if isinstance(node, ast.Field) else node.field.pos


def compared(condition: ast.Condition) -> Sequence[GroupItem]:
    """The fields and date functions a HAVING condition compares, which must be grouped (not
    those inside its aggregates)."""
    return [
        c.field if isinstance(c, ast.Comparison) else c.function for c in ast.comparisons(condition)
    ]
