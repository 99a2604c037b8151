from __future__ import annotations

from sqlalchemy.orm import Session

from forcebridge.store.repositories.export_preferences import (
    allow_objects,
    allowed_objects,
    disallow_objects,
)
from forcebridge.store.repositories.orgs import create_org


def test_an_org_allows_nothing_until_told_and_allowing_twice_changes_nothing(
    session: Session,
) -> None:
    acme, globex = create_org(session, "acme"), create_org(session, "globex")
    assert allowed_objects(session, acme) == []

    assert allow_objects(session, acme, ["Lead", "Contact", "Lead"]) == ["Contact", "Lead"]
    assert allow_objects(session, acme, ["Account", "Lead"]) == ["Account", "Contact", "Lead"]
    session.commit()

    assert allowed_objects(session, acme) == ["Account", "Contact", "Lead"]
    assert allowed_objects(session, globex) == []


def test_disallowing_leaves_the_other_objects_allowed(session: Session) -> None:
    acme = create_org(session, "acme")
    allow_objects(session, acme, ["Account", "Contact", "Lead"])

    assert disallow_objects(session, acme, ["Account", "Opportunity"]) == ["Contact", "Lead"]
    session.commit()
    assert allowed_objects(session, acme) == ["Contact", "Lead"]
