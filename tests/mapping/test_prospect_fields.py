from __future__ import annotations

from forcebridge.mapping.local_fields import LocalType
from forcebridge.mapping.prospect_fields import COMPANY_FIELDS, PROSPECT_FIELDS
from forcebridge.store.models.prospect import Prospect


def test_every_prospect_column_of_the_store_is_a_source() -> None:
    columns = {
        column.name
        for column in Prospect.__table__.columns
        if column.name not in {"id", "org_id", "created_at", "updated_at"}
        and not column.name.startswith("salesforce_")
    }

    assert set(PROSPECT_FIELDS.names) == columns


def test_numeric_prospect_columns_are_numbers() -> None:
    numbers = {f.name for f in PROSPECT_FIELDS if f.type is LocalType.NUMBER}

    assert numbers == {"employees", "revenue"}


def test_the_company_fields_are_prospect_fields() -> None:
    assert COMPANY_FIELDS.issubset(PROSPECT_FIELDS.names)
