"""A person in a service's contact book, and the records elsewhere that are that person.

Matching reads whole pages at once, so each key it matches on has its own index scoped by
service: the identity (source, external id), the E.164 phone and mobile, the case-folded email.
The phone indexes leave out contacts without that number, which matching never looks for
(migration 0005); the email index keeps every contact, for lookups by service alone.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forcebridge.store.models.base import Base, Timestamped

E164_LENGTH = 16
"""'+' and at most 15 digits."""


class Contact(Timestamped, Base):
    __tablename__ = "contacts"
    __table_args__ = (
        Index("ix_contacts_service_email", "service_id", "email_normalized"),
        *(
            Index(
                f"ix_contacts_service_{name}",
                "service_id",
                column,
                sqlite_where=text(f"{column} IS NOT NULL"),
                postgresql_where=text(f"{column} IS NOT NULL"),
            )
            for name, column in (("phone", "phone_e164"), ("mobile", "mobile_e164"))
        ),
        # An id the product was given never names another person (migration 0014).
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id", ondelete="CASCADE"))
    first_name: Mapped[str | None]
    last_name: Mapped[str | None]
    email: Mapped[str | None]
    email_normalized: Mapped[str | None]
    """`email` case-folded and trimmed: what matching compares."""
    phone: Mapped[str | None]
    phone_e164: Mapped[str | None] = mapped_column(String(E164_LENGTH))
    mobile_phone: Mapped[str | None]
    mobile_e164: Mapped[str | None] = mapped_column(String(E164_LENGTH))
    title: Mapped[str | None]
    company: Mapped[str | None]
    street: Mapped[str | None]
    city: Mapped[str | None]
    state: Mapped[str | None]
    postal_code: Mapped[str | None]
    country: Mapped[str | None]
    custom: Mapped[dict[str, Any]] = mapped_column(default=dict)
    """Values of the service's custom contact fields by name, as JSON values."""
    deleted_in_source: Mapped[bool] = mapped_column(default=False)
    """The linked Salesforce record was deleted; the contact and its conversations stay."""

    identities: Mapped[list[ContactIdentity]] = relationship(
        back_populates="contact", cascade="all, delete-orphan", passive_deletes=True
    )


class ContactIdentity(Base):
    """One record in another system that is this contact, e.g. ("salesforce:Contact", "003...")."""

    __tablename__ = "contact_identities"
    __table_args__ = (UniqueConstraint("service_id", "source", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), index=True
    )
    service_id: Mapped[int]
    """Repeats the contact's service so the unique key is enforced per service. Not a foreign
    key: the contact's already ties the identity to its service (migration 0004)."""
    source: Mapped[str] = mapped_column(String(64))
    """"salesforce:Contact", "salesforce:Lead", "csv:NAME", ..."""
    external_id: Mapped[str]
    connection_id: Mapped[int | None] = mapped_column(
        ForeignKey("connections.id", ondelete="SET NULL")
    )
    """Not indexed: nothing looks identities up by connection (migration 0008)."""

    contact: Mapped[Contact] = relationship(back_populates="identities")


class ContactMerge(Base):
    """A contact merged into another (one person known twice): the id the product may still hold
    for it, and the contact that person is now. Kept pointing at the contact that stands: a kept
    contact merged in turn takes its merged ones along."""

    __tablename__ = "contact_merges"

    merged_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    """No foreign key: the merged contact is gone, and its id is never given again."""
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id", ondelete="CASCADE"))
    kept_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), index=True)
