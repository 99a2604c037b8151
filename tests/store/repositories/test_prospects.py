from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy.orm import Session

from forcebridge.store.errors import InvalidValue
from forcebridge.store.repositories.connections import create_connection
from forcebridge.store.repositories.orgs import create_org
from forcebridge.store.repositories.prospects import (
    SalesforceIds,
    get_prospects,
    keep_salesforce_ids,
    prospects_by_email,
    salesforce_ids,
    save_prospects,
)
from tests.store.samples import LOGIN, TOKENS


def test_a_saved_record_takes_over_the_prospect_with_its_email(session: Session) -> None:
    acme = create_org(session, "acme")
    [ada] = save_prospects(
        session, acme, [{"first_name": "Ada", "email": "ada@example.com", "job_title": "CTO"}]
    )
    session.commit()

    [again, bob] = save_prospects(
        session,
        acme,
        [
            {
                "first_name": "Augusta",
                "email": "ADA@example.com",
                "job_title": None,
                "revenue": Decimal("1.5"),
            },
            {"first_name": "Bob"},
        ],
    )
    session.commit()

    assert again.id == ada.id
    assert (again.first_name, again.job_title, again.revenue) == ("Augusta", "CTO", Decimal("1.5"))
    assert bob.id != ada.id
    assert set(prospects_by_email(session, acme, ["Ada@Example.com", "nobody@x.com"])) == {
        "ada@example.com"
    }


def test_records_sharing_an_email_are_one_prospect_with_the_first_values(
    session: Session,
) -> None:
    acme = create_org(session, "acme")

    first, second = save_prospects(
        session,
        acme,
        [
            {"first_name": "Ada", "email": "ada@example.com"},
            {"first_name": "Augusta", "email": "ada@example.com", "job_title": "CTO"},
        ],
    )

    assert first is second
    assert (first.first_name, first.job_title) == ("Ada", "CTO")


def test_orgs_do_not_share_prospects(session: Session) -> None:
    acme, globex = create_org(session, "acme"), create_org(session, "globex")
    [mine] = save_prospects(session, acme, [{"email": "ada@example.com"}])
    [theirs] = save_prospects(session, globex, [{"email": "ada@example.com"}])

    assert mine.id != theirs.id
    with pytest.raises(InvalidValue, match=f"org 'globex' has no prospect {mine.id}"):
        get_prospects(session, globex, [mine.id])


def test_a_field_prospects_lack_is_refused(session: Session) -> None:
    with pytest.raises(InvalidValue, match="prospects have no field favourite_color"):
        save_prospects(session, create_org(session, "acme"), [{"favourite_color": "red"}])


def test_the_salesforce_ids_an_export_gave_are_kept_and_none_leaves_one_as_it_is(
    session: Session,
) -> None:
    acme = create_org(session, "acme")
    main = create_connection(session, acme, "main", LOGIN, TOKENS)
    [ada] = save_prospects(session, acme, [{"email": "ada@example.com"}])
    session.flush()
    ids = SalesforceIds(contact_id="003A", account_id="001A")
    keep_salesforce_ids(session, main.id, [(ada, ids)])

    keep_salesforce_ids(session, main.id, [(ada, SalesforceIds(lead_id="00QA"))])
    session.commit()

    [stored] = get_prospects(session, acme, [ada.id])
    assert (
        stored.salesforce_lead_id,
        stored.salesforce_contact_id,
        stored.salesforce_account_id,
    ) == (
        "00QA",
        "003A",
        "001A",
    )


def test_salesforce_ids_belong_to_the_connection_that_gave_them(session: Session) -> None:
    acme = create_org(session, "acme")
    first = create_connection(session, acme, "first", LOGIN, TOKENS)
    other = create_connection(session, acme, "other", LOGIN, TOKENS)
    [ada] = save_prospects(session, acme, [{"email": "ada@example.com"}])
    session.flush()
    keep_salesforce_ids(session, first.id, [(ada, SalesforceIds("00QA", "003A", "001A"))])

    elsewhere = salesforce_ids(ada, other.id)
    keep_salesforce_ids(session, other.id, [(ada, SalesforceIds(lead_id="00QB"))])

    assert elsewhere == SalesforceIds()
    assert salesforce_ids(ada, other.id) == SalesforceIds(lead_id="00QB")
    assert salesforce_ids(ada, first.id) == SalesforceIds()
