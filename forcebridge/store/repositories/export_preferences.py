"""Which objects an org's users may export to."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from forcebridge.store.models import ExportPreference, Org


def allowed_objects(session: Session, org: Org) -> list[str]:
    """The objects the org allows, alphabetically."""
    query = select(ExportPreference.object).where(ExportPreference.org_id == org.id)
    return sorted(session.scalars(query))


def allow_objects(session: Session, org: Org, objects: Iterable[str]) -> list[str]:
    """Allow `objects` as well as those already allowed; the full list afterwards."""
    allowed = set(allowed_objects(session, org))
    for name in dict.fromkeys(objects):
        if name not in allowed:
            session.add(ExportPreference(org_id=org.id, object=name))
            allowed.add(name)
    session.flush()
    return sorted(allowed)


def disallow_objects(session: Session, org: Org, objects: Iterable[str]) -> list[str]:
    """Stop allowing `objects`; the objects still allowed afterwards."""
    names = set(objects)
    for preference in session.scalars(
        select(ExportPreference).where(ExportPreference.org_id == org.id)
    ):
        if preference.object in names:
            session.delete(preference)
    session.flush()
    return allowed_objects(session, org)
