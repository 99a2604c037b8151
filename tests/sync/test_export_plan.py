"""Export decisions as pure functions, against the describes a real org returned."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import pytest

from forcebridge.mapping.defaults import default_export_mapping
from forcebridge.mapping.describe import parse_describe
from forcebridge.mapping.model import Mapping, UpdateOption
from forcebridge.sync.export_identity import AccountIndex, PersonIndex, export_identities
from forcebridge.sync.export_model import Action, ExportProspect, FieldError
from forcebridge.sync.export_plan import (
    Outcome,
    RecordPlan,
    judge_failing,
    link_accounts,
    needed_accounts,
    plan_accounts,
    plan_people,
)
from forcebridge.sync.export_prepare import ObjectRules, Prepared, prepare
from tests.mapping.conftest import REAL_DESCRIBES

FILL, OVERWRITE = UpdateOption.FILL_EMPTY, UpdateOption.OVERWRITE


def rules(sobject: str, mapping: Mapping | None = None) -> ObjectRules:
    path = REAL_DESCRIBES / f"{sobject}.json"
    if not path.exists():
        pytest.skip(f"the recorded describe payloads are not at {REAL_DESCRIBES}")
    describe = parse_describe(json.loads(path.read_text()))
    return ObjectRules.of(describe, mapping or default_export_mapping(sobject))


def prospect(row: int, **values: Any) -> ExportProspect:
    ids = {key: values.pop(key) for key in ("lead_id", "contact_id", "account_id") if key in values}
    return ExportProspect(row, values, **ids)


def leads(
    prospects: Sequence[ExportProspect],
    existing: Sequence[dict[str, Any]] = (),
    mapping: Mapping | None = None,
) -> list[RecordPlan]:
    lead = rules("Lead", mapping)
    prepared = [prepare(p, lead, None) for p in prospects]
    identities = export_identities(prospects, prepared, "Lead")
    return plan_people(identities, prospects, prepared, PersonIndex(existing), lead)


def judged(
    prospects: Sequence[ExportProspect],
    existing: Sequence[dict[str, Any]] = (),
    sobject: str = "Lead",
) -> list[Prepared]:
    """Each prospect as prepared, then judged once the people in `existing` are known."""
    person = rules(sobject)
    prepared = [prepare(p, person, None) for p in prospects]
    identities = export_identities(prospects, prepared, sobject)
    found = PersonIndex(existing)
    plans = plan_people(identities, prospects, prepared, found, person)
    return judge_failing(identities, prospects, prepared, found, plans, sobject)


ADA = {"first_name": "Ada", "last_name": "Lovelace", "company_name": "Analytical Engines"}


def test_a_new_lead_gets_every_mapped_value_and_the_first_phone_in_the_hierarchy() -> None:
    [with_direct, company_only] = leads(
        [
            prospect(
                2, **ADA, email="ada@example.com", direct_phone="+44 20 1", company_phone="+44 20 9"
            ),
            prospect(3, last_name="Babbage", company_name="Difference", company_phone="+44 20 9"),
        ]
    )

    assert with_direct.action is Action.CREATED
    assert with_direct.values == {
        "FirstName": "Ada",
        "LastName": "Lovelace",
        "Email": "ada@example.com",
        "Phone": "+44 20 1",
        "Company": "Analytical Engines",
    }
    assert company_only.values["Phone"] == "+44 20 9"


def test_an_existing_lead_is_only_filled_where_empty_under_fill_empty() -> None:
    existing = {
        "Id": "00Q000000000001AAA",
        "Email": "ADA@example.com",
        "FirstName": "Augusta",
        "LastName": "Lovelace",
        "Title": None,
        "Company": "Analytical Engines",
        "Phone": "",
    }

    [plan] = leads(
        [prospect(2, **ADA, email="ada@example.com", job_title="CTO", direct_phone="+44 20 1")],
        [existing],
    )

    assert (plan.action, plan.record_id) == (Action.UPDATED, "00Q000000000001AAA")
    assert plan.values == {"Title": "CTO", "Phone": "+44 20 1"}


def test_overwrite_replaces_what_differs_and_a_record_already_right_is_unchanged() -> None:
    mapping = Mapping.of(
        ("last_name", "LastName", OVERWRITE),
        ("company_name", "Company", OVERWRITE),
        ("email", "Email", FILL),
        ("job_title", "Title", OVERWRITE),
    )
    existing = [
        {
            "Id": "00Q1",
            "Email": "ada@example.com",
            "LastName": "Lovelace",
            "Company": "AE",
            "Title": "Dr",
        },
        {"Id": "00Q2", "Email": "bob@example.com", "LastName": "B", "Company": "X", "Title": "CEO"},
    ]

    changed, same = leads(
        [
            prospect(
                2, email="ada@example.com", last_name="Lovelace", company_name="AE", job_title="CTO"
            ),
            prospect(3, email="bob@example.com", last_name="B", company_name="X", job_title="CEO"),
        ],
        existing,
        mapping,
    )

    assert (changed.action, changed.values) == (Action.UPDATED, {"Title": "CTO"})
    assert (same.action, same.values) == (Action.UNCHANGED, {})


def test_an_email_that_differs_only_in_case_is_the_same_address_and_left_as_stored() -> None:
    """Matched whatever the case, the address is not respelled: under overwrite, a file that
    shouts it would otherwise flip the stored email back and forth with every export."""
    mapping = Mapping.of(("email", "Email", OVERWRITE), ("job_title", "Title", OVERWRITE))
    stored = "jeannine.texier10@hotmail.co.uk"
    existing = [
        {"Id": "00Q1", "Email": stored, "Title": "CTO"},
        {"Id": "00Q2", "Email": "bob@example.com", "Title": "CEO"},
    ]

    same, retitled, moved = leads(
        [
            prospect(2, email=stored.upper(), job_title="CTO"),
            prospect(3, email="Bob@Example.com", job_title="CFO"),
            prospect(4, lead_id="00Q3", email="Ada@Example.com", job_title="CTO"),
        ],
        [*existing, {"Id": "00Q3", "Email": "ada@example.org", "Title": "CTO"}],
        mapping,
    )

    assert (same.action, same.record_id, same.values) == (Action.UNCHANGED, "00Q1", {})
    assert (retitled.action, retitled.values) == (Action.UPDATED, {"Title": "CFO"})
    assert (moved.action, moved.values) == (Action.UPDATED, {"Email": "Ada@Example.com"})


def test_an_empty_prospect_value_never_blanks_a_salesforce_field() -> None:
    mapping = Mapping.of(("last_name", "LastName", OVERWRITE), ("job_title", "Title", OVERWRITE))
    existing = {"Id": "00Q1", "Email": "ada@example.com", "LastName": "Lovelace", "Title": "CTO"}

    [plan] = leads(
        [prospect(2, email="ada@example.com", last_name="Lovelace")], [existing], mapping
    )

    assert plan.action is Action.UNCHANGED


def test_the_record_an_earlier_export_made_wins_over_another_with_the_email() -> None:
    existing = [
        {"Id": "00Q1", "Email": "ada@example.com", "LastName": "Lovelace", "Company": "AE"},
        {"Id": "00Q2", "Email": "ada.l@example.com", "LastName": "Lovelace", "Company": "AE"},
    ]

    [plan] = leads([prospect(2, **ADA, email="ada@example.com", lead_id="00Q2")], existing)

    assert plan.record_id == "00Q2"


def test_of_several_records_with_the_email_the_oldest_is_updated() -> None:
    existing = [
        {"Id": "00Q9", "Email": "ada@example.com", "LastName": "L", "Company": "AE"},
        {"Id": "00Q3", "Email": "ada@example.com", "LastName": "L", "Company": "AE"},
    ]

    [plan] = leads([prospect(2, **ADA, email="ada@example.com")], existing)

    assert plan.record_id == "00Q3"


def test_a_lead_missing_a_required_value_fails_naming_the_field() -> None:
    [plan] = leads([prospect(2, first_name="Ada", last_name="Lovelace")])

    assert plan.action is Action.FAILED
    assert [e.field for e in plan.errors] == ["Company"]
    assert plan.errors[0].message == (
        "Lead.Company is required, and no mapped prospect field holds a value for it"
    )


def test_a_prospect_failing_on_its_values_also_names_the_required_fields_it_leaves_empty() -> None:
    refused = FieldError("email", "'fay@' is not an email address", "invalid_value")
    fay = ExportProspect(2, {"first_name": "Fay", "job_title": "x" * 129}, errors=(refused,))

    [prepared] = judged([fay])

    assert [(e.field, e.code) for e in prepared.errors] == [
        ("email", "invalid_value"),
        ("job_title", "invalid_value"),
        ("LastName", "required_value_missing"),
        ("Company", "required_value_missing"),
    ]
    assert prepared.errors[3].message == (
        "Lead.Company is required, and no mapped prospect field holds a value for it"
    )


def test_a_required_field_whose_prospect_field_was_refused_says_so_once() -> None:
    too_long = FieldError("last_name", "has 300 characters", "invalid_value")
    gus = ExportProspect(2, {"company_name": "AE"}, errors=(too_long,))

    [prepared] = judged([gus])

    assert [e.field for e in prepared.errors] == ["last_name", "LastName"]
    assert prepared.errors[1].message == (
        "Lead.LastName is required, and no mapped prospect field holds a usable value for it "
        "(the value of last_name was refused)"
    )


def test_a_required_field_whose_value_salesforce_cannot_hold_is_named_by_that_error_alone() -> None:
    prepared = prepare(prospect(2, last_name="L" * 81, company_name="AE"), rules("Lead"), None)

    [error] = prepared.errors
    assert (error.field, error.message[:14]) == ("last_name", "Lead.LastName:")


def test_no_required_field_is_named_for_a_row_that_could_not_be_read_or_would_be_updated() -> None:
    unreadable = FieldError(None, "has 3 values but the header names 2 columns", "invalid_value")
    bad_email = FieldError("email", "'ada@' is not an email address", "invalid_value")
    split = ExportProspect(2, {}, errors=(unreadable,))
    known = ExportProspect(3, {}, lead_id="00Q1", errors=(bad_email,))

    found = judged([split, known], [{"Id": "00Q1", "Email": "ada@example.com"}])
    deleted = judged([split, known])

    assert [p.errors for p in found] == [(unreadable,), (bad_email,)]
    assert [e.field for e in deleted[1].errors] == ["email", "LastName", "Company"]


BAD_EMPLOYEES = FieldError("employees", "'ten' is not a number", "invalid_value")


@pytest.mark.parametrize("sobject", ["Lead", "Contact"])
def test_a_failing_prospect_whose_person_the_lookup_finds_names_no_required_field(
    sobject: str,
) -> None:
    """Found by email, the person would be updated, which needs no required field."""
    eve = ExportProspect(
        2, {"first_name": "Eve", "email": "Eve@New.example"}, errors=(BAD_EMPLOYEES,)
    )
    ned = ExportProspect(
        3, {"first_name": "Ned", "email": "ned@x.example"}, errors=(BAD_EMPLOYEES,)
    )

    found = judged([eve, ned], [{"Id": "00X1", "Email": "eve@new.example"}], sobject)

    required = ["LastName", "Company"] if sobject == "Lead" else ["LastName"]
    assert [[e.field for e in p.errors] for p in found] == [
        ["employees"],
        ["employees", *required],
    ]


def test_a_failing_row_is_judged_as_its_person_is_with_every_row_of_theirs() -> None:
    """Its person's other rows tell whether the person exists (the record an earlier export
    made of one of them), and give the fields they hold to the person's create."""
    failing = {"first_name": "Eve", "email": "eve@new.example"}
    new = [
        prospect(2, **failing, last_name="Evans"),
        ExportProspect(3, failing, errors=(BAD_EMPLOYEES,)),
    ]
    kept = [
        prospect(2, **failing, lead_id="00Q1"),
        ExportProspect(3, failing, errors=(BAD_EMPLOYEES,)),
    ]
    two_failing = [
        ExportProspect(2, {**failing, "company_name": "EC"}, errors=(BAD_EMPLOYEES,)),
        ExportProspect(3, failing, errors=(BAD_EMPLOYEES,)),
    ]

    created = judged(new)
    updated = judged(kept, [{"Id": "00Q1", "Email": "eve@old.example"}])
    neither = judged(two_failing)

    assert [e.field for e in created[1].errors] == ["employees", "Company"]
    assert [e.field for e in updated[1].errors] == ["employees"]
    assert [[e.field for e in p.errors] for p in neither] == [
        ["employees", "LastName"],
        ["employees", "LastName"],
    ]


def test_a_value_salesforce_cannot_hold_fails_its_prospect_naming_column_and_field() -> None:
    lead = rules("Lead")
    prepared = prepare(prospect(2, **ADA, job_title="x" * 129), lead, None)

    [error] = prepared.errors
    assert error.field == "job_title"
    assert error.message.startswith("Lead.Title: ")
    assert error.message.endswith("has 129 characters; Title holds at most 128")


def test_prospects_that_are_one_person_are_written_once_with_their_first_values() -> None:
    [plan] = leads(
        [
            prospect(2, **ADA, email="ada@example.com"),
            prospect(
                3,
                first_name="Augusta",
                last_name="Lovelace",
                email="Ada@Example.com",
                job_title="CTO",
            ),
        ]
    )

    assert plan.members == (0, 1)
    assert (plan.values["FirstName"], plan.values["Title"]) == ("Ada", "CTO")


def test_a_person_takes_company_fields_only_from_rows_naming_their_company() -> None:
    """The person works at the company of their first row naming one; a row naming another
    company (same domain or same name is the same company) lends its person fields only."""
    [plan] = leads(
        [
            prospect(2, last_name="Dup", email="dup@example.biz", company_name="First Co"),
            prospect(
                3,
                last_name="Dup",
                email="DUP@example.biz",
                job_title="Dup Title",
                company_name="Second Co",
                company_website="secondco.biz",
                company_phone="+1 555 888 0000",
                industry="Energy",
            ),
            prospect(4, email="dup@example.biz", company_phone="+1 555 777 0000"),
            prospect(5, email="dup@example.biz", company_name=" first  CO", industry="Banking"),
        ]
    )

    assert plan.members == (0, 1, 2, 3)
    assert plan.values == {
        "LastName": "Dup",
        "Email": "dup@example.biz",
        "Title": "Dup Title",
        "Company": "First Co",
        "Industry": "Banking",
    }


def test_people_that_turn_out_to_be_one_record_are_written_once() -> None:
    existing = [{"Id": "00Q1", "Email": "ada@example.com", "LastName": "L", "Company": "AE"}]

    [plan] = leads(
        [prospect(2, **ADA, email="ada@example.com"), prospect(3, **ADA, lead_id="00Q1")],
        existing,
    )

    assert (plan.members, plan.record_id) == ((0, 1), "00Q1")


def test_a_prospect_that_failed_its_checks_is_not_planned() -> None:
    bad = ExportProspect(2, {"email": "nope"}, errors=(FieldError("email", "not an email"),))

    plans = leads([bad, prospect(3, **ADA)])

    assert [p.members for p in plans] == [(1,)]


# --- Accounts and Contacts ---------------------------------------------------------------------

ACCOUNTS = [
    {"Id": "001A", "Name": "Acme Corporation", "Website": "https://www.acme.com/", "Phone": None},
    {"Id": "001B", "Name": "Globex", "Website": None, "Phone": "+1 555 0100"},
    {"Id": "001C", "Name": "Acme", "Website": None, "Phone": None},
]


def accounts_for(
    prospects: Sequence[ExportProspect], *, may_write: bool = True
) -> list[RecordPlan]:
    contact, account = rules("Contact"), rules("Account")
    prepared = [prepare(p, contact, account) for p in prospects]
    identities = export_identities(prospects, prepared, "Contact")
    return plan_accounts(
        identities,
        prospects,
        prepared,
        AccountIndex(ACCOUNTS),
        account,
        may_write=may_write,
        org="acme",
    )


def test_an_account_is_found_by_website_domain_before_name_then_by_exact_name() -> None:
    by_domain, by_name, new = accounts_for(
        [
            prospect(
                2, last_name="A", email="a@x.com", company_name="Acme", company_website="acme.com"
            ),
            prospect(
                3,
                last_name="B",
                email="b@x.com",
                company_name="GLOBEX",
                company_phone="+1 555 0199",
            ),
            prospect(4, last_name="C", email="c@x.com", company_name="Initech"),
        ]
    )

    assert (by_domain.record_id, by_domain.action) == ("001A", Action.UNCHANGED)
    assert (by_name.record_id, by_name.action) == ("001B", Action.UNCHANGED)
    assert (new.action, new.values) == (Action.CREATED, {"Name": "Initech"})


def test_an_existing_account_is_filled_where_empty() -> None:
    [plan] = accounts_for(
        [
            prospect(
                2,
                last_name="A",
                company_name="Acme",
                company_website="acme.com",
                company_phone="+1 555",
            )
        ]
    )

    assert (plan.action, plan.values) == (Action.UPDATED, {"Phone": "+1 555"})


def test_the_people_of_one_company_create_it_once() -> None:
    [plan] = accounts_for(
        [
            prospect(2, last_name="A", email="a@init.com", company_name="Initech"),
            prospect(
                3, last_name="B", email="b@init.com", company_name="initech", industry="Software"
            ),
        ]
    )

    assert plan.members == (0, 1)
    assert plan.values == {"Name": "Initech", "Industry": "Software"}


def test_an_account_takes_no_values_from_a_row_naming_another_company() -> None:
    """The tester's file: one person at First Co, then at Second Co with its phone. First Co's
    Account and the Contact's Phone (Direct Phone, else Company Phone) stay without it."""
    prospects = [
        prospect(
            2,
            first_name="Dup",
            last_name="Person",
            email="dup.person@example.biz",
            company_name="First Co",
            company_website="firstco.biz",
        ),
        prospect(
            3,
            first_name="Dup",
            last_name="Person",
            email="DUP.PERSON@example.biz",
            job_title="Dup Title",
            company_name="Second Co",
            company_website="secondco.biz",
            company_phone="+1 555 888 0000",
        ),
        prospect(
            4,
            last_name="Same",
            email="same@firstco.biz",
            company_name="First Company",
            company_website="https://www.firstco.biz/",
            company_phone="+1 555 111 0000",
        ),
    ]

    [account] = accounts_for(prospects)
    dup, _ = contacts(prospects, [], [Outcome(Action.CREATED, "001N")])

    assert account.members == (0, 1, 2)
    assert account.values == {
        "Name": "First Co",
        "Website": "firstco.biz",
        "Phone": "+1 555 111 0000",
    }
    assert dup.values == {
        "FirstName": "Dup",
        "LastName": "Person",
        "Email": "dup.person@example.biz",
        "Title": "Dup Title",
        "AccountId": "001N",
    }


def test_a_company_first_named_by_name_is_known_by_the_domain_a_later_row_gives_it() -> None:
    """A person's first row names Mu, their next Mu at mu.com; another person is at Mu Inc,
    mu.com: one company, one Account (two, both at mu.com, before)."""
    prospects = [
        prospect(2, last_name="A", email="p1@y.com", company_name="Mu", company_phone="1"),
        prospect(3, last_name="A", email="p1@y.com", company_name="Mu",
                 company_website="https://mu.com", company_phone="2"),
        prospect(4, last_name="A", email="p3@y.com", company_name="Mu Inc",
                 company_website="https://mu.com", company_phone="3"),
    ]  # fmt: skip

    [account] = accounts_for(prospects)

    assert account.members == (0, 1, 2)
    assert account.values == {"Name": "Mu", "Website": "https://mu.com", "Phone": "1"}


def test_a_row_naming_the_company_by_its_domain_alone_lends_it_its_fields_in_file_order() -> None:
    """Zeta, then Zeta Inc at zeta.com, then Zeta at www.zeta.com: the second row names the
    company once the third has tied its name to the domain, and gives the first values."""
    [plan] = leads(
        [
            prospect(2, last_name="Hal", email="hal@x.com", company_name="Zeta"),
            prospect(3, last_name="Hal", email="hal@x.com", company_name="Zeta Inc",
                     company_website="https://zeta.com", company_phone="100-0000",
                     industry="Banking"),
            prospect(4, last_name="Hal", email="hal@x.com", company_name="Zeta",
                     company_website="https://www.zeta.com", company_phone="200-0000",
                     industry="Tech"),
        ]
    )  # fmt: skip

    assert (plan.values["Company"], plan.values["Phone"], plan.values["Industry"]) == (
        "Zeta",
        "100-0000",
        "Banking",
    )


def test_without_leave_to_write_accounts_existing_ones_are_linked_and_new_ones_refused() -> None:
    existing, missing = accounts_for(
        [
            prospect(2, last_name="A", email="a@x.com", company_name="Globex"),
            prospect(3, last_name="B", email="b@x.com", company_name="Initech"),
        ],
        may_write=False,
    )

    assert (existing.action, existing.record_id, existing.values) == (Action.UNCHANGED, "001B", {})
    assert missing.action is Action.FAILED
    assert missing.errors[0].message == (
        "no Account in Salesforce matches this company, and org 'acme' does not allow exports "
        "to create Accounts; an admin can allow them with: forcebridge export allow --org acme "
        "Account"
    )


def test_an_account_is_written_only_for_a_contact_that_is_written_too() -> None:
    accounts = [
        RecordPlan((0,), Action.CREATED, values={"Name": "Umbrella"}),
        RecordPlan((1, 2), Action.UPDATED, "001G", {"Phone": "+1 555 0100"}),
        RecordPlan((3, 4), Action.CREATED, values={"Name": "Initech"}),
    ]
    people = [
        RecordPlan((0,), Action.FAILED, company=0),
        RecordPlan((1,), Action.FAILED, company=1),
        RecordPlan((2,), Action.FAILED, company=1),
        RecordPlan((3,), Action.FAILED, company=2),
        RecordPlan((4,), Action.UNCHANGED, "003E", company=2),
    ]

    umbrella, globex, initech = needed_accounts(accounts, people)

    assert (umbrella.action, umbrella.record_id, umbrella.values) == (Action.UNCHANGED, None, {})
    assert (globex.action, globex.record_id, globex.values) == (Action.UNCHANGED, "001G", {})
    assert initech == accounts[2]


def test_an_account_is_written_only_for_the_contacts_on_it_changed_or_not() -> None:
    """An Account a Contact already stands on is written even when the Contact is unchanged:
    so a re-export finishes the Account update an earlier export could not make."""
    accounts = [
        RecordPlan((0,), Action.CREATED, values={"Name": "Fresh Name Corp"}),
        RecordPlan((1, 2), Action.UPDATED, "001A", {"Industry": "Software"}),
        RecordPlan((3,), Action.UPDATED, "001B", {"Industry": "Energy"}),
        RecordPlan((4,), Action.UPDATED, "001C", {"Industry": "Banking"}),
        RecordPlan((5,), Action.UPDATED, "001D", {"Industry": "Retail"}),
    ]
    people = [
        RecordPlan((0,), Action.UNCHANGED, "003K", company=0, linked_account="001Z"),
        RecordPlan(
            (1,), Action.UPDATED, "003E", {"Title": "CTO"}, company=1, linked_account="001Z"
        ),
        RecordPlan((2,), Action.UNCHANGED, "003S", company=1, linked_account="001Y"),
        RecordPlan(
            (3,), Action.UPDATED, "003O", {"Title": "CTO"}, company=2, linked_account="001B"
        ),
        RecordPlan((4,), Action.UNCHANGED, "003N", company=3),
        RecordPlan((5,), Action.UNCHANGED, "003U", company=4, linked_account="001D"),
    ]

    fresh, kept_elsewhere, its_own, orphans, unchanged_on_it = needed_accounts(accounts, people)

    assert (fresh.action, fresh.record_id, fresh.values) == (Action.UNCHANGED, None, {})
    assert (kept_elsewhere.action, kept_elsewhere.values) == (Action.UNCHANGED, {})
    assert its_own == accounts[2]
    assert orphans == accounts[3]
    assert unchanged_on_it == accounts[4]


def contacts(
    prospects: Sequence[ExportProspect],
    existing: Sequence[dict[str, Any]],
    account_outcomes: Sequence[Outcome],
) -> list[RecordPlan]:
    contact, account = rules("Contact"), rules("Account")
    prepared = [prepare(p, contact, account) for p in prospects]
    identities = export_identities(prospects, prepared, "Contact")
    account_plans = plan_accounts(
        identities, prospects, prepared, AccountIndex(ACCOUNTS), account, may_write=True, org="acme"
    )
    plans = plan_people(
        identities, prospects, prepared, PersonIndex(existing), contact, account_plans
    )
    return link_accounts(plans, account_outcomes)


def test_contacts_are_linked_to_their_account_unless_they_belong_to_one_already() -> None:
    prospects = [
        prospect(2, last_name="New", email="new@init.com", company_name="Initech"),
        prospect(3, last_name="Kept", email="kept@init.com", company_name="Initech"),
        prospect(4, last_name="Orphan", email="orphan@init.com", company_name="Initech"),
    ]
    existing: list[dict[str, Any]] = [
        {"Id": "003K", "Email": "kept@init.com", "LastName": "Kept", "AccountId": "001Z"},
        {"Id": "003O", "Email": "orphan@init.com", "LastName": "Orphan", "AccountId": None},
    ]

    new, kept, orphan = contacts(prospects, existing, [Outcome(Action.CREATED, "001N")])

    assert (new.action, new.values["AccountId"]) == (Action.CREATED, "001N")
    assert (kept.action, kept.linked_account) == (Action.UNCHANGED, "001Z")
    assert (orphan.action, orphan.values) == (Action.UPDATED, {"AccountId": "001N"})


def test_in_a_dry_run_contacts_are_linked_to_an_account_that_has_no_id_yet() -> None:
    prospects = [
        prospect(2, last_name="New", email="new@init.com", company_name="Initech"),
        prospect(3, last_name="Orphan", email="orphan@init.com", company_name="Initech"),
    ]
    existing = [{"Id": "003O", "Email": "orphan@init.com", "LastName": "Orphan", "AccountId": None}]

    new, orphan = contacts(prospects, existing, [Outcome(Action.CREATED)])

    assert (new.action, "AccountId" in new.values) == (Action.CREATED, False)
    assert (orphan.action, orphan.values) == (Action.UPDATED, {})


def test_a_new_contact_fails_with_its_account_and_an_existing_one_stays_as_it_is() -> None:
    prospects = [
        prospect(2, last_name="New", email="new@init.com", company_name="Initech"),
        prospect(3, last_name="Kept", email="kept@init.com", company_name="Initech"),
    ]
    existing = [{"Id": "003K", "Email": "kept@init.com", "LastName": "Kept", "AccountId": None}]
    refused = Outcome(
        Action.FAILED, None, (FieldError("Name", "bad name", "FIELD_CUSTOM_VALIDATION_EXCEPTION"),)
    )

    new, kept = contacts(prospects, existing, [refused])

    assert new.action is Action.FAILED
    assert new.errors == (
        FieldError(
            "Name", "its Account was not created: bad name", "FIELD_CUSTOM_VALIDATION_EXCEPTION"
        ),
    )
    assert (kept.action, kept.values) == (Action.UNCHANGED, {})


def test_a_contact_with_no_company_is_written_without_an_account() -> None:
    [plan] = contacts([prospect(2, last_name="Solo", email="solo@example.com")], [], [])

    assert plan.action is Action.CREATED
    assert "AccountId" not in plan.values
