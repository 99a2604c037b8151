"""A link a pull removed, remembered so that the record finds its contact again if it comes back.

A Salesforce record deleted, or leaving the service's query or routing rule, is unlinked and
its contact marked `deleted_in_source`; but records come back (undeleted from the recycle bin,
a routing rule widened again), and matching by phone or email alone would give a record with
neither a second contact, its conversations left on the first. Kept apart from
`ContactIdentity`, which every reader of links (activities, export, the contact list, merges)
takes as the records a contact stands for now.
"""

from __future__ import annotations

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from forcebridge.store.models.base import NAME_LENGTH, Base


class FormerLink(Base):
    """`(source, external_id)` was linked to `contact_id` until a pull unlinked it."""

    __tablename__ = "contact_former_links"
    __table_args__ = (UniqueConstraint("service_id", "source", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), index=True
    )
    """Gone with its contact; a merge moves it to the contact kept (`contact_merges`)."""
    service_id: Mapped[int]
    """The contact's service, for the unique key and the page lookups; not a foreign key, as
    for identities: the contact's ties it to its service."""
    source: Mapped[str] = mapped_column(String(NAME_LENGTH))
    external_id: Mapped[str]
