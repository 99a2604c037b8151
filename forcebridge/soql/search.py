"""SOSL, SOQL's search sibling: `FIND {term} IN ... FIELDS RETURNING Object(...)` to a tree.

The term (between the braces) becomes `Word`, `Phrase`, `AllOf`, `AnyOf` and `Without` nodes;
a word holding characters that split words (`joe@acme.com`) is the phrase of its pieces, as a
search index reads it. Each RETURNING object's clauses are SOQL (`Id, Name WHERE ... ORDER BY
... LIMIT n`), parsed by `forcebridge.soql.parser` into the query that selects its results.
Errors are `MalformedSearch`, Salesforce's MALFORMED_SEARCH, pointing into the search's text:
one in an object's clauses too, not into the SOQL statement they become (`Returning.relocated`).

SOSL reserves `? & | ! { } [ ] ( ) ^ ~ * : \\ " ' + -` in the term (SOQL and SOSL guide, "FIND
{SearchQuery}", Reserved Characters): each is read as itself when a backslash precedes it,
quoted phrase or not. Six mean something bare (`*` and `?` are wildcards, `"` quotes a phrase,
`(` and `)` group, `\\` escapes); any other left bare is refused as Salesforce's lexer refuses
it (`UnescapedCharacter`). An escaped character is one literal character of the text searched
for; the reserved ones are all punctuation, which the search index splits words at, so
`Marie\\-Pier` is the phrase "marie pier" and `not\\?` the word "not", no wildcard.
"""

from __future__ import annotations

import enum
import functools
import re
from dataclasses import dataclass, replace
from importlib.resources import files
from typing import Any, cast

from lark import Lark, Token, Transformer, UnexpectedInput

from forcebridge.soql.ast import Aggregate, Count, Field, Query, SelectItem, Subquery
from forcebridge.soql.errors import MalformedQuery, SoqlError
from forcebridge.soql.parser import parse

MAX_RESULTS = 2000
"""The most records one search returns, and its LIMIT when it gives none."""


RESERVED = frozenset("?&|!{}[]()^~*:\\\"'+-")
"""The characters a search term must escape to mean themselves."""
MUST_ESCAPE = RESERVED - frozenset('*?"()\\')
"""The reserved characters that mean nothing bare (the others are the wildcards, quotes,
parentheses and the backslash itself): one left bare is an error."""


class MalformedSearch(SoqlError):
    """The text is not SOSL the engine understands."""

    error_code = "MALFORMED_SEARCH"


class UnescapedCharacter(MalformedSearch):
    """A reserved character left bare in the term, worded as Salesforce's SOSL lexer words it:
    "line 1:11 mismatched character '-' expecting '}'", the column counted from 0, in the
    layout's `Column` too."""

    def __init__(self, text: str, pos: int) -> None:
        line_start = text.rfind("\n", 0, pos) + 1
        row, column = text.count("\n", 0, pos) + 1, pos - line_start
        super().__init__(
            text, pos, f"line {row}:{column} mismatched character '{text[pos]}' expecting '}}'"
        )
        line_end = text.find("\n", pos)
        line = text[line_start : line_end if line_end >= 0 else len(text)]
        self.column = column
        self.message = (
            f"\n{line}\n{' ' * column}^\nERROR at Row:{row}:Column:{column}\n{self.detail}"
        )
        self.args = (self.message,)


@dataclass(frozen=True)
class Word:
    text: str
    """Lower-case word characters, with `*` (any run of them) and `?` (one) as wildcards."""

    def pattern(self) -> re.Pattern[str]:
        """A whole-token regular expression for the word (built once per word, as a search
        tries it on every word of every candidate record)."""
        return _word_pattern(self.text)


@functools.lru_cache(maxsize=1024)
def _word_pattern(text: str) -> re.Pattern[str]:
    return re.compile(
        "".join(r"\w*" if c == "*" else r"\w" if c == "?" else re.escape(c) for c in text)
    )


@dataclass(frozen=True)
class Phrase:
    """Words that must follow one another in one field."""

    words: tuple[Word, ...]


@dataclass(frozen=True)
class AllOf:
    parts: tuple[Term, ...]


@dataclass(frozen=True)
class AnyOf:
    parts: tuple[Term, ...]


@dataclass(frozen=True)
class Without:
    keep: Term
    drop: tuple[Term, ...]


Term = Word | Phrase | AllOf | AnyOf | Without


class Scope(enum.StrEnum):
    ALL = "ALL"
    NAME = "NAME"
    EMAIL = "EMAIL"
    PHONE = "PHONE"
    SIDEBAR = "SIDEBAR"


@dataclass(frozen=True)
class Returning:
    sobject: str
    query: Query
    """What to return of its matches: the fields, filter, order, limit and offset given, or
    the Id alone, as a SOQL statement of its own (`query.text`, which the client never
    sent)."""
    spans: tuple[_Span, ...] = ()
    """Where each piece of `query.text` comes from in the search's text."""
    at: int | None = None
    """Where the object's name stands in the search's text."""

    def relocated(
        self, error: SoqlError, text: str, kind: type[SoqlError] | None = None
    ) -> SoqlError:
        """`error`, found in `query.text`, as a `kind` (by default its own) pointing into the
        search's `text` instead, as Salesforce points a SOSL error at the FIND text: a token
        the statement added (its `FROM`, its end) is reported as the one the client wrote
        there."""
        kind = kind or type(error)
        at = self.position(error.pos)
        if at is None:
            return kind(text, None, f"{self.sobject}: {error.detail}")
        detail = error.detail
        if not any(span.copies(error.pos) for span in self.spans):
            detail = _TOKEN_DETAIL.sub(f"unexpected token: '{_token_at(text, at)}'", detail)
        row, column = text.count("\n", 0, at) + 1, at - (text.rfind("\n", 0, at) + 1)
        return kind(text, at, _LEXER_AT.sub(f"line {row}:{column}", detail))

    def position(self, pos: int | None) -> int | None:
        """The offset in the search's text of offset `pos` of `query.text`."""
        if pos is None or not self.spans:
            return None
        span = next((s for s in self.spans if pos < s.soql_at + s.length), self.spans[-1])
        return span.text_at + (pos - span.soql_at if span.copies(pos) else 0)


@dataclass(frozen=True)
class _Span:
    """`length` characters of a RETURNING object's statement from `soql_at`: copied from the
    search's text at `text_at`, or (`copied` false) added, standing for what is at `text_at`."""

    soql_at: int
    length: int
    text_at: int
    copied: bool

    def copies(self, pos: int | None) -> bool:
        return self.copied and pos is not None and self.soql_at <= pos < self.soql_at + self.length


@dataclass(frozen=True)
class Search:
    term: Term
    scope: Scope
    returning: tuple[Returning, ...]
    """Empty: every searchable object, Ids only."""
    limit: int
    text: str


_WORD_SPLIT = re.compile(r"[^\w*?]+")
_CHARACTER = re.compile(r"\\(.)|(.)", re.DOTALL)
"""One character of a term's text: escaped (group 1) or bare (group 2)."""
_CLAUSE_START = re.compile(r"\b(?:WHERE|ORDER\s+BY|LIMIT|OFFSET)\b", re.IGNORECASE)
_TOKEN_DETAIL = re.compile(r"^unexpected token: '.*'$", re.DOTALL)
_LEXER_AT = re.compile(r"^line \d+:\d+")
_TOKEN = re.compile(r"\w+|\S")
_SUBQUERY_START = re.compile(r"\(\s*SELECT\b", re.IGNORECASE)
_COUNT_CALL = re.compile(r"\bCOUNT\s*\(", re.IGNORECASE)
_GROUP_BY = re.compile(r"\bGROUP\s+BY\b", re.IGNORECASE)


def escape_term(text: str) -> str:
    """`text` as a search term that means what it says, but for its wildcards, quotes,
    parentheses and operators: each other reserved character, and the backslash, escaped."""
    return "".join(f"\\{c}" if c in MUST_ESCAPE or c == "\\" else c for c in text)


def parse_search(text: str) -> Search:
    """Parse one SOSL search; raise `MalformedSearch` naming what is wrong."""
    try:
        parts = cast(dict[str, Any], _envelope_parser().parse(text))
    except UnexpectedInput as problem:
        raise MalformedSearch(text, problem.pos_in_stream, _unexpected(problem)) from None
    braced: Token = parts["term"]
    term = _parse_term(text, braced)
    limit = parts.get("limit", MAX_RESULTS)
    if not 1 <= limit <= MAX_RESULTS:
        raise MalformedSearch(text, None, f"LIMIT must be between 1 and {MAX_RESULTS:,}")
    return Search(
        term,
        Scope(parts.get("scope", "ALL").upper()),
        tuple(_returning(text, name, inside) for name, inside in parts.get("returning", ())),
        limit,
        text,
    )


def _unexpected(problem: UnexpectedInput) -> str:
    token = getattr(problem, "token", None)
    if token is not None and token.type == "$END":
        return "unexpected token: '<EOF>'"
    if token is not None:
        return f"unexpected token: '{token}'"
    return "unexpected character"


def _returning(text: str, name: Token, inside: tuple[int, int] | None) -> Returning:
    """The SOQL statement an object's RETURNING clauses (between `inside`'s offsets in
    `text`) stand for, and where each piece of it comes from."""
    sobject, named_at = str(name), name.start_pos or 0
    start, end = inside or (named_at + len(sobject),) * 2
    clauses = text[start:end]
    split = _CLAUSE_START.search(clauses)
    at = split.start() if split else len(clauses)
    bare = not clauses.strip()
    fields = ("Id", named_at) if bare else _stripped(clauses[:at], start)
    rest = _stripped(clauses[at:], start + at)
    statement, spans = "", []
    for piece, text_at, copied in [
        ("SELECT ", fields[1], False),
        (fields[0], fields[1], not bare),
        (f" FROM {sobject} ", rest[1] if rest[0] else end, False),
        (rest[0], rest[1], True),
    ]:
        spans.append(_Span(len(statement), len(piece), text_at, copied))
        statement += piece
    spans.append(_Span(len(statement), 0, end, False))  # its end: the closing parenthesis
    returning = Returning(sobject, Query((), sobject), tuple(spans), named_at)
    try:
        query = parse(statement.strip())
    except SoqlError as error:
        raise returning.relocated(error, text, MalformedSearch) from None
    beyond = _beyond_sosl(statement, query)
    if beyond is not None:
        at, token = beyond
        unexpected = MalformedQuery(statement, at, f"unexpected token: '{token}'")
        raise returning.relocated(unexpected, text, MalformedSearch)
    return replace(returning, query=query)


def _beyond_sosl(statement: str, query: Query) -> tuple[int, str] | None:
    """Where `statement` first reads as SOQL that SOSL's RETURNING syntax (a field list,
    WHERE, ORDER BY, LIMIT, OFFSET) does not take, and the token there: the parenthesis of
    a subquery or an aggregate function, or GROUP BY's `GROUP`."""
    for item in query.select:
        opening = _opening_of(statement, item)
        if opening is not None:
            return opening, "("
    if query.group_by:
        first = query.group_by[0]
        grouped = first if isinstance(first, Field) else first.field
        keywords = list(_GROUP_BY.finditer(statement, 0, grouped.pos or len(statement)))
        return keywords[-1].start(), "GROUP"
    return None


def _opening_of(statement: str, item: SelectItem) -> int | None:
    """Where the parenthesis of a subquery or an aggregate function (`COUNT(Id)`) stands in
    `statement`, None for any other item: SOSL's RETURNING syntax takes a list of fields
    only, so that parenthesis is what it cannot read."""
    if isinstance(item, Subquery):
        before = statement[: item.query.sobject_pos]
        return [found.start() for found in _SUBQUERY_START.finditer(before)][-1]
    if isinstance(item, Count | Aggregate) and item.field is not None:
        return statement.rfind("(", 0, item.field.pos)
    if isinstance(item, Count):
        found = _COUNT_CALL.search(statement)
        return found.end() - 1 if found else None
    return None


def _stripped(piece: str, at: int) -> tuple[str, int]:
    """`piece` (found at `at`) without its surrounding blanks, and where what is left starts."""
    kept = piece.lstrip()
    return kept.rstrip(), at + len(piece) - len(kept)


def _token_at(text: str, at: int) -> str:
    """The token the client wrote at `at`."""
    found = _TOKEN.match(text, at)
    return found.group() if found else "<EOF>"


def _parse_term(text: str, braced: Token) -> Term:
    inner, start = str(braced)[1:-1], (braced.start_pos or 0) + 1
    try:
        term = cast(Term, _term_parser().parse(inner))
    except UnexpectedInput:
        raise MalformedSearch(text, braced.start_pos, "the search term does not parse") from None
    except _Bare as bare:
        raise UnescapedCharacter(text, start + bare.position) from None
    if term == _NOTHING:
        raise MalformedSearch(
            text, braced.start_pos, "search term must be longer than one character"
        )
    return term


class _Bare(Exception):
    """A reserved character left bare, at `position` in the term's text."""

    def __init__(self, position: int) -> None:
        super().__init__(position)
        self.position = position


class _Envelope(Transformer[Token, Any]):
    """The search's parts by name: `term` (the braced token), `scope`, `returning` (each
    object's name token and where its clauses' text starts and ends), `limit`."""

    def start(self, children: list[Any]) -> dict[str, Any]:
        return dict([("term", children[0]), *children[1:]])

    def scope(self, children: list[Token]) -> tuple[str, str]:
        return "scope", str(children[0])

    def returning(self, children: list[tuple[Token, tuple[int, int] | None]]) -> tuple[str, Any]:
        return "returning", children

    def target(self, children: list[Any]) -> tuple[Token, tuple[int, int] | None]:
        return children[0], children[1] if len(children) > 1 else None

    def clauses(self, children: list[Any]) -> tuple[int, int]:
        """Where the clauses' text starts and ends, inside their parentheses."""
        return (children[0].start_pos or 0) + 1, children[-1].start_pos or 0

    def limit(self, children: list[Token]) -> tuple[str, int]:
        return "limit", int(children[0])


_NOTHING = AllOf(())
"""A word too short to search for (`a`, an escaped `-` alone): left out of its term, which
is refused only when nothing else is left (`FIND {a}`), as Salesforce does."""


class _Terms(Transformer[Token, Term]):
    def word(self, children: list[Token]) -> Term:
        token = children[0]
        return _words(_pieces(str(token), token.start_pos or 0))

    def phrase(self, children: list[Token]) -> Term:
        token = children[0]
        return _words(_pieces(str(token)[1:-1], (token.start_pos or 0) + 1), always_phrase=True)

    def all_of(self, children: list[Term]) -> Term:
        return _joined(AllOf, children)

    def any_of(self, children: list[Term]) -> Term:
        return _joined(AnyOf, children)

    def without(self, children: list[Term]) -> Term:
        kept = [child for child in children[1:] if child != _NOTHING]
        if children[0] == _NOTHING or not kept:
            return children[0]
        return Without(children[0], tuple(kept))


def _joined(kind: type[AllOf] | type[AnyOf], children: list[Term]) -> Term:
    kept = tuple(child for child in children if child != _NOTHING)
    if not kept:
        return _NOTHING
    return kept[0] if len(kept) == 1 else kind(kept)


def _words(pieces: list[str], always_phrase: bool = False) -> Term:
    if not pieces or sum(len(p.replace("*", "").replace("?", "")) for p in pieces) < 2:
        return _NOTHING
    words = tuple(Word(piece) for piece in pieces)
    return words[0] if len(words) == 1 and not always_phrase else Phrase(words)


def _pieces(raw: str, start: int) -> list[str]:
    """The lower-case words of a word's or phrase's text `raw`, found at `start` in the term:
    an escaped character is a literal one, so a punctuation mark (an escaped wildcard too)
    splits words there; a bare wildcard stays; a bare reserved character raises `_Bare`."""
    text = []
    for match in _CHARACTER.finditer(raw):
        escaped, bare = match.groups()
        if escaped is not None:
            text.append(escaped if escaped.isalnum() or escaped == "_" else " ")
        elif bare in MUST_ESCAPE:
            raise _Bare(start + match.start())
        else:
            text.append(bare)
    return [piece for piece in _WORD_SPLIT.split("".join(text).lower()) if piece]


@functools.cache
def _envelope_parser() -> Lark:
    grammar = files("forcebridge.soql").joinpath("search.lark").read_text(encoding="utf-8")
    return Lark(grammar, parser="lalr", lexer="contextual", transformer=_Envelope())


@functools.cache
def _term_parser() -> Lark:
    grammar = files("forcebridge.soql").joinpath("search_term.lark").read_text(encoding="utf-8")
    return Lark(grammar, parser="lalr", lexer="contextual", transformer=_Terms())
