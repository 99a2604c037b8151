"""A record's id as an address names it: plain digits, as the pages and the API write it.

A path parameter typed `int` is read as leniently as Python reads numbers: `1.0`, `01`, `+1`,
` 1` and `1_0` (run 10) would each name a record, so one record had many addresses, and a
mistyped one still led somewhere. Only the digits of the id itself name it; any other is not
found, like an id no record has.
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


RecordId = Annotated[int, BeforeValidator(plain_digits), Path(ge=1, le=MAX_ID)]
"""A path parameter naming a record (`/runs/{run_id}`); one out of its range is not found."""
