"""An export checks mappings and values against the describe the client cached; before it
refuses anything on a cached describe, it asks Salesforce for the describe anew (once per
object per run), so what an admin changed since is what counts."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from forcebridge.mapping.describe import parse_describe
from forcebridge.mapping.model import Mapping
from forcebridge.salesforce.usage import EndpointKind
from forcebridge.sandbox.server import SandboxServer
from forcebridge.sync.export_errors import MappingNotValid
from forcebridge.sync.export_model import Action, FieldError
from forcebridge.sync.export_plan import Outcome
from forcebridge.sync.export_prepare import ObjectRules
from forcebridge.sync.export_targets import ExportTargets, refuted
from tests.conftest import SandboxFactory
from tests.salesforce.conftest import client_for
from tests.sync.exporting import ExportWorld


@pytest.fixture
def world(session: Session, make_sandbox: SandboxFactory, tmp_path: Path) -> Iterator[ExportWorld]:
    with ExportWorld.open(session, make_sandbox(), tmp_path) as world:
        yield world


def describes(world: ExportWorld) -> int:
    return world.client.usage.snapshot().calls.get(EndpointKind.DESCRIBE, 0)


def lead_field(world: ExportWorld, name: str, metadata: dict[str, Any]) -> str:
    return world.server.org.custom_fields.create(
        {"FullName": f"Lead.{name}", "Metadata": {"label": name.removesuffix("__c"), **metadata}}
    )


def picklist(*, restricted: bool) -> dict[str, Any]:
    values = [{"fullName": "VP"}, {"fullName": "Director"}]
    return {
        "type": "Picklist",
        "valueSet": {"restricted": restricted, "valueSetDefinition": {"value": values}},
    }


def test_a_mapping_a_cached_describe_refuses_is_verified_against_a_fresh_one_first(
    world: ExportWorld,
) -> None:
    seg = lead_field(world, "Seg__c", picklist(restricted=True))
    world.lead_mapping_with("seniority", "Seg__c")
    rows = ("last_name,email,company_name,seniority", "Lovelace,ada@example.com,AE,Chief")
    with pytest.raises(MappingNotValid, match=r"Seg \(Seg__c\) only takes its picklist values"):
        world.export("Lead", *rows)  # the restricted describe is the one cached now
    world.server.org.custom_fields.update(
        seg, {"Metadata": {"label": "Seg", **picklist(restricted=False)}}
    )
    before = describes(world)

    report = world.export("Lead", *rows)

    assert [r.action for r in report.results] == [Action.CREATED]
    assert describes(world) - before == 1
    assert [r["Seg__c"] for r in world.records("Lead", "Seg__c")] == ["Chief"]


def test_a_value_a_cached_describe_refuses_is_checked_against_a_fresh_one_before_failing(
    world: ExportWorld,
) -> None:
    code = lead_field(world, "Code__c", {"type": "Text", "length": 5})
    world.lead_mapping_with("department", "Code__c")
    header = "last_name,email,company_name,department"
    [first] = world.export("Lead", header, "Lovelace,ada@example.com,AE,Research").results
    assert first.action is Action.FAILED  # 8 characters, and Code__c held 5
    world.server.org.custom_fields.update(
        code, {"Metadata": {"label": "Code", "type": "Text", "length": 40}}
    )
    before = describes(world)

    [again] = world.export("Lead", header, "Lovelace,ada@example.com,AE,Research").results

    assert (again.action, again.errors) == (Action.CREATED, ())
    assert describes(world) - before == 1
    assert [r["Code__c"] for r in world.records("Lead", "Code__c")] == ["Research"]

    before = describes(world)
    too_long = world.export(
        "Lead", header, f"Lovelace,ada@example.com,AE,{'R' * 41}", f"Builder,b@x.com,B,{'R' * 42}"
    )

    assert [r.action for r in too_long.results] == [Action.FAILED, Action.FAILED]
    assert describes(world) - before == 1, "asked anew once in the run, then refused"


def test_a_custom_field_no_longer_required_is_not_asked_for_on_a_cached_describe(
    world: ExportWorld,
) -> None:
    region = lead_field(world, "Region__c", {"type": "Text", "length": 40, "required": True})
    world.lead_mapping_with("state", "Region__c")
    rows = ("last_name,email,company_name,state", "Lovelace,ada@example.com,AE,")
    [first] = world.export("Lead", *rows).results
    assert [(e.field, e.code) for e in first.errors] == [("Region__c", "required_value_missing")]
    world.server.org.custom_fields.update(
        region, {"Metadata": {"label": "Region", "type": "Text", "length": 40}}
    )

    [again] = world.export("Lead", *rows).results

    assert (again.action, again.errors) == (Action.CREATED, ())
    assert len(world.records("Lead")) == 1


def test_a_failing_row_names_no_custom_field_no_longer_required_on_a_cached_describe(
    world: ExportWorld,
) -> None:
    """Whether a failing row names the required fields it leaves empty is decided once its
    person is known to be new; a custom one the cached describe calls required is checked
    against a fresh describe first."""
    region = lead_field(world, "Region__c", {"type": "Text", "length": 40, "required": True})
    world.lead_mapping_with("state", "Region__c")
    header = "last_name,email,company_name,state,employees"
    [first] = world.export("Lead", header, "Lovelace,ada@example.com,AE,,ten").results
    assert [e.field for e in first.errors] == ["employees", "Region__c"]
    world.server.org.custom_fields.update(
        region, {"Metadata": {"label": "Region", "type": "Text", "length": 40}}
    )
    before = describes(world)

    [again] = world.export("Lead", header, "Lovelace,ada@example.com,AE,,ten").results

    assert [e.field for e in again.errors] == ["employees"]
    assert describes(world) - before == 1


def test_a_value_salesforce_refuses_on_a_field_changed_since_has_its_describe_fetched_anew(
    world: ExportWorld,
) -> None:
    """An admin restricts a picklist after the describe was cached: Salesforce refuses the
    values it does not allow, and the describe is fetched anew at once, so the next export is
    refused up front, naming the mapping's problem, instead of failing the same rows again."""
    seg = lead_field(world, "Seg__c", picklist(restricted=False))
    world.lead_mapping_with("seniority", "Seg__c")
    header = "last_name,email,company_name,seniority"
    world.export("Lead", header, "Lovelace,ada@example.com,AE,VP")  # the describe is cached
    world.server.org.custom_fields.update(
        seg, {"Metadata": {"label": "Seg", **picklist(restricted=True)}}
    )
    rows = (header, "Builder,bob@example.com,BB,Chief", "Curie,cy@example.com,CC,Director")

    refused = world.export("Lead", *rows)

    assert [(r.action, [e.code for e in r.errors]) for r in refused.results] == [
        (Action.FAILED, ["INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"]),
        (Action.CREATED, []),
    ]
    with pytest.raises(MappingNotValid, match=r"Seg \(Seg__c\) only takes its picklist values"):
        world.export("Lead", *rows)
    assert len(world.records("Lead")) == 2


@pytest.mark.parametrize(
    ("field", "code", "out_of_date"),
    [
        ("Industry", "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST", True),
        ("industry", "STRING_TOO_LONG", True),  # Salesforce's field names ignore case
        ("Industry", "INVALID_FIELD_FOR_INSERT_UPDATE", True),
        ("Industry", "FIELD_INTEGRITY_EXCEPTION", True),
        ("Region__c", "REQUIRED_FIELD_MISSING", True),  # a field the describe does not require
        ("LastName", "REQUIRED_FIELD_MISSING", False),  # the describe knew: not its doing
        ("Industry", "FIELD_CUSTOM_VALIDATION_EXCEPTION", False),  # a validation rule
        ("Industry", "UNABLE_TO_LOCK_ROW", False),
        ("Title", "STRING_TOO_LONG", False),  # not a field the export wrote
        (None, "INVALID_FIELD", False),
    ],
)
def test_only_a_refusal_on_a_written_fields_definition_says_the_describe_is_out_of_date(
    sandbox: SandboxServer, field: str | None, code: str, out_of_date: bool
) -> None:
    mapping = Mapping.of(
        ("last_name", "LastName"), ("company_name", "Company"), ("industry", "Industry")
    )
    with client_for(sandbox).client as client:
        lead = ObjectRules.of(parse_describe(client.describe("Lead")), mapping)
    refusal = Outcome(Action.FAILED, None, (FieldError(field, "refused", code),))

    found = refuted(ExportTargets(lead), {"Lead": [Outcome(Action.CREATED, "00Q1"), refusal]})

    assert found == ({"Lead"} if out_of_date else set())
