"""SOSL parsing: the term's words, operators and reserved characters, the scope, each object's
SOQL clauses."""

from __future__ import annotations

import pytest

from forcebridge.soql.ast import Comparison, Field, Operator, StringValue
from forcebridge.soql.search import (
    MAX_RESULTS,
    MUST_ESCAPE,
    RESERVED,
    AllOf,
    AnyOf,
    MalformedSearch,
    Phrase,
    Scope,
    UnescapedCharacter,
    Without,
    Word,
    escape_term,
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


def test_a_word_too_short_to_search_for_is_left_out_when_others_remain() -> None:
    assert parse_search("FIND {Smith J}").term == Word("smith")
    assert parse_search(r"FIND {Smith \- Jones}").term == AllOf((Word("smith"), Word("jones")))
    assert parse_search(r"FIND {C\+\+ developer}").term == Word("developer")


@pytest.mark.parametrize(
    ("text", "detail"),
    [
        ("FIND {a}", "search term must be longer than one character"),
        ("FIND {*}", "search term must be longer than one character"),
        ("FIND {a OR b}", "search term must be longer than one character"),
        (r"FIND {\- a}", "search term must be longer than one character"),
        ("FIND Jones", "unexpected token: 'Jones'"),
        ("FIND {Jones} IN EVERY FIELDS", "unexpected"),
        ("FIND {(Jones}", "the search term does not parse"),
        ("FIND {Jones} RETURNING Contact(Id WHERE)", "unexpected token: ')'"),
        ("FIND {Jones} LIMIT 2001", "LIMIT must be between 1 and 2,000"),
    ],
)
def test_a_malformed_search_is_refused_naming_what_is_wrong(text: str, detail: str) -> None:
    with pytest.raises(MalformedSearch) as refused:
        parse_search(text)

    assert refused.value.error_code == "MALFORMED_SEARCH"
    assert detail in refused.value.detail


@pytest.mark.parametrize(
    ("text", "column", "detail"),
    [
        ("FIND {Jo} RETURNING Contact(Id WHERE Name = )", 45, "unexpected token: ')'"),
        ("FIND {Jo} RETURNING Contact(Id,)", 32, "unexpected token: ')'"),
        ("FIND {Jo} RETURNING Contact( WHERE Name = 'x')", 30, "unexpected token: 'WHERE'"),
        ("FIND {Jo} RETURNING Contact(Id, (SELECT Id FROM Tasks))", 33, "unexpected token: '('"),
        ("FIND {Jo} RETURNING Contact(Id, COUNT(Id))", 38, "unexpected token: '('"),
        ("FIND {Jo} RETURNING Contact(COUNT())", 34, "unexpected token: '('"),
        ("FIND {Jo} RETURNING Lead, Contact(MAX(LastName) m)", 38, "unexpected token: '('"),
        (
            "FIND {Jo} RETURNING Lead, Contact(Id WHERE Name = 'x' # )",
            55,
            "line 1:54 no viable alternative at character '#'",
        ),
    ],
)
def test_an_objects_clauses_are_refused_where_the_find_text_has_them(
    text: str, column: int, detail: str
) -> None:
    """Not in the SOQL statement the clauses become, which the client never sent: a token
    the statement adds (`FROM`, its end) is the one the client wrote there."""
    with pytest.raises(MalformedSearch) as refused:
        parse_search(text)

    assert refused.value.message == (
        f"\n{text}\n{' ' * (column - 1)}^\nERROR at Row:1:Column:{column}\n{detail}"
    )


def test_a_returning_object_maps_its_statement_back_to_the_find_text() -> None:
    text = "FIND {Jo}\nRETURNING Contact( Id, Email  WHERE Email = 'a'), Lead"
    contact, lead = parse_search(text).returning

    assert contact.query.text == "SELECT Id, Email FROM Contact WHERE Email = 'a'"
    email = contact.query.text.index("Email")
    where = contact.query.text.index("WHERE")
    assert contact.position(email) == text.index("Email")
    assert contact.position(where + 6) == text.index("Email =")
    assert lead.query.text == "SELECT Id FROM Lead"
    assert lead.position(7) == text.index("Lead")


def test_a_word_pattern_matches_whole_words_with_its_wildcards() -> None:
    assert Word("jo*").pattern().fullmatch("jones")
    assert not Word("jo?").pattern().fullmatch("jones")
    assert Word("jo?").pattern().fullmatch("joe")
    assert not Word("jones").pattern().fullmatch("jonesy")


def test_the_reserved_characters_are_salesforces() -> None:
    assert "".join(sorted(RESERVED)) == "".join(sorted("?&|!{}[]()^~*:\\\"'+-"))
    assert "".join(sorted(MUST_ESCAPE)) == "".join(sorted("&|!{}[]^~:'+-"))


def test_a_bare_reserved_character_is_refused_as_salesforces_lexer_refuses_it() -> None:
    with pytest.raises(UnescapedCharacter) as refused:
        parse_search("FIND {Marie-Pier Martin}")

    assert refused.value.error_code == "MALFORMED_SEARCH"
    assert refused.value.message == (
        "\nFIND {Marie-Pier Martin}\n           ^\nERROR at Row:1:Column:11\n"
        "line 1:11 mismatched character '-' expecting '}'"
    )


@pytest.mark.parametrize("character", sorted(MUST_ESCAPE - {"}"}))
def test_every_reserved_character_must_be_escaped_even_in_a_phrase(character: str) -> None:
    for sosl in (f"FIND {{ab{character}cd}}", f'FIND {{"ab{character}cd"}}'):
        with pytest.raises(UnescapedCharacter) as refused:
            parse_search(sosl)
        column = sosl.index(character, 6)
        assert refused.value.detail == (
            f"line 1:{column} mismatched character '{character}' expecting '}}'"
        )


def test_the_row_and_column_are_those_of_the_line_the_character_is_on() -> None:
    with pytest.raises(UnescapedCharacter) as refused:
        parse_search("FIND {acme\nco:op}")

    assert refused.value.message.endswith(
        "\nco:op}\n  ^\nERROR at Row:2:Column:2\nline 2:2 mismatched character ':' expecting '}'"
    )


@pytest.mark.parametrize("character", sorted(RESERVED))
def test_an_escaped_reserved_character_is_punctuation_the_words_split_at(character: str) -> None:
    search = parse_search(f"FIND {{ab\\{character}cd}} RETURNING Contact")

    assert search.term == Phrase((Word("ab"), Word("cd")))


def test_an_escaped_wildcard_is_no_wildcard_and_an_escaped_letter_a_letter() -> None:
    assert parse_search("FIND {Why not\\?}").term == AllOf((Word("why"), Word("not")))
    assert parse_search("FIND {acme\\*}").term == Word("acme")
    assert parse_search("FIND {acme*}").term == Word("acme*")
    assert parse_search('FIND {"big\\* co"}').term == Phrase((Word("big"), Word("co")))
    assert parse_search("FIND {\\acme}").term == Word("acme")


def test_the_search_keeps_the_text_as_given_and_so_do_later_errors() -> None:
    assert parse_search("FIND {acme\\*} LIMIT 5").text == "FIND {acme\\*} LIMIT 5"
    with pytest.raises(MalformedSearch) as refused:
        parse_search("FIND {acme\\*} LIMIT 0")
    assert refused.value.query_text == "FIND {acme\\*} LIMIT 0"


def test_operators_wildcards_phrases_and_what_is_not_reserved_pass_bare() -> None:
    search = parse_search('FIND {(jo* OR "big co") AND NOT joe@acme.com}')

    assert search.term == Without(
        AnyOf((Word("jo*"), Phrase((Word("big"), Word("co"))))),
        (Phrase((Word("joe"), Word("acme"), Word("com"))),),
    )


def test_text_outside_the_term_is_not_checked() -> None:
    search = parse_search("FIND {acme} RETURNING Contact(Name WHERE Title = 'R&D - Ops')")

    assert [target.sobject for target in search.returning] == ["Contact"]


def test_escape_term_leaves_the_term_syntax_and_escapes_the_rest() -> None:
    assert escape_term('Marie-Pier O\'Brien & "co" jo* \\ {x}') == (
        'Marie\\-Pier O\\\'Brien \\& "co" jo* \\\\ \\{x\\}'
    )
    assert parse_search(f"FIND {{{escape_term('Marie-Pier')}}}").term == Phrase(
        (Word("marie"), Word("pier"))
    )
