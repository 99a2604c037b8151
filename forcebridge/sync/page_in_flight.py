"""When the next page may be decided before the page in flight is committed.

While one page is written (`forcebridge.sync.write_behind`), the next is converted, looked up
and decided. Its lookups may then read the store with or without the page in flight, and each
lookup statement may read it differently. Deciding on such a read is exact only when the page
in flight cannot change anything the next page's lookups return; `unaffected` is that rule, for
one service (lookups never cross services). When it does not hold, the engine waits for the
page to be committed and looks again.

Why the rule is enough: a page creates contacts linked to its own records, links contacts it
matched, updates the contacts it matched or linked, and unlinks deleted records. The next
page's lookups return its records' links, the contacts they may match (never one linked to
another record of the stream's source), their identities, and the links of converted Leads'
Contacts. So with no Salesforce Id in common, no contact in common, no unlink (which could
make a contact matchable again) and no merge (which moves links), every lookup returns the
same with or without the page in flight: its new contacts are linked, so no lookup of the next
page would return them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from forcebridge.sync.pull_page import PageChanges, StoreView
from forcebridge.sync.pull_record import Incoming


@dataclass(frozen=True)
class InFlight:
    """What a page being written changes in one service, as the next page's lookups could see it."""

    external_ids: frozenset[str]
    """The records it links (new contacts' included) or unlinks."""
    contacts: frozenset[int]
    """The existing contacts it changes or links."""
    relinks: bool
    """It unlinks records (which could make a contact matchable again) or merges contacts
    (whose links move)."""


def in_flight(changes: PageChanges) -> InFlight:
    return InFlight(
        external_ids=frozenset(
            (
                *(external_id for _, external_id in changes.creates),
                *(link.external_id for link in changes.links),
                *changes.unlinks,
            )
        ),
        contacts=frozenset((*changes.updates, *(link.contact_id for link in changes.links))),
        relinks=bool(changes.unlinks or changes.merges),
    )


def unaffected(pending: InFlight, records: Sequence[Incoming], view: StoreView) -> bool:
    """Whether `view`, read for `records` while `pending` was being written, is what it would
    be once `pending` is committed (see the module docstring)."""
    if pending.relinks or not pending.contacts.isdisjoint(view.contacts):
        return False
    ids = pending.external_ids
    return not any(record.external_id in ids or record.converted_to in ids for record in records)
