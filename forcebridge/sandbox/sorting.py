"""SOQL's order of values: ORDER BY terms and MIN() and MAX() as SQL, and the order of a
multi-select picklist's selected values.

Salesforce puts text in order, for English locales, by the UTF-8 values of its upper-case
characters (the `SORT_TEXT` collation), and a picklist in the order its values are defined
in during setup (the describe's `picklistValues`), not alphabetically: ORDER BY does, and so
do MIN() and MAX() of a picklist ("SOQL and SOSL Reference": ORDER BY, Aggregate Functions).
A value the picklist does not define (an unrestricted picklist takes any text) comes after
the defined ones, in text order among themselves. The picklist's values are schema facts,
written into the SQL as quoted literals, never a query's values. A number field's values,
stored as the text of their digits, are put in numeric order (`NUMBER_ORDER`), wherever the
SQL holding them has lost its column's collation (a CASE, an aggregate's result).
"""

from __future__ import annotations

from forcebridge.sandbox.decimals import NUMBER_ORDER
from forcebridge.sandbox.fieldtypes import SORT_TEXT, Kind
from forcebridge.sandbox.schema import FieldSpec

_RANK_DIGITS = 6
"""Width of a picklist value's rank where MIN() and MAX() compare rank and value as one text."""


def sort_terms(spec: FieldSpec | None, expr: str) -> list[str]:
    """The SQL expressions, most significant first, that put the values of `expr` (field
    `spec`; None for a polymorphic parent's Type) in SOQL's order."""
    if spec is not None and _ranked(spec):
        return [_rank(spec, expr), in_text_order(expr)]
    return [_in_order(spec, expr)]


def extreme(function: str, spec: FieldSpec | None, expr: str) -> str:
    """`MIN(expr)` or `MAX(expr)` (`function`) as SOQL picks the value: a picklist's by its
    defined order, text by SOQL's text order."""
    picked = f"{function}({_extreme_key(spec, expr)})"
    if spec is not None and _ranked(spec):
        return f"substr({picked}, {_RANK_DIGITS + 1})"
    return picked


def extreme_order(function: str, spec: FieldSpec | None, expr: str) -> list[str]:
    """`ORDER BY MIN(expr)` or `MAX(expr)`: the value picked, put in SOQL's order of the
    field's values, as ORDER BY the field would put it (a picklist's defined order, text
    by its upper-case characters, numbers by value)."""
    return [_in_order(spec, f"{function}({_extreme_key(spec, expr)})")]


def _extreme_key(spec: FieldSpec | None, expr: str) -> str:
    """What MIN() and MAX() compare: a picklist's value led by its rank, so the defined order
    decides (and text order among values the picklist lacks); text in text order, numbers
    by value."""
    if spec is not None and _ranked(spec):
        return f"printf('%0{_RANK_DIGITS}d', {_rank(spec, expr)}) || {in_text_order(expr)}"
    return _in_order(spec, expr)


def selection_order(spec: FieldSpec) -> tuple[str, ...]:
    """A multi-select picklist's values in the order Salesforce returns the selected ones,
    whatever order they were written in: as the picklist defines them (Salesforce's help,
    "Multi-Select Picklist Value Ordering Behavior (UI vs SOQL)"); none for other fields."""
    if spec.kind is not Kind.MULTIPICKLIST:
        return ()
    return tuple(entry.value for entry in spec.picklist)


def _in_order(spec: FieldSpec | None, expr: str) -> str:
    """`expr`, holding values of `spec`, compared in SOQL's order of them: text by its
    upper-case characters, numbers by value."""
    if _as_text(spec):
        return in_text_order(expr)
    if spec is not None and spec.kind is Kind.NUMBER:
        return in_number_order(expr)
    return expr


def _as_text(spec: FieldSpec | None) -> bool:
    """Whether values of `spec` (None: a polymorphic parent's Type) sort as text."""
    return spec is None or spec.kind is Kind.TEXT


def _ranked(spec: FieldSpec) -> bool:
    return spec.type == "picklist" and bool(spec.picklist)


def _rank(spec: FieldSpec, expr: str) -> str:
    """The place of the value in the picklist's defined order (null for null); a value the
    picklist lacks comes after every defined one. Compared as the field compares, ignoring
    case."""
    cases = " ".join(f"WHEN {_literal(e.value)} THEN {n}" for n, e in enumerate(spec.picklist))
    rank = f"CASE {expr} {cases} ELSE {len(spec.picklist)} END"
    return f"CASE WHEN {expr} IS NULL THEN NULL ELSE {rank} END"


def in_text_order(expr: str) -> str:
    """`expr`, compared (`<`, ORDER BY, MIN) in SOQL's text order."""
    return f"{expr} COLLATE {SORT_TEXT}"


def in_number_order(expr: str) -> str:
    """`expr`, a stored number, compared (`<`, ORDER BY, MIN) by its value."""
    return f"{expr} COLLATE {NUMBER_ORDER}"


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
