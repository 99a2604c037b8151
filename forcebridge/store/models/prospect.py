"""A person (and their company) the product may export to Salesforce.

The Salesforce ids it became are kept, with the connection they came through, so exporting it
again to that Salesforce updates instead of duplicating.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import ForeignKey, Index, Numeric, String, func
from sqlalchemy.orm import Mapped, mapped_column

from forcebridge.store.models.base import SALESFORCE_ID_LENGTH, Base, Timestamped


class Prospect(Timestamped, Base):
    __tablename__ = "prospects"
    __table_args__ = (
        # Exports find an import's prospects by case-folded email, a page of emails a query.
        Index("ix_prospects_org_email", "org_id", func.lower("email")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"), index=True)
    first_name: Mapped[str | None]
    last_name: Mapped[str | None]
    email: Mapped[str | None]
    direct_phone: Mapped[str | None]
    mobile_phone: Mapped[str | None]
    job_title: Mapped[str | None]
    department: Mapped[str | None]
    seniority: Mapped[str | None]
    linkedin_url: Mapped[str | None]
    company_name: Mapped[str | None]
    company_website: Mapped[str | None]
    company_phone: Mapped[str | None]
    industry: Mapped[str | None]
    employees: Mapped[int | None]
    revenue: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))
    street: Mapped[str | None]
    city: Mapped[str | None]
    state: Mapped[str | None]
    postal_code: Mapped[str | None]
    country: Mapped[str | None]
    salesforce_lead_id: Mapped[str | None] = mapped_column(String(SALESFORCE_ID_LENGTH))
    salesforce_contact_id: Mapped[str | None] = mapped_column(String(SALESFORCE_ID_LENGTH))
    salesforce_account_id: Mapped[str | None] = mapped_column(String(SALESFORCE_ID_LENGTH))
    salesforce_connection_id: Mapped[int | None] = mapped_column(
        ForeignKey("connections.id", ondelete="SET NULL")
    )
    """The connection whose Salesforce org gave the Ids above: they mean nothing elsewhere."""
