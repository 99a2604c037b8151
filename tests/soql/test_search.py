"""SOSL parsing: the term's words and operators, the scope, each object's SOQL clauses."""

from __future__ import annotations

import pytest

from forcebridge.soql.ast import Comparison, Field, Operator, StringValue
from forcebridge.soql.search import (
    MAX_RESULTS,
    AllOf,
    AnyOf,
    MalformedSearch,
    Phrase,
    Scope,
    Without,
    Word,
    parse_search,
)


def test_a_bare_find_searches_all_fields_of_every_object_up_to_the_limit() -> None:
    search = parse_search("FIND {Jones}")

    assert (search.term, search.scope, search.returning, search.limit) == (
        Word("jones"),
        Scope.ALL,
        (),
        MAX_RESULTS,
    )


def test_each_returning_object_carries_its_own_soql_clauses() -> None:
    search = parse_search(
        "find {acme} in email fields returning "
        "Contact(Id, Email WHERE Title != 'Chief (acting)' ORDER BY Email LIMIT 5 OFFSET 1), "
        "Lead LIMIT 20"
    )

    contact, lead = search.returning
    assert (search.scope, search.limit) == (Scope.EMAIL, 20)
    assert contact.sobject == "Contact"
    assert contact.query.select == (Field(("Id",)), Field(("Email",)))
    assert contact.query.where == Comparison(
        Field(("Title",)), Operator.NE, StringValue("Chief (acting)")
    )
    assert (contact.query.limit, contact.query.offset) == (5, 1)
    assert (lead.sobject, lead.query.select) == ("Lead", (Field(("Id",)),))


def test_operators_bind_and_not_then_and_then_or() -> None:
    term = parse_search('FIND {john smith OR "big co" AND NOT (ceo or cto)}').term

    assert term == AnyOf(
        (
            AllOf((Word("john"), Word("smith"))),
            Without(
                Phrase((Word("big"), Word("co"))),
                (AnyOf((Word("ceo"), Word("cto"))),),
            ),
        )
    )


def test_a_word_that_splits_is_the_phrase_of_its_pieces_and_escapes_are_read() -> None:
    assert parse_search("FIND {joe@acme.com}").term == Phrase(
        (Word("joe"), Word("acme"), Word("com"))
    )
    assert parse_search(r"FIND {Jo* AND \(x\)y?}").term == AllOf(
        (Word("jo*"), Phrase((Word("x"), Word("y?"))))
    )


@pytest.mark.parametrize(
    ("text", "detail"),
    [
        ("FIND {a}", "search term must be longer than one character"),
        ("FIND {*}", "search term must be longer than one character"),
        ("FIND Jones", "unexpected token: 'Jones'"),
        ("FIND {Jones} IN EVERY FIELDS", "unexpected"),
        ("FIND {(Jones}", "the search term does not parse"),
        ("FIND {Jones} RETURNING Contact(Id WHERE)", "Contact: unexpected token: '<EOF>'"),
        ("FIND {Jones} LIMIT 2001", "LIMIT must be between 1 and 2,000"),
    ],
)
def test_a_malformed_search_is_refused_naming_what_is_wrong(text: str, detail: str) -> None:
    with pytest.raises(MalformedSearch) as refused:
        parse_search(text)

    assert refused.value.error_code == "MALFORMED_SEARCH"
    assert detail in refused.value.detail


def test_a_word_pattern_matches_whole_words_with_its_wildcards() -> None:
    assert Word("jo*").pattern().fullmatch("jones")
    assert not Word("jo?").pattern().fullmatch("jones")
    assert Word("jo?").pattern().fullmatch("joe")
    assert not Word("jones").pattern().fullmatch("jonesy")
