"""A full read stopped before its end (a crash, Ctrl+C) and run again, on SQLite and
PostgreSQL: the rerun finishes it, and ends in the state a clean run reaches, the records that
left the service's query or rule unlinked and marked."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy.orm import Session

from forcebridge.salesforce.client import SalesforceClient
from forcebridge.store.models import PullObjects, Service
from forcebridge.sync.pull_settings import PullChange, configure_pull
from tests.conftest import SandboxFactory
from tests.sync.pull_world import PullWorld, book, seeded_world, watermarks

CONTACTS = 3_000
"""Two pages once narrowed to the four countries of five kept (about 2,400 records)."""

EVERYONE = "SELECT Id, FirstName, LastName, Email, MailingCountry FROM Contact"
NARROWED = f"{EVERYONE} WHERE MailingCountry != 'France'"


class Crash(BaseException):
    """The process died."""


@pytest.fixture
def world(session: Session, make_sandbox: SandboxFactory) -> PullWorld:
    return seeded_world(session, make_sandbox, CONTACTS)


def narrowed(world: PullWorld, name: str) -> Service:
    """A service that pulled every Contact, its query then narrowed: its next run reads all
    its records again and unlinks the French ones it no longer finds."""
    service = world.service(name, pull_objects=PullObjects.CUSTOM, pull_soql=EVERYONE)
    world.pull(service)
    configure_pull(world.session, world.client, service, PullChange(soql=NARROWED))
    world.session.commit()
    world.later()
    return service


def french(session: Session, service: Service) -> list[dict[str, Any]]:
    return [e for e in book(session, service) if e["identities"] == [] or e["deleted_in_source"]]


@pytest.fixture
def no_read(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The first query of a read dies before its answer comes (the first page never read)."""
    pages = SalesforceClient.query_pages

    def crash(client: SalesforceClient, *args: Any, **kwargs: Any) -> Any:
        monkeypatch.setattr(SalesforceClient, "query_pages", pages)
        raise Crash

    monkeypatch.setattr(SalesforceClient, "query_pages", crash)
    yield


def crash_at(where: str) -> Any:
    def progress(stream: str, done: int, total: int) -> None:
        if where == "between pages" or done == total:
            raise Crash

    return progress


@pytest.mark.parametrize("where", ["before the first page", "between pages", "after the last page"])
def test_a_full_read_stopped_anywhere_is_finished_by_the_rerun_as_a_clean_run_ends(
    world: PullWorld, session: Session, request: pytest.FixtureRequest, where: str
) -> None:
    crashed = narrowed(world, "crashed")

    with pytest.raises(Crash):
        if where == "before the first page":
            request.getfixturevalue("no_read")
            world.pull(crashed)
        else:
            world.pull(crashed, progress=crash_at(where))
    rerun = world.pull(crashed)

    clean_world = PullWorld(session, world.sandbox, world.clock, org="globex")
    clean = narrowed(clean_world, "clean")
    cleanly = clean_world.pull(clean)
    assert cleanly.updated > 400  # the French contacts, unlinked
    assert rerun.updated == cleanly.updated
    assert book(session, crashed) == book(session, clean)
    assert watermarks(session, crashed) == watermarks(session, clean)
    assert len(french(session, crashed)) == cleanly.updated


def test_the_rerun_reads_on_from_where_the_stopped_read_was_and_says_so_until_done(
    world: PullWorld, session: Session
) -> None:
    """Finished, not begun again: the pages read are not paid twice. Until it is done, the
    service's settings say the stream's next run reads everything (`full_read_next`)."""
    crashed = narrowed(world, "crashed")
    with pytest.raises(Crash):
        world.pull(crashed, progress=crash_at("between pages"))
    unchanged = PullChange(interval_minutes=5)

    told = configure_pull(session, world.client, crashed, unchanged).reread
    rerun = world.pull(crashed)

    assert told == ("pull:custom",)
    assert configure_pull(session, world.client, crashed, unchanged).reread == ()
    assert (rerun.api_calls, rerun.read - rerun.updated) == (1, CONTACTS - 2_000 - rerun.updated)


def test_a_dry_run_after_a_stopped_full_read_foresees_what_the_rerun_does(
    world: PullWorld, session: Session
) -> None:
    crashed = narrowed(world, "crashed")
    with pytest.raises(Crash):
        world.pull(crashed, progress=crash_at("between pages"))
    before = book(session, crashed)

    dry = world.pull(crashed, dry_run=True)
    assert book(session, crashed) == before
    real = world.pull(crashed)

    counted = ("status", "read", "created", "updated", "unchanged", "skipped", "failed")
    assert {k: getattr(dry, k) for k in counted} == {k: getattr(real, k) for k in counted}
    assert real.updated == len(french(session, crashed)) > 400


def test_a_group_whose_read_leaves_out_what_left_a_rule_finishes_the_stopped_full_read(
    world: PullWorld, session: Session
) -> None:
    """The French leave `crashed`'s rule, and no rule of the group takes them: the group's
    query no longer reads them, so only the full read's end unlinks them."""

    def group(world: PullWorld, name: str) -> Service:
        world.service(f"{name}-spain", pull_objects=PullObjects.CONTACTS, routing_condition=SPAIN)
        service = world.service(
            name, pull_objects=PullObjects.CONTACTS, routing_condition=f"NOT ({SPAIN})"
        )
        world.pull(service)
        change = PullChange(routing=f"NOT ({SPAIN}) AND MailingCountry != 'France'")
        configure_pull(world.session, world.client, service, change)
        world.session.commit()
        world.later()
        return service

    crashed = group(world, "crashed")
    with pytest.raises(Crash):
        world.pull(crashed, progress=crash_at("between pages"))
    world.pull(crashed)

    clean_world = PullWorld(session, world.sandbox, world.clock, org="globex")
    clean = group(clean_world, "clean")
    assert clean_world.pull(clean).updated > 400
    assert book(session, crashed) == book(session, clean)
    assert watermarks(session, crashed) == watermarks(session, clean)


SPAIN = "MailingCountry = 'Spain'"
