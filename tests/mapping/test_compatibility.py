from __future__ import annotations

import pytest

from forcebridge.mapping.compatibility import salesforce_family, unsupported
from forcebridge.mapping.describe import SalesforceField

SUPPORTED = [
    "date",
    "datetime",
    "time",
    "int",
    "double",
    "percent",
    "phone",
    "currency",
    "string",
    "email",
    "textarea",
    "url",
    "picklist",
    "multipicklist",
    "combobox",
    "boolean",
    "id",
    "reference",
]


@pytest.mark.parametrize("type_", SUPPORTED)
def test_the_types_the_pull_promises_are_supported(type_: str) -> None:
    field = SalesforceField("Field__c", "Field", type_)

    assert salesforce_family(field) is not None
    assert unsupported(field) is None


@pytest.mark.parametrize(
    "type_", ["base64", "location", "address", "anyType", "encryptedstring", "complexvalue"]
)
def test_other_types_are_refused_with_a_reason(type_: str) -> None:
    field = SalesforceField("Field__c", "Field", type_)

    assert salesforce_family(field) is None
    assert unsupported(field)
