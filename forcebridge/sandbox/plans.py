"""A planned SOQL query: the SQL that runs it, every value bound, and how its rows become
records. `forcebridge.sandbox.planner` decides it; `forcebridge.sandbox.query` runs it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any

from forcebridge.sandbox.results import Shape
from forcebridge.sandbox.schema import ObjectSpec
from forcebridge.sandbox.storage import SEQ, quote


class Mode(Enum):
    RECORDS = "records"
    COUNT = "count"
    AGGREGATE = "aggregate"


@dataclass(frozen=True)
class Plan:
    """Everything needed to run a query; SQL text is built here, values travel in `params`."""

    sobject: ObjectSpec
    mode: Mode
    columns: tuple[str, ...]
    joins: str
    where: str
    params: tuple[Any, ...]
    order_by: str
    limit: int | None
    offset: int
    shape: Shape | None
    """How records are laid out; None unless `mode` is RECORDS."""
    aggregate_keys: tuple[tuple[str, int], ...] = ()
    """Each key of an aggregate result and the column its value is in (AGGREGATE mode)."""
    boolean_keys: frozenset[str] = frozenset()
    """The grouped checkbox fields among them, whose 0 and 1 are false and true."""
    number_keys: frozenset[str] = frozenset()
    """Those holding a number field's values (grouped, or its SUM, AVG, MIN or MAX), read
    as decimals."""
    group_by: str = ""
    having: str = ""
    children: tuple[ChildPlan, ...] = ()
    """The subqueries, each planned on its child object."""

    @property
    def _from(self) -> str:
        return f"{quote(self.sobject.name)} AS t0{self.joins}"

    def _window(self) -> tuple[str, tuple[Any, ...]]:
        if self.limit is None and not self.offset:
            return "", ()
        return " LIMIT ? OFFSET ?", (-1 if self.limit is None else self.limit, self.offset)

    def positions_sql(self) -> tuple[str, tuple[Any, ...]]:
        """The matching rows' positions, in result order (the cursor's snapshot)."""
        window, bounds = self._window()
        sql = (
            f"SELECT t0.{quote(SEQ)} FROM {self._from} WHERE {self.where} "
            f"ORDER BY {self.order_by}{window}"
        )
        return sql, self.params + bounds

    def page_sql(self) -> str:
        """The selected columns of the rows whose positions come as a JSON array parameter."""
        return (
            f"SELECT {', '.join(self.columns)} FROM json_each(?) AS j "
            f"CROSS JOIN {quote(self.sobject.name)} AS t0 ON t0.{quote(SEQ)} = j.value"
            f"{self.joins} ORDER BY j.key"
        )

    def count_sql(self) -> tuple[str, tuple[Any, ...]]:
        window, bounds = self._window()
        sql = f"SELECT COUNT(*) FROM (SELECT 1 FROM {self._from} WHERE {self.where}{window})"
        return sql, self.params + bounds

    def aggregate_sql(self) -> tuple[str, tuple[Any, ...]]:
        """One row per group (one in all without GROUP BY), in the query's order."""
        window, bounds = self._window()
        sql = f"SELECT {', '.join(self.columns)} FROM {self._from} WHERE {self.where}"
        if self.group_by:
            sql += f" GROUP BY {self.group_by}"
            sql += f" HAVING {self.having}" if self.having else ""
            sql += f" ORDER BY {self.order_by}"
        return sql + window, self.params + bounds

    def rows_of_parents_sql(self, lookup: str, parents: int) -> str:
        """The selected columns of the rows whose `lookup` is one of `parents` ids, bound
        after `params`; each row ends with its position and that parent id. The ids are
        listed in the statement rather than passed as one JSON array, so that SQLite takes
        the condition into each part of a view (`activities`) instead of reading it whole."""
        column = f"t0.{quote(lookup)}"
        listed = ", ".join("?" * parents)
        return (
            f"SELECT {', '.join(self.columns)}, t0.{quote(SEQ)}, {column} FROM {self._from} "
            f"WHERE {self.where} AND {column} IN ({listed}) ORDER BY {self.order_by}"
        )


@dataclass(frozen=True)
class ChildPlan:
    """A subquery: `plan` on the child object, reached from the parent through `lookup`."""

    key: str
    """The relationship's name as the parent's describe gives it: the key in each record."""
    lookup: str
    plan: Plan
