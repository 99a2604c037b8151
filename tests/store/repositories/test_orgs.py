from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from forcebridge.store.errors import AlreadyExists, InvalidValue, NotFound
from forcebridge.store.repositories.orgs import create_org, get_org, list_orgs


def test_an_org_is_found_by_its_name(session: Session) -> None:
    created = create_org(session, "acme")
    session.commit()

    assert get_org(session, "acme").id == created.id
    assert [org.name for org in list_orgs(session)] == ["acme"]


def test_a_second_org_with_the_same_name_is_refused_by_name(session: Session) -> None:
    create_org(session, "acme")
    session.commit()

    with pytest.raises(AlreadyExists, match="org 'acme' already exists"):
        create_org(session, "acme")
    session.rollback()
    assert len(list_orgs(session)) == 1


def test_an_unknown_org_is_named_in_the_error(session: Session) -> None:
    with pytest.raises(NotFound, match="org 'globex' does not exist"):
        get_org(session, "globex")


def test_a_name_typed_in_another_case_is_not_found_but_the_error_names_the_right_one(
    session: Session,
) -> None:
    create_org(session, "Acme")
    create_org(session, "acme-west")
    session.commit()

    with pytest.raises(
        NotFound,
        match=r"org 'acme' does not exist \(names are case-sensitive: did you mean 'Acme'\?\)",
    ):
        get_org(session, "acme")
    assert get_org(session, "Acme").name == "Acme"


def test_names_beyond_ascii_are_found_as_created_and_hinted_in_another_case(
    session: Session,
) -> None:
    create_org(session, "Ωmega")
    create_org(session, "Ärzte")
    session.commit()

    assert get_org(session, "Ωmega").name == "Ωmega"
    with pytest.raises(NotFound, match="did you mean 'Ärzte'"):
        get_org(session, "ärzte")


def test_a_name_that_could_not_be_addressed_is_refused(session: Session) -> None:
    with pytest.raises(InvalidValue, match="must not contain '/'"):
        create_org(session, "acme/west")
