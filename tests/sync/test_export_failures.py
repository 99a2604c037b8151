"""What goes wrong in an export stays with the prospects it concerns: the others are exported."""

from __future__ import annotations

import copy
import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from forcebridge.mapping.model import UpdateOption
from forcebridge.salesforce.describe_cache import CachedDescribe, DescribeKey, InMemoryDescribeCache
from forcebridge.sandbox.clients import API_VERSION
from forcebridge.store.models import Run, RunStatus
from forcebridge.store.repositories.mappings import save_org_mapping
from forcebridge.sync.export import export_file
from forcebridge.sync.export_errors import MappingNotValid
from forcebridge.sync.export_model import Action
from tests.conftest import SandboxFactory
from tests.salesforce.conftest import client_for
from tests.sync.exporting import ExportWorld

HEADER = "first_name,last_name,email,company_name,job_title,industry"


@pytest.fixture
def world(session: Session, make_sandbox: SandboxFactory, tmp_path: Path) -> Iterator[ExportWorld]:
    with ExportWorld.open(session, make_sandbox(), tmp_path) as world:
        yield world


def test_bad_rows_fail_alone_naming_their_row_and_field_and_each_problem_is_logged(
    world: ExportWorld,
) -> None:
    report = world.export(
        "Lead",
        HEADER + ",notes",
        "Ada,Lovelace,ada@example.com,AE,CTO,,",
        "Bob,Builder,bob-at-example.com,Builders,,,",
        f"Cy,Long,cy@example.com,Longworth,{'T' * 129},,",
        "Dee,Nocompany,dee@example.com,,,,",
        "Eve,Notes,eve@example.com,EN,,,call on monday",
        "Fay,Extra,fay@example.com,FE,,,,surplus",
        "Gus,Good,gus@example.com,GG,,,",
    )

    assert [(r.row, r.action, [e.field for e in r.errors]) for r in report.results] == [
        (2, Action.CREATED, []),
        (3, Action.FAILED, ["email"]),
        (4, Action.FAILED, ["job_title"]),
        (5, Action.FAILED, ["Company"]),
        (6, Action.FAILED, ["column 'notes'"]),
        (7, Action.FAILED, [None]),
        (8, Action.CREATED, []),
    ]
    assert (
        report.results[2].errors[0].message.endswith("has 129 characters; Title holds at most 128")
    )
    assert [r["Email"] for r in world.records("Lead", "Email")] == [
        "ada@example.com",
        "gus@example.com",
    ]
    assert report.status is RunStatus.PARTIAL
    run = world.session.get(Run, report.run_id)
    assert run is not None and (run.read, run.created, run.failed) == (7, 2, 5)
    assert world.log(report.run_id) == [
        ("row 3", "email", "invalid_value"),
        ("row 4", "job_title", "invalid_value"),
        ("row 5", "Company", "required_value_missing"),
        ("row 6", "column 'notes'", "invalid_value"),
        ("row 7", None, "invalid_value"),
    ]


def restricted_industry(folder: Path) -> Path:
    """A schema folder restricting Lead's Industry to two values, as an admin might."""
    folder.mkdir()
    industry = {
        "name": "Industry",
        "label": "Industry",
        "type": "picklist",
        "length": 255,
        "restrictedPicklist": True,
        "picklistValues": [
            {"value": value, "label": value, "active": True} for value in ("Banking", "Energy")
        ],
    }
    (folder / "Lead.json").write_text(json.dumps({"name": "Lead", "fields": [industry]}))
    return folder


def test_a_picklist_value_the_org_refuses_fails_that_prospect_with_salesforces_reason(
    session: Session, make_sandbox: SandboxFactory, tmp_path: Path
) -> None:
    server = make_sandbox(schema_dir=restricted_industry(tmp_path / "schema"))
    # forcebridge last read the describe before the admin restricted the picklist
    before = copy.deepcopy(client_for(server).client.describe("Lead"))
    for field in before["fields"]:
        if field["name"] == "Industry":
            field["restrictedPicklist"] = False
    cache = InMemoryDescribeCache()
    now = dt.datetime.now(dt.UTC)
    cache.put(DescribeKey("test-connection", API_VERSION, "Lead"), CachedDescribe(before, now, now))

    with ExportWorld.open(session, server, tmp_path, describe_cache=cache) as world:
        report = world.export(
            "Lead",
            HEADER,
            "Ada,Lovelace,ada@example.com,AE,,Banking",
            "Bob,Builder,bob@example.com,Builders,,Construction",
        )

        assert [r.action for r in report.results] == [Action.CREATED, Action.FAILED]
        [error] = report.results[1].errors
        assert (error.field, error.code) == ("Industry", "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST")
        assert error.message == "Industry: bad value for restricted picklist field: Construction"
        assert world.records("Lead", "Industry")[0]["Industry"] == "Banking"


def test_free_text_into_a_restricted_picklist_is_refused_before_anything_is_written(
    session: Session, make_sandbox: SandboxFactory, tmp_path: Path
) -> None:
    server = make_sandbox(schema_dir=restricted_industry(tmp_path / "schema"))

    with ExportWorld.open(session, server, tmp_path) as world:
        with pytest.raises(MappingNotValid) as refused:
            world.export("Lead", HEADER, "Ada,Lovelace,ada@example.com,AE,,Banking")

        assert "Industry (Industry) only takes its picklist values" in str(refused.value)
        assert world.records("Lead") == []


def test_row_locks_that_outlast_the_retries_fail_their_prospects_until_a_later_export(
    session: Session, make_sandbox: SandboxFactory, tmp_path: Path
) -> None:
    server = make_sandbox(lock_rate=0.6)
    people = [f"P,Person{i},p{i}@example.com,Co{i},," for i in range(30)]

    with ExportWorld.open(session, server, tmp_path, max_attempts=2) as world:
        first = world.export("Lead", HEADER, *people)

        failed = [r for r in first.results if r.action is Action.FAILED]
        assert failed, "with 2 tries at 60% locks, some of 30 prospects fail"
        assert {(e.field, e.code) for r in failed for e in r.errors} == {
            (None, "UNABLE_TO_LOCK_ROW")
        }
        assert len(world.records("Lead")) == 30 - len(failed)

        for _ in range(20):
            again = world.export("Lead", HEADER, *people)
            if not again.count(Action.FAILED):
                break
        leads = world.records("Lead", "Email")
        assert sorted(r["Email"] for r in leads) == sorted(f"p{i}@example.com" for i in range(30))


class Interrupted:
    """A progress display the user interrupts (Ctrl-C) once the writing starts."""

    def step(self, description: str, total: int | None) -> None:
        if description.startswith("Writing"):
            raise KeyboardInterrupt

    def advance(self, done: int) -> None:
        """Nothing to show."""


def test_an_interrupted_export_leaves_its_run_failed_not_running(world: ExportWorld) -> None:
    with pytest.raises(KeyboardInterrupt):
        export_file(
            world.session,
            world.client,
            world.org,
            "Lead",
            world.csv(HEADER, "Ada,Lovelace,ada@example.com,AE,,"),
            connection_id=world.connection.id,
            progress=Interrupted(),
        )

    [run] = world.session.scalars(select(Run)).all()
    assert (run.status, run.error) == (
        RunStatus.FAILED,
        "interrupted (Ctrl+C); what it had committed is kept",
    )
    assert world.records("Lead") == []


def test_a_contact_export_names_the_problems_of_both_its_mappings_at_once(
    world: ExportWorld,
) -> None:
    """The Contact and the Account mappings are both wrong: one refusal names both, so the
    admin does not fix one, retry, and only then learn of the other."""
    overwrite = UpdateOption.OVERWRITE
    wrong = {
        "Contact": [("last_name", "LastName", overwrite), ("department", "Dept2__c", overwrite)],
        "Account": [("company_name", "Name", overwrite), ("state", "Region__c", overwrite)],
    }
    for sobject, rows in wrong.items():
        save_org_mapping(world.session, world.org, sobject, rows)
    world.session.commit()

    with pytest.raises(MappingNotValid) as refused:
        world.export("Contact", "last_name,company_name", "Lovelace,AE")

    assert set(refused.value.problems) == {"Contact", "Account"}
    assert "Dept2__c" in str(refused.value) and "Region__c" in str(refused.value)


def test_a_mapped_field_deleted_in_salesforce_refuses_the_export_naming_it(
    world: ExportWorld,
) -> None:
    tier = world.server.org.custom_fields.create(
        {"FullName": "Lead.Tier__c", "Metadata": {"type": "Text", "label": "Tier", "length": 20}}
    )
    world.lead_mapping_with("seniority", "Tier__c")
    rows = ("last_name,email,company_name,seniority", "Lovelace,ada@example.com,AE,Senior")
    world.export("Lead", *rows)  # the describe naming Tier__c is cached now
    world.server.org.custom_fields.delete(tier)

    with pytest.raises(MappingNotValid) as refused:
        world.export("Lead", *rows)
    runs = world.session.scalars(select(Run).order_by(Run.id)).all()
    with pytest.raises(MappingNotValid) as again:  # refused up front: no run started
        world.export("Lead", *rows)

    assert "Tier__c" in str(refused.value) and "INVALID_FIELD" not in str(refused.value)
    assert [(run.status, run.error) for run in runs] == [
        (RunStatus.SUCCEEDED, None),
        (RunStatus.FAILED, str(refused.value)),
    ]
    assert str(again.value) == str(refused.value)
    assert world.session.scalars(select(Run)).all() == runs
