from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.exc import StatementError
from sqlalchemy.orm import Session

from forcebridge.store.crypto import Keyring
from forcebridge.store.engine import make_engine, make_sessionmaker
from forcebridge.store.errors import EncryptionError, InvalidValue
from forcebridge.store.models import Org
from forcebridge.store.repositories.connections import create_connection, get_connection
from forcebridge.store.repositories.orgs import create_org
from tests.store.samples import LOGIN, TOKENS


def _connect(session: Session) -> None:
    create_connection(session, create_org(session, "acme"), "main", LOGIN, TOKENS)
    session.commit()


def test_secrets_are_ciphertext_in_the_table_and_plaintext_through_the_model(
    engine: Engine, session: Session
) -> None:
    _connect(session)

    with engine.connect() as connection:
        raw = connection.execute(
            text("SELECT client_secret, password, access_token, refresh_token FROM connections")
        ).one()
    secrets = (LOGIN.client_secret, LOGIN.password, TOKENS.access_token, TOKENS.refresh_token)
    for stored, plain in zip(raw, secrets, strict=True):
        assert stored.startswith("v1:")
        assert plain not in stored

    with make_sessionmaker(engine)() as fresh:
        stored_connection = get_connection(fresh, fresh.scalars(select(Org)).one(), "main")
        assert stored_connection.access_token == TOKENS.access_token
        assert stored_connection.refresh_token == TOKENS.refresh_token
        assert stored_connection.client_secret == LOGIN.client_secret
        assert stored_connection.password == LOGIN.password


def test_reading_secrets_with_another_key_fails_clearly(
    engine: Engine, session: Session, migrated_url: str
) -> None:
    _connect(session)
    other = make_engine(migrated_url, Keyring("a-different-secret-key-from-another-install"))
    try:
        with make_sessionmaker(other)() as stranger:
            org = stranger.scalars(select(Org)).one()
            connection = get_connection(stranger, org, "main")  # listed, its secrets unread
            assert connection.name == "main"
            with pytest.raises(EncryptionError, match="which is not configured"):
                _ = connection.access_token
    finally:
        other.dispose()


def test_an_engine_without_keys_refuses_to_store_a_secret(migrated_url: str) -> None:
    keyless = make_engine(migrated_url)
    try:
        with make_sessionmaker(keyless)() as session, pytest.raises(StatementError) as caught:
            _connect(session)
        assert isinstance(caught.value.orig, EncryptionError)
        assert "no encryption key" in str(caught.value.orig)
    finally:
        keyless.dispose()


def test_aware_datetimes_come_back_as_the_same_instant_in_utc(session: Session) -> None:
    paris_summer = timezone(timedelta(hours=2))
    org = create_org(session, "acme")
    org.created_at = datetime(2024, 7, 1, 9, 30, 15, 123456, tzinfo=paris_summer)
    session.commit()
    session.expunge_all()

    stored = session.scalars(select(Org)).one().created_at
    assert stored == datetime(2024, 7, 1, 7, 30, 15, 123456, tzinfo=UTC)
    assert stored.tzinfo is UTC


def test_naive_datetimes_are_refused(session: Session) -> None:
    org = create_org(session, "acme")
    org.created_at = datetime(2024, 7, 1, 9, 30)

    with pytest.raises(StatementError) as caught:
        session.flush()
    assert isinstance(caught.value.orig, InvalidValue)
    assert "naive datetime 2024-07-01T09:30:00 refused" in str(caught.value.orig)


def test_comparisons_use_the_instant_not_the_written_offset(session: Session) -> None:
    org = create_org(session, "acme")
    org.created_at = datetime(2024, 7, 1, 12, 0, tzinfo=UTC)
    session.commit()

    new_york = timezone(timedelta(hours=-4))
    just_before = datetime(2024, 7, 1, 7, 59, tzinfo=new_york)
    just_after = datetime(2024, 7, 1, 8, 1, tzinfo=new_york)
    assert session.scalars(select(Org).where(Org.created_at > just_before)).all() == [org]
    assert session.scalars(select(Org).where(Org.created_at > just_after)).all() == []


def test_statement_logs_show_only_ciphertext(
    session: Session, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="sqlalchemy.engine"):
        _connect(session)

    assert "INSERT INTO connections" in caplog.text
    for plain in (LOGIN.client_secret, LOGIN.password, TOKENS.access_token, TOKENS.refresh_token):
        assert plain is not None
        assert plain not in caplog.text
