from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from forcebridge.mapping.contact_fields import CustomFieldSpec, contact_fields
from forcebridge.mapping.describe import Catalog, parse_describe
from forcebridge.mapping.model import Mapping, UpdateOption
from forcebridge.mapping.report import ProblemCode
from forcebridge.mapping.rules import (
    CompiledMapping,
    ResolvedValue,
    compile_export,
    compile_pull,
    is_empty,
    plan_update,
    resolve,
)
from tests.mapping.payloads import field_payload, object_payload

OVERWRITE, FILL_EMPTY = UpdateOption.OVERWRITE, UpdateOption.FILL_EMPTY

CATALOG = Catalog.of(
    object_payload(
        "Contact",
        field_payload("LastName", "string", length=80),
        field_payload("Phone", "phone", length=40),
        field_payload("MobilePhone", "phone", length=40),
        field_payload("HomePhone", "phone", length=40),
        field_payload("Description", "textarea", length=32000),
        field_payload("DoNotCall", "boolean"),
        field_payload("Kids__c", "double"),
        field_payload(
            "AccountId", "reference", referenceTo=["Account"], relationshipName="Account"
        ),
    ),
    object_payload("Account", field_payload("Name", "string", length=255)),
)
TARGETS = contact_fields(
    [CustomFieldSpec("do_not_call", "boolean"), CustomFieldSpec("kids", "number")]
)


def pull(*rows: tuple[str, str] | tuple[str, str, UpdateOption]) -> CompiledMapping:
    compiled = compile_pull(Mapping.of(*rows), CATALOG, "Contact", TARGETS)
    assert compiled.skipped == ()
    return compiled


def values(compiled: CompiledMapping, record: dict[str, Any]) -> dict[str, Any]:
    resolution = resolve(compiled, record)
    assert resolution.errors == []
    return {target: resolved.value for target, resolved in resolution.values.items()}


PHONES = (("Phone", "phone"), ("MobilePhone", "phone"), ("HomePhone", "phone"))


def test_the_first_source_with_a_value_wins() -> None:
    resolution = resolve(
        pull(*PHONES), {"Phone": None, "MobilePhone": "+1 555 0100", "HomePhone": "+1 555 0199"}
    )

    assert resolution.values["phone"] == ResolvedValue("+1 555 0100", "MobilePhone", 2, OVERWRITE)


@pytest.mark.parametrize("empty", [None, "", "   ", "\t\n"])
def test_empty_text_falls_through_to_the_next_source(empty: str | None) -> None:
    record = {"Phone": empty, "MobilePhone": None, "HomePhone": "+1 555 0199"}

    assert values(pull(*PHONES), record) == {"phone": "+1 555 0199"}


def test_false_and_zero_are_values_not_empty() -> None:
    compiled = pull(("DoNotCall", "do_not_call"), ("Kids__c", "kids"))

    assert values(compiled, {"DoNotCall": False, "Kids__c": Decimal(0)}) == {
        "do_not_call": False,
        "kids": Decimal(0),
    }


def test_a_parent_field_is_read_from_rest_records_and_bulk_rows() -> None:
    compiled = pull(("Account.Name", "company"))

    assert values(compiled, {"Account": {"attributes": {}, "Name": "Acme"}}) == {"company": "Acme"}
    assert values(compiled, {"Account.Name": "Acme"}) == {"company": "Acme"}
    assert values(compiled, {"Account": None}) == {"company": None}


def test_a_value_that_fails_conversion_skips_the_target_without_falling_back() -> None:
    compiled = pull(("Kids__c", "kids"), ("LastName", "last_name"))

    resolution = resolve(compiled, {"Kids__c": "three", "LastName": "Lee"})

    assert [str(error) for error in resolution.errors] == ["Kids__c: 'three' is not a number"]
    assert set(resolution.values) == {"last_name"}


def test_truncation_warnings_travel_with_the_value() -> None:
    resolution = resolve(pull(("Description", "title")), {"Description": "y" * 300})

    assert resolution.values["title"].value == "y" * 255
    assert resolution.warnings == [
        "Description has 300 characters; truncated to the 255 that title holds"
    ]


def test_a_pull_clears_a_target_whose_sources_are_all_empty_when_it_overwrites() -> None:
    overwriting = pull(("Phone", "phone"), ("MobilePhone", "phone", FILL_EMPTY))
    filling = pull(("Phone", "phone", FILL_EMPTY), ("MobilePhone", "phone"))
    record = {"Phone": None, "MobilePhone": ""}

    assert resolve(overwriting, record).values == {"phone": ResolvedValue(None, None, 0, OVERWRITE)}
    assert resolve(filling, record).values == {}


def test_a_source_missing_from_the_record_is_never_a_reason_to_clear() -> None:
    assert resolve(pull(("Phone", "phone")), {"LastName": "Lee"}).values == {}


def test_an_export_never_sends_a_blank_for_a_prospect_without_the_value() -> None:
    lead = parse_describe(object_payload("Lead", field_payload("Phone", "phone", length=40)))
    compiled = compile_export(
        Mapping.of(("direct_phone", "phone"), ("company_phone", "Phone")), lead
    )

    assert resolve(compiled, {"direct_phone": "", "company_phone": None}).values == {}
    assert values(compiled, {"direct_phone": "", "company_phone": "+1 555 0100"}) == {
        "Phone": "+1 555 0100"
    }


def test_rows_that_do_not_verify_are_left_out_and_the_rest_still_run() -> None:
    mapping = Mapping.of(("Phone", "phone"), ("Fax__c", "phone"), ("LastName", "nickname"))

    compiled = compile_pull(mapping, CATALOG, "Contact", TARGETS)

    assert [(p.row, p.code) for p in compiled.skipped] == [
        (2, ProblemCode.UNKNOWN_SOURCE),
        (3, ProblemCode.UNKNOWN_TARGET),
    ]
    assert compiled.source_fields == ("Phone",)
    assert values(compiled, {"Phone": "+1 555 0100"}) == {"phone": "+1 555 0100"}


def test_source_fields_are_spelled_as_the_org_spells_them() -> None:
    compiled = pull(("phone", "phone"), ("account.name", "company"), ("PHONE", "mobile_phone"))

    assert compiled.source_fields == ("Phone", "Account.Name")


def resolved(value: Any, update: UpdateOption = OVERWRITE) -> ResolvedValue:
    return ResolvedValue(value, "Source", 1, update)


def test_overwrite_sets_whenever_the_value_differs() -> None:
    changes = plan_update(
        {"title": resolved("CEO"), "company": resolved("Acme")},
        {"title": "CTO", "company": "Acme"},
    )

    assert changes == {"title": "CEO"}


def test_fill_empty_only_sets_an_empty_current_value() -> None:
    plan = {
        "title": resolved("CEO", FILL_EMPTY),
        "company": resolved("Acme", FILL_EMPTY),
        "city": resolved("Paris", FILL_EMPTY),
    }

    assert plan_update(plan, {"title": "CTO", "company": "  ", "city": None}) == {
        "company": "Acme",
        "city": "Paris",
    }


@given(
    st.dictionaries(
        st.sampled_from(["title", "company", "city", "flag", "kids"]),
        st.builds(
            resolved,
            st.one_of(st.none(), st.text(max_size=3), st.booleans(), st.integers(-1, 1)),
            st.sampled_from(UpdateOption),
        ),
    )
)
def test_a_new_record_gets_what_a_record_with_every_field_empty_would(
    plan: dict[str, ResolvedValue],
) -> None:
    assert plan_update(plan, {}) == plan_update(plan, dict.fromkeys(plan))


@pytest.mark.parametrize("current", [False, 0, Decimal(0)])
def test_fill_empty_leaves_false_and_zero_alone(current: Any) -> None:
    assert plan_update({"flag": resolved(True, FILL_EMPTY)}, {"flag": current}) == {}


def test_equal_values_are_unchanged_so_they_can_be_counted() -> None:
    plan = {"kids": resolved(Decimal("2.50")), "phone": resolved(None)}

    assert plan_update(plan, {"kids": Decimal("2.5"), "phone": ""}) == {}


def test_overwrite_clears_a_value_salesforce_no_longer_has() -> None:
    assert plan_update({"phone": resolved(None)}, {"phone": "+1 555 0100"}) == {"phone": None}


def test_a_create_is_an_update_of_nothing() -> None:
    plan = {"LastName": resolved("Lee", FILL_EMPTY), "Phone": resolved("+1 555 0100")}

    assert plan_update(plan, {}) == {"LastName": "Lee", "Phone": "+1 555 0100"}


@given(st.text(alphabet=st.sampled_from(" \t\n\u00a0\u2003\u3000\u200bab")))
def test_a_text_is_empty_when_it_is_blank_and_a_blank_source_gives_way_to_the_next(
    text: str,
) -> None:
    assert is_empty(text) == (not text.strip())
    compiled = pull(("MobilePhone", "phone"), ("Phone", "phone"))
    resolved = resolve(compiled, {"MobilePhone": text, "Phone": "201 555 0100"})
    assert resolved.values["phone"].source == ("Phone" if is_empty(text) else "MobilePhone")
