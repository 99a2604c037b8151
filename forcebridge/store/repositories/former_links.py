"""The links a pull removed, remembered so that a record that comes back (undeleted from
Salesforce's recycle bin, admitted again by a widened routing rule) finds its contact again.

A page's lookup of its links also says whether the service has any former link of the source
(`links_and_any_former`, one statement): only then does the page look them up
(`former_links`), so a service that never unlinked a record (a first pull into an empty book)
pays no query for them, and one that did pays one a page. They are written only by pages that
unlink (`remember_former_links`) or link again a record that had one (`forget_former_links`),
and moved with their contact by a merge (`contact_merges`).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import cast

from sqlalchemy import Integer, String, Table, delete, exists, literal, select, union_all
from sqlalchemy.orm import Session

from forcebridge.store import bulk
from forcebridge.store.models import FormerLink
from forcebridge.store.repositories.contacts import links_query, one_of


def links_and_any_former(
    session: Session, service_id: int, source: str, external_ids: Collection[str]
) -> tuple[dict[str, int], bool]:
    """The contact linked to each of `external_ids` that is linked, and whether the service
    has any former link of `source`, in one query: the check is one probe of an index, planned
    and run once whatever the page's size."""
    if not external_ids:
        return {}, False
    links = links_query(session, service_id, source, external_ids)
    mark = select(literal(None, String), literal(None, Integer)).where(
        exists().where(FormerLink.service_id == service_id, FormerLink.source == source)
    )
    linked: dict[str, int] = {}
    any_former = False
    for row in session.execute(union_all(links, mark)):
        if row[0] is None:
            any_former = True
        else:
            linked[row[0]] = row[1]
    return linked, any_former


def former_links(
    session: Session, service_id: int, source: str, external_ids: Collection[str]
) -> dict[str, int]:
    """The contact each of `external_ids` was linked to when a pull last unlinked it (it may
    be linked again since: the caller asks for those it found unlinked), in one query."""
    if not external_ids:
        return {}
    rows = session.execute(
        select(FormerLink.external_id, FormerLink.contact_id).where(
            FormerLink.service_id == service_id,
            FormerLink.source == source,
            one_of(session, FormerLink.external_id, external_ids),
        )
    )
    return {row[0]: row[1] for row in rows}


def remember_former_links(
    session: Session, service_id: int, source: str, unlinked: Mapping[str, int]
) -> None:
    """Remember the contact each record of `unlinked` leaves (by its external id), in place of
    any it left before."""
    if not unlinked:
        return
    forget_former_links(session, service_id, source, unlinked.keys())
    bulk.insert_rows(
        session,
        cast(Table, FormerLink.__table__),
        ("service_id", "source", "external_id", "contact_id"),
        [(service_id, source, external_id, cid) for external_id, cid in unlinked.items()],
    )


def forget_former_links(
    session: Session, service_id: int, source: str, external_ids: Collection[str]
) -> None:
    """Forget the former links of these records (linked again)."""
    if not external_ids:
        return
    session.execute(
        delete(FormerLink)
        .where(
            FormerLink.service_id == service_id,
            FormerLink.source == source,
            one_of(session, FormerLink.external_id, external_ids),
        )
        .execution_options(synchronize_session=False)
    )
