from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urlencode

import pytest

from forcebridge.mapping.contact_fields import CustomFieldSpec, contact_fields
from forcebridge.mapping.describe import Catalog
from forcebridge.mapping.errors import MappingError
from forcebridge.mapping.model import Mapping
from forcebridge.mapping.query_fields import (
    URL_LIMIT,
    calculated_sources,
    field_groups,
    fields_to_select,
)
from forcebridge.mapping.rules import compile_pull
from forcebridge.soql.builder import gte, select, to_soql
from tests.mapping.payloads import field_payload, object_payload


def test_the_pull_selects_identity_watermark_and_deletion_then_the_mapping() -> None:
    assert fields_to_select(["Email", "Phone", "email"], extra=["phone", "MobilePhone"]) == (
        "Id",
        "SystemModstamp",
        "IsDeleted",
        "Email",
        "Phone",
        "MobilePhone",
    )


def query_url(fields: Sequence[str]) -> int:
    """The length of the GET the pull sends for `fields`, encoded as requests encodes it."""
    soql = to_soql(
        select(*fields)
        .from_("Contact")
        .where(gte("SystemModstamp", "2024-11-07T07:00:00.000Z"))
        .order_by("SystemModstamp", "Id")
        .build()
    )
    return len("https://na1.my.salesforce.com/services/data/v62.0/query/?" + urlencode({"q": soql}))


def test_fields_that_fit_in_one_url_stay_in_one_group() -> None:
    assert field_groups(["Id", "Email", "Phone"], query_url) == (("Id", "Email", "Phone"),)


def test_too_many_fields_are_split_into_groups_that_each_fit_and_join_by_id() -> None:
    fields = [f"Very_Long_Custom_Field_Name_Number_{n:04d}__c" for n in range(1_000)]

    groups = field_groups(fields, query_url)

    assert len(groups) > 1
    assert all(group[0] == "Id" and query_url(group) <= URL_LIMIT for group in groups)
    assert [name for group in groups for name in group[1:]] == fields


def test_a_field_too_long_to_fit_even_alone_is_refused() -> None:
    with pytest.raises(MappingError, match="selecting only Id and Huge"):
        field_groups(["Huge"], lambda group: 100 * len(group), limit=150)


def test_formula_and_roll_up_fields_the_mapping_reads_are_named_for_reconciliation() -> None:
    catalog = Catalog.of(
        object_payload(
            "Contact",
            field_payload("Email", "email"),
            field_payload("Score__c", "double", calculated=True, calculatedFormula="A * 2"),
            field_payload("Orders__c", "double", calculated=True),
            field_payload("Unused__c", "double", calculated=True),
        )
    )
    targets = contact_fields(
        [CustomFieldSpec("score", "number"), CustomFieldSpec("orders", "number")]
    )
    mapping = Mapping.of(("Email", "email"), ("Score__c", "score"), ("Orders__c", "orders"))

    compiled = compile_pull(mapping, catalog, "Contact", targets)

    assert calculated_sources(compiled, catalog, "Contact") == ("Score__c", "Orders__c")
