"""A unit inside an org with its own contact book, time zone and sync settings.

The pull and activity settings are typed columns rather than a JSON blob: the database checks
them, and the scheduler can query them (e.g. every service pulling more often than hourly).
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forcebridge.store.models.base import NAME_LENGTH, SALESFORCE_ID_LENGTH, Base, Timestamped
from forcebridge.store.types import JSONDocument

if TYPE_CHECKING:
    from forcebridge.store.models.connection import Connection
    from forcebridge.store.models.org import Org

DEFAULT_PULL_INTERVAL_MINUTES = 5
DEFAULT_ACTIVITIES_INTERVAL_MINUTES = 60


class PullObjects(enum.StrEnum):
    """What the service's contact book is pulled from."""

    CONTACTS = "contacts"
    LEADS = "leads"
    BOTH = "both"
    CUSTOM = "custom"
    """The service's own SOQL query (`pull_soql`), on any object."""


class ActivityTarget(enum.StrEnum):
    """Which linked Salesforce records conversations are logged to (Contact first when both)."""

    CONTACTS = "contacts"
    LEADS = "leads"
    BOTH = "both"


class Service(Timestamped, Base):
    __tablename__ = "services"
    __table_args__ = (
        UniqueConstraint("org_id", "name"),
        CheckConstraint(
            "(pull_objects = 'custom' AND pull_soql IS NOT NULL)"
            " OR (pull_objects <> 'custom' AND pull_soql IS NULL)",
            name="custom_pull_has_soql",
        ),
        CheckConstraint("pull_interval_minutes >= 1", name="pull_interval_positive"),
        CheckConstraint("activities_interval_minutes >= 1", name="activities_interval_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(NAME_LENGTH))
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    """IANA name; activity windows are calendar days in this zone (from the instant its
    last change takes effect: see `timezone_changes`)."""
    timezone_changes: Mapped[list[dict[str, str]]] = mapped_column(
        JSONDocument, server_default=text("'[]'")
    )
    """The service's earlier zones, oldest first, each `{"zone": IANA name, "until": UTC
    instant in ISO 8601}`: the days before a change keep that zone's (`ServiceCalendar`); then
    the days kept in the zone they were written by, each run `{"zone", "first", "last", "from",
    "until"}` (`KeptDays`)."""
    region: Mapped[str] = mapped_column(String(2), default="US")
    """ISO 3166 country whose numbering plan reads phone numbers written without `+`."""
    connection_id: Mapped[int | None] = mapped_column(
        ForeignKey("connections.id", ondelete="SET NULL"), index=True
    )

    pull_objects: Mapped[PullObjects] = mapped_column(default=PullObjects.BOTH)
    pull_soql: Mapped[str | None] = mapped_column(Text)
    routing_condition: Mapped[str | None] = mapped_column(Text)
    """A SOQL condition choosing this service's records when several share a connection."""
    pull_interval_minutes: Mapped[int] = mapped_column(default=DEFAULT_PULL_INTERVAL_MINUTES)
    pull_update_only: Mapped[bool] = mapped_column(default=False)
    """Only enrich contacts that already exist; never create one."""
    pull_settings_version: Mapped[int] = mapped_column(server_default="0")
    """Moved by every change of the settings that has the service's streams read everything
    again (`reset_watermarks`), and never deleted as watermarks are: a read noted it before
    loading the settings, and writes nothing more for the service once it has moved, so a
    read under the old settings cannot save a watermark the change deleted."""

    activities_to: Mapped[ActivityTarget] = mapped_column(default=ActivityTarget.BOTH)
    activities_interval_minutes: Mapped[int] = mapped_column(
        default=DEFAULT_ACTIVITIES_INTERVAL_MINUTES
    )
    task_subject_template: Mapped[str | None]
    """None means the product's default, "<product name> Conversation"."""
    task_key_scope: Mapped[str | None] = mapped_column(String(16))
    """What the idempotency keys of the service's Tasks begin with: random, so that two
    installations logging to one org never share a key. None for services made before it
    existed, whose keys name the service's id (the Tasks already written carry those)."""
    task_owner_id: Mapped[str | None] = mapped_column(String(SALESFORCE_ID_LENGTH))
    """None leaves the Task's owner to Salesforce's default (the connected user)."""

    org: Mapped[Org] = relationship(back_populates="services")
    connection: Mapped[Connection | None] = relationship(back_populates="services")
