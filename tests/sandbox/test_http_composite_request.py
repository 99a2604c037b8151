"""The composite, graph, batch and tree resources, driven with simple-salesforce's `restful`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceMalformedRequest, SalesforceResourceNotFound

from forcebridge.sandbox.server import SandboxServer
from tests.sandbox.clocks import Clock

V = "/services/data/v62.0"


def sub(method: str, url: str, reference_id: str, body: Any = None) -> dict[str, Any]:
    request = {"method": method, "url": f"{V}{url}", "referenceId": reference_id}
    return request | ({"body": body} if body is not None else {})


def account_with_contact(
    account_ref: str, name: str, contact_ref: str, last_name: str
) -> list[dict[str, Any]]:
    """Two subrequests: create an Account, then a Contact at it by reference."""
    return [
        sub("POST", "/sobjects/Account", account_ref, {"Name": name}),
        sub(
            "POST",
            "/sobjects/Contact",
            contact_ref,
            {"LastName": last_name, "AccountId": f"@{{{account_ref}.id}}"},
        ),
    ]


def composite(sf: Salesforce, *subrequests: dict[str, Any], all_or_none: bool | str = False) -> Any:
    body = {"allOrNone": all_or_none, "compositeRequest": list(subrequests)}
    return sf.restful("composite", method="POST", json=body)["compositeResponse"]


def codes(answer: dict[str, Any]) -> list[str]:
    return [error["errorCode"] for error in answer["body"]]


def test_later_subrequests_use_what_earlier_ones_answered_for_one_api_call(
    sf: Salesforce, sandbox: SandboxServer
) -> None:
    sandbox.reset_usage()

    account, contact, fetched, queried = composite(
        sf,
        *account_with_contact("refAccount", "Composite Co", "refContact", "Ref"),
        sub("GET", "/sobjects/Contact/@{refContact.id}?fields=LastName,AccountId", "getContact"),
        sub("GET", "/query?q=SELECT+Name+FROM+Account+WHERE+Id='@{refAccount.id}'", "refQuery"),
    )

    assert sandbox.usage().by_kind == {"composite": 1}
    assert (account["httpStatusCode"], account["referenceId"]) == (201, "refAccount")
    account_id = account["body"]["id"]
    assert account["httpHeaders"] == {"Location": f"{V}/sobjects/Account/{account_id}"}
    assert fetched["httpStatusCode"] == 200
    assert (fetched["body"]["LastName"], fetched["body"]["AccountId"]) == ("Ref", account_id)
    assert contact["body"]["id"] == fetched["body"]["attributes"]["url"].rsplit("/", 1)[-1]
    assert [r["Name"] for r in queried["body"]["records"]] == ["Composite Co"]


@pytest.mark.parametrize("all_or_none", [True, "true"])
def test_all_or_none_rolls_every_subrequest_back_at_the_first_failure(
    sf: Salesforce, all_or_none: bool | str
) -> None:
    """The text "true" is `true` to Salesforce's JSON parser: nothing is kept either way."""
    created, failed, later = composite(
        sf,
        sub("POST", "/sobjects/Account", "a", {"Name": "Rolled Back Co"}),
        sub("POST", "/sobjects/Contact", "b", {"AccountId": "@{a.id}"}),
        sub("POST", "/sobjects/Account", "c", {"Name": "Never Co"}),
        all_or_none=all_or_none,
    )

    assert (failed["httpStatusCode"], codes(failed)) == (400, ["REQUIRED_FIELD_MISSING"])
    for halted in (created, later):
        assert (halted["httpStatusCode"], codes(halted)) == (400, ["PROCESSING_HALTED"])
    soql = "SELECT COUNT() FROM Account WHERE Name IN ('Rolled Back Co', 'Never Co')"
    assert sf.query(soql)["totalSize"] == 0


def test_an_all_or_none_collection_inside_a_composite_request_keeps_none(
    sf: Salesforce,
) -> None:
    records = [{"attributes": {"type": "Contact"}, "LastName": "Never Kept"}, {}]

    [answer] = composite(
        sf,
        sub("POST", "/composite/sobjects", "many", {"allOrNone": True, "records": records}),
        all_or_none=True,
    )

    assert [r["success"] for r in answer["body"]] == [False, False]
    assert sf.query("SELECT COUNT() FROM Contact WHERE LastName = 'Never Kept'")["totalSize"] == 0


def test_without_all_or_none_only_dependents_of_a_failure_are_skipped(sf: Salesforce) -> None:
    bad, dependent, independent = composite(
        sf,
        sub("POST", "/sobjects/Contact", "bad", {"LastName": "X", "Email": "not an email"}),
        sub("PATCH", "/sobjects/Contact/@{bad.id}", "dependent", {"Title": "CEO"}),
        sub("POST", "/sobjects/Contact", "independent", {"LastName": "Kept"}),
    )

    assert codes(bad) == ["INVALID_EMAIL_ADDRESS"]
    assert codes(dependent) == ["PROCESSING_HALTED"]
    assert "'bad'" in dependent["body"][0]["message"]
    assert independent["httpStatusCode"] == 201
    assert sf.Contact.get(independent["body"]["id"])["LastName"] == "Kept"


def test_subrequests_answer_as_their_routes_do(sf: Salesforce) -> None:
    contact = sf.Contact.create({"LastName": "Routed"})["id"]

    updated, collection, deleted, missing, wrong_method, unknown = composite(
        sf,
        sub("PATCH", f"/sobjects/Contact/{contact}", "updated", {"Title": "CTO"}),
        sub(
            "POST",
            "/composite/sobjects",
            "collection",
            {
                "records": [
                    {"attributes": {"type": "Contact"}, "LastName": "Many"},
                    {"attributes": {"type": "Contact"}},
                ]
            },
        ),
        sub("DELETE", f"/sobjects/Contact/{contact}", "deleted"),
        sub("GET", f"/sobjects/Contact/{contact}", "missing"),
        sub("PUT", "/sobjects/Contact", "wrongMethod", {}),
        sub("GET", "/nowhere", "unknown"),
    )

    assert (updated["httpStatusCode"], updated["body"]) == (204, None)
    assert [r["success"] for r in collection["body"]] == [True, False]
    assert deleted["httpStatusCode"] == 204
    assert (missing["httpStatusCode"], codes(missing)) == (404, ["ENTITY_IS_DELETED"])
    assert (wrong_method["httpStatusCode"], codes(wrong_method)) == (405, ["METHOD_NOT_ALLOWED"])
    assert (unknown["httpStatusCode"], codes(unknown)) == (404, ["NOT_FOUND"])


def test_an_upsert_subrequest_answers_as_its_urls_api_version_does(
    make_sandbox: Callable[..., SandboxServer], salesforce_for: Callable[..., Salesforce]
) -> None:
    keyed = "/sobjects/Contact/External_Id__c/sub-versioned"
    sandbox = make_sandbox(schema_dir=Path(__file__).with_name("schema"))
    created, old_update, new_update = composite(
        salesforce_for(sandbox),
        sub("PATCH", keyed, "created", {"LastName": "Versioned"}),
        {
            "method": "PATCH",
            "url": f"/services/data/v45.0{keyed}",
            "referenceId": "old",
            "body": {"Title": "Dr"},
        },
        sub("PATCH", keyed, "new", {"Title": "Prof"}),
    )

    record_id = created["body"]["id"]
    assert (created["httpStatusCode"], created["body"]["created"]) == (201, True)
    assert created["httpHeaders"] == {"Location": f"{V}/sobjects/Contact/{record_id}"}
    assert (old_update["httpStatusCode"], old_update["body"]) == (204, None)
    assert (new_update["httpStatusCode"], new_update["body"]) == (
        200,
        {"id": record_id, "success": True, "errors": [], "created": False},
    )
    assert old_update["httpHeaders"] == {}
    assert new_update["httpHeaders"] == {"Location": f"{V}/sobjects/Contact/{record_id}"}


def test_subrequests_honour_their_conditional_http_headers(sf: Salesforce) -> None:
    account = sf.Account.create({"Name": "Conditional"})["id"]
    [read] = composite(sf, sub("GET", f"/sobjects/Account/{account}", "read"))
    tag, since = read["httpHeaders"]["ETag"], read["httpHeaders"]["Last-Modified"]

    unchanged, described, stale, current = composite(
        sf,
        sub("GET", f"/sobjects/Account/{account}", "unchanged")
        | {"httpHeaders": {"if-none-match": tag}},
        sub("GET", "/sobjects/Account/describe", "described")
        | {"httpHeaders": {"If-Modified-Since": since}},
        sub("PATCH", f"/sobjects/Account/{account}", "stale", {"Name": "Lost"})
        | {"httpHeaders": {"If-Match": '"not-the-tag"'}},
        sub("PATCH", f"/sobjects/Account/{account}", "current", {"Name": "Kept"})
        | {"httpHeaders": {"If-Match": tag}},
    )

    assert (unchanged["httpStatusCode"], unchanged["body"]) == (304, None)
    assert (described["httpStatusCode"], described["body"]) == (304, None)  # schema is older
    assert (stale["httpStatusCode"], codes(stale)) == (412, ["PRECONDITION_FAILED"])
    assert current["httpStatusCode"] == 204
    assert sf.Account.get(account)["Name"] == "Kept"


@pytest.mark.parametrize(
    ("subrequests", "code", "message"),
    [
        (
            [{"method": "GET", "url": f"{V}/limits"}],
            "JSON_PARSER_ERROR",
            "'referenceId' is a required field.",
        ),
        (
            [sub("GET", "/sobjects", "x"), sub("GET", "/sobjects", "x")],
            "JSON_PARSER_ERROR",
            "Duplicate referenceId",
        ),
        ([sub("GET", "/sobjects", "bad-id")], "JSON_PARSER_ERROR", "Invalid referenceId"),
        ([sub("GET", "/sobjects", f"r{n}") for n in range(26)], "LIMIT_EXCEEDED", "at most 25"),
        (
            [sub("GET", "/query?q=SELECT+Id+FROM+Contact", f"q{n}") for n in range(6)],
            "LIMIT_EXCEEDED",
            "at most 5",
        ),
    ],
)
def test_a_malformed_request_is_refused_whole_before_anything_runs(
    sf: Salesforce, subrequests: list[dict[str, Any]], code: str, message: str
) -> None:
    with pytest.raises(SalesforceMalformedRequest) as refused:
        sf.restful("composite", method="POST", json={"compositeRequest": subrequests})

    [error] = refused.value.content
    assert error["errorCode"] == code
    assert message in error["message"]


@pytest.mark.parametrize("halt_on_error", [True, "true"])
def test_a_batch_runs_independent_subrequests_and_can_halt_on_error(
    sf: Salesforce, halt_on_error: bool | str
) -> None:
    contact = sf.Contact.create({"LastName": "Batched"})["id"]
    requests = [
        {
            "method": "PATCH",
            "url": f"v62.0/sobjects/Contact/{contact}",
            "richInput": {"Title": "VP"},
        },
        {
            "method": "POST",
            "url": "v62.0/sobjects/Contact",
            "richInput": {"Email": "x@example.com"},
        },
        {"method": "GET", "url": f"v62.0/sobjects/Contact/{contact}?fields=Title"},
    ]

    carried_on = sf.restful("composite/batch", method="POST", json={"batchRequests": requests})
    halted = sf.restful(
        "composite/batch",
        method="POST",
        json={"batchRequests": requests, "haltOnError": halt_on_error},
    )

    assert carried_on["hasErrors"] is True
    assert [r["statusCode"] for r in carried_on["results"]] == [204, 400, 200]
    assert carried_on["results"][2]["result"]["Title"] == "VP"
    assert [r["statusCode"] for r in halted["results"]] == [204, 400, 412]
    assert halted["results"][2]["result"][0]["errorCode"] == "BATCH_PROCESSING_HALTED"


FLAGGED = {"attributes": {"type": "Account"}, "Name": "Flagged Co"}
FLAGGED_NODE = sub("POST", "/sobjects/Account", "a", FLAGGED)


@pytest.mark.parametrize(
    ("resource", "body", "flag"),
    [
        ("composite", {"allOrNone": "maybe", "compositeRequest": [FLAGGED_NODE]}, "maybe"),
        (
            "composite",
            {"collateSubrequests": "maybe", "compositeRequest": [FLAGGED_NODE]},
            "maybe",
        ),
        (
            "composite/batch",
            {
                "haltOnError": "yes",
                "batchRequests": [
                    {"method": "POST", "url": "v62.0/sobjects/Account", "richInput": FLAGGED}
                ],
            },
            "yes",
        ),
        ("composite/sobjects", {"allOrNone": "maybe", "records": [FLAGGED]}, "maybe"),
        (
            "composite/graph",
            {
                "allOrNone": "maybe",
                "graphs": [{"graphId": "g", "compositeRequest": [FLAGGED_NODE]}],
            },
            "maybe",
        ),
        (
            "composite/graph",
            {
                "graphs": [
                    {"graphId": "g1", "compositeRequest": [FLAGGED_NODE]},
                    {"graphId": "g2", "allOrNone": "maybe", "compositeRequest": [FLAGGED_NODE]},
                ]
            },
            "maybe",
        ),
    ],
)
def test_a_flag_that_is_no_boolean_is_refused_before_anything_is_written(
    sf: Salesforce, resource: str, body: dict[str, Any], flag: str
) -> None:
    """Salesforce's JSON parser refuses any text but "true" and "false" for a boolean: a flag
    the client set is never quietly read as false, nor passed over."""
    with pytest.raises(SalesforceMalformedRequest) as refused:
        sf.restful(resource, method="POST", json=body)

    [error] = refused.value.content
    assert error["errorCode"] == "JSON_PARSER_ERROR"
    assert error["message"] == (
        f"Cannot deserialize instance of boolean from VALUE_STRING value {flag} or request may "
        "be missing a required field"
    )
    assert sf.query("SELECT COUNT() FROM Account WHERE Name = 'Flagged Co'")["totalSize"] == 0


def test_a_batch_subrequest_the_sandbox_does_not_serve_says_so(sf: Salesforce) -> None:
    requests = [{"method": "GET", "url": "v62.0/limits"}, {"method": "GET", "url": "v62.0/nope"}]

    answered = sf.restful("composite/batch", method="POST", json={"batchRequests": requests})

    unserved, unknown = (r["result"][0]["message"] for r in answered["results"])
    assert "does not serve limits" in unserved
    assert unknown == "The requested resource does not exist"


def graphs(sf: Salesforce, *graph_list: tuple[str, list[dict[str, Any]]]) -> Any:
    body = {"graphs": [{"graphId": gid, "compositeRequest": nodes} for gid, nodes in graph_list]}
    return sf.restful("composite/graph", method="POST", json=body)["graphs"]


def test_each_graph_is_all_or_none_and_keeps_its_own_references(
    sf: Salesforce, sandbox: SandboxServer
) -> None:
    sandbox.reset_usage()
    whole = account_with_contact("account", "Graph Co", "person", "Node")
    broken = [
        sub("POST", "/sobjects/Account", "account", {"Name": "Never Co"}),
        sub("POST", "/sobjects/Contact", "person", {"FirstName": "No last name"}),
    ]

    kept, failed = graphs(sf, ("one", whole), ("two", broken))

    assert sandbox.usage().by_kind == {"composite": 1}
    assert (kept["graphId"], kept["isSuccessful"]) == ("one", True)
    account, person = kept["graphResponse"]["compositeResponse"]
    assert sf.Contact.get(person["body"]["id"])["AccountId"] == account["body"]["id"]
    assert (failed["graphId"], failed["isSuccessful"]) == ("two", False)
    first, second = failed["graphResponse"]["compositeResponse"]
    assert codes(first) == ["PROCESSING_HALTED"]
    assert codes(second) == ["REQUIRED_FIELD_MISSING"]
    assert sf.query("SELECT Id FROM Account WHERE Name = 'Never Co'")["totalSize"] == 0


def test_after_fourteen_failed_graphs_the_rest_do_not_run(sf: Salesforce) -> None:
    failing = [sub("POST", "/sobjects/Contact", "c", {"FirstName": "No last name"})]
    fine = [sub("POST", "/sobjects/Account", "a", {"Name": "Too Late Co"})]

    answers = graphs(sf, *[(f"g{n}", failing) for n in range(15)], ("last", fine))

    assert [a["isSuccessful"] for a in answers] == [False] * 16
    assert codes(answers[-1]["graphResponse"]["compositeResponse"][0]) == ["PROCESSING_HALTED"]
    assert sf.query("SELECT Id FROM Account WHERE Name = 'Too Late Co'")["totalSize"] == 0


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"graphs": []}, "'graphs' must be a list of graphs"),
        ({"graphs": [{"compositeRequest": [sub("GET", "/limits", "x")]}]}, "'graphId'"),
        (
            {
                "graphs": [
                    {"graphId": "same", "compositeRequest": [sub("GET", "/limits", "x")]},
                    {"graphId": "same", "compositeRequest": [sub("GET", "/limits", "x")]},
                ]
            },
            "Duplicate graphId",
        ),
        (
            {
                "graphs": [
                    {
                        "graphId": str(g),
                        "compositeRequest": [sub("GET", "/limits", f"r{n}") for n in range(300)],
                    }
                    for g in range(2)
                ]
            },
            "at most 500",
        ),
    ],
)
def test_a_malformed_graph_request_is_refused_whole(
    sf: Salesforce, body: dict[str, Any], message: str
) -> None:
    with pytest.raises(SalesforceMalformedRequest) as refused:
        sf.restful("composite/graph", method="POST", json=body)
    assert message in refused.value.content[0]["message"]


def tree_record(sobject: str, reference_id: str, **values: Any) -> dict[str, Any]:
    return {"attributes": {"type": sobject, "referenceId": reference_id}, **values}


def test_a_tree_creates_records_with_their_children_linked_and_lists_them_level_by_level(
    sf: Salesforce,
) -> None:
    contacts = {
        "records": [
            tree_record("Contact", "ref2", lastname="Leaf"),
            tree_record("Contact", "ref3", LastName="Twig"),
        ]
    }
    body = {
        "records": [
            tree_record("Account", "ref1", name="Tree Co", Contacts=contacts),
            tree_record(
                "Account",
                "ref4",
                Name="Solo Co",
                Contacts={"records": [tree_record("Contact", "ref5", LastName="Bud")]},
            ),
        ]
    }

    answer = sf.restful("composite/tree/Account", method="POST", json=body)

    assert answer["hasErrors"] is False
    ids = {r["referenceId"]: r["id"] for r in answer["results"]}
    assert list(ids) == ["ref1", "ref4", "ref2", "ref3", "ref5"]  # roots first, as documented
    assert sf.Contact.get(ids["ref2"])["AccountId"] == ids["ref1"]
    assert sf.Contact.get(ids["ref3"])["LastName"] == "Twig"
    assert sf.Contact.get(ids["ref5"])["AccountId"] == ids["ref4"]
    assert sf.Account.get(ids["ref4"])["Name"] == "Solo Co"


def test_a_tree_with_a_failing_record_keeps_none_and_names_the_failure(sf: Salesforce) -> None:
    contacts = {"records": [tree_record("Contact", "kid", Email="nobody@example.com")]}
    body = {"records": [tree_record("Account", "parent", Name="Doomed Tree Co", Contacts=contacts)]}

    with pytest.raises(SalesforceMalformedRequest) as refused:
        sf.restful("composite/tree/Account", method="POST", json=body)

    answer = refused.value.content
    assert answer["hasErrors"] is True
    [failure] = answer["results"]
    assert failure["referenceId"] == "kid"
    assert [e["statusCode"] for e in failure["errors"]] == ["REQUIRED_FIELD_MISSING"]
    assert sf.query("SELECT COUNT() FROM Account WHERE Name = 'Doomed Tree Co'")["totalSize"] == 0


def test_records_a_tree_cannot_hold_are_refused_each_by_its_reference_before_any_is_written(
    sf: Salesforce,
) -> None:
    records = [
        tree_record("Account", "r1", Name="Refused A"),
        tree_record("Contact", "r2", LastName="Wrong type"),
        tree_record("Account", "r1", Name="Refused B"),
        {"attributes": {"type": "Account"}, "Name": "No reference"},
    ]

    with pytest.raises(SalesforceMalformedRequest) as refused:
        sf.restful("composite/tree/Account", method="POST", json={"records": records})

    answer = refused.value.content
    assert answer["hasErrors"] is True
    failures = [(r["referenceId"], r["errors"][0]["statusCode"]) for r in answer["results"]]
    assert failures == [
        ("r1", "INVALID_INPUT"),  # one failure for each use of a repeated referenceId
        ("r1", "INVALID_INPUT"),
        ("r2", "INVALID_TYPE"),
        (None, "INVALID_INPUT"),
    ]
    assert answer["results"][0]["errors"] == [
        {
            "statusCode": "INVALID_INPUT",
            "message": "Duplicate ReferenceId provided in the request.",
            "fields": [],
        }
    ]
    assert sf.query("SELECT COUNT() FROM Account WHERE Name LIKE 'Refused%'")["totalSize"] == 0


@pytest.mark.parametrize(
    ("attributes", "given", "shown"),
    [
        ({"type": "Account", "referenceId": True}, True, "true"),
        ({"type": "Account", "referenceId": None}, None, "null"),
        ({"type": "Account"}, None, "null"),
        ({"type": "Account", "referenceId": 7}, 7, "7"),
        ({"type": "Account", "referenceId": ""}, "", ""),
    ],
)
def test_a_tree_reference_id_that_is_no_text_is_malformed_and_named_as_json_spells_it(
    sf: Salesforce, attributes: dict[str, Any], given: Any, shown: str
) -> None:
    """`true` is no referenceId (it was read as Python's text "True" and accepted), and
    `null` is named `null`, not an empty text."""
    records = [{"attributes": attributes, "Name": "Unreferenced Co"}]

    with pytest.raises(SalesforceMalformedRequest) as refused:
        sf.restful("composite/tree/Account", method="POST", json={"records": records})

    [failure] = refused.value.content["results"]
    assert failure["referenceId"] == given
    assert failure["errors"] == [
        {
            "statusCode": "INVALID_INPUT",
            "message": f"Invalid referenceId '{shown}': use letters, digits and underscores",
            "fields": [],
        }
    ]
    assert sf.query("SELECT COUNT() FROM Account WHERE Name = 'Unreferenced Co'")["totalSize"] == 0


def test_a_tree_record_of_null_type_is_named_as_json_spells_it(sf: Salesforce) -> None:
    records = [{"attributes": {"type": None, "referenceId": "r1"}, "Name": "Typeless"}]

    with pytest.raises(SalesforceMalformedRequest) as refused:
        sf.restful("composite/tree/Account", method="POST", json={"records": records})

    [failure] = refused.value.content["results"]
    assert failure["errors"][0]["statusCode"] == "INVALID_TYPE"
    assert failure["errors"][0]["message"] == "Record r1 is of type null, expected Account"


def test_a_tree_past_the_limits_names_the_first_record_over_them(sf: Salesforce) -> None:
    many = [tree_record("Account", f"r{n}", Name=f"N{n}") for n in range(201)]
    deep: dict[str, Any] = tree_record("Account", "level6", Name="Too deep")
    for level in range(5, 0, -1):
        deep = tree_record(
            "Account", f"level{level}", Name="Deep", ChildAccounts={"records": [deep]}
        )

    for records, reference_id in ((many, "r200"), ([deep], "level6")):
        with pytest.raises(SalesforceMalformedRequest) as refused:
            sf.restful("composite/tree/Account", method="POST", json={"records": records})
        [failure] = refused.value.content["results"]
        assert (failure["referenceId"], failure["errors"][0]["statusCode"]) == (
            reference_id,
            "INVALID_INPUT",
        )


def test_an_upsert_key_given_no_value_is_answered_as_the_plain_route_answers_it(
    sf: Salesforce,
) -> None:
    patched, deleted, put, read, posted = composite(
        sf,
        sub("PATCH", "/sobjects/Contact/Email/", "patch", {"LastName": "Blank"}),
        sub("DELETE", "/sobjects/Contact/Id", "delete"),
        sub("PUT", "/sobjects/Contact/Email", "put"),
        sub("GET", "/sobjects/Contact/Email", "get"),
        sub("POST", "/sobjects/Contact/Email/", "post", {"LastName": "Posted"}),
    )

    assert (patched["httpStatusCode"], patched["body"]) == (
        405,
        [
            {
                "errorCode": "METHOD_NOT_ALLOWED",
                "message": "HTTP Method 'PATCH' not allowed. Allowed are GET,HEAD,POST",
            }
        ],
    )
    assert (deleted["httpStatusCode"], codes(deleted)) == (405, ["METHOD_NOT_ALLOWED"])
    assert (put["httpStatusCode"], put["body"][0]["message"]) == (
        405,
        "HTTP Method 'PUT' not allowed. Allowed are GET,HEAD,POST",
    )
    assert (read["httpStatusCode"], codes(read)) == (404, ["NOT_FOUND"])
    assert (posted["httpStatusCode"], posted["body"]["created"]) == (201, True)
    assert sf.Contact.get(posted["body"]["id"])["LastName"] == "Posted"


def test_a_query_subrequest_without_soql_is_refused_in_a_real_orgs_words(
    sf: Salesforce,
) -> None:
    missing, blank = composite(
        sf, sub("GET", "/query", "missing"), sub("GET", "/queryAll?q=+", "blank")
    )

    assert (missing["httpStatusCode"], missing["body"]) == (
        400,
        [{"errorCode": "MALFORMED_QUERY", "message": "A query string has to be specified"}],
    )
    assert (blank["httpStatusCode"], blank["body"]) == (
        400,
        [{"errorCode": "MALFORMED_QUERY", "message": "SOQL statements cannot be empty or null"}],
    )


def test_a_tree_that_is_not_a_list_of_records_is_a_json_error(sf: Salesforce) -> None:
    with pytest.raises(SalesforceMalformedRequest) as refused:
        sf.restful("composite/tree/Account", method="POST", json={"records": [{"Name": "x"}]})

    assert refused.value.content[0]["errorCode"] == "JSON_PARSER_ERROR"


def test_a_create_through_the_id_url_is_served_as_the_plain_route_serves_it(
    sf: Salesforce,
) -> None:
    created, refused = composite(
        sf,
        sub("POST", "/sobjects/Contact/Id", "byId", {"LastName": "ById"}),
        sub("PUT", "/sobjects/Contact/003000000000001AAA", "put"),
    )

    assert created["httpStatusCode"] == 201
    assert created["body"]["created"] is True
    assert created["httpHeaders"]["Location"].endswith(created["body"]["id"])
    assert sf.Contact.get(created["body"]["id"])["LastName"] == "ById"
    assert refused["httpStatusCode"] == 405
    assert refused["body"][0]["message"] == (
        "HTTP Method 'PUT' not allowed. Allowed are HEAD,GET,PATCH,DELETE"
    )


def test_a_subrequests_record_path_is_percent_decoded_as_the_plain_routes_is(
    sf: Salesforce,
) -> None:
    upserted = composite(
        sf,
        sub("PATCH", "/sobjects/Contact/Email/%20pct%40example.com%20", "up", {"LastName": "Pct"}),
        sub("GET", "/sobjects/Contact/Email/pct%40example.com?fields=LastName", "read"),
    )
    batch = {
        "batchRequests": [
            {"method": "GET", "url": "v62.0/sobjects/Contact/Email/pct%40example.com"}
        ]
    }
    [batched] = sf.restful("composite/batch", method="POST", json=batch)["results"]

    assert [r["httpStatusCode"] for r in upserted] == [201, 200]
    assert upserted[1]["body"]["LastName"] == "Pct"
    assert sf.Contact.get(upserted[0]["body"]["id"])["Email"] == "pct@example.com"
    assert (batched["statusCode"], batched["result"]["LastName"]) == (200, "Pct")


def test_get_updated_and_get_deleted_subrequests_answer_as_the_plain_routes_do(
    make_sandbox: Callable[..., SandboxServer], salesforce_for: Callable[..., Salesforce]
) -> None:
    """Composite takes every sObject resource (REST guide, "Send Multiple Requests Using
    Composite"): `sobjects/T/updated` is getUpdated, never an external id field `updated`."""
    clock = Clock()
    sf = salesforce_for(make_sandbox(clock=clock))
    kept = sf.Contact.create({"LastName": "Kept"})["id"]
    dropped = sf.Contact.create({"LastName": "Dropped"})["id"]
    sf.Contact.delete(dropped)
    clock.advance(minutes=2)
    start, end = clock.now - dt.timedelta(minutes=10), clock.now
    window = f"?start={quote(start.isoformat())}&end={quote(end.isoformat())}"
    plain = {"updated": sf.Contact.updated(start, end), "deleted": sf.Contact.deleted(start, end)}

    answered = composite(
        sf,
        sub("GET", f"/sobjects/Contact/updated/{window}", "updated"),
        sub("GET", f"/sobjects/Contact/deleted{window}", "deleted"),
    )
    batch = [{"method": "GET", "url": f"v62.0/sobjects/Contact/{c}{window}"} for c in plain]
    batched = sf.restful("composite/batch", method="POST", json={"batchRequests": batch})

    assert [a["httpStatusCode"] for a in answered] == [200, 200]
    assert {a["referenceId"]: a["body"] for a in answered} == plain
    assert [r["result"] for r in batched["results"]] == list(plain.values())
    assert plain["updated"]["ids"] == [kept]
    assert [r["id"] for r in plain["deleted"]["deletedRecords"]] == [dropped]


def test_every_sobject_resource_is_routed_inside_composite_as_on_its_own(
    sf: Salesforce,
) -> None:
    """Describe's unserved resources are the plain 404, not an external id field's; a missing
    replication window is the plain route's 400; sObject Collections' retrieve is served."""
    contact = sf.Contact.create({"LastName": "Retrieved"})["id"]
    fetched = {"ids": [contact], "fields": ["LastName"]}

    layouts, views, no_window, retrieved, listed = composite(
        sf,
        sub("GET", "/sobjects/Contact/describe/layouts", "layouts"),
        sub("GET", "/sobjects/Contact/listviews", "views"),
        sub("GET", "/sobjects/Contact/updated", "noWindow"),
        sub("POST", "/composite/sobjects/Contact", "retrieved", fetched),
        sub("GET", f"/composite/sobjects/Contact?ids={contact}&fields=LastName", "listed"),
    )

    with pytest.raises(SalesforceResourceNotFound) as plain_layouts:
        sf.restful("sobjects/Contact/describe/layouts")
    with pytest.raises(SalesforceMalformedRequest) as plain_no_window:
        sf.restful("sobjects/Contact/updated")
    for unserved in (layouts, views):
        assert (unserved["httpStatusCode"], codes(unserved)) == (404, ["NOT_FOUND"])
        assert unserved["body"] == plain_layouts.value.content
    assert (no_window["httpStatusCode"], no_window["body"]) == (400, plain_no_window.value.content)
    for answer in (retrieved, listed):
        assert answer["httpStatusCode"] == 200
        assert [r["LastName"] for r in answer["body"]] == ["Retrieved"]


def test_a_record_by_external_id_carries_its_validators_as_by_id(
    make_sandbox: Callable[..., SandboxServer], salesforce_for: Callable[..., Salesforce]
) -> None:
    sf = salesforce_for(make_sandbox(schema_dir=Path(__file__).with_name("schema")))
    contact = sf.Contact.create({"LastName": "Keyed", "External_Id__c": "ext-valid"})["id"]

    by_id, by_key, unchanged = composite(
        sf,
        sub("GET", f"/sobjects/Contact/{contact}", "byId"),
        sub("GET", "/sobjects/Contact/External_Id__c/ext-valid", "byKey"),
        sub("GET", "/sobjects/Contact/External_Id__c/ext-valid", "unchanged"),
    )
    since = by_id["httpHeaders"]["Last-Modified"]
    [revalidated] = composite(
        sf,
        sub("GET", "/sobjects/Contact/External_Id__c/ext-valid", "again")
        | {"httpHeaders": {"If-Modified-Since": since}},
    )

    assert by_key["httpHeaders"] == by_id["httpHeaders"] == {"Last-Modified": since}
    assert by_key["body"] == by_id["body"] == unchanged["body"]
    assert (revalidated["httpStatusCode"], revalidated["body"]) == (304, None)
