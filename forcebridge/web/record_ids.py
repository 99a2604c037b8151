"""A record's id as an address names it: plain digits, as the pages and the API write it.

A path parameter typed `int` is read as leniently as Python reads numbers: `1.0`, `01`, `+1`,
` 1` and `1_0` (run 10) would each name a record, so one record had many addresses, and a
mistyped one still led somewhere. Only the digits of the id itself name it; any other is not
found, like an id no record has.

The OpenAPI description says so: an integer from 1 to `MAX_ID` (its bounds declared before
the validator, so they read as JSON Schema's `minimum` and `maximum`), any other not found.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Path
from pydantic import BeforeValidator

from forcebridge.store.models.base import MAX_ID


def plain_digits(value: object) -> object:
    """`value` if it is an id as written (`12`), refused otherwise (`012`, `1.0`, `+1`)."""
    if isinstance(value, str) and not (value.isascii() and value.isdigit() and value[0] != "0"):
        raise ValueError("an id is written in plain digits, with no leading zero")
    return value


NAMES_NO_RECORD = (
    f"an id not in plain digits from 1 to {MAX_ID:,} (`abc`, `0`, `01`, `1.0`) names no "
    "record, so it is not found (404) rather than invalid (422)"
)

RecordId = Annotated[
    int,
    Path(ge=1, le=MAX_ID, description=f"The record's id, in plain digits; {NAMES_NO_RECORD}."),
    BeforeValidator(plain_digits),
]
"""A path parameter naming a record (`/runs/{run_id}`); one out of its range is not found."""
