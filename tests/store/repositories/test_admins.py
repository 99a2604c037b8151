from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from forcebridge.store.errors import AlreadyExists, InvalidValue
from forcebridge.store.models import AdminRole
from forcebridge.store.passwords import verify_password
from forcebridge.store.repositories.admins import create_admin
from forcebridge.store.repositories.orgs import create_org

PASSWORD = "correct horse battery"


def test_an_admin_is_kept_by_case_folded_address_and_password_hash(session: Session) -> None:
    org = create_org(session, "acme")

    admin = create_admin(session, org, "  Bob@Example.COM ", PASSWORD, AdminRole.VIEWER)
    session.commit()

    assert (admin.email, admin.role) == ("bob@example.com", AdminRole.VIEWER)
    assert PASSWORD not in admin.password_hash
    assert verify_password(PASSWORD, admin.password_hash)


def test_one_address_is_one_account_per_org_whatever_its_case(session: Session) -> None:
    acme, other = create_org(session, "acme"), create_org(session, "other")
    create_admin(session, acme, "bob@example.com", PASSWORD)
    create_admin(session, other, "bob@example.com", PASSWORD)

    with pytest.raises(AlreadyExists, match=r"acme/bob@example\.com"):
        create_admin(session, acme, "BOB@example.com", PASSWORD)


@pytest.mark.parametrize(
    ("email", "password", "message"),
    [("bob", PASSWORD, "not an email address"), ("bob@example.com", "short", "at least 12")],
)
def test_a_bad_address_or_short_password_is_refused(
    session: Session, email: str, password: str, message: str
) -> None:
    with pytest.raises(InvalidValue, match=message):
        create_admin(session, create_org(session, "acme"), email, password)
