"""SOSL's reserved characters: refused bare in a search term, read as themselves escaped."""

from __future__ import annotations

import pytest

from forcebridge.sandbox.errors import ApiError
from forcebridge.sandbox.search_escapes import MUST_ESCAPE, RESERVED, escape, parse_escaped
from forcebridge.soql.search import AllOf, MalformedSearch, Phrase, Word


def test_the_reserved_characters_are_salesforces() -> None:
    assert "".join(sorted(RESERVED)) == "".join(sorted("?&|!{}[]()^~*:\\\"'+-"))
    assert "".join(sorted(MUST_ESCAPE)) == "".join(sorted("&|!{}[]^~:'+-"))


def test_a_bare_reserved_character_is_refused_as_salesforces_lexer_refuses_it() -> None:
    with pytest.raises(ApiError) as refused:
        parse_escaped("FIND {Marie-Pier Martin}")

    assert (refused.value.status, refused.value.error_code) == (400, "MALFORMED_SEARCH")
    assert refused.value.message == (
        "\nFIND {Marie-Pier Martin}\n           ^\nERROR at Row:1:Column:11\n"
        "line 1:11 mismatched character '-' expecting '}'"
    )


@pytest.mark.parametrize("character", sorted(MUST_ESCAPE - {"}"}))
def test_every_reserved_character_must_be_escaped_even_in_a_phrase(character: str) -> None:
    for sosl in (f"FIND {{ab{character}cd}}", f'FIND {{"ab{character}cd"}}'):
        with pytest.raises(ApiError) as refused:
            parse_escaped(sosl)
        assert f"mismatched character '{character}'" in refused.value.message


def test_the_row_and_column_are_those_of_the_line_the_character_is_on() -> None:
    with pytest.raises(ApiError) as refused:
        parse_escaped("FIND {acme\nco:op}")

    assert refused.value.message.endswith(
        "\nco:op}\n  ^\nERROR at Row:2:Column:2\nline 2:2 mismatched character ':' expecting '}'"
    )


@pytest.mark.parametrize("character", sorted(RESERVED))
def test_an_escaped_reserved_character_is_punctuation_the_words_split_at(character: str) -> None:
    search = parse_escaped(f"FIND {{ab\\{character}cd}} RETURNING Contact")

    assert search.term == Phrase((Word("ab"), Word("cd")))


def test_an_escaped_wildcard_is_no_wildcard() -> None:
    assert parse_escaped("FIND {Why not\\?}").term == AllOf((Word("why"), Word("not")))
    assert parse_escaped("FIND {acme\\*}").term == Word("acme")
    assert parse_escaped("FIND {acme*}").term == Word("acme*")


def test_the_search_keeps_the_text_as_given_and_so_do_later_errors() -> None:
    assert parse_escaped("FIND {acme\\*} LIMIT 5").text == "FIND {acme\\*} LIMIT 5"
    with pytest.raises(MalformedSearch) as refused:
        parse_escaped("FIND {acme\\*} LIMIT 0")
    assert refused.value.query_text == "FIND {acme\\*} LIMIT 0"


def test_operators_wildcards_phrases_and_what_is_not_reserved_pass_bare() -> None:
    search = parse_escaped('FIND {(jo* OR "big co") AND NOT joe@acme.com}')

    assert search.term is not None


def test_text_outside_the_term_is_not_checked() -> None:
    search = parse_escaped("FIND {acme} RETURNING Contact(Name WHERE Title = 'R&D - Ops')")

    assert [target.sobject for target in search.returning] == ["Contact"]


def test_escape_leaves_the_term_syntax_and_escapes_the_rest() -> None:
    assert escape('Marie-Pier O\'Brien & "co" jo* \\ {x}') == (
        'Marie\\-Pier O\\\'Brien \\& "co" jo* \\\\ \\{x\\}'
    )
    assert parse_escaped(f"FIND {{{escape('Marie-Pier')}}}").term == Phrase(
        (Word("marie"), Word("pier"))
    )
