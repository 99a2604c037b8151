"""Verifying a service's settings for one stream against the sandbox's describes: every problem
at once, the mapping's, the query's and the routing rule's, each said apart for the page."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from forcebridge.jobs.failures import classify
from forcebridge.store.models import PullObjects, Service, UpdateOption
from forcebridge.store.repositories.mappings import save_mapping
from forcebridge.sync.pull_members import RoutingRefused, StreamFailed, verify_member
from forcebridge.sync.pull_plan import CONTACTS, service_streams
from tests.conftest import SandboxFactory
from tests.sandbox.clocks import Clock
from tests.sync.pull_world import PullWorld

QUERY = "SELECT Id, FirstNam, Email FROM Contact WHERE Foo__c = 1"
"""A custom query naming two fields the sandbox's Contact lacks."""


@pytest.fixture
def world(session: Session, make_sandbox: SandboxFactory) -> PullWorld:
    clock = Clock()
    return PullWorld(session, make_sandbox(clock=clock), clock)


def _refusal(world: PullWorld, service: Service, rule: str) -> StreamFailed:
    (stream,) = service_streams(service.pull_objects, service.pull_soql)
    with pytest.raises(StreamFailed) as refused:
        verify_member(world.session, world.client, service, stream, rule, refresh=True)
    return refused.value


def test_the_query_and_the_routing_rule_are_refused_together_each_said_apart(
    world: PullWorld,
) -> None:
    """The rule is checked though the query failed: one pass names FirstNam, Foo__c and
    Region__c, the rule's apart for its own control; the run still fails for its query."""
    service = world.service(pull_objects=PullObjects.CUSTOM, pull_soql=QUERY)

    failure = _refusal(world, service, "Region__c = 'EU' AND Zone__c = 2")

    said = str(failure)
    assert all(name in said for name in ("FirstNam", "Foo__c", "Region__c", "Zone__c"))
    assert said.startswith("The query and its mapping have 3 problems:")
    assert failure.rule == (
        "the routing rule of support: Contact has no field 'Region__c'; "
        "Contact has no field 'Zone__c'"
    )
    assert failure.mapping is not None and "Region__c" not in failure.mapping
    assert failure.report is not None
    assert [p.field for p in failure.report.problems] == ["FirstNam", "Foo__c"]
    assert not isinstance(failure, RoutingRefused)
    assert classify(failure).problem == "query_invalid"  # what a run records, as before


def test_a_mapping_and_a_routing_rule_that_does_not_parse_are_refused_together(
    world: PullWorld,
) -> None:
    service = world.service(pull_objects=PullObjects.CONTACTS)
    save_mapping(world.session, service, "Contact", [("Tier__c", "title", UpdateOption.OVERWRITE)])
    world.session.commit()

    failure = _refusal(world, service, "Region__c = ")

    assert "Tier__c" in str(failure) and "routing condition 'Region__c = '" in str(failure)
    assert failure.rule is not None and failure.rule.startswith("routing condition")
    assert failure.mapping is not None and "Tier__c" in failure.mapping
    assert classify(failure).problem == "mapping_invalid"


def test_a_routing_rule_alone_is_refused_as_before(world: PullWorld) -> None:
    service = world.service(pull_objects=PullObjects.CONTACTS)

    failure = _refusal(world, service, "Region__c = 'EU'")

    assert isinstance(failure, RoutingRefused)
    assert str(failure) == "the routing rule of support: Contact has no field 'Region__c'"
    assert (failure.rule, failure.mapping) == (str(failure), None)
    assert classify(failure).problem == "mapping_invalid"


def test_sound_settings_verify(world: PullWorld) -> None:
    service = world.service(pull_objects=PullObjects.CONTACTS)

    verified = verify_member(world.session, world.client, service, CONTACTS, "LastName != null")

    assert (verified.sobject, verified.condition_fields) == ("Contact", ("LastName",))
