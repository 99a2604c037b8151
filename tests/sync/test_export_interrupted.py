"""An export stopped midway (Ctrl+C, SIGTERM) leaves everything it made known: the next export
of the same file updates those records and makes only the rest, never a record twice."""

from __future__ import annotations

import signal
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from forcebridge.salesforce.sobject_collections import RecordResult
from forcebridge.store.models import Run, RunStatus
from forcebridge.sync.export import export_file
from forcebridge.sync.export_model import Action
from tests.conftest import SandboxFactory
from tests.sync.exporting import ExportWorld

HEADER = "first_name,last_name,company_name"
#: People without an email: only the Ids an export keeps tell the next one they exist.
NO_EMAILS = [f"P,Person{i},Co{i}" for i in range(450)]


@pytest.fixture
def world(session: Session, make_sandbox: SandboxFactory, tmp_path: Path) -> Iterator[ExportWorld]:
    with ExportWorld.open(session, make_sandbox(), tmp_path) as world:
        yield world


class StoppedAfterFirstCall:
    """A progress display the user interrupts once the first call of 200 has come back."""

    def step(self, description: str, total: int | None) -> None:
        """Nothing to show."""

    def advance(self, done: int) -> None:
        raise KeyboardInterrupt


def export_stopped(
    world: ExportWorld, progress: Any = None, header: str = HEADER, rows: Sequence[str] = NO_EMAILS
) -> None:
    with pytest.raises(KeyboardInterrupt):
        export_file(
            world.session,
            world.client,
            world.org,
            "Lead",
            world.csv(header, *rows),
            connection_id=world.connection.id,
            progress=progress,
        )


def assert_finished_without_duplicates(world: ExportWorld, made_before: int) -> None:
    [run] = world.session.scalars(select(Run)).all()
    assert run.status is RunStatus.FAILED
    assert sum(p.salesforce_lead_id is not None for p in world.prospects()) == made_before

    again = world.export("Lead", HEADER, *NO_EMAILS)

    assert (again.count(Action.CREATED), again.count(Action.UNCHANGED)) == (
        len(NO_EMAILS) - made_before,
        made_before,
    )
    leads = world.records("Lead", "LastName")
    assert sorted(r["LastName"] for r in leads) == sorted(f"Person{i}" for i in range(450))


def test_the_ids_of_each_call_are_kept_as_it_returns_so_a_stopped_export_is_finished_later(
    world: ExportWorld,
) -> None:
    export_stopped(world, StoppedAfterFirstCall())

    assert len(world.records("Lead")) == 200
    [run] = world.session.scalars(select(Run)).all()
    assert run.api_calls >= 1, "the call that made them is counted, though the run never ended"
    assert (run.read, run.created) == (len(NO_EMAILS), 200)  # as many as Salesforce holds
    assert_finished_without_duplicates(world, made_before=200)


def test_a_stopped_export_counts_the_records_it_made_not_the_rows_of_their_people(
    world: ExportWorld,
) -> None:
    """Person0 is on the first row and the last: the first call makes their one Lead, and
    the run, which never ends, counts it once, as many as Salesforce holds."""
    rows = [*NO_EMAILS, NO_EMAILS[0]]

    export_stopped(world, StoppedAfterFirstCall(), rows=rows)

    [run] = world.session.scalars(select(Run)).all()
    assert (run.read, run.created, len(world.records("Lead"))) == (len(rows), 200, 200)


def test_an_export_stopped_before_it_wrote_shows_what_it_read_and_the_calls_it_spent(
    world: ExportWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A second Ctrl+C does not wait for a call in flight: the lookups were spent all the
    same, and the run must say so."""

    def stopped(sobject: str, records: Sequence[Any]) -> list[RecordResult]:
        raise KeyboardInterrupt

    monkeypatch.setattr(world.client, "collection_create", stopped)
    export_stopped(world, header=HEADER + ",email", rows=["Ada,Lovelace,AE,ada@example.com"])

    [run] = world.session.scalars(select(Run)).all()
    assert (run.status, run.read) == (RunStatus.FAILED, 1)
    assert run.api_calls >= 1  # the lookup by email


def test_a_ctrl_c_while_a_call_is_in_flight_stops_the_export_once_that_call_is_kept(
    world: ExportWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Salesforce makes what a call sent whether anyone waits for the answer or not: stopping
    before the answer is kept would leave records the next export makes again."""
    create = world.client.collection_create

    def interrupted_in_flight(sobject: str, records: Sequence[Any]) -> list[RecordResult]:
        made = create(sobject, records)
        signal.raise_signal(signal.SIGINT)  # the answer is on its way back
        return made

    monkeypatch.setattr(world.client, "collection_create", interrupted_in_flight)

    export_stopped(world)

    assert len(world.records("Lead")) == 200
    monkeypatch.undo()
    assert_finished_without_duplicates(world, made_before=200)
