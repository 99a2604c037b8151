"""The daily reconciliation finds what incremental reads cannot see."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from forcebridge.store.models import PullObjects, UpdateOption
from forcebridge.store.repositories.mappings import save_mapping
from forcebridge.store.repositories.runs import get_run
from forcebridge.sync.reconcile import reconcile
from tests.conftest import SandboxFactory
from tests.sandbox.clocks import Clock
from tests.sync.pull_world import PullWorld, book, keeps_score

OVERWRITE = UpdateOption.OVERWRITE
SCORE = {
    "name": "Score__c",
    "label": "Score",
    "type": "double",
    "precision": 18,
    "scale": 2,
    "custom": True,
    "calculated": True,
    "calculatedFormula": "Rating__c * 2",
    "nillable": True,
    "createable": False,
    "updateable": False,
}


@pytest.fixture
def world(session: Session, make_sandbox: SandboxFactory, tmp_path: Path) -> PullWorld:
    (tmp_path / "Contact.json").write_text(json.dumps({"name": "Contact", "fields": [SCORE]}))
    clock = Clock()
    return PullWorld(session, make_sandbox(clock=clock, schema_dir=tmp_path), clock)


def behind_salesforce_back(world: PullWorld, sql: str, *params: object) -> None:
    """A change no API call makes, so SystemModstamp does not move: a formula recalculated,
    a record purged from the recycle bin."""
    with world.sandbox.org.storage.write() as connection:
        connection.execute(sql, params)


def test_a_record_deleted_for_good_is_unlinked_and_its_contact_kept(
    world: PullWorld, session: Session
) -> None:
    service = world.service(pull_objects=PullObjects.CONTACTS)
    purged = world.create("Contact", LastName="Purged")
    world.create("Contact", LastName="Kept")
    world.later()
    world.pull(service)
    behind_salesforce_back(world, 'DELETE FROM "Contact" WHERE "Id" = ?', purged)

    assert world.pull(service).read == 0
    result = reconcile(session, world.client, service, clock=world.clock)

    assert result.updated == 1 and result.error is None
    gone, kept = book(session, service)
    assert (gone["last_name"], gone["deleted_in_source"], gone["identities"]) == (
        "Purged",
        True,
        [],
    )
    assert not kept["deleted_in_source"]
    assert [e.code for e in get_run(session, result.run_id).log_entries] == ["left_scope"]


def test_a_record_that_left_the_custom_query_through_its_parent_is_unlinked(
    world: PullWorld, session: Session
) -> None:
    service = world.service(
        pull_objects=PullObjects.CUSTOM,
        pull_soql="SELECT Id, LastName FROM Contact WHERE Account.Name = 'Acme'",
    )
    save_mapping(session, service, "Contact", [("LastName", "last_name", OVERWRITE)])
    session.commit()
    acme = world.create("Account", Name="Acme")
    world.create("Contact", LastName="Staff", AccountId=acme)
    world.later()
    world.pull(service)
    world.update("Account", acme, Name="Acme Holdings")
    world.later()

    assert world.pull(service).read == 0
    reconcile(session, world.client, service, clock=world.clock)

    [entry] = book(session, service)
    assert (entry["deleted_in_source"], entry["identities"]) == (True, [])


def test_formula_values_that_changed_without_the_record_are_read_again(
    world: PullWorld, session: Session
) -> None:
    service = world.service(pull_objects=PullObjects.CONTACTS)
    keeps_score(session, service)
    scored = world.create("Contact", LastName="Scored")
    behind_salesforce_back(world, 'UPDATE "Contact" SET "Score__c" = 1.5 WHERE "Id" = ?', scored)
    world.later()
    world.pull(service)
    behind_salesforce_back(world, 'UPDATE "Contact" SET "Score__c" = 4.25 WHERE "Id" = ?', scored)

    assert world.pull(service).read == 0
    result = reconcile(session, world.client, service, clock=world.clock)

    assert (result.read, result.updated) == (1, 1)
    [entry] = book(session, service)
    assert entry["custom"] == {"score": "4.25"}


def test_a_parent_field_that_changed_without_the_record_is_read_again(
    world: PullWorld, session: Session
) -> None:
    service = world.service(pull_objects=PullObjects.CONTACTS)
    hooli = world.create("Account", Name="Hooli")
    world.create("Contact", LastName="Staff", AccountId=hooli)
    world.later()
    world.pull(service)
    world.update("Account", hooli, Name="Hooli XYZ")  # the Contact's SystemModstamp stays
    world.later()

    assert world.pull(service).read == 0
    result = reconcile(session, world.client, service, clock=world.clock)

    assert (result.updated, result.error) == (1, None)
    [entry] = book(session, service)
    assert entry["company"] == "Hooli XYZ"


def test_a_phone_a_pull_logged_is_not_logged_again_each_day_unless_a_parent_gives_it(
    world: PullWorld, session: Session
) -> None:
    """The reconciliation reads every record again (the mapping reads a parent): an invalid
    phone of a record a pull applied, unchanged since, was logged by that pull."""
    service = world.service(pull_objects=PullObjects.CONTACTS)
    rows = [
        ("LastName", "last_name", OVERWRITE),
        ("Phone", "phone", OVERWRITE),
        ("Account.Phone", "mobile_phone", OVERWRITE),
    ]
    save_mapping(session, service, "Contact", rows)
    session.commit()
    hooli = world.create("Account", Name="Hooli", Phone="14")
    odd = world.create("Contact", LastName="Odd", Phone="12", AccountId=hooli)
    world.later()
    pulled = world.pull(service)
    new = world.create("Contact", LastName="New", Phone="13")  # not pulled yet

    result = reconcile(session, world.client, service, clock=world.clock)

    def logged(run_id: int) -> list[tuple[str | None, str | None, str | None]]:
        entries = get_run(session, run_id).log_entries
        return sorted((e.code, e.salesforce_id, e.field) for e in entries)

    assert logged(pulled.run_id) == [
        ("invalid_phone", odd, "Account.Phone"),
        ("invalid_phone", odd, "Phone"),
    ]
    assert logged(result.run_id) == sorted(
        [("invalid_phone", new, "Phone"), ("invalid_phone", odd, "Account.Phone")]
    )
