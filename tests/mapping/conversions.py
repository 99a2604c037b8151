"""What the tests of converters, reading and writing share: contact fields of each type, a
Salesforce field in a line, a value pulled, aware datetimes as Salesforce spells them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import strategies as st

from forcebridge.mapping.describe import SalesforceField
from forcebridge.mapping.local_fields import LocalField, LocalType
from forcebridge.mapping.reading import convert_for_pull

TEXT = LocalField("title", LocalType.TEXT, "Title", max_length=255)
UNBOUNDED_TEXT = LocalField("notes", LocalType.TEXT, "Notes")
NUMBER = LocalField("score", LocalType.NUMBER, "Score")
BOOLEAN = LocalField("vip", LocalType.BOOLEAN, "VIP")
DATE = LocalField("birthday", LocalType.DATE, "Birthday")
DATETIME = LocalField("seen", LocalType.DATETIME, "Seen")
TIME = LocalField("opens", LocalType.TIME, "Opens")
CHOICE = LocalField("region", LocalType.CHOICE, "Region", choices=("West", "East"))


def sf(name: str, type_: str, **facts: Any) -> SalesforceField:
    return SalesforceField(name, name, type_, **facts)


def pulled(value: Any, source: SalesforceField, target: LocalField) -> Any:
    converted = convert_for_pull(value, source, target)
    assert converted.warnings == ()
    return converted.value


aware_datetimes = st.datetimes(
    min_value=dt.datetime(1900, 1, 1),
    max_value=dt.datetime(2200, 1, 1),
    timezones=st.builds(
        dt.timezone, st.integers(-14 * 60, 14 * 60).map(lambda m: dt.timedelta(minutes=m))
    ),
).map(lambda value: value.replace(microsecond=value.microsecond // 1000 * 1000))
