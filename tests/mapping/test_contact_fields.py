from __future__ import annotations

import pytest

from forcebridge.mapping.contact_fields import (
    CUSTOM_NAME_MAX_LENGTH,
    CustomFieldSpec,
    contact_fields,
    custom_field_problem,
)
from forcebridge.mapping.errors import MappingError
from forcebridge.mapping.local_fields import LocalType
from forcebridge.store.models.custom_field import CustomFieldType


def test_built_in_fields_are_text_of_255_with_email_and_phones_typed() -> None:
    fields = contact_fields()

    assert fields.names == (
        "first_name",
        "last_name",
        "email",
        "phone",
        "mobile_phone",
        "title",
        "company",
        "street",
        "city",
        "state",
        "postal_code",
        "country",
    )
    assert {f.max_length for f in fields} == {255}
    types = {f.name: f.type for f in fields if f.type is not LocalType.TEXT}
    assert types == {
        "email": LocalType.EMAIL,
        "phone": LocalType.PHONE,
        "mobile_phone": LocalType.PHONE,
    }


def test_custom_fields_come_after_the_built_in_ones_with_their_types() -> None:
    fields = contact_fields(
        [
            CustomFieldSpec("Region", CustomFieldType.CHOICE, ("West", "East")),
            CustomFieldSpec("Birthday", "date"),
        ]
    )

    region, birthday = fields.get("Region"), fields.get("Birthday")
    assert region is not None and region.custom
    assert region.type is LocalType.CHOICE and region.choices == ("West", "East")
    assert birthday is not None and birthday.type is LocalType.DATE
    assert birthday.max_length is None


def test_a_custom_field_named_like_a_built_in_one_is_refused() -> None:
    with pytest.raises(MappingError, match="'email' has the name of a built-in field"):
        contact_fields([CustomFieldSpec("email", "text")])


def test_a_custom_field_of_an_unknown_type_is_refused() -> None:
    with pytest.raises(MappingError, match="'Score' has unknown type 'percent'"):
        contact_fields([CustomFieldSpec("Score", "percent")])


def test_every_custom_field_type_the_store_knows_is_accepted() -> None:
    specs = [CustomFieldSpec(f"f_{kind.value}", kind) for kind in CustomFieldType]

    assert len(contact_fields(specs).fields) == 12 + len(CustomFieldType)


@pytest.mark.parametrize(
    ("spec", "problem"),
    [
        (CustomFieldSpec("loyalty_tier", "choice", ("Gold", "Silver")), None),
        (CustomFieldSpec("score", "number"), None),
        (CustomFieldSpec("Score", "number"), "is not a field name"),
        (CustomFieldSpec("x" * 41, "text"), "is not a field name"),
        (CustomFieldSpec("email", "text"), "is a built-in contact field"),
        (CustomFieldSpec("deleted_in_source", "boolean"), "is a name contacts already use"),
        (CustomFieldSpec("score", "money"), "is not a custom field type"),
        (CustomFieldSpec("tier", "choice", ()), "needs its choices"),
        (CustomFieldSpec("tier", "choice", ("Gold", " ")), "none of them blank"),
        (CustomFieldSpec("tier", "choice", ("Gold", "Gold")), "lists a choice twice"),
        (CustomFieldSpec("tier", "text", ("Gold",)), "only a choice field has choices"),
    ],
)
def test_a_custom_field_definition_is_checked_before_it_is_kept(
    spec: CustomFieldSpec, problem: str | None
) -> None:
    found = custom_field_problem(spec)
    assert found is None if problem is None else problem in (found or "")


def test_a_name_too_long_is_refused_by_its_length_quoting_only_its_start() -> None:
    """A 5,000-character name pasted by mistake: the refusal is a line, not the name."""
    name = "loyalty_" + "x" * 4_992

    said = custom_field_problem(CustomFieldSpec(name, "text"))

    assert said == (
        f"{name[:CUSTOM_NAME_MAX_LENGTH]!r}... (5,000 characters) is not a field name: a name "
        "has 40 characters at most"
    )
    assert len(said) < 150


def test_a_name_of_the_most_characters_is_one() -> None:
    at_most = "x" * CUSTOM_NAME_MAX_LENGTH

    assert custom_field_problem(CustomFieldSpec(at_most, "text")) is None
    assert "(41 characters)" in (custom_field_problem(CustomFieldSpec(at_most + "x", "text")) or "")
