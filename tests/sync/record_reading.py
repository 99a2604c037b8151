"""A page's records as the pure tests read them: the sandbox's Contact describe, read from its
schema files, a small mapping compiled against it, and a service to read for."""

from __future__ import annotations

import datetime as dt
from typing import Any

from forcebridge.mapping.contact_fields import contact_fields
from forcebridge.mapping.describe import Catalog
from forcebridge.mapping.model import Mapping, UpdateOption
from forcebridge.mapping.rules import compile_pull
from forcebridge.sandbox.describe import describe_object
from forcebridge.sandbox.schema import load_schema
from forcebridge.sync.pull_record import Incoming, Target, read_record

SOURCE = "salesforce:Contact"
SCHEMA = load_schema()
STAMP = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
FIELDS = contact_fields()
COMPILED = compile_pull(
    Mapping.of(
        ("LastName", "last_name"),
        ("Phone", "phone"),
        ("MobilePhone", "mobile_phone"),
        ("Email", "email"),
        ("Title", "title", UpdateOption.FILL_EMPTY),
    ),
    Catalog.of(*(describe_object(SCHEMA, obj, "62.0") for obj in SCHEMA.objects)),
    "Contact",
    FIELDS,
)
TARGET = Target(service_id=1, source=SOURCE, connection_id=7, region="US", fields=FIELDS)


def read(**record: Any) -> Incoming:
    return read_record(
        {"Id": "003A", "SystemModstamp": STAMP.isoformat(), **record}, STAMP, COMPILED, TARGET
    )
