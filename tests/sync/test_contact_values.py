"""A contact's columns as the store keeps them: a create's in one pass equal a create planned as
any update is (`plan_update` from nothing, then `with_changes` onto an empty contact)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from forcebridge.mapping.contact_fields import CustomFieldSpec, contact_fields
from forcebridge.mapping.converters import canonical_number
from forcebridge.mapping.model import UpdateOption
from forcebridge.mapping.rules import ResolvedValue, plan_update
from forcebridge.store.repositories.contacts import BUILTIN_FIELDS
from forcebridge.sync.contact_values import (
    EMPTY_CONTACT,
    KEYED_FIELDS,
    created_columns,
    typed_values,
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


def score(stored: str) -> dict[str, Any]:
    """A contact's columns holding `stored` as the text of its `score`."""
    return {**EMPTY_CONTACT, "custom": {"score": stored}}


def test_a_number_stored_in_another_spelling_is_written_again_in_this_one() -> None:
    """A Percent(5, 1) holding 5 is `5.0` however it was read; `5`, as Bulk CSV spelled it
    before, is rewritten once, at the record's next read."""
    five = {"score": ResolvedValue(Decimal("5.0"), "Score__c", 1, UpdateOption.OVERWRITE)}

    assert plan_update(five, typed_values(score("5"), FIELDS)) == {"score": Decimal("5.0")}
    assert plan_update(five, typed_values(score("5.0"), FIELDS)) == {}
    assert with_changes(score("5"), {"score": Decimal("5.0")}, FIELDS, {})["custom"] == {
        "score": "5.0"
    }


def test_a_stored_number_equals_a_number_of_its_spelling_and_anything_else_by_value() -> None:
    stored = typed_values(score("-0.0"), FIELDS)["score"]

    assert stored == Decimal("-0.0") and Decimal("-0.0") == stored
    assert stored != Decimal("0.0") and Decimal("0") != stored
    assert stored == 0 and stored == 0.0
    assert stored != "-0.0"


@given(st.decimals(allow_nan=False, allow_infinity=False), st.integers(0, 18))
def test_a_number_stored_as_conversion_spells_it_is_unchanged_at_the_next_read(
    number: Decimal, scale: int
) -> None:
    spelled = canonical_number(number, scale)
    resolved = {"score": ResolvedValue(spelled, "Score__c", 1, UpdateOption.OVERWRITE)}
    stored = with_changes(EMPTY_CONTACT, plan_update(resolved, {}), FIELDS, {})

    assert plan_update(resolved, typed_values(stored, FIELDS)) == {}
