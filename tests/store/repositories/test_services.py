from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from forcebridge.store.errors import AlreadyExists, InvalidValue, NotFound
from forcebridge.store.models import ActivityTarget, PullObjects
from forcebridge.store.repositories.connections import create_connection
from forcebridge.store.repositories.orgs import create_org
from forcebridge.store.repositories.services import create_service, get_service, list_services
from tests.store.samples import LOGIN, TOKENS


def test_a_service_is_found_as_org_slash_service_with_its_defaults(session: Session) -> None:
    acme = create_org(session, "acme")
    create_service(session, acme, "support", timezone="Europe/Paris", region="fr")
    session.commit()

    service = get_service(session, "acme/support")
    assert (service.timezone, service.region, service.connection) == ("Europe/Paris", "FR", None)
    assert service.pull_objects is PullObjects.BOTH
    assert service.pull_interval_minutes == 5
    assert service.activities_to is ActivityTarget.BOTH
    assert service.activities_interval_minutes == 60
    assert not service.pull_update_only


def test_service_names_are_unique_within_an_org_only(session: Session) -> None:
    acme, globex = create_org(session, "acme"), create_org(session, "globex")
    create_service(session, acme, "support")
    create_service(session, globex, "support")
    session.commit()
    assert [s.name for s in list_services(session, acme)] == ["support"]

    with pytest.raises(AlreadyExists, match="service 'acme/support' already exists"):
        create_service(session, acme, "support")


def test_a_missing_org_or_service_is_named(session: Session) -> None:
    create_org(session, "acme")
    session.commit()

    with pytest.raises(NotFound, match="org 'globex' does not exist"):
        get_service(session, "globex/support")
    with pytest.raises(NotFound, match="service 'acme/sales' does not exist"):
        get_service(session, "acme/sales")


def test_a_service_typed_in_another_case_is_named_as_it_is_spelled(session: Session) -> None:
    create_service(session, create_org(session, "Acme"), "Support")
    session.commit()

    with pytest.raises(NotFound, match="did you mean 'Acme'"):
        get_service(session, "acme/Support")
    with pytest.raises(NotFound, match="did you mean 'Acme/Support'"):
        get_service(session, "Acme/support")


def test_an_unknown_time_zone_or_phone_region_is_refused(session: Session) -> None:
    acme = create_org(session, "acme")
    with pytest.raises(InvalidValue, match="unknown time zone 'Europe/Parsi'"):
        create_service(session, acme, "support", timezone="Europe/Parsi")
    with pytest.raises(InvalidValue, match="unknown phone region 'XX'"):
        create_service(session, acme, "support", region="XX")


@pytest.mark.parametrize("name", ["Z" * 300, "Z" * 4000, "Europe", "Europe/Paris\x00"])
def test_a_long_or_odd_time_zone_is_refused_as_unknown_quoting_its_start(
    session: Session, name: str
) -> None:
    acme = create_org(session, "acme")
    with pytest.raises(InvalidValue) as refused:
        create_service(session, acme, "support", timezone=name)
    expected = f"{name[:40]!r}... ({len(name):,} characters)" if len(name) > 40 else repr(name)
    assert str(refused.value) == (
        f"unknown time zone {expected}: use an IANA name such as 'Europe/Paris' or 'UTC'"
    )


def test_a_service_cannot_use_another_orgs_connection(session: Session) -> None:
    acme = create_org(session, "acme")
    connection = create_connection(session, acme, "main", LOGIN, TOKENS)
    globex = create_org(session, "globex")
    with pytest.raises(InvalidValue, match="'main' belongs to another org than 'globex'"):
        create_service(session, globex, "support", connection=connection)


def test_each_new_service_gets_a_task_key_scope_of_its_own_that_is_no_number(
    session: Session,
) -> None:
    org = create_org(session, "scoped")
    scopes = [create_service(session, org, name).task_key_scope for name in ("a", "b")]

    assert len(set(scopes)) == 2
    assert all(scope and not scope.isdigit() for scope in scopes)
