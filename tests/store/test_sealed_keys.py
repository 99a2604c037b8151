from __future__ import annotations

import pytest
from sqlalchemy import Engine, Text, select, type_coerce, update

from forcebridge.store.crypto import Keyring
from forcebridge.store.engine import make_engine, make_sessionmaker
from forcebridge.store.errors import EncryptionError
from forcebridge.store.models import Connection, Org
from forcebridge.store.repositories.connections import create_connection, get_connection
from forcebridge.store.repositories.orgs import create_org
from forcebridge.store.sealed_keys import check_sealed_keys, reseal_secrets, sealed_columns
from tests.store.conftest import TEST_SECRET
from tests.store.samples import LOGIN, TOKENS

NEW = "the-new-secret-key-current-since-today-11111"


def test_every_credential_of_a_connection_is_a_sealed_column() -> None:
    assert {str(column) for column in sealed_columns()} == {
        f"connections.{name}"
        for name in (
            "client_secret",
            "access_token",
            "refresh_token",
            "password",
            "jwt_private_key",
        )
    }


def test_resealed_secrets_open_with_the_new_key_alone(engine: Engine, migrated_url: str) -> None:
    with make_sessionmaker(engine)() as session:
        create_connection(session, create_org(session, "acme"), "main", LOGIN, TOKENS)
        session.commit()
    rotated = make_engine(migrated_url, Keyring(NEW, [TEST_SECRET]))
    new_only = make_engine(migrated_url, Keyring(NEW))
    try:
        with make_sessionmaker(rotated)() as session:
            report = reseal_secrets(session, Keyring(NEW, [TEST_SECRET]))
            session.commit()

        check_sealed_keys(new_only, Keyring(NEW))
        with make_sessionmaker(new_only)() as session:
            stored = get_connection(session, session.scalars(select(Org)).one(), "main")
            assert (stored.refresh_token, stored.password) == (
                TOKENS.refresh_token,
                LOGIN.password,
            )
    finally:
        rotated.dispose()
        new_only.dispose()
    assert (report.resealed, report.already_current, report.unresealed) == (4, 0, [])
    assert report.keys_still_needed == []


def test_a_secret_whose_key_is_missing_is_reported_not_resealed(engine: Engine) -> None:
    with make_sessionmaker(engine)() as session:
        create_connection(session, create_org(session, "acme"), "main", LOGIN, TOKENS)
        session.commit()
        report = reseal_secrets(session, Keyring(NEW))
        session.commit()

    assert report.resealed == 0
    assert report.keys_still_needed == [Keyring(TEST_SECRET).key_id]
    assert {u.column for u in report.unresealed} == {
        f"connections.{name}"
        for name in ("client_secret", "access_token", "refresh_token", "password")
    }
    with pytest.raises(EncryptionError, match="which is not configured"):
        check_sealed_keys(engine, Keyring(NEW))
    with make_sessionmaker(engine)() as session:  # left as it was: the old key still opens it
        assert session.scalars(select(Connection)).one().password == LOGIN.password


def test_a_secret_altered_under_the_current_key_is_reported_not_counted_current(
    engine: Engine,
) -> None:
    """Reseal is the check before a retired key goes: a damaged value must be named there,
    not counted among those already on the current key."""
    with make_sessionmaker(engine)() as session:
        create_connection(session, create_org(session, "acme"), "main", LOGIN, TOKENS)
        session.commit()
        sealed = session.execute(select(type_coerce(Connection.password, Text))).scalar_one()
        # A character of the last base64 group may carry only padding bits: change one well
        # inside the ciphertext, every bit of which counts.
        at = len(sealed) - 10
        damaged = sealed[:at] + ("A" if sealed[at] != "A" else "B") + sealed[at + 1 :]
        session.execute(update(Connection).values(password=type_coerce(damaged, Text)))
        session.commit()
        report = reseal_secrets(session, Keyring(TEST_SECRET))

    assert [u.column for u in report.unresealed] == ["connections.password"]
    assert "integrity" in report.unresealed[0].reason
