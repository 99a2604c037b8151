"""Prospects sent as JSON objects (the REST API's `POST /api/v1/exports`), read as the rows of
a prospect CSV file are (`prospect_csv.prospect_row`): the same columns, parsers and errors, so
a prospect fails alone, each problem named with its field, as a CSV row does.

A prospect is numbered by its position in the list, from 1. Its keys are the prospect columns
as written (JSON keys are exact: `First Name` is not `first_name`, and is refused as a
misspelling of it); a key that is not one fails the prospect unless its value is empty, as an
unknown column does. A value is text or a number (a number reads as its digits: `2500000.5`),
null or `""` being no value; `true` or a list is refused. A prospect with no value at all
fails, where a CSV row with none is passed over: the API's caller sent it, and hears of it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from forcebridge.sync.export_model import INVALID_VALUE, FieldError
from forcebridge.sync.prospect_csv import PROSPECT_COLUMNS, ProspectRow, prospect_row
from forcebridge.wording import json_kind

NO_VALUES = (
    "has no values: a prospect gives at least one of the prospect fields "
    f"({', '.join(PROSPECT_COLUMNS)})"
)


def read_prospect_records(records: Sequence[Mapping[str, Any]]) -> list[ProspectRow]:
    """Each prospect of `records`, numbered from 1 in their order, with what is wrong with it."""
    return [_prospect(number, record) for number, record in enumerate(records, start=1)]


def _prospect(number: int, record: Mapping[str, Any]) -> ProspectRow:
    header, cells, refused = [], [], []
    for key, value in record.items():
        text = _as_text(value)
        if text is None and key in PROSPECT_COLUMNS:
            problem = f"must be a string or a number, not {json_kind(value)}"
            refused.append(FieldError(key, problem, INVALID_VALUE))
            continue
        header.append(key)
        cells.append(str(value) if text is None else text)  # an unknown key's: refused as such
    row = prospect_row(number, header, cells)
    errors = (*row.errors, *refused)
    if not row.values and not errors:
        errors = (FieldError(None, NO_VALUES, INVALID_VALUE),)
    return ProspectRow(number, row.values, errors)


def _as_text(value: object) -> str | None:
    """A JSON value as a CSV cell would hold it: "" for null; a number by its plain digits (no
    exponent, which the CSV reader refuses as a spreadsheet's mangling); None for what no
    cell holds (true, a list, an object)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return format(Decimal(repr(value)), "f")
    return None
