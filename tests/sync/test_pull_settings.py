"""Configuring what a service pulls against the sandbox: one refusal names every problem, each
with the setting it is about, so a page marks every control at fault at once."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from forcebridge.store.models import PullObjects
from forcebridge.sync.pull_settings import ConfigurationRefused, PullChange, configure_pull
from tests.conftest import SandboxFactory
from tests.sandbox.clocks import Clock
from tests.sync.pull_world import PullWorld


@pytest.fixture
def world(session: Session, make_sandbox: SandboxFactory) -> PullWorld:
    clock = Clock()
    return PullWorld(session, make_sandbox(clock=clock), clock)


def test_a_query_and_a_routing_rule_are_refused_together_each_by_its_setting(
    world: PullWorld,
) -> None:
    service = world.service(pull_objects=PullObjects.CONTACTS)
    change = PullChange(
        soql="SELECT Id, FirstNam, Email FROM Contact WHERE Foo__c = 1", routing="Region__c = 'EU'"
    )

    with pytest.raises(ConfigurationRefused) as refused:
        configure_pull(world.session, world.client, service, change)

    query, rule = refused.value.details
    assert query.report is not None
    assert [p.field for p in query.report.problems] == ["FirstNam", "Foo__c"]
    assert (query.setting, query.sobject) == (None, "Contact")  # the page marks the query's rows
    assert (rule.setting, rule.sobject, rule.report) == ("routing", "Contact", None)
    assert rule.text == "Contact: the routing rule of support: Contact has no field 'Region__c'"
    world.session.rollback()
    assert (service.pull_objects, service.pull_soql, service.routing_condition) == (
        PullObjects.CONTACTS,
        None,
        None,
    )
