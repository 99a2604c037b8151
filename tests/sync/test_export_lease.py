"""One export of an org at a time (`export_lease`): a second is refused at once, naming the run
going on, and writes nothing; and what a run has done stays committed call by call, so a process
killed outright leaves a run that says what it spent and made."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from forcebridge.salesforce.sobject_collections import RecordResult
from forcebridge.store.models import Prospect, Run, RunStatus
from forcebridge.store.repositories.leases import (
    EXPORT,
    REHEARSAL,
    OrgScope,
    release_lease,
    take_lease,
)
from forcebridge.store.repositories.runs import start_run
from forcebridge.sync.export_errors import ExportRunning
from forcebridge.sync.export_model import Action
from tests.conftest import SandboxFactory
from tests.sync.exporting import ExportWorld

TTL = timedelta(minutes=2)
ELSEWHERE = "worker at elsewhere:1:1"
"""A holder on another machine: alive as far as this one can tell."""

HEADER = "first_name,last_name,email,company_name,company_website"


@pytest.fixture
def world(session: Session, make_sandbox: SandboxFactory, tmp_path: Path) -> Iterator[ExportWorld]:
    with ExportWorld.open(session, make_sandbox(), tmp_path) as world:
        yield world


def engine_of(world: ExportWorld) -> Engine:
    return world.session.get_bind().engine


def runs(world: ExportWorld) -> list[Run]:
    world.session.expire_all()
    return list(world.session.scalars(select(Run).order_by(Run.id)))


def stored_prospects(world: ExportWorld) -> int:
    return int(world.session.scalar(select(func.count()).select_from(Prospect)) or 0)


def going(world: ExportWorld, lease: str, stream: str = "export:Lead") -> Run:
    """An export of the org in progress in another process: its run recorded, its lease held."""
    run = start_run(world.session, world.org, stream, dry_run=lease == REHEARSAL)
    world.session.commit()
    assert take_lease(engine_of(world), OrgScope(world.org.id), lease, ELSEWHERE, TTL)
    return run


@pytest.mark.parametrize("sobject", ["Lead", "Contact"])
def test_an_export_while_another_of_the_org_runs_is_refused_naming_it_and_writes_nothing(
    world: ExportWorld, sobject: str
) -> None:
    """Whatever the object: a Lead and a Contact export save the same prospects, and Contact
    exports share Accounts."""
    running = going(world, EXPORT)
    calls = world.client.usage.snapshot()

    with pytest.raises(ExportRunning) as refused:
        world.export(sobject, HEADER, "Ada,Lovelace,ada@acme.com,Acme,acme.com")

    assert f"an export of org 'acme' is running (run {running.id};" in str(refused.value)
    assert "try again once it has finished" in str(refused.value)
    assert refused.value.run_id == running.id
    assert world.client.usage.snapshot().minus(calls).api_calls == 0
    assert [run.id for run in runs(world)] == [running.id]
    assert stored_prospects(world) == 0
    assert world.records(sobject) == []

    assert release_lease(engine_of(world), OrgScope(world.org.id), EXPORT, ELSEWHERE)
    report = world.export(sobject, HEADER, "Ada,Lovelace,ada@acme.com,Acme,acme.com")
    assert report.count(Action.CREATED) == 1


def test_an_export_whose_run_is_not_recorded_yet_is_named_as_starting(
    world: ExportWorld,
) -> None:
    """The export holding the lease is still reading its file or the describes."""
    assert take_lease(engine_of(world), OrgScope(world.org.id), EXPORT, ELSEWHERE, TTL)

    with pytest.raises(ExportRunning) as refused:
        world.export("Lead", HEADER, "Ada,Lovelace,ada@acme.com,Acme,acme.com")

    assert "an export of org 'acme' is starting (its run is not recorded yet)" in str(refused.value)
    assert refused.value.run_id is None


def test_a_dry_run_neither_waits_for_an_export_nor_runs_beside_another_dry_run(
    world: ExportWorld,
) -> None:
    """It writes nothing an export writes; its lease only lets a dead one's run be settled."""
    going(world, EXPORT)
    rehearsed = world.export(
        "Lead", HEADER, "Ada,Lovelace,ada@acme.com,Acme,acme.com", dry_run=True
    )
    assert rehearsed.count(Action.CREATED) == 1

    other = going(world, REHEARSAL)
    with pytest.raises(ExportRunning) as refused:
        world.export("Lead", HEADER, "Ada,Lovelace,ada@acme.com,Acme,acme.com", dry_run=True)
    assert f"a dry run of an export of org 'acme' is running (run {other.id};" in str(refused.value)


def test_a_killed_export_leaves_its_run_counting_the_calls_and_rows_of_every_call_sent(
    world: ExportWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`kill -9` runs no cleanup: the run shows what was committed before the call in flight,
    read here from a connection of its own as each write call goes out. The lookups were spent
    before the first write, the Accounts call made no row, the first Contacts call 200."""
    rows = [f"P,Person{i},p{i}@co{i % 150}.com,Co{i % 150},co{i % 150}.com" for i in range(250)]
    before = world.client.usage.snapshot()
    create = world.client.collection_create
    seen: list[tuple[int, int, int]] = []

    def watched(sobject: str, records: Sequence[Any]) -> list[RecordResult]:
        with engine_of(world).connect() as connection:
            committed = connection.execute(select(Run.api_calls, Run.created)).one()
        spent = world.client.usage.snapshot().minus(before).api_calls
        seen.append((spent, committed.api_calls, committed.created))
        return create(sobject, records)

    monkeypatch.setattr(world.client, "collection_create", watched)
    report = world.export("Contact", HEADER, *rows)

    assert report.status is RunStatus.SUCCEEDED
    assert [(spent, created) for spent, _, created in seen] == [
        (seen[0][0], 0),
        (seen[0][0] + 1, 0),
        (seen[0][0] + 2, 200),
    ]
    assert seen[0][0] >= 5  # two describes, three lookups
    assert [committed for _, committed, _ in seen] == [spent for spent, _, _ in seen]
