"""Where exported prospects come from: the store, or a CSV file saved into the store first.

A CSV row becomes the org's prospect with the same email (without one, the same name at the
same company), or a new one, so the Salesforce Ids an export gives it are kept and the next
export of the same person to the same Salesforce updates them (through another connection, it
is found by email there). A dry run saves nothing: it only reads the Ids the store already
knows. Each row is exported with its own values, so a problem is reported on the row that has
it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from sqlalchemy.orm import Session

from forcebridge.store.models import Org, Prospect
from forcebridge.store.repositories.prospects import (
    PROSPECT_VALUE_FIELDS,
    prospect_key,
    prospects_by_key,
    salesforce_ids,
    save_prospects,
)
from forcebridge.sync.export_model import ExportProspect
from forcebridge.sync.prospect_csv import ProspectRow


def from_stored(prospect: Prospect, row: int, connection_id: int) -> ExportProspect:
    """The prospect as exported through `connection_id`, with the Ids it has there."""
    ids = salesforce_ids(prospect, connection_id)
    return ExportProspect(
        row=row,
        values={name: getattr(prospect, name) for name in PROSPECT_VALUE_FIELDS},
        prospect_id=prospect.id,
        lead_id=ids.lead_id,
        contact_id=ids.contact_id,
        account_id=ids.account_id,
    )


def prospects_from_store(prospects: Sequence[Prospect], connection_id: int) -> list[ExportProspect]:
    """Stored prospects, numbered 1, 2, ... in the order given, for `connection_id`."""
    return [
        from_stored(prospect, row, connection_id) for row, prospect in enumerate(prospects, start=1)
    ]


def prospects_from_rows(
    session: Session, org: Org, rows: Sequence[ProspectRow], connection_id: int, *, save: bool
) -> list[ExportProspect]:
    """The rows as prospects to export through `connection_id`, saved as the org's prospects
    first with `save`."""
    good = [row for row in rows if not row.errors]
    if save:
        saved = save_prospects(session, org, [row.values for row in good])
        stored = {row.row: prospect for row, prospect in zip(good, saved, strict=True)}
    else:
        keys = {row.row: prospect_key(row.values) for row in good}
        known = prospects_by_key(session, org, keys.values())
        stored = {number: known[key] for number, key in keys.items() if key in known}
    exported = []
    for row in rows:
        prospect = stored.get(row.row)
        if prospect is None:
            exported.append(ExportProspect(row.row, row.values, errors=row.errors))
        else:
            exported.append(
                replace(from_stored(prospect, row.row, connection_id), values=row.values)
            )
    return exported
