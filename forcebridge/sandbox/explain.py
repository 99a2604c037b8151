"""`GET query?explain=SOQL`: the plans Salesforce's query optimizer weighs, in their shape.

Salesforce answers with one plan per way in (each index a filter can use, and a full scan),
cheapest first: the first is the one it would take. A relative cost above 1 means the plan is
not selective. A filter on a field without an index gets a note saying it was not considered.
The sandbox keeps that shape and rule: an index serves `=`, `IN` and ranges on an indexed field
in the query's top-level AND conditions. Its numbers are its own estimates from the object's
record count, not Salesforce's statistics.
"""

from __future__ import annotations

from typing import Any

from forcebridge.sandbox.fieldtypes import Kind
from forcebridge.sandbox.schema import FieldSpec, ObjectSpec
from forcebridge.soql.ast import And, Comparison, Condition, NullValue, Operator, Query

INDEXED_FIELDS = frozenset({"Id", "Name", "OwnerId", "CreatedDate", "SystemModstamp", "Email"})
"""Standard fields Salesforce indexes on every object that has them (lookups, external ids and
unique fields are indexed too)."""
SELECTIVE_SHARE = 0.1
"""An index plan is selective while it reads under a tenth of the records."""
_INDEX_OPERATORS = {Operator.EQ, Operator.IN, Operator.LT, Operator.LE, Operator.GT, Operator.GE}
_UNINDEXED = "Not considering filter for optimization because unindexed"


def is_indexed(spec: FieldSpec) -> bool:
    return spec.name in INDEXED_FIELDS or spec.kind is Kind.ID or spec.external_id or spec.unique


def explain(query: Query, obj: ObjectSpec, records: int) -> dict[str, Any]:
    """The plans for `query` on `obj`, which holds `records` live records."""
    plans: list[dict[str, Any]] = []
    notes: list[dict[str, Any]] = []
    for condition in _conjuncts(query.where):
        if not isinstance(condition, Comparison) or len(condition.field.path) != 1:
            continue
        spec = obj.field(condition.field.path[0])
        if spec is None:
            continue
        if not is_indexed(spec):
            notes.append({"description": _UNINDEXED, "fields": [spec.name],
                          "tableEnumOrId": obj.name})  # fmt: skip
        elif condition.op in _INDEX_OPERATORS and not isinstance(condition.value, NullValue):
            rows = _estimate(condition, spec, records)
            cost = rows / max(1.0, SELECTIVE_SHARE * records)
            plans.append(_plan("Index", [spec.name], rows, cost, records, obj.name, []))
    plans.append(_plan("TableScan", [], records, 1.0, records, obj.name, notes))
    return {"plans": sorted(plans, key=lambda plan: plan["relativeCost"])}


def _conjuncts(condition: Condition | None) -> list[Condition]:
    if condition is None:
        return []
    if isinstance(condition, And):
        return [part for operand in condition.operands for part in _conjuncts(operand)]
    return [condition]


def _estimate(condition: Comparison, spec: FieldSpec, records: int) -> int:
    """How many records the index would lead to: one per Id, about one in a hundred per value
    of another field, a third of them for a range."""
    values = len(condition.value) if isinstance(condition.value, tuple) else 1
    if condition.op not in (Operator.EQ, Operator.IN):
        return max(1, records // 3)
    per_value = 1 if spec.name == "Id" else max(1, records // 100)
    return min(records, values * per_value) if records else 0


def _plan(
    operation: str,
    fields: list[str],
    cardinality: int,
    cost: float,
    records: int,
    sobject: str,
    notes: list[dict[str, Any]],
) -> dict[str, Any]:
    return {
        "cardinality": cardinality,
        "fields": fields,
        "leadingOperationType": operation,
        "notes": notes,
        "relativeCost": round(cost, 6),
        "sobjectCardinality": records,
        "sobjectType": sobject,
    }
