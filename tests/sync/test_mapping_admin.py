from __future__ import annotations

import pytest

from forcebridge.mapping.errors import MappingError
from forcebridge.sync.mapping_admin import export_object


@pytest.mark.parametrize("typed", ["lead", "LEAD", "Lead"])
def test_an_export_object_is_spelled_as_salesforce_does_however_typed(typed: str) -> None:
    assert export_object(typed) == "Lead"


@pytest.mark.parametrize("typed", ["Task", "Opportunity", "Leads", ""])
def test_only_the_objects_an_export_writes_have_export_mappings(typed: str) -> None:
    with pytest.raises(MappingError, match=r"\(Lead, Contact, Account\)"):
        export_object(typed)
