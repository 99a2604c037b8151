"""Contact exports end to end: each Contact on the right Account, Accounts made only as needed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from forcebridge.store.repositories.export_preferences import disallow_objects
from forcebridge.sync.export_model import Action
from tests.conftest import SandboxFactory
from tests.sync.exporting import ExportWorld

HEADER = "first_name,last_name,email,company_name,company_website,company_phone,industry"
PEOPLE = (
    HEADER,
    "Ada,Lovelace,ada@acme.com,Acme,acme.com,,",
    "Bob,Builder,bob@acme.com,ACME Corporation,https://www.acme.com/team,+1 555 0100,",
    "Cy,Globe,cy@globex.com,Globex,,,",
    "Dee,Init,dee@initech.com,Initech,,,Software",
    "Eve,Init,eve@initech.com,initech,,+1 555 0199,",
    "Fay,Solo,fay@example.com,,,,",
)


@pytest.fixture
def world(session: Session, make_sandbox: SandboxFactory, tmp_path: Path) -> Iterator[ExportWorld]:
    with ExportWorld.open(session, make_sandbox(), tmp_path) as world:
        yield world


def accounts(world: ExportWorld) -> dict[str, str]:
    return {r["Name"]: r["Id"] for r in world.records("Account", "Name")}


def contacts(world: ExportWorld) -> dict[str, str | None]:
    return {r["Email"]: r["AccountId"] for r in world.records("Contact", "Email", "AccountId")}


def test_contacts_join_accounts_found_by_domain_or_name_and_new_ones_are_made_once(
    world: ExportWorld,
) -> None:
    acme, globex = world.create(
        "Account",
        {"Name": "Acme Corporation", "Website": "https://www.acme.com/"},
        {"Name": "Globex"},
    )

    report = world.export("Contact", *PEOPLE)

    assert report.count(Action.CREATED) == 6
    initech = accounts(world)["Initech"]
    assert sorted(accounts(world)) == ["Acme Corporation", "Globex", "Initech"]
    assert contacts(world) == {
        "ada@acme.com": acme,
        "bob@acme.com": acme,
        "cy@globex.com": globex,
        "dee@initech.com": initech,
        "eve@initech.com": initech,
        "fay@example.com": None,
    }
    assert [r.account_id for r in report.results] == [acme, acme, globex, initech, initech, None]
    assert world.records("Account", "Industry", "Phone") == [
        {"Id": acme, "Industry": None, "Phone": "+1 555 0100"},
        {"Id": globex, "Industry": None, "Phone": None},
        {"Id": initech, "Industry": "Software", "Phone": "+1 555 0199"},
    ]
    contact_ids = {r["Email"]: r["Id"] for r in world.records("Contact", "Email")}
    assert [(p.salesforce_contact_id, p.salesforce_account_id) for p in world.prospects()] == [
        (contact_ids[email], account) for email, account in contacts(world).items()
    ]


def test_exporting_the_same_file_again_duplicates_nothing(world: ExportWorld) -> None:
    world.export("Contact", *PEOPLE)
    before = (accounts(world), contacts(world))

    again = world.export("Contact", *PEOPLE)

    assert [r.action for r in again.results] == [Action.UNCHANGED] * 6
    assert (accounts(world), contacts(world)) == before


def test_an_existing_contact_keeps_its_account_and_one_without_an_account_gets_one(
    world: ExportWorld,
) -> None:
    [elsewhere] = world.create("Account", {"Name": "Elsewhere"})
    world.create(
        "Contact",
        {"LastName": "Lovelace", "Email": "ada@acme.com", "AccountId": elsewhere},
        {"LastName": "Builder", "Email": "bob@acme.com"},
    )

    report = world.export(
        "Contact",
        HEADER,
        "Ada,Lovelace,ada@acme.com,Acme,acme.com,,",
        "Bob,Builder,bob@acme.com,Acme,acme.com,,",
    )

    acme = accounts(world)["Acme"]
    assert contacts(world) == {"ada@acme.com": elsewhere, "bob@acme.com": acme}
    assert [(r.action, r.account_id) for r in report.results] == [
        (Action.UPDATED, elsewhere),
        (Action.UPDATED, acme),
    ]


def test_without_leave_to_write_accounts_contacts_only_join_accounts_that_exist(
    world: ExportWorld,
) -> None:
    disallow_objects(world.session, world.org, ["Account"])
    world.session.commit()
    [globex] = world.create("Account", {"Name": "Globex"})

    report = world.export(
        "Contact",
        HEADER,
        "Cy,Globe,cy@globex.com,Globex,,+1 555 0100,",
        "Dee,Init,dee@initech.com,Initech,,,",
    )

    assert [(r.action, r.account_id) for r in report.results] == [
        (Action.CREATED, globex),
        (Action.FAILED, None),
    ]
    assert report.results[1].errors[0].field == "company_name"
    assert contacts(world) == {"cy@globex.com": globex}
    assert world.records("Account", "Phone") == [{"Id": globex, "Phone": None}]


def test_a_company_whose_every_contact_fails_gets_no_account_written_for_nobody(
    world: ExportWorld,
) -> None:
    [globex] = world.create("Account", {"Name": "Globex"})

    report = world.export(
        "Contact",
        HEADER,
        "Cy,,cy@globex.com,Globex,,+1 555 0100,",  # no last name: the Contact cannot be created
        "Dee,,dee@initech.com,Initech,,,Software",
        "Eve,Init,eve@initech.com,Initech,,,",
        "Fay,,fay@umbrella.com,Umbrella,,,",
    )

    initech = accounts(world)["Initech"]  # Eve's: written, with what Dee knew of it
    assert [(r.action, r.account_id) for r in report.results] == [
        (Action.FAILED, globex),
        (Action.FAILED, initech),
        (Action.CREATED, initech),
        (Action.FAILED, None),
    ]
    assert [e.field for e in report.results[0].errors] == ["LastName"]
    assert world.records("Account", "Name", "Phone", "Industry") == [
        {"Id": globex, "Name": "Globex", "Phone": None, "Industry": None},
        {"Id": initech, "Name": "Initech", "Phone": None, "Industry": "Software"},
    ]
