from __future__ import annotations

import pytest

from forcebridge.mapping.contact_fields import contact_fields
from forcebridge.mapping.defaults import default_export_mapping, default_pull_mapping
from forcebridge.mapping.describe import Catalog
from forcebridge.mapping.errors import MappingError
from forcebridge.mapping.model import UpdateOption
from forcebridge.mapping.verify import verify_export, verify_pull

CATALOGS = ["real_catalog", "sandbox_catalog"]


@pytest.mark.parametrize("catalog_name", CATALOGS)
@pytest.mark.parametrize("sobject", ["Contact", "Lead"])
def test_default_pull_mappings_verify_clean(
    request: pytest.FixtureRequest, catalog_name: str, sobject: str
) -> None:
    catalog: Catalog = request.getfixturevalue(catalog_name)

    report = verify_pull(default_pull_mapping(sobject), catalog, sobject, contact_fields())

    assert report.ok, report.message


@pytest.mark.parametrize("catalog_name", CATALOGS)
@pytest.mark.parametrize("sobject", ["Lead", "Contact", "Account"])
def test_default_export_mappings_verify_clean(
    request: pytest.FixtureRequest, catalog_name: str, sobject: str
) -> None:
    catalog: Catalog = request.getfixturevalue(catalog_name)
    describe = catalog.get(sobject)
    assert describe is not None

    report = verify_export(default_export_mapping(sobject), describe)

    assert report.ok, report.message


def test_default_pull_mappings_fill_every_built_in_contact_field() -> None:
    for sobject in ("Contact", "Lead"):
        assert set(default_pull_mapping(sobject).targets) == set(contact_fields().names)


def test_the_business_phone_takes_the_direct_phone_else_the_company_phone() -> None:
    for sobject in ("Lead", "Contact"):
        phone = default_export_mapping(sobject).hierarchy("Phone")
        assert [row.source for row in phone] == ["direct_phone", "company_phone"]


def test_pulls_overwrite_and_exports_fill_gaps() -> None:
    assert {row.update for row in default_pull_mapping("Lead").rows} == {UpdateOption.OVERWRITE}
    assert {row.update for row in default_export_mapping("Lead").rows} == {UpdateOption.FILL_EMPTY}


def test_an_object_without_a_default_says_which_have_one() -> None:
    with pytest.raises(
        MappingError, match="no default pull mapping for Opportunity; there is for Contact, Lead"
    ):
        default_pull_mapping("Opportunity")


def test_a_custom_query_s_default_keeps_the_rows_reading_what_it_selects() -> None:
    mapping = default_pull_mapping("Contact", ["Id", "lastname", "Email", "Account.Name"])

    assert [(row.source, row.target) for row in mapping.rows] == [
        ("LastName", "last_name"),
        ("Email", "email"),
        ("Account.Name", "company"),
    ]


def test_a_custom_query_selecting_none_of_the_default_fields_has_no_default() -> None:
    with pytest.raises(MappingError, match=r"the query selects none of the fields .* LastName"):
        default_pull_mapping("Contact", ["Id", "Region__c"])
