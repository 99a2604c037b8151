"""SOSL over REST, driven by simple-salesforce's `search` and `quick_search`."""

from __future__ import annotations

from typing import Any

import pytest
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceMalformedRequest

from forcebridge.sandbox.server import SandboxServer


@pytest.fixture(scope="module")
def people(sf: Salesforce) -> dict[str, str]:
    account = sf.Account.create({"Name": "Acme Rockets", "Phone": "(415) 555-1212"})["id"]
    return {
        "account": account,
        "joe": sf.Contact.create(
            {
                "FirstName": "Joe",
                "LastName": "Jones",
                "Email": "joe.jones@acme.example",
                "Title": "Chief Rocket Officer",
                "AccountId": account,
            }
        )["id"],
        "ann": sf.Contact.create(
            {
                "FirstName": "Ann",
                "LastName": "Smith",
                "Email": "ann@beta.example",
                "Description": "Met at the launch of the orbital plane",
            }
        )["id"],
        "lead": sf.Lead.create({"LastName": "Jones", "Company": "Lead Co"})["id"],
    }


def found(sf: Salesforce, sosl: str) -> list[tuple[str, dict[str, Any]]]:
    return [
        (r["attributes"]["type"], {k: v for k, v in r.items() if k != "attributes"})
        for r in sf.search(sosl)["searchRecords"]
    ]


def test_a_bare_search_finds_ids_in_every_object_for_one_api_call(
    sf: Salesforce, sandbox: SandboxServer, people: dict[str, str]
) -> None:
    sandbox.reset_usage()

    hits = found(sf, "FIND {Jones}")

    assert sorted(hits) == sorted(
        [("Contact", {"Id": people["joe"]}), ("Lead", {"Id": people["lead"]})]
    )
    assert sandbox.usage().by_kind == {"query": 1}


def test_returning_gives_each_objects_fields_filter_order_and_limit(
    sf: Salesforce, people: dict[str, str]
) -> None:
    assert found(sf, "FIND {jones OR smith} RETURNING Contact(Name ORDER BY Name DESC)") == [
        ("Contact", {"Name": "Joe Jones"}),
        ("Contact", {"Name": "Ann Smith"}),
    ]
    assert found(sf, "FIND {jones OR smith} RETURNING Contact(Name ORDER BY Name LIMIT 1)") == [
        ("Contact", {"Name": "Ann Smith"})
    ]
    assert found(
        sf, "FIND {jones OR smith} RETURNING Contact(Name WHERE Email LIKE '%beta%'), Lead(Company)"
    ) == [("Contact", {"Name": "Ann Smith"}), ("Lead", {"Company": "Lead Co"})]
    assert len(found(sf, "FIND {jones OR smith} RETURNING Contact, Lead LIMIT 2")) == 2
    assert found(sf, "FIND {jones} RETURNING Lead(toLabel(Status))") == [
        ("Lead", {"Status": "Open - Not Contacted"})
    ]


@pytest.mark.parametrize(
    ("sosl", "names"),
    [
        ("FIND {acme} IN EMAIL FIELDS RETURNING Contact(Name)", ["Joe Jones"]),
        ("FIND {Rocket} IN NAME FIELDS RETURNING Contact(Name)", []),
        ("FIND {Rocket} RETURNING Contact(Name)", ["Joe Jones"]),
        ("FIND {Jo*} IN NAME FIELDS RETURNING Contact(Name)", ["Joe Jones"]),
        ('FIND {"rocket officer"} RETURNING Contact(Name)', ["Joe Jones"]),
        ('FIND {"officer rocket"} RETURNING Contact(Name)', []),
        ("FIND {rocket AND NOT chief} RETURNING Contact(Name)", []),
        ("FIND {orbital} RETURNING Contact(Name)", ["Ann Smith"]),
        ("FIND {4155551212} IN PHONE FIELDS RETURNING Account(Name)", ["Acme Rockets"]),
        ("FIND {jon} RETURNING Contact(Name)", []),
    ],
)
def test_terms_match_whole_words_in_the_fields_the_scope_covers(
    sf: Salesforce, people: dict[str, str], sosl: str, names: list[str]
) -> None:
    assert [record["Name"] for _, record in found(sf, sosl)] == names


def test_quick_search_finds_a_word_anywhere(sf: Salesforce, people: dict[str, str]) -> None:
    results = sf.quick_search("Smith")["searchRecords"]

    assert [r["Id"] for r in results] == [people["ann"]]


@pytest.mark.parametrize(
    ("sosl", "code"),
    [
        ("FIND {a}", "MALFORMED_SEARCH"),
        ("FIND Jones", "MALFORMED_SEARCH"),
        ("FIND {Jones} RETURNING Nope__c", "INVALID_TYPE"),
        ("FIND {Jones} RETURNING Contact(Nope__c)", "INVALID_FIELD"),
    ],
)
def test_a_search_salesforce_would_refuse_is_refused_with_its_code(
    sf: Salesforce, sosl: str, code: str
) -> None:
    with pytest.raises(SalesforceMalformedRequest) as refused:
        sf.search(sosl)

    assert refused.value.content[0]["errorCode"] == code


@pytest.mark.parametrize(
    ("sosl", "code", "caret", "detail"),
    [
        (
            "FIND {Long} RETURNING Contact(Id, Bogus WHERE LastName = 'x')",
            "INVALID_FIELD",
            35,
            "No such column 'Bogus' on entity 'Contact'.",
        ),
        (
            "FIND {Long} RETURNING Account, Contact(Id WHERE LastName = )",
            "MALFORMED_SEARCH",
            60,
            "unexpected token: ')'",
        ),
        (
            "FIND {Long} RETURNING Account, Nope(Id)",
            "INVALID_TYPE",
            32,
            "sObject type 'Nope' is not supported.",
        ),
        (
            "FIND {Long} RETURNING Contact(Id, LastName, (SELECT Id FROM Tasks))",
            "MALFORMED_SEARCH",
            45,
            "unexpected token: '('",
        ),
        (
            "FIND {Long} RETURNING Contact(Id, COUNT(Id))",
            "MALFORMED_SEARCH",
            40,
            "unexpected token: '('",
        ),
        (
            "FIND {Long} RETURNING Contact(FIELDS(ALL))",
            "MALFORMED_SEARCH",
            31,
            "The SOQL FIELDS function must have a LIMIT of at most 200",
        ),
        (
            "FIND {Long} RETURNING Contact(Id, LastName WHERE LastName = 'x' GROUP BY LastName)",
            "MALFORMED_SEARCH",
            65,
            "unexpected token: 'GROUP'",
        ),
    ],
)
def test_an_objects_error_points_into_the_find_text_the_client_sent(
    sf: Salesforce, sosl: str, code: str, caret: int, detail: str
) -> None:
    with pytest.raises(SalesforceMalformedRequest) as refused:
        sf.search(sosl)

    [error] = refused.value.content
    assert error["errorCode"] == code
    assert error["message"].startswith(
        f"\n{sosl}\n{' ' * (caret - 1)}^\nERROR at Row:1:Column:{caret}\n{detail}"
    )


def test_a_reserved_character_is_searched_for_escaped_and_refused_bare(
    sf: Salesforce, people: dict[str, str]
) -> None:
    assert found(sf, "FIND {Acme\\-Rockets} RETURNING Account(Name)") == [
        ("Account", {"Name": "Acme Rockets"})
    ]
    with pytest.raises(SalesforceMalformedRequest) as refused:
        sf.quick_search("Acme-Rockets")

    [error] = refused.value.content
    assert error["errorCode"] == "MALFORMED_SEARCH"
    assert error["message"].endswith("line 1:10 mismatched character '-' expecting '}'")


def test_a_parameterized_search_term_needs_no_escapes(
    sf: Salesforce, people: dict[str, str]
) -> None:
    answer = sf.restful("parameterizedSearch", params={"q": "Acme-Rockets", "sobject": "Account"})
    spaced = sf.restful("parameterizedSearch", params={"q": "Acme - Rockets", "sobject": "Account"})

    assert _parameterized(answer) == [("Account", {"Id": people["account"]})]
    assert _parameterized(spaced) == _parameterized(answer)  # a lone `-` is no word


def _parameterized(answer: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [
        (r["attributes"]["type"], {k: v for k, v in r.items() if k != "attributes"})
        for r in answer["searchRecords"]
    ]


def test_a_parameterized_search_by_get_is_the_sosl_it_stands_for(
    sf: Salesforce, people: dict[str, str]
) -> None:
    everywhere = sf.restful("parameterizedSearch", params={"q": "Jones"})
    narrowed = sf.restful(
        "parameterizedSearch",
        params={
            "q": "Jones",
            "sobject": "Contact",
            "Contact.fields": "Id,LastName,Email",
            "Contact.where": "Email LIKE '%acme%'",
            "Contact.limit": "5",
        },
    )

    assert sorted(_parameterized(everywhere)) == sorted(found(sf, "FIND {Jones}"))
    assert _parameterized(narrowed) == [
        ("Contact", {"Id": people["joe"], "LastName": "Jones", "Email": "joe.jones@acme.example"})
    ]


def test_a_parameterized_search_by_post_takes_several_objects_and_limits(
    sf: Salesforce, people: dict[str, str]
) -> None:
    answer = sf.restful(
        "parameterizedSearch",
        method="POST",
        json={
            "q": "Jones",
            "in": "name",
            "fields": ["Id", "LastName"],
            "sobjects": [{"name": "Lead", "fields": ["Id", "Company"]}, {"name": "Contact"}],
            "overallLimit": 10,
        },
    )
    assert sorted(_parameterized(answer)) == [
        ("Contact", {"Id": people["joe"], "LastName": "Jones"}),
        ("Lead", {"Id": people["lead"], "Company": "Lead Co"}),
    ]


@pytest.mark.parametrize(
    ("body", "token"),
    [
        ({"q": "Jones", "overallLimit": True}, "VALUE_TRUE value true"),
        ({"q": "Jones", "defaultLimit": False}, "VALUE_FALSE value false"),
        ({"q": "Jones", "sobjects": [{"name": "Contact", "limit": True}]}, "VALUE_TRUE value true"),
        ({"q": "Jones", "overallLimit": "ten"}, "VALUE_STRING value ten"),
    ],
)
def test_a_posted_search_limit_that_is_no_whole_number_is_refused_as_the_json_parser_does(
    sf: Salesforce, body: dict[str, Any], token: str
) -> None:
    """`true` is no limit, though Python counts it as 1."""
    with pytest.raises(SalesforceMalformedRequest) as refused:
        sf.restful("parameterizedSearch", method="POST", json=body)

    [error] = refused.value.content
    assert error["errorCode"] == "JSON_PARSER_ERROR"
    assert error["message"] == (
        f"Cannot deserialize instance of int from {token} or request may be missing a "
        "required field"
    )


def test_a_posted_search_limit_out_of_range_is_a_malformed_search(sf: Salesforce) -> None:
    with pytest.raises(SalesforceMalformedRequest) as refused:
        sf.restful("parameterizedSearch", method="POST", json={"q": "Jones", "overallLimit": "0"})
    assert refused.value.content[0]["errorCode"] == "MALFORMED_SEARCH"
    assert (
        "overallLimit must be a whole number from 1 to 2,000, not 0"
        in (refused.value.content[0]["message"])
    )


def test_a_parameterized_search_term_cannot_break_out_of_its_braces(sf: Salesforce) -> None:
    answer = sf.restful("parameterizedSearch", params={"q": "Jones} RETURNING User"})
    assert all(r["attributes"]["type"] != "User" for r in answer["searchRecords"])


@pytest.mark.parametrize(
    ("part", "value"),
    [
        ("Contact.fields", "Id) , Account(Name"),
        ("fields", "Id) , Account(Name"),
        ("Contact.where", "LastName != null) , Account(Name"),
        ("Contact.orderBy", "LastName) , Account(Name"),
        ("Contact.where", "LastName = 'x'))"),
    ],
)
def test_parameterized_search_parts_cannot_break_out_of_their_objects_clause(
    sf: Salesforce, part: str, value: str
) -> None:
    sf.Account.create({"Name": "Tree House"})
    with pytest.raises(SalesforceMalformedRequest) as refused:
        sf.restful("parameterizedSearch", params={"q": "Tree", "sobject": "Contact", part: value})
    assert refused.value.content[0]["errorCode"] == "MALFORMED_SEARCH"
    assert part.rpartition(".")[2] in refused.value.content[0]["message"]


def test_parameterized_search_takes_field_paths_and_a_where_with_parentheses(
    sf: Salesforce,
) -> None:
    sf.Contact.create({"LastName": "Treeline", "Title": "Ranger"})
    params = {
        "q": "Treeline",
        "sobject": "Contact",
        "Contact.fields": "Id, LastName, Account.Name",
        "Contact.where": "(Title = 'Ranger' OR Title = 'x (y)')",
        "Contact.orderBy": "LastName DESC",
    }
    [found] = sf.restful("parameterizedSearch", params=params)["searchRecords"]
    assert found["LastName"] == "Treeline"


@pytest.mark.parametrize(
    ("params", "code", "detail"),
    [
        ({"sobject": "Contact"}, "MISSING_ARGUMENT", "q"),
        ({"q": "Jones", "in": "EVERYTHING"}, "MALFORMED_SEARCH", "in must be one of"),
        ({"q": "Jones", "overallLimit": "0"}, "MALFORMED_SEARCH", "overallLimit"),
        (
            {"q": "Jones", "sobject": "Contact", "Contact.fields": "Nope"},
            "INVALID_FIELD",
            "Nope",
        ),
    ],
)
def test_a_wrong_parameterized_search_names_what_is_wrong(
    sf: Salesforce, params: dict[str, str], code: str, detail: str
) -> None:
    with pytest.raises(SalesforceMalformedRequest) as refused:
        sf.restful("parameterizedSearch", params=params)
    assert refused.value.content[0]["errorCode"] == code
    assert detail in refused.value.content[0]["message"]


@pytest.mark.parametrize(
    "returning",
    [
        "Contact(FIELDS(STANDARD))",
        "Contact(FIELDS(ALL) LIMIT 5)",
        "Contact(FIELDS(CUSTOM), LastName LIMIT 5)",
    ],
)
def test_fields_in_returning_selects_as_in_soql_with_the_objects_own_limit(
    sf: Salesforce, people: dict[str, str], returning: str
) -> None:
    [(kind, record)] = found(sf, f"FIND {{Ann}} RETURNING {returning}")

    assert (kind, record["LastName"]) == ("Contact", "Smith")
    assert record.get("Id", people["ann"]) == people["ann"]
