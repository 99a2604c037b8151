"""Which stored contact an incoming record is: decided for a whole page at once, as plain data.

The store is asked once per key per page (identities, phones, emails; see
`forcebridge.store.repositories.contacts`), and this module decides with what came back:

1. the record's Id is already linked to a contact: that contact;
2. else the contact the record was linked to before a pull unlinked it (deleted in Salesforce,
   or out of the service's records, and back since): the person it was, with its
   conversations, though the record has no phone or email;
3. else a contact sharing one of its phone numbers (E.164; `phone` and `mobile` alike);
4. else a contact with the same case-folded email.

A contact already linked to another record of the same source (another Salesforce Contact, say)
is never taken, the one a record was linked to before included: one record of a source is one
contact, so two Salesforce duplicates stay two contacts instead of overwriting each other. Nor
is a contact taken twice in one page, and the contacts records were linked to before are
theirs first, so a phone shared with another record of the page does not take one. When
several contacts remain, the one sharing the most keys with the record wins, then the oldest
(lowest id); the others are reported so the run can log the ambiguity, as are contacts only
the email found when a phone decided. Contacts created by other
sources (a CSV import, another Salesforce object) are matched, never duplicated, and keep their
identities.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from forcebridge.sync.phone_numbers import e164


class InvalidKey(ValueError):
    """A phone number or email address that cannot be read; the message says what was wrong."""


def phone_key(raw: str | None, region: str) -> str | None:
    """`raw` in E.164, reading numbers without `+` in `region`'s plan; None when empty.

    Only the number's shape is checked (`is_possible_number`), not whether its range is
    allocated today, so a real number does not stop matching when numbering plans change.
    """
    if raw is None or not raw.strip():
        return None
    key, problem = e164(raw, region)
    if key is None:
        raise InvalidKey(f"{raw!r} {problem}")
    return key


def email_key(raw: str | None) -> str | None:
    """`raw` trimmed and case-folded; None when empty. Only its shape is checked."""
    if raw is None or not raw.strip():
        return None
    email = raw.strip().casefold()
    local, at, domain = email.partition("@")
    if not at or not local or "@" in domain or "." not in domain.strip(".") or " " in email:
        raise InvalidKey(f"{raw!r} is not an email address")
    return email


class MatchKeys(NamedTuple):
    """What an incoming record can be matched on (a tuple: one per record read)."""

    external_id: str
    phones: tuple[str, ...] = ()
    """E.164 numbers, the record's phone before its mobile."""
    email: str | None = None


@dataclass(frozen=True)
class Candidate:
    """A stored contact the page's phones or emails found."""

    contact_id: int
    phones: frozenset[str] = frozenset()
    """Its phone and mobile in E.164."""
    email: str | None = None
    linked: bool = False
    """Already linked to a record of the source being matched (so it is another record's)."""


@dataclass(frozen=True)
class Candidates:
    """What the store holds for one page's keys."""

    by_external_id: Mapping[str, int] = field(default_factory=dict)
    """Contact id of each of the page's external ids already linked."""
    contacts: Sequence[Candidate] = ()
    """Every contact sharing a phone or email with some record of the page, and those of
    `formerly`."""
    formerly: Mapping[str, int] = field(default_factory=dict)
    """Contact id each of the page's external ids not linked now was linked to before."""


class MatchedBy(enum.StrEnum):
    ID = "id"
    FORMER_LINK = "former link"
    PHONE = "phone"
    EMAIL = "email"


@dataclass(frozen=True)
class Match:
    """The contact a record is (None: a new one), how it was found, and the runners-up."""

    contact_id: int | None
    by: MatchedBy | None = None
    others: tuple[int, ...] = ()
    """Other contacts that matched as well: the record was ambiguous."""


NO_MATCH = Match(None)


def match_page(keys: Sequence[MatchKeys], candidates: Candidates) -> list[Match]:
    """One `Match` per record, in order; see the module docstring for the rule."""
    by_phone: dict[str, list[Candidate]] = {}
    by_email: dict[str, list[Candidate]] = {}
    for candidate in candidates.contacts:
        if candidate.linked:
            continue
        for phone in candidate.phones:
            by_phone.setdefault(phone, []).append(candidate)
        if candidate.email is not None:
            by_email.setdefault(candidate.email, []).append(candidate)
    known = _formerly(keys, candidates)
    claimed = set(known.values())
    matches: list[Match] = []
    for record in keys:
        linked = candidates.by_external_id.get(record.external_id)
        if linked is not None:
            matches.append(Match(linked, MatchedBy.ID))
            continue
        former = known.get(record.external_id)
        if former is not None:
            matches.append(Match(former, MatchedBy.FORMER_LINK))
            continue
        by_its_email = by_email.get(record.email, ()) if record.email is not None else ()
        match = _best(record, _found(by_phone, record.phones), claimed, MatchedBy.PHONE)
        if match.contact_id is None:
            match = _best(record, by_its_email, claimed, MatchedBy.EMAIL)
        else:
            match = _also(match, by_its_email, claimed)
        if match.contact_id is not None:
            claimed.add(match.contact_id)
        matches.append(match)
    return matches


def _formerly(keys: Sequence[MatchKeys], candidates: Candidates) -> dict[str, int]:
    """The contact each record not linked now takes back, being the one it was linked to
    before: unless another record of the source holds it now, or a record before it in the
    page took it back first."""
    if not candidates.formerly:
        return {}
    free = {c.contact_id for c in candidates.contacts if not c.linked}
    known: dict[str, int] = {}
    for record in keys:
        sid = record.external_id
        was = candidates.formerly.get(sid)
        if sid in candidates.by_external_id or was not in free:
            continue
        known[sid] = was
        free.discard(was)
    return known


def _found(index: Mapping[str, list[Candidate]], keys: Iterable[str]) -> list[Candidate]:
    return [candidate for key in keys for candidate in index.get(key, ())]


def _best(record: MatchKeys, found: Iterable[Candidate], claimed: set[int], by: MatchedBy) -> Match:
    free = {c.contact_id: c for c in found if c.contact_id not in claimed}
    if not free:
        return NO_MATCH
    ranked = sorted(free.values(), key=lambda c: (-_shared_keys(record, c), c.contact_id))
    return Match(ranked[0].contact_id, by, tuple(c.contact_id for c in ranked[1:]))


def _also(match: Match, found: Iterable[Candidate], claimed: set[int]) -> Match:
    """A phone match, with the contacts only its email found reported as runners-up too: the
    phone wins, but a person whose email another contact holds is an ambiguity to log."""
    seen = {match.contact_id, *match.others, *claimed}
    more = tuple(sorted({c.contact_id for c in found if c.contact_id not in seen}))
    return Match(match.contact_id, match.by, (*match.others, *more)) if more else match


def _shared_keys(record: MatchKeys, candidate: Candidate) -> int:
    shared = len(candidate.phones.intersection(record.phones))
    return shared + (record.email is not None and record.email == candidate.email)
