r"""Any SOQL syntax tree as SOQL text: names checked, every value spelled from its type.

The output is canonical rather than a copy of how a query was first written: keywords upper
case, `ASC` left implicit, datetimes in UTC, parentheses only where AND and OR nest. A LIKE
comparison's string is a pattern (see `literals`), so its `\%` and `\_` are written as they are.
"""

from __future__ import annotations

from dataclasses import replace

from forcebridge.soql.ast import (
    Aggregate,
    AggregateComparison,
    And,
    BooleanValue,
    Comparison,
    Condition,
    Count,
    DateComparison,
    DateFunction,
    DateLiteral,
    DateTimeValue,
    DateValue,
    Direction,
    Field,
    Fields,
    Grouping,
    Label,
    Not,
    NullValue,
    NumberValue,
    Operator,
    Or,
    OrderItem,
    Query,
    SelectItem,
    SemiJoin,
    StringValue,
    Subquery,
    TypeOf,
    Value,
)
from forcebridge.soql.dates import DATE_LITERALS
from forcebridge.soql.literals import (
    encode_like,
    encode_string,
    format_datetime,
    format_number,
    identifier,
    row_count,
)

_SETS = frozenset({Operator.IN, Operator.NOT_IN, Operator.INCLUDES, Operator.EXCLUDES})


def to_soql(query: Query) -> str:
    """SOQL text for `query`, such that `parse(to_soql(q)) == q`.

    Raises ValueError for what SOQL cannot say: a bad name, an empty IN list, a naive datetime.
    """
    if query.parent_object is not None:
        raise ValueError("only a subquery names its relationship through its parent object")
    return _query(query)


def _query(query: Query) -> str:
    if not query.select:
        raise ValueError("a query selects at least one field")
    parts = [f"SELECT {', '.join(_select_item(item) for item in query.select)}"]
    source = identifier(query.sobject)
    if query.parent_object is not None:
        source = f"{identifier(query.parent_object)}.{source}"
    parts.append(f"FROM {source}")
    if query.scope is not None:
        parts.append(f"USING SCOPE {identifier(query.scope)}")
    if query.where is not None:
        parts.append(f"WHERE {_condition(query.where, nested=False)}")
    if query.access is not None:
        parts.append(f"WITH {query.access.value}")
    if query.group_by:
        grouped = ", ".join(_grouped(item) for item in query.group_by)
        if query.subtotals is not None:
            grouped = f"{query.subtotals.value}({grouped})"
        parts.append(f"GROUP BY {grouped}")
    elif query.subtotals is not None:
        raise ValueError(f"GROUP BY {query.subtotals.value}() needs at least one field")
    if query.having is not None:
        parts.append(f"HAVING {_condition(query.having, nested=False)}")
    if query.order_by:
        parts.append(f"ORDER BY {', '.join(_order_item(item) for item in query.order_by)}")
    if query.limit is not None:
        parts.append(f"LIMIT {row_count('LIMIT', query.limit)}")
    if query.offset is not None:
        parts.append(f"OFFSET {row_count('OFFSET', query.offset)}")
    if query.tracking:
        parts.append(f"FOR {', '.join(item.value for item in query.tracking)}")
    return " ".join(parts)


def _field(item: Field) -> str:
    if not item.path:
        raise ValueError("a field has at least one name")
    return ".".join(identifier(part) for part in item.path)


def _grouped(item: Field | DateFunction) -> str:
    return _field(item) if isinstance(item, Field) else date_call(item)


def date_call(call: DateFunction) -> str:
    """`CALENDAR_YEAR(CloseDate)`, `HOUR_IN_DAY(convertTimezone(CreatedDate))`."""
    argument = _field(call.field)
    if call.in_user_zone:
        argument = f"convertTimezone({argument})"
    return f"{call.function.value}({argument})"


def _aliased(text: str, alias: str | None) -> str:
    return f"{text} {identifier(alias)}" if alias else text


def _select_item(item: SelectItem) -> str:
    match item:
        case Field(alias=alias):
            return _aliased(_field(item), alias)
        case Count(field=None, alias=None):
            return "COUNT()"
        case Count(field=None):
            raise ValueError("COUNT() takes no alias; name a field to count, as in COUNT(Id) n")
        case Count(field=Field() as counted, alias=alias):
            return _aliased(f"COUNT({_field(counted)})", alias)
        case Aggregate(function=function, field=counted, alias=alias):
            return _aliased(f"{function.value}({_field(counted)})", alias)
        case DateFunction(alias=alias):
            return _aliased(date_call(item), alias)
        case Grouping(field=grouped, alias=alias):
            return _aliased(f"GROUPING({_field(grouped)})", alias)
        case Fields(kind=kind):
            return f"FIELDS({kind.value})"
        case Label(field=labelled):
            return f"toLabel({_field(labelled)})"
        case TypeOf(relationship=relationship, whens=whens, otherwise=otherwise):
            if not whens:
                raise ValueError("TYPEOF needs at least one WHEN")
            parts = [f"TYPEOF {identifier(relationship)}"]
            parts += [
                f"WHEN {identifier(w.sobject)} THEN {', '.join(map(_field, w.fields))}"
                for w in whens
            ]
            if otherwise:
                parts.append(f"ELSE {', '.join(map(_field, otherwise))}")
            return " ".join([*parts, "END"])
        case Subquery(query=query):
            if (
                query.offset is not None
                or query.group_by
                or not all(isinstance(i, Field | Fields | Subquery) for i in query.select)
                or any(isinstance(i, Field) and i.alias for i in query.select)
            ):
                raise ValueError(
                    "a subquery selects fields, FIELDS() and subqueries only, and takes no "
                    "OFFSET or GROUP BY"
                )
            return f"({_query(query)})"
    raise ValueError(f"not a select item: {item!r}")


def _order_item(item: OrderItem) -> str:
    node = item.field
    text = _field(node) if isinstance(node, Field) else _select_item(replace(node, alias=None))
    if item.direction is Direction.DESC:
        text += " DESC"
    if item.nulls is not None:
        text += f" NULLS {item.nulls.value}"
    return text


def _condition(condition: Condition, *, nested: bool) -> str:
    """`nested`: an operand of AND or OR, where a compound condition needs parentheses."""
    match condition:
        case Comparison():
            return _comparison(condition)
        case DateComparison(function=call, op=op, value=value):
            return f"{date_call(call)} {op.value} {_compared(op, value)}"
        case AggregateComparison(aggregate=aggregate, op=op, value=value):
            return f"{_select_item(replace(aggregate, alias=None))} {op.value} {_value(value)}"
        case Not(operand=Comparison() as operand):
            return f"NOT {_comparison(operand)}"
        case Not(operand=operand):
            return f"NOT ({_condition(operand, nested=False)})"
        case And(operands=operands) | Or(operands=operands):
            if not operands:
                raise ValueError(f"{type(condition).__name__} needs at least one operand")
            if len(operands) == 1:
                return _condition(operands[0], nested=nested)
            joiner = " AND " if isinstance(condition, And) else " OR "
            text = joiner.join(_condition(operand, nested=True) for operand in operands)
            return f"({text})" if nested else text
    raise ValueError(f"not a condition: {condition!r}")


def _comparison(comparison: Comparison) -> str:
    op, value = comparison.op, comparison.value
    if isinstance(value, SemiJoin):
        if op not in (Operator.IN, Operator.NOT_IN):
            raise ValueError(f"{op.value} cannot take a sub-select")
        return f"{_field(comparison.field)} {op.value} ({to_soql(value.query)})"
    return f"{_field(comparison.field)} {op.value} {_compared(op, value)}"


def _compared(op: Operator, value: Value | tuple[Value, ...]) -> str:
    """What a comparison compares with: a value, a LIKE pattern, or a set's list."""
    if op in _SETS:
        if not isinstance(value, tuple) or not value:
            raise ValueError(f"{op.value} needs a non-empty tuple of values, not {value!r}")
        return "(" + ", ".join(_value(item) for item in value) + ")"
    if isinstance(value, tuple):
        raise ValueError(f"{op.value} compares with one value, not a tuple")
    if op is Operator.LIKE:
        if not isinstance(value, StringValue):
            raise ValueError(f"LIKE needs a string pattern, not {value!r}")
        return encode_like(value.value)
    return _value(value)


def _value(value: Value) -> str:
    match value:
        case StringValue(value=text):
            return encode_string(text)
        case NumberValue(value=number):
            return format_number(number)
        case BooleanValue(value=flag):
            return "true" if flag else "false"
        case NullValue():
            return "null"
        case DateTimeValue(value=moment):
            return format_datetime(moment)
        case DateValue(value=day):
            return day.isoformat()
        case DateLiteral(name=name, n=n):
            takes_n = DATE_LITERALS.get(name)
            if takes_n is None or takes_n != (n is not None) or (n is not None and n < 0):
                raise ValueError(f"not a SOQL date literal: {value!r}")
            return name if n is None else f"{name}:{n}"
    raise ValueError(f"not a SOQL value: {value!r}")
