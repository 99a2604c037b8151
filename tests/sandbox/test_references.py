"""References between composite subrequests, as pure substitutions."""

from __future__ import annotations

import pytest

from forcebridge.sandbox.references import MissingReference, substitute

ANSWERS = {
    "refAccount": {"id": "001000000000001AAA", "success": True},
    "refQuery": {"totalSize": 2, "records": [{"Id": "003A"}, {"Id": "003B", "Age__c": 41}]},
}


def test_a_whole_reference_keeps_its_value_and_an_embedded_one_is_written_as_text() -> None:
    body = {
        "AccountId": "@{refAccount.id}",
        "Count__c": "@{refQuery.totalSize}",
        "Description": "second is @{refQuery.records[1].Id}, done: @{refAccount.success}",
        "Nested": [{"Age__c": "@{refQuery.records[1].Age__c}"}],
        "Plain": 7,
    }

    assert substitute(body, ANSWERS, frozenset()) == {
        "AccountId": "001000000000001AAA",
        "Count__c": 2,
        "Description": "second is 003B, done: true",
        "Nested": [{"Age__c": 41}],
        "Plain": 7,
    }


def test_a_url_takes_references_anywhere() -> None:
    url = "/services/data/v62.0/sobjects/Contact/@{refQuery.records[0].Id}?fields=Name"

    assert substitute(url, ANSWERS, frozenset()) == (
        "/services/data/v62.0/sobjects/Contact/003A?fields=Name"
    )


@pytest.mark.parametrize(
    "reference",
    [
        "@{refAccount.name}",
        "@{refQuery.records[5].Id}",
        "@{refQuery.records}",
        "@{refQuery.records.Id}",
        "@{later.id}",
    ],
)
def test_a_reference_to_nothing_is_refused_naming_it(reference: str) -> None:
    with pytest.raises(MissingReference, match=r"Invalid reference specified\. No value for"):
        substitute({"AccountId": reference}, ANSWERS, frozenset())


def test_a_reference_to_a_failed_subrequest_says_so() -> None:
    with pytest.raises(MissingReference, match=r"\('refAccount'\) refers to a subrequest that"):
        substitute("@{refAccount.id}", ANSWERS, frozenset({"refAccount"}))


def test_text_without_references_is_left_alone() -> None:
    text = "an email like @example.com and braces {x} stay"

    assert substitute(text, ANSWERS, frozenset()) == text
