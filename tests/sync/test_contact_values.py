"""A contact's columns as the store keeps them: a create's in one pass equal a create planned as
any update is (`plan_update` from nothing, then `with_changes` onto an empty contact)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from forcebridge.mapping.contact_fields import CustomFieldSpec, contact_fields
from forcebridge.mapping.model import UpdateOption
from forcebridge.mapping.rules import ResolvedValue, plan_update
from forcebridge.store.repositories.contacts import BUILTIN_FIELDS
from forcebridge.sync.contact_values import (
    EMPTY_CONTACT,
    KEYED_FIELDS,
    created_columns,
    with_changes,
)

FIELDS = contact_fields(
    (
        CustomFieldSpec("tier", "text"),
        CustomFieldSpec("score", "number"),
        CustomFieldSpec("since", "date"),
        CustomFieldSpec("vip", "boolean"),
    )
)
CUSTOM_VALUES: dict[str, st.SearchStrategy[Any]] = {
    "tier": st.text(max_size=5),
    "score": st.decimals(allow_nan=False, allow_infinity=False, places=2),
    "since": st.dates(min_value=dt.date(1900, 1, 1)),
    "vip": st.booleans(),
}


@st.composite
def resolved_records(draw: st.DrawFn) -> tuple[dict[str, ResolvedValue], dict[str, str | None]]:
    """A record's resolved values, clearing ones (None) among them, and the keys of its keyed
    fields as `pull_record.keyed` leaves them (a key for each keyed value it kept)."""
    values: dict[str, ResolvedValue] = {}
    for name in draw(st.lists(st.sampled_from([*BUILTIN_FIELDS, *CUSTOM_VALUES]), unique=True)):
        strategy = CUSTOM_VALUES.get(name, st.text(min_size=1, max_size=5))
        value = draw(st.none() | strategy)
        values[name] = ResolvedValue(
            value, None if value is None else "Src", 1, UpdateOption.OVERWRITE
        )
    keys = {
        name: None if values[name].value is None else f"key of {values[name].value}"
        for name in KEYED_FIELDS
        if name in values
    }
    return values, keys


@given(resolved_records())
def test_a_create_in_one_pass_has_the_columns_of_one_planned_as_changes(
    record: tuple[dict[str, ResolvedValue], dict[str, str | None]],
) -> None:
    values, keys = record

    planned = with_changes(EMPTY_CONTACT, plan_update(values, {}), FIELDS, keys)

    assert created_columns(values, FIELDS, keys) == planned


def test_a_create_keeps_custom_values_as_json_and_its_keys_beside_their_fields() -> None:
    values = {
        "phone": ResolvedValue("(415) 555-0100", "Phone", 1, UpdateOption.OVERWRITE),
        "score": ResolvedValue(Decimal("10.50"), "Score__c", 1, UpdateOption.OVERWRITE),
        "since": ResolvedValue(dt.date(2026, 1, 2), "Since__c", 1, UpdateOption.OVERWRITE),
        "tier": ResolvedValue(None, None, 0, UpdateOption.OVERWRITE),
    }

    columns = created_columns(values, FIELDS, {"phone": "+14155550100"})

    assert columns["phone"] == "(415) 555-0100"
    assert columns["phone_e164"] == "+14155550100"
    assert columns["custom"] == {"score": "10.50", "since": "2026-01-02"}
    assert columns["deleted_in_source"] is False
    assert EMPTY_CONTACT["custom"] == {}
