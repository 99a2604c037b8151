"""A number's stored text is the same whichever way Salesforce sent it: a REST read (JSON
doubles, `5.0`) and a Bulk API 2.0 read (CSV text, `5`) give the same contact book."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy.orm import Session

from forcebridge.sandbox.seed import seed
from forcebridge.sandbox.server import SandboxServer
from forcebridge.store.models import (
    CustomContactField,
    CustomFieldType,
    PullObjects,
    Service,
    UpdateOption,
)
from forcebridge.store.repositories.contacts import list_contacts
from forcebridge.store.repositories.mappings import save_mapping
from forcebridge.sync.pull_plan import PAGE_SIZE
from tests.conftest import SandboxFactory
from tests.sandbox.clocks import Clock
from tests.sync.pull_world import PullWorld, book

OVERWRITE = UpdateOption.OVERWRITE
NUMBERS = {
    "Score__c": {"type": "Percent", "label": "Score", "precision": 5, "scale": 1},
    "Revenue__c": {"type": "Currency", "label": "Revenue", "precision": 18, "scale": 2},
    "Employees__c": {"type": "Number", "label": "Employees", "precision": 18, "scale": 0},
}
MAPPED = {  # Salesforce field -> (a number field of the service's, a text field of its own)
    "Score__c": ("score", "score_text"),
    "Revenue__c": ("revenue", "revenue_text"),
    "Employees__c": ("employees", "employees_text"),
    "Account.AnnualRevenue": ("annual", "annual_text"),
}


@pytest.fixture
def backend() -> str:
    """The text stored does not depend on the database: SQLite is enough."""
    return "sqlite"


def numbers_kept(session: Session, world: PullWorld) -> Service:
    """A service mapping each number of `MAPPED` into a number field and a text field of its
    own, and `Employees__c` into `title` as well."""
    service = world.service(pull_objects=PullObjects.CONTACTS)
    for number, text in MAPPED.values():
        session.add(
            CustomContactField(service_id=service.id, name=number, type=CustomFieldType.NUMBER)
        )
        session.add(CustomContactField(service_id=service.id, name=text, type=CustomFieldType.TEXT))
    rows = [("LastName", "last_name", OVERWRITE), ("Employees__c", "title", OVERWRITE)]
    for source, (number, text) in MAPPED.items():
        rows += [(source, number, OVERWRITE), (source, text, OVERWRITE)]
    save_mapping(session, service, "Contact", rows)
    session.commit()
    return service


def org_with_numbers(sandbox: SandboxServer) -> None:
    """More records than a REST page holds (so a low threshold reads through Bulk), and
    two people whose numbers each wire form spells its own way."""
    for name, metadata in NUMBERS.items():
        sandbox.org.custom_fields.create({"FullName": f"Contact.{name}", "Metadata": metadata})
    seed(sandbox.org, contacts=PAGE_SIZE + 1, leads=0, accounts=5, seed=7)
    org = sandbox.org
    whole = org.create("Account", {"Name": "Whole", "AnnualRevenue": Decimal("45220000")})
    big = org.create("Account", {"Name": "Big", "AnnualRevenue": Decimal("1390000000")})
    org.create(
        "Contact",
        {"LastName": "Five", "AccountId": whole, "Score__c": Decimal(5), "Employees__c": 3},
    )
    org.create(
        "Contact",
        {"LastName": "Cents", "AccountId": big, "Revenue__c": Decimal("0.3"), "Score__c": 0},
    )


def people(session: Session, service: Service) -> dict[str, tuple[object, ...]]:
    """The two people's stored values, by last name."""
    return {
        entry["last_name"]: (entry["title"], entry["custom"])
        for entry in book(session, service)
        if entry["last_name"] in ("Five", "Cents")
    }


def test_rest_and_bulk_reads_store_a_numbers_text_by_its_fields_scale(
    session: Session, make_sandbox: SandboxFactory
) -> None:
    clock = Clock()
    sandbox = make_sandbox(clock=clock)
    org_with_numbers(sandbox)
    rest_world = PullWorld(session, sandbox, clock)
    bulk_world = PullWorld(session, sandbox, clock, org="globex")
    by_rest, by_bulk = numbers_kept(session, rest_world), numbers_kept(session, bulk_world)
    clock.advance(minutes=10)

    before = sandbox.usage().by_kind.get("bulk", 0)
    rest_world.pull(by_rest)
    assert sandbox.usage().by_kind.get("bulk", 0) == before
    bulk_world.pull(by_bulk, bulk_threshold=1)
    assert sandbox.usage().by_kind.get("bulk", 0) > before

    assert people(session, by_bulk) == people(session, by_rest)
    assert people(session, by_rest) == {
        "Five": (
            "3",
            {
                "score": "5.0",
                "score_text": "5.0",
                "employees": "3",
                "employees_text": "3",
                "annual": "45220000",
                "annual_text": "45220000",
            },
        ),
        "Cents": (
            None,
            {
                "score": "0.0",
                "score_text": "0.0",
                "revenue": "0.30",
                "revenue_text": "0.30",
                "annual": "1390000000",
                "annual_text": "1390000000",
            },
        ),
    }
    assert book(session, by_bulk) == book(session, by_rest)


def test_a_number_stored_in_another_spelling_is_written_again_once_at_its_records_next_read(
    session: Session, make_sandbox: SandboxFactory
) -> None:
    """As a Bulk read stored it before its text was made one: `5` for a Percent(5, 1)."""
    clock = Clock()
    world = PullWorld(session, make_sandbox(clock=clock), clock)
    world.sandbox.org.custom_fields.create(
        {"FullName": "Contact.Score__c", "Metadata": NUMBERS["Score__c"]}
    )
    service = world.service(pull_objects=PullObjects.CONTACTS)
    session.add(
        CustomContactField(service_id=service.id, name="score", type=CustomFieldType.NUMBER)
    )
    rows = [("LastName", "last_name", OVERWRITE), ("Score__c", "score", OVERWRITE)]
    save_mapping(session, service, "Contact", rows)
    session.commit()
    world.create("Contact", LastName="Five", Score__c=Decimal(5))
    world.later()
    world.pull(service)
    [contact] = list_contacts(session, service)
    contact.custom = {"score": "5"}
    session.commit()
    world.later()

    again = world.pull(service, full=True)
    world.later()
    once_more = world.pull(service, full=True)

    assert [entry["custom"] for entry in book(session, service)] == [{"score": "5.0"}]
    assert (again.updated, again.unchanged) == (1, 0)
    assert (once_more.updated, once_more.unchanged) == (0, 1)
