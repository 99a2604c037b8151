"""The prospect's fields: what an export can send (the CSV columns of `forcebridge export`)."""

from __future__ import annotations

from forcebridge.mapping.local_fields import LocalField, LocalFields, LocalType


def _field(name: str, label: str, type_: LocalType = LocalType.TEXT) -> LocalField:
    return LocalField(name, type_, label)


PROSPECT_FIELDS = LocalFields(
    (
        _field("first_name", "First name"),
        _field("last_name", "Last name"),
        _field("email", "Email", LocalType.EMAIL),
        _field("direct_phone", "Direct phone", LocalType.PHONE),
        _field("mobile_phone", "Mobile phone", LocalType.PHONE),
        _field("job_title", "Job title"),
        _field("department", "Department"),
        _field("seniority", "Seniority"),
        _field("linkedin_url", "LinkedIn URL", LocalType.URL),
        _field("company_name", "Company name"),
        _field("company_website", "Company website", LocalType.URL),
        _field("company_phone", "Company phone", LocalType.PHONE),
        _field("industry", "Industry"),
        _field("employees", "Employees", LocalType.NUMBER),
        _field("revenue", "Revenue", LocalType.NUMBER),
        _field("street", "Street"),
        _field("city", "City"),
        _field("state", "State"),
        _field("postal_code", "Postal code"),
        _field("country", "Country"),
    )
)

COMPANY_FIELDS = frozenset(
    ("company_name", "company_website", "company_phone", "industry", "employees", "revenue")
)
"""The prospect fields that describe the prospect's company rather than the person: a person's
rows naming another company must not lend theirs to the company the person works at."""
