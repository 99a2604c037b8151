from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from forcebridge.store.errors import NotFound
from forcebridge.store.models import LogLevel, Org, RunStatus, Service
from forcebridge.store.repositories.orgs import create_org
from forcebridge.store.repositories.runs import (
    add_log_entry,
    finish_run,
    get_run,
    list_runs,
    run_outcome,
    start_run,
)
from forcebridge.store.repositories.services import create_service

T0 = datetime(2024, 11, 7, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("failed", "error", "status"),
    [
        (0, None, RunStatus.SUCCEEDED),
        (3, None, RunStatus.PARTIAL),
        (0, "API_DISABLED_FOR_ORG", RunStatus.FAILED),
        (3, "connection lost", RunStatus.FAILED),
    ],
)
def test_a_runs_outcome_follows_its_failures(
    failed: int, error: str | None, status: RunStatus
) -> None:
    assert run_outcome(failed, error) is status


@pytest.fixture
def service(session: Session) -> Service:
    service = create_service(session, create_org(session, "acme"), "support")
    session.commit()
    return service


def test_a_finished_run_keeps_its_counts_and_log_entries(
    session: Session, service: Service
) -> None:
    run = start_run(session, service.org, "pull:Contact", service=service, now=T0)
    assert run.status is RunStatus.RUNNING
    run.read, run.created, run.failed, run.api_calls = 10, 9, 1, 2
    add_log_entry(
        session,
        run,
        LogLevel.ERROR,
        "Phone '12' is not a phone number",
        salesforce_id="003000000000001AAA",
        field="Phone",
        code="invalid_phone",
    )
    finish_run(session, run, now=T0 + timedelta(seconds=4))
    session.commit()
    session.expunge_all()

    stored = get_run(session, run.id)
    assert stored.status is RunStatus.PARTIAL
    assert (stored.read, stored.created, stored.failed, stored.api_calls) == (10, 9, 1, 2)
    assert stored.finished_at == T0 + timedelta(seconds=4)
    [entry] = stored.log_entries
    assert (entry.level, entry.salesforce_id, entry.field) == (
        LogLevel.ERROR,
        "003000000000001AAA",
        "Phone",
    )


def test_runs_are_listed_newest_first_per_org_or_service(
    session: Session, service: Service
) -> None:
    org: Org = service.org
    other = create_service(session, org, "sales")
    export = start_run(session, org, "export", now=T0)
    pull = start_run(session, org, "pull:Contact", service=service, now=T0 + timedelta(minutes=5))
    start_run(session, org, "pull:Contact", service=other, now=T0 + timedelta(minutes=6))
    session.commit()

    assert [run.stream for run in list_runs(session, org.id, limit=2)] == ["pull:Contact"] * 2
    assert list_runs(session, org.id, service=service) == [pull]
    assert list_runs(session, org.id)[-1] == export


def test_an_unknown_run_is_named(session: Session) -> None:
    with pytest.raises(NotFound, match="run '42' does not exist"):
        get_run(session, 42)
