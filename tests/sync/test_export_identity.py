from __future__ import annotations

import pytest

from forcebridge.sync.export_identity import (
    AccountIndex,
    CompanyKey,
    companies,
    company_key,
    people,
    website_domain,
)


@pytest.mark.parametrize(
    "website",
    [
        "acme.com",
        "www.acme.com",
        "https://www.Acme.com/",
        "http://acme.com/about?x=1",
        "  HTTPS://WWW.ACME.COM:443/  ",
        "acme.com.",
    ],
)
def test_the_ways_people_write_a_website_share_one_domain(website: str) -> None:
    assert website_domain(website) == "acme.com"


@pytest.mark.parametrize("website", [None, "", "  ", "localhost", "https://", "n/a"])
def test_a_website_naming_no_domain_has_none(website: str | None) -> None:
    assert website_domain(website) is None


def test_sub_domains_stay_apart() -> None:
    assert website_domain("eu.acme.com") == "eu.acme.com"


def _emails(*emails: str | None) -> list[dict[str, str | None]]:
    return [{"email": email} for email in emails]


def test_the_same_person_is_the_same_email_whatever_its_case() -> None:
    groups = people(
        _emails("ada@example.com", "bob@example.com", " ADA@Example.com ", None, None),
        [None, None, None, None, None],
    )

    assert [g.members for g in groups] == [(0, 2), (1,), (3,), (4,)]


def test_without_an_email_the_record_an_earlier_export_made_identifies_the_person() -> None:
    groups = people(_emails(None, None, "cy@example.com"), ["00Q1", "00Q1", "00Q1"])

    assert [g.members for g in groups] == [(0, 1), (2,)]


def test_without_an_email_the_same_name_at_the_same_company_is_one_person() -> None:
    ana = {"first_name": "Ana", "last_name": "Lopez", "company_name": "Acme  Inc"}
    groups = people(
        [
            ana,
            {"first_name": "ana", "last_name": "LOPEZ", "company_name": "acme inc"},
            {**ana, "company_name": "Globex"},
            {**ana, "company_name": None},
            {**ana, "company_name": None},
            {**ana, "email": "ana@acme.com"},
        ],
        [None] * 6,
    )

    assert [g.members for g in groups] == [(0, 1), (2,), (3,), (4,), (5,)]


def test_companies_are_one_by_domain_and_otherwise_by_name() -> None:
    keys = [
        company_key("https://www.acme.com", "Acme"),
        company_key("acme.com/contact", "ACME Corporation"),
        company_key(None, "Globex  Inc"),
        company_key(None, "globex inc"),
        company_key("globex.com", "Globex Inc."),
        company_key(None, None),
    ]

    found = companies(keys)

    assert [(g.members, key) for g, key in found] == [
        ((0, 1), CompanyKey("acme.com", "Acme", ("Acme",))),
        ((2, 3), CompanyKey(None, "Globex  Inc", ("Globex  Inc", "globex inc"))),
        ((4,), CompanyKey("globex.com", "Globex Inc.", ("Globex Inc.",))),
    ]


def test_a_name_is_looked_up_in_every_spelling_given_and_with_its_spacing_collapsed() -> None:
    [(_, key)] = companies(
        [
            company_key(None, " Odd  Spacing Co "),
            company_key(None, "odd spacing co"),
            company_key(None, "ODD   SPACING CO"),
        ]
    )

    assert key.names_to_look_up() == [
        "Odd  Spacing Co",
        "Odd Spacing Co",
        "odd spacing co",
        "ODD   SPACING CO",
        "ODD SPACING CO",
    ]


def test_a_company_known_by_name_joins_the_one_with_a_website_and_that_name() -> None:
    keys = [
        company_key(None, "Initech"),
        company_key("initech.com", "Initech"),
        company_key(None, "Hooli"),
        company_key("hooli.com", "Hooli"),
        company_key("hooli.xyz", "Hooli"),
    ]

    found = companies(keys)

    assert [(g.members, key.domain) for g, key in found] == [
        ((0, 1), "initech.com"),
        ((2,), None),
        ((3,), "hooli.com"),
        ((4,), "hooli.xyz"),
    ]


def test_a_kept_account_is_the_companys_while_it_bears_its_domain_or_name() -> None:
    index = AccountIndex(
        [
            {"Id": "001D", "Name": "Delta Inc", "Website": None},
            {"Id": "001E", "Name": "Epsilon GmbH", "Website": "https://www.epsilon.de/"},
        ]
    )

    def matched(website: str | None, name: str, kept: str) -> str | None:
        key = company_key(website, name)
        assert key is not None
        record = index.match(key, [kept])
        return None if record is None else str(record["Id"])

    assert matched(None, "delta  INC", "001D") == "001D"  # the name, ignoring case and spacing
    assert matched("epsilon.de", "Epsilon Renamed AG", "001E") == "001E"  # the domain
    assert matched(None, "Epsilon GmbH", "001D") == "001E"  # moved on: the company it names
    assert matched("zeta.io", "Zeta Ltd", "001D") is None  # a company with no Account yet
