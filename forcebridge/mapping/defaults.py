"""The mappings a service or org starts from, onto standard Salesforce fields.

Pull rows `overwrite`: Salesforce is the source of truth for contact data. Export rows
`fill_empty`: an export enriches records sales reps already curate, so it fills gaps rather
than replacing what someone typed in Salesforce; an admin can switch a row to `overwrite`.
"""

from __future__ import annotations

from collections.abc import Collection

from forcebridge.mapping.errors import MappingError
from forcebridge.mapping.model import Mapping, MappingRow, UpdateOption

Pairs = tuple[tuple[str, str], ...]
"""`(source, target)` rows, in priority order."""

_PERSON_PULL: Pairs = (
    ("FirstName", "first_name"),
    ("LastName", "last_name"),
    ("Email", "email"),
    ("Phone", "phone"),
    ("MobilePhone", "mobile_phone"),
    ("Title", "title"),
)

_PULL: dict[str, Pairs] = {
    "contact": (
        *_PERSON_PULL,
        ("Account.Name", "company"),
        ("MailingStreet", "street"),
        ("MailingCity", "city"),
        ("MailingState", "state"),
        ("MailingPostalCode", "postal_code"),
        ("MailingCountry", "country"),
    ),
    "lead": (
        *_PERSON_PULL,
        ("Company", "company"),
        ("Street", "street"),
        ("City", "city"),
        ("State", "state"),
        ("PostalCode", "postal_code"),
        ("Country", "country"),
    ),
}

_PERSON_EXPORT: Pairs = (
    ("first_name", "FirstName"),
    ("last_name", "LastName"),
    ("email", "Email"),
    ("direct_phone", "Phone"),
    ("company_phone", "Phone"),
    ("mobile_phone", "MobilePhone"),
    ("job_title", "Title"),
)

_EXPORT: dict[str, Pairs] = {
    "lead": (
        *_PERSON_EXPORT,
        ("company_name", "Company"),
        ("company_website", "Website"),
        ("industry", "Industry"),
        ("employees", "NumberOfEmployees"),
        ("revenue", "AnnualRevenue"),
        ("street", "Street"),
        ("city", "City"),
        ("state", "State"),
        ("postal_code", "PostalCode"),
        ("country", "Country"),
    ),
    "contact": (
        *_PERSON_EXPORT,
        ("department", "Department"),
        ("street", "MailingStreet"),
        ("city", "MailingCity"),
        ("state", "MailingState"),
        ("postal_code", "MailingPostalCode"),
        ("country", "MailingCountry"),
    ),
    "account": (
        ("company_name", "Name"),
        ("company_website", "Website"),
        ("company_phone", "Phone"),
        ("industry", "Industry"),
        ("employees", "NumberOfEmployees"),
        ("revenue", "AnnualRevenue"),
        ("street", "BillingStreet"),
        ("city", "BillingCity"),
        ("state", "BillingState"),
        ("postal_code", "BillingPostalCode"),
        ("country", "BillingCountry"),
    ),
}


def default_pull_mapping(sobject: str, selected: Collection[str] | None = None) -> Mapping:
    """The starting pull mapping for Contact or Lead; for a custom query (`selected` its
    fields), its rows that read one of them: a query picks what it reads, and the default
    follows it rather than asking for fields the query leaves out. A query that selects none
    of them has no default: the admin maps its fields."""
    mapping = _mapping(_PULL, sobject, UpdateOption.OVERWRITE, "pull")
    if selected is None:
        return mapping
    wanted = {name.lower() for name in selected}
    rows = tuple(row for row in mapping.rows if row.source.lower() in wanted)
    if not rows:
        read = ", ".join(dict.fromkeys(row.source for row in mapping.rows))
        raise MappingError(
            f"the query selects none of the fields the default {sobject} mapping reads ({read})"
        )
    return Mapping(rows)


def default_export_mapping(sobject: str) -> Mapping:
    """The starting export mapping for Lead, Contact or Account; Phone takes the direct phone,
    else the company's."""
    return _mapping(_EXPORT, sobject, UpdateOption.FILL_EMPTY, "export")


def _mapping(table: dict[str, Pairs], sobject: str, update: UpdateOption, what: str) -> Mapping:
    rows = table.get(sobject.lower())
    if rows is None:
        known = ", ".join(name.capitalize() for name in table)
        raise MappingError(
            f"there is no default {what} mapping for {sobject}; there is for {known}"
        )
    return Mapping(tuple(MappingRow(source, target, update) for source, target in rows))
