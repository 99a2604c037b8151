"""How records are read: REST pages, Bulk API 2.0 above the threshold, wide mappings by Id."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from forcebridge.salesforce.client import QueryPage
from forcebridge.salesforce.stopping import ReadStopped
from forcebridge.sandbox.seed import seed
from forcebridge.store.models import PullObjects, Service, UpdateOption
from forcebridge.store.repositories.mappings import save_mapping
from forcebridge.sync.pull_plan import read_plan
from forcebridge.sync.pull_read import read_pages
from tests.conftest import SandboxFactory
from tests.sandbox.clocks import Clock
from tests.sync.pull_world import PullWorld, book, watermarks

WIDE = [f"Extremely_Long_Custom_Field_Name_No_{n:03d}__c" for n in range(400)]


@pytest.fixture
def backend() -> str:
    """Reading does not depend on the database: SQLite is enough."""
    return "sqlite"


def wide_world(
    session: Session, make_sandbox: SandboxFactory, folder: Path
) -> tuple[PullWorld, Service]:
    """A service whose Contact mapping reads so many long-named fields that one query URL
    cannot select them all: `WIDE[0]` (into `title`) is among those fetched by Id."""
    fields = [{"name": n, "type": "string", "length": 80, "custom": True} for n in WIDE]
    (folder / "Contact.json").write_text(json.dumps({"name": "Contact", "fields": fields}))
    clock = Clock()
    world = PullWorld(session, make_sandbox(clock=clock, schema_dir=folder), clock)
    service = world.service(pull_objects=PullObjects.CONTACTS)
    rows = [(name, "title", UpdateOption.OVERWRITE) for name in reversed(WIDE)]
    save_mapping(
        session, service, "Contact", [("LastName", "last_name", UpdateOption.OVERWRITE), *rows]
    )
    session.commit()
    world.client.describe("Contact")
    return world, service


def test_a_mapping_too_wide_for_one_query_url_is_read_in_groups_joined_by_id(
    session: Session, make_sandbox: SandboxFactory, tmp_path: Path
) -> None:
    world, service = wide_world(session, make_sandbox, tmp_path)
    world.create("Contact", LastName="Wide", **{WIDE[0]: "found past the URL limit"})
    world.later()

    usage = world.sandbox.usage().by_kind.copy()
    result = world.pull(service)
    spent = {k: v - usage.get(k, 0) for k, v in world.sandbox.usage().by_kind.items()}

    assert result.error is None
    [entry] = book(session, service)
    assert (entry["last_name"], entry["title"]) == ("Wide", "found past the URL limit")
    assert (spent.get("query"), spent.get("composite")) == (1, 1)


def test_a_read_stopped_during_its_query_fetches_no_fields_by_id(
    session: Session, make_sandbox: SandboxFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Stopped while the page's query was in flight, the read starts no other call."""
    world, _ = wide_world(session, make_sandbox, tmp_path)
    world.create("Contact", LastName="Wide", **{WIDE[0]: "never fetched"})
    stop = threading.Event()
    query_pages = world.client.query_pages

    def stopped_meanwhile(*args: Any, **kwargs: Any) -> Iterator[QueryPage]:
        for page in query_pages(*args, **kwargs):
            stop.set()
            yield page

    monkeypatch.setattr(world.client, "query_pages", stopped_meanwhile)
    plan = read_plan("Contact", [("LastName", *WIDE)], None, [None])
    usage = world.sandbox.usage().by_kind.copy()

    with pytest.raises(ReadStopped, match="fetching the fields of a page of Contact by Id"):
        next(read_pages(world.client, plan, stop=stop))

    spent = {k: v - usage.get(k, 0) for k, v in world.sandbox.usage().by_kind.items()}
    assert (spent.get("query"), spent.get("composite", 0)) == (1, 0)


def test_records_every_member_already_applied_are_not_fetched_by_id_again(
    session: Session, make_sandbox: SandboxFactory, tmp_path: Path
) -> None:
    """A run reads again the records at its watermark's instant, and skips them: with nothing
    changed it costs its one query, not a fetch of the other field groups as well."""
    world, service = wide_world(session, make_sandbox, tmp_path)
    wide = world.create("Contact", LastName="Wide", **{WIDE[0]: "first"})
    world.later()
    world.pull(service)
    world.later()

    assert world.calls(lambda: world.pull(service)) == 1
    world.update("Contact", wide, **{WIDE[0]: "changed"})
    world.later()
    assert world.calls(lambda: world.pull(service)) == 2
    assert [entry["title"] for entry in book(session, service)] == ["changed"]


def test_a_read_above_the_bulk_threshold_goes_through_bulk_api_to_the_same_result(
    session: Session, make_sandbox: SandboxFactory
) -> None:
    clock = Clock()
    sandbox = make_sandbox(clock=clock)
    seed(sandbox.org, contacts=2_500, leads=0, accounts=20, seed=3)
    rest_world = PullWorld(session, sandbox, clock)
    bulk_world = PullWorld(session, sandbox, clock, org="globex")
    by_rest = rest_world.service(pull_objects=PullObjects.CONTACTS)
    by_bulk = bulk_world.service(pull_objects=PullObjects.CONTACTS)
    clock.advance(minutes=10)

    rest = rest_world.pull(by_rest)
    before = sandbox.usage().by_kind.get("bulk", 0)
    bulk = bulk_world.pull(by_bulk, bulk_threshold=1_000)

    assert rest.created == bulk.created == 2_500
    assert sandbox.usage().by_kind.get("bulk", 0) > before
    assert book(session, by_bulk) == book(session, by_rest)
    assert watermarks(session, by_bulk) == watermarks(session, by_rest)
