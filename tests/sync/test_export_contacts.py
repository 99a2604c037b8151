"""Contact exports end to end: each Contact on the right Account, Accounts made only as needed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from forcebridge.store.models import RunStatus, UpdateOption
from forcebridge.store.repositories.export_preferences import disallow_objects
from forcebridge.store.repositories.mappings import save_org_mapping
from forcebridge.sync.export_model import Action
from tests.conftest import SandboxFactory
from tests.sync.exporting import ExportWorld

OVERWRITE, FILL_EMPTY = UpdateOption.OVERWRITE, UpdateOption.FILL_EMPTY
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


def test_a_person_twice_at_two_companies_lends_the_second_none_of_its_company_fields(
    world: ExportWorld,
) -> None:
    """The tester's file: the Account is First Co's (the first row naming a company), and
    neither it nor the Contact's Phone (Direct Phone, else Company Phone) takes Second Co's
    phone; the second row's title is the person's, so it is kept."""
    report = world.export(
        "Contact",
        "first_name,last_name,email,job_title,company_name,company_website,company_phone",
        "Dup,Person,dup.person@example.biz,,First Co,firstco.biz,",
        "Dup,Person,DUP.PERSON@example.biz,Dup Title,Second Co,secondco.biz,+1 555 888 0000",
    )

    [first_co] = world.records("Account", "Name", "Website", "Phone")
    assert first_co == {
        "Id": first_co["Id"],
        "Name": "First Co",
        "Website": "firstco.biz",
        "Phone": None,
    }
    [contact] = world.records("Contact", "AccountId", "Phone", "Title")
    assert (contact["AccountId"], contact["Phone"], contact["Title"]) == (
        first_co["Id"],
        None,
        "Dup Title",
    )
    assert [(r.action, r.account_id) for r in report.results] == [
        (Action.CREATED, first_co["Id"]),
        (Action.UNCHANGED, first_co["Id"]),  # the one Contact made is row 2's
    ]


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


def test_a_contact_in_salesforce_without_an_account_is_told_none_was_created_when_not_allowed(
    world: ExportWorld,
) -> None:
    disallow_objects(world.session, world.org, ["Account"])
    world.session.commit()
    world.create("Contact", {"LastName": "Lovelace", "Email": "ada@example.com"})

    report = world.export("Contact", HEADER, "Ada,Lovelace,ada@example.com,Nowhere Inc,,,")

    [result] = report.results
    assert (result.action, result.account_id) == (Action.UPDATED, None)
    [told] = result.errors
    assert told.field == "company_name"
    assert told.message.startswith("its Account was not created: no Account")
    assert report.status is RunStatus.PARTIAL


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
        (Action.FAILED, None),  # a Contact not in Salesforce is on no Account
        (Action.FAILED, None),
        (Action.CREATED, initech),
        (Action.FAILED, None),
    ]
    assert [e.field for e in report.results[0].errors] == ["LastName"]
    assert world.records("Account", "Name", "Phone", "Industry") == [
        {"Id": globex, "Name": "Globex", "Phone": None, "Industry": None},
        {"Id": initech, "Name": "Initech", "Phone": None, "Industry": "Software"},
    ]
    # but each prospect keeps its company's Account, for the export that fixes it
    assert [(p.email, p.salesforce_account_id) for p in world.prospects()] == [
        ("cy@globex.com", globex),
        ("dee@initech.com", initech),
        ("eve@initech.com", initech),
        ("fay@umbrella.com", None),
    ]


def segment(*, restricted: bool) -> dict[str, Any]:
    values = [{"fullName": "SMB"}, {"fullName": "ENT"}]
    return {
        "type": "Picklist",
        "label": "Segment",
        "valueSet": {"restricted": restricted, "valueSetDefinition": {"value": values}},
    }


def segmented_accounts(world: ExportWorld) -> str:
    """Account.Segment__c, a picklist `industry` goes to; Initech's Account made with "SMB";
    then an admin restricts the picklist, leaving forcebridge's cached describe behind. The
    field's id."""
    field = world.server.org.custom_fields.create(
        {"FullName": "Account.Segment__c", "Metadata": segment(restricted=False)}
    )
    save_org_mapping(
        world.session,
        world.org,
        "Account",
        [("company_name", "Name", FILL_EMPTY), ("industry", "Segment__c", OVERWRITE)],
    )
    world.session.commit()
    world.export("Contact", SEGMENTED, "Ames,ann@initech.com,Initech,SMB")  # describes cached
    world.server.org.custom_fields.update(field, {"Metadata": segment(restricted=True)})
    return field


SEGMENTED = "last_name,email,company_name,industry"


def test_a_contact_joins_its_existing_account_even_when_the_accounts_update_fails(
    world: ExportWorld,
) -> None:
    segmented_accounts(world)

    report = world.export("Contact", SEGMENTED, "Init,dee@initech.com,Initech,Mid")

    [initech] = accounts(world).values()
    [result] = report.results
    assert (result.action, result.account_id) == (Action.CREATED, initech)
    assert contacts(world) == {"ann@initech.com": initech, "dee@initech.com": initech}
    assert [(e.field, e.message.split(":")[0]) for e in result.errors] == [
        ("Segment__c", f"its Account {initech} was not updated")
    ]
    assert report.status is RunStatus.PARTIAL
    assert ("row 2", "Segment__c") in [entry[:2] for entry in world.log(report.run_id)]


def test_an_account_update_that_failed_is_made_by_the_next_export_of_its_contacts(
    world: ExportWorld,
) -> None:
    field = segmented_accounts(world)
    rows = (SEGMENTED, "Init,dee@initech.com,Initech,Mid")
    assert world.export("Contact", *rows).status is RunStatus.PARTIAL
    world.server.org.custom_fields.update(field, {"Metadata": segment(restricted=False)})

    again = world.export("Contact", *rows)

    [initech] = accounts(world).values()
    assert [(r.action, r.errors) for r in again.results] == [(Action.UNCHANGED, ())]
    assert again.status is RunStatus.SUCCEEDED
    assert world.records("Account", "Segment__c") == [{"Id": initech, "Segment__c": "Mid"}]


def test_an_account_is_made_or_changed_only_for_the_contacts_on_it(world: ExportWorld) -> None:
    old, acme = world.create("Account", {"Name": "Old Name Inc"}, {"Name": "Acme"})
    world.create(
        "Contact",
        {"FirstName": "Kim", "LastName": "Keeper", "Email": "kim@oldname.com", "AccountId": old},
        {"FirstName": "Sal", "LastName": "Stays", "Email": "sal@oldname.com", "AccountId": acme},
    )
    rows = (
        HEADER,
        "Kim,Keeper,kim@oldname.com,Fresh Name Corp,,,",  # keeps Old Name Inc
        "Sal,Stays,sal@oldname.com,Acme,,,Software",  # on Acme already, itself unchanged
    )

    rehearsed = world.export("Contact", *rows, dry_run=True)
    report = world.export("Contact", *rows)

    for exported in (rehearsed, report):
        assert [(r.action, r.account_id) for r in exported.results] == [
            (Action.UNCHANGED, old),
            (Action.UNCHANGED, acme),
        ]
    assert [result["account"] for result in rehearsed.to_json()["results"]] == [
        {"action": "unchanged", "values": {}, "errors": []},
        {"action": "updated", "values": {"Industry": "Software"}, "errors": []},
    ]
    assert world.records("Account", "Name", "Industry") == [
        {"Id": old, "Name": "Old Name Inc", "Industry": None},
        {"Id": acme, "Name": "Acme", "Industry": "Software"},
    ]


def test_a_contact_on_another_account_leaves_it_as_it_was_whatever_company_its_row_names(
    world: ExportWorld,
) -> None:
    """Alice was exported at Delta Inc (her prospect keeps Delta's Id); her row now names
    Epsilon GmbH. Delta is not Epsilon: it takes none of Epsilon's values, and Alice stays on
    Delta, which her row reports as unchanged."""
    world.server.org.custom_fields.create(
        {
            "FullName": "Account.Rev__c",
            "Metadata": {"type": "Number", "label": "Rev", "precision": 18, "scale": 0},
        }
    )
    save_org_mapping(
        world.session,
        world.org,
        "Account",
        [
            ("company_name", "Name", FILL_EMPTY),
            ("company_website", "Website", FILL_EMPTY),
            ("industry", "Industry", OVERWRITE),
            ("revenue", "Rev__c", OVERWRITE),
        ],
    )
    world.session.commit()
    delta, epsilon = world.create("Account", {"Name": "Delta Inc"}, {"Name": "Epsilon GmbH"})
    header = "first_name,last_name,email,company_name,company_website,industry,revenue"
    world.export("Contact", header, "Alice,One,alice@delta.io,Delta Inc,,,")
    moved = (header, "Alice,One,alice@delta.io,Epsilon GmbH,epsilon.de,Consulting,777")

    rehearsed = world.export("Contact", *moved, dry_run=True)
    report = world.export("Contact", *moved)

    for exported in (rehearsed, report):
        assert [(r.action, r.account_id) for r in exported.results] == [(Action.UNCHANGED, delta)]
    assert rehearsed.to_json()["results"][0]["account"] == {
        "action": "unchanged",
        "values": {},
        "errors": [],
    }
    assert world.records("Account", "Name", "Website", "Industry", "Rev__c") == [
        {"Id": delta, "Name": "Delta Inc", "Website": None, "Industry": None, "Rev__c": None},
        {"Id": epsilon, "Name": "Epsilon GmbH", "Website": None, "Industry": None, "Rev__c": None},
    ]
    assert contacts(world) == {"alice@delta.io": delta}


def test_a_contact_written_on_its_own_account_fills_it_in(world: ExportWorld) -> None:
    [acme] = world.create("Account", {"Name": "Acme"})
    world.create("Contact", {"LastName": "Stays", "Email": "sal@acme.com", "AccountId": acme})

    report = world.export("Contact", HEADER, "Sal,Stays,sal@acme.com,Acme,,,Software")

    assert [(r.action, r.account_id) for r in report.results] == [(Action.UPDATED, acme)]
    assert world.records("Account", "Industry") == [{"Id": acme, "Industry": "Software"}]


@pytest.mark.parametrize("reverse", [False, True], ids=["as-written", "reversed"])
def test_a_company_name_matches_its_account_whatever_the_spacing_and_the_row_order(
    world: ExportWorld, reverse: bool
) -> None:
    name_only, odd = world.create("Account", {"Name": "NameOnly Inc"}, {"Name": "Odd  Spacing Co"})
    rows = [
        "Ada,Lovelace,ada@nameonly.com,nameonly  inc,,,",
        "Bob,Builder,bob@nameonly.com, NAMEONLY   Inc ,,,",
        "Cy,Globe,cy@odd.com,odd  spacing co,,,",
        "Dee,Init,dee@odd.com,Odd Spacing Co,,,",
    ]

    report = world.export("Contact", HEADER, *(reversed(rows) if reverse else rows))

    assert sorted(accounts(world).values()) == sorted([name_only, odd])
    assert contacts(world) == {
        "ada@nameonly.com": name_only,
        "bob@nameonly.com": name_only,
        "cy@odd.com": odd,
        "dee@odd.com": odd,
    }
    assert report.count(Action.CREATED) == 4


def test_an_account_is_named_with_its_spaces_collapsed_so_any_spelling_finds_it_again(
    world: ExportWorld,
) -> None:
    world.export(
        "Contact",
        HEADER,
        "Ada,Lovelace,ada@pgco10.com,pgco  10,,,",
        "Bob,Builder,bob@pgco10.com,PgCo 10,,,",
    )

    later = world.export("Contact", HEADER, "Cy,Globe,cy@pgco10.com, PgCo 10 ,,,")

    [(name, pgco)] = accounts(world).items()
    assert name == "pgco 10"
    assert [(r.action, r.account_id) for r in later.results] == [(Action.CREATED, pgco)]


def test_a_dry_run_tells_what_the_export_then_does(world: ExportWorld) -> None:
    [old] = world.create("Account", {"Name": "Old Name Inc"})
    world.create(
        "Contact",
        {"FirstName": "Kim", "LastName": "Keeper", "Email": "kim@oldname.com", "AccountId": old},
        {"FirstName": "Olly", "LastName": "Orphan", "Email": "olly@initech.com"},
    )
    rows = (
        HEADER,
        "Kim,Keeper,kim@oldname.com,Fresh Name Corp,,,",
        "Olly,Orphan,olly@initech.com,Initech,,,",
        "Nan,New,nan@initech.com,Initech,,,",
    )

    rehearsed = world.export("Contact", *rows, dry_run=True)
    report = world.export("Contact", *rows)

    expected = [Action.UNCHANGED, Action.UPDATED, Action.CREATED]
    assert [r.action for r in rehearsed.results] == [r.action for r in report.results] == expected
    assert [r.account_action for r in rehearsed.results] == [
        Action.UNCHANGED,
        Action.CREATED,
        Action.CREATED,
    ]
    initech = accounts(world)["Initech"]
    assert sorted(accounts(world)) == ["Initech", "Old Name Inc"]
    assert [r.account_id for r in report.results] == [old, initech, initech]


def test_a_dry_run_says_why_a_contacts_account_would_not_be_made(
    world: ExportWorld, session: Session
) -> None:
    disallow_objects(session, world.org, ["Account"])
    session.commit()
    world.create("Contact", {"LastName": "Lovelace", "Email": "ada@example.com"})

    report = world.export(
        "Contact",
        HEADER,
        "Ada,Lovelace,ada@example.com,Nowhere Inc,,,",
        "Bea,Newman,bea@example.com,Nowhere Inc,,,",
        dry_run=True,
    )

    result, new = report.to_json()["results"]
    assert (result["action"], result["account"]["action"]) == ("updated", "failed")
    [why] = result["account"]["errors"]
    assert why["field"] == "company_name"
    assert "does not allow exports to create Accounts" in why["message"]
    [told] = result["errors"]
    assert told["message"].startswith("its Account would not be created: no Account")
    assert (new["action"], new["account_id"]) == ("failed", None)
    [refused] = new["errors"]
    assert refused["message"].startswith("its Account would not be created: no Account")
