from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from forcebridge.store.errors import AlreadyExists, InvalidValue, NotFound
from forcebridge.store.models import Connection, ConnectionStatus, Org
from forcebridge.store.repositories.connections import (
    Tokens,
    create_connection,
    get_connection,
    list_connections,
    record_api_usage,
    set_status,
    update_tokens,
)
from forcebridge.store.repositories.orgs import create_org
from tests.store.samples import LOGIN, TOKENS


def _org_with_connection(session: Session) -> tuple[Org, Connection]:
    org = create_org(session, "acme")
    connection = create_connection(session, org, "main", LOGIN, TOKENS)
    session.commit()
    return org, connection


def test_a_new_connection_keeps_its_login_and_tokens_and_is_connected(session: Session) -> None:
    org, _ = _org_with_connection(session)
    session.expunge_all()

    stored = get_connection(session, org, "main")
    assert stored.password == "sandbox-password"
    assert stored.access_token == "00D000000000001!first-access"
    assert stored.salesforce_org_id == "00D000000000001AAA"
    assert stored.status is ConnectionStatus.CONNECTED
    assert [c.name for c in list_connections(session, org)] == ["main"]


def test_tokens_never_show_in_a_repr() -> None:
    shown = f"{TOKENS!r} {LOGIN!r}"
    for secret in ("first-access", "first-refresh", "sandbox-password", "sandbox-client-secret"):
        assert secret not in shown


def test_a_refresh_without_a_new_refresh_token_keeps_the_old_one(session: Session) -> None:
    org, connection = _org_with_connection(session)

    update_tokens(session, connection, Tokens("00D000000000001!second", TOKENS.instance_url))
    session.commit()
    session.expunge_all()

    stored = get_connection(session, org, "main")
    assert (stored.access_token, stored.refresh_token) == (
        "00D000000000001!second",
        "first-refresh",
    )


def test_status_records_the_problem_and_since_when_it_lasts(session: Session) -> None:
    org, connection = _org_with_connection(session)
    broke = datetime(2024, 11, 7, 9, tzinfo=UTC)
    attention = ConnectionStatus.NEEDS_ATTENTION

    set_status(session, connection, attention, problem="unstable", reason="retrying", now=broke)
    set_status(
        session,
        connection,
        attention,
        problem="unstable",
        reason="still retrying",
        now=broke + timedelta(hours=1),
    )
    session.commit()
    session.expunge_all()
    stored = get_connection(session, org, "main")
    assert (stored.status, stored.status_problem) == (attention, "unstable")
    assert (stored.status_reason, stored.status_changed_at) == ("still retrying", broke)

    revoked = broke + timedelta(hours=2)
    set_status(
        session, stored, attention, problem="authentication_lost", reason="reconnect", now=revoked
    )
    assert stored.status_changed_at == revoked

    set_status(session, stored, ConnectionStatus.CONNECTED, now=revoked + timedelta(hours=1))
    assert (stored.status_problem, stored.status_reason) == (None, None)
    assert stored.status_changed_at == revoked + timedelta(hours=1)


def test_needs_attention_without_a_problem_or_advice_is_refused(session: Session) -> None:
    _, connection = _org_with_connection(session)
    with pytest.raises(InvalidValue, match="'main' needs attention: give the problem"):
        set_status(session, connection, ConnectionStatus.NEEDS_ATTENTION, problem="limit_reached")


def test_api_usage_is_remembered(session: Session) -> None:
    org, connection = _org_with_connection(session)
    record_api_usage(session, connection, 1200, 100_000)
    session.commit()
    session.expunge_all()

    stored = get_connection(session, org, "main")
    assert (stored.last_api_usage, stored.last_api_limit) == (1200, 100_000)


def test_connection_names_are_unique_per_org(session: Session) -> None:
    org, _ = _org_with_connection(session)
    with pytest.raises(AlreadyExists, match="connection 'acme/main' already exists"):
        create_connection(session, org, "main", LOGIN, TOKENS)


def test_an_unknown_connection_is_named(session: Session) -> None:
    org = create_org(session, "acme")
    with pytest.raises(NotFound, match="connection 'acme/backup' does not exist"):
        get_connection(session, org, "backup")
