"""The plain data an export works on: prospects in, one result per prospect out.

A prospect is known by its `row` (the CSV row, or its place in the list it came in) so every
message can name it. Values are keyed by the prospect field names of `PROSPECT_FIELDS`.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

INVALID_VALUE = "invalid_value"
"""The code of a problem forcebridge finds in a prospect before sending anything."""
SAME_PERSON = "same_person"
"""The code of the warning on a row of a person an earlier row of the export gives too."""


class ExportObject(enum.StrEnum):
    """What an org's export preferences can allow."""

    LEAD = "Lead"
    CONTACT = "Contact"
    ACCOUNT = "Account"


class Action(enum.StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    FAILED = "failed"


@dataclass(frozen=True)
class FieldError:
    """Why a prospect was not exported; `field` is None when no single field is to blame."""

    field: str | None
    message: str
    code: str | None = None
    """A stable reason code: a Salesforce `statusCode`, or one of ours ("invalid_value")."""


@dataclass(frozen=True)
class ExportProspect:
    """One prospect to export, with the Salesforce Ids an earlier export gave it."""

    row: int
    values: Mapping[str, Any]
    prospect_id: int | None = None
    lead_id: str | None = None
    contact_id: str | None = None
    account_id: str | None = None
    errors: tuple[FieldError, ...] = ()
    """Problems found before the export (a malformed CSV row): it fails with these."""


@dataclass(frozen=True)
class ProspectResult:
    """What happened to one prospect. In a dry run `action` is what would happen and `values`
    the fields that would be sent (for a Contact, `account_values` those of its Account)."""

    row: int
    action: Action
    salesforce_id: str | None = None
    account_id: str | None = None
    errors: tuple[FieldError, ...] = ()
    prospect_id: int | None = None
    values: Mapping[str, Any] = field(default_factory=dict)
    account_action: Action | None = None
    account_values: Mapping[str, Any] = field(default_factory=dict)
    account_errors: tuple[FieldError, ...] = ()
    same_person: str | None = None
    """For a row of a person an earlier row gives too (their record written once, for both, and
    counted on the earlier row): the warning the run's log has of it (code `same_person`)."""
    same_person_as: int | None = None
    """That earlier row."""
