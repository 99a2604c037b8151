from __future__ import annotations

from random import Random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from forcebridge.sync.matching import (
    Candidate,
    Candidates,
    InvalidKey,
    Match,
    MatchedBy,
    MatchKeys,
    email_key,
    match_page,
    phone_key,
)


@pytest.mark.parametrize(
    ("raw", "region", "e164"),
    [
        ("(201) 555-0123", "US", "+12015550123"),
        ("201.555.0123", "US", "+12015550123"),
        ("+1 201-555-0123", "FR", "+12015550123"),
        ("01 23 45 67 89", "FR", "+33123456789"),
        ("+49 (0)89 123456", "US", "+4989123456"),
        ("  ", "US", None),
        (None, "US", None),
    ],
)
def test_phone_numbers_are_keyed_in_e164_reading_national_ones_in_the_region(
    raw: str | None, region: str, e164: str | None
) -> None:
    assert phone_key(raw, region) == e164


@pytest.mark.parametrize("raw", ["12", "call me", "07700 900123"])
def test_a_phone_that_is_no_number_in_the_region_is_refused_by_name(raw: str) -> None:
    with pytest.raises(InvalidKey, match=repr(raw)):
        phone_key(raw, "US")


def test_emails_are_trimmed_and_case_folded() -> None:
    assert email_key("  Ana.Lopez@Example.COM ") == "ana.lopez@example.com"
    assert email_key("") is None


@pytest.mark.parametrize("raw", ["ana", "ana@", "@example.com", "ana@localhost", "a b@x.com"])
def test_an_email_without_the_shape_of_one_is_refused(raw: str) -> None:
    with pytest.raises(InvalidKey):
        email_key(raw)


A, B, C = "003A", "003B", "003C"


def test_a_linked_record_keeps_its_contact_even_when_its_phone_now_matches_another() -> None:
    [match] = match_page(
        [MatchKeys(A, ("+12015550123",))],
        Candidates({A: 7}, [Candidate(3, frozenset({"+12015550123"}))]),
    )
    assert match == Match(7, MatchedBy.ID)


def test_a_phone_match_beats_an_email_match_which_is_reported_as_an_ambiguity() -> None:
    [match] = match_page(
        [MatchKeys(A, ("+12015550123",), "ana@example.com")],
        Candidates(
            contacts=[
                Candidate(1, email="ana@example.com"),
                Candidate(2, frozenset({"+12015550123"})),
            ]
        ),
    )
    assert match == Match(2, MatchedBy.PHONE, others=(1,))


def test_a_mobile_number_finds_a_contact_that_has_it_as_its_phone() -> None:
    [match] = match_page(
        [MatchKeys(A, ("+12015550100", "+12015550123"))],
        Candidates(contacts=[Candidate(4, frozenset({"+12015550123"}))]),
    )
    assert match == Match(4, MatchedBy.PHONE)


def test_the_email_finds_a_contact_when_no_phone_does() -> None:
    [match] = match_page(
        [MatchKeys(A, ("+12015550123",), "ana@example.com")],
        Candidates(contacts=[Candidate(5, email="ana@example.com")]),
    )
    assert match == Match(5, MatchedBy.EMAIL)


def test_a_contact_linked_to_another_record_of_the_source_is_not_taken() -> None:
    [match] = match_page(
        [MatchKeys(A, ("+12015550123",))],
        Candidates(contacts=[Candidate(6, frozenset({"+12015550123"}), linked=True)]),
    )
    assert match == Match(None)


def test_of_several_candidates_the_one_sharing_most_keys_wins_then_the_oldest() -> None:
    phone, email = "+12015550123", "ana@example.com"
    candidates = Candidates(
        contacts=[
            Candidate(9, frozenset({phone}), email),
            Candidate(2, frozenset({phone})),
            Candidate(5, frozenset({phone})),
        ]
    )
    [both] = match_page([MatchKeys(A, (phone,), email)], candidates)
    assert both == Match(9, MatchedBy.PHONE, (2, 5))
    [phone_only] = match_page([MatchKeys(A, (phone,))], candidates)
    assert phone_only == Match(2, MatchedBy.PHONE, (5, 9))


def test_a_contact_is_taken_by_one_record_of_a_page_only() -> None:
    phone = "+12015550123"
    first, second = match_page(
        [MatchKeys(A, (phone,)), MatchKeys(B, (phone,))],
        Candidates(contacts=[Candidate(3, frozenset({phone}))]),
    )
    assert (first, second) == (Match(3, MatchedBy.PHONE), Match(None))


def test_a_record_back_takes_the_contact_it_was_linked_to_though_it_has_no_phone_or_email() -> None:
    """Undeleted in Salesforce, or admitted again by a widened routing rule."""
    [match] = match_page([MatchKeys(A)], Candidates(contacts=[Candidate(4)], formerly={A: 4}))
    assert match == Match(4, MatchedBy.FORMER_LINK)


def test_the_contact_a_record_was_linked_to_comes_after_its_link_and_before_phone_and_email() -> (
    None
):
    phone, email = "+12015550123", "ana@example.com"
    candidates = Candidates(
        {B: 7},
        [Candidate(2, frozenset({phone}), email), Candidate(4), Candidate(5)],
        formerly={A: 4, B: 5},
    )
    before_phone, linked = match_page(
        [MatchKeys(A, (phone,), email), MatchKeys(B, (phone,))], candidates
    )
    assert before_phone == Match(4, MatchedBy.FORMER_LINK)
    assert linked == Match(7, MatchedBy.ID)


def test_the_contact_a_record_was_linked_to_is_not_taken_once_another_record_holds_it() -> None:
    """The contact went to another record of the source meanwhile (a new Contact sharing its
    phone, say): the record is matched as any other, here by its email."""
    [match] = match_page(
        [MatchKeys(A, (), "ana@example.com")],
        Candidates(
            contacts=[Candidate(4, linked=True), Candidate(6, email="ana@example.com")],
            formerly={A: 4},
        ),
    )
    assert match == Match(6, MatchedBy.EMAIL)


def test_a_contact_goes_back_to_its_record_before_a_phone_earlier_in_the_page_takes_it() -> None:
    phone = "+12015550123"
    first, second = match_page(
        [MatchKeys(A, (phone,)), MatchKeys(B)],
        Candidates(contacts=[Candidate(3, frozenset({phone}))], formerly={B: 3}),
    )
    assert (first, second) == (Match(None), Match(3, MatchedBy.FORMER_LINK))


def test_two_records_back_that_were_one_contact_give_it_to_the_first_only() -> None:
    first, second = match_page(
        [MatchKeys(A), MatchKeys(B)], Candidates(contacts=[Candidate(3)], formerly={A: 3, B: 3})
    )
    assert (first, second) == (Match(3, MatchedBy.FORMER_LINK), Match(None))


def test_a_former_contact_the_store_no_longer_holds_is_passed_over() -> None:
    """Merged away or deleted (its former link moved or gone with it): not among the
    candidates, so the record is matched as any other."""
    [match] = match_page([MatchKeys(A)], Candidates(formerly={A: 3}))
    assert match == Match(None)


PHONES = [f"+1201555010{n}" for n in range(4)]
EMAILS = [f"p{n}@example.com" for n in range(3)]
keys_strategy = st.builds(
    MatchKeys,
    external_id=st.sampled_from([A, B, C, "003D", "003E"]),
    phones=st.lists(st.sampled_from(PHONES), max_size=2, unique=True).map(tuple),
    email=st.none() | st.sampled_from(EMAILS),
)
candidate_strategy = st.builds(
    Candidate,
    contact_id=st.integers(1, 12),
    phones=st.frozensets(st.sampled_from(PHONES), max_size=2),
    email=st.none() | st.sampled_from(EMAILS),
    linked=st.booleans(),
)


@st.composite
def pages(draw: st.DrawFn) -> tuple[list[MatchKeys], Candidates]:
    keys = draw(st.lists(keys_strategy, max_size=6, unique_by=lambda k: k.external_id))
    contacts = draw(st.lists(candidate_strategy, max_size=8, unique_by=lambda c: c.contact_id))
    ids = st.sampled_from([k.external_id for k in keys] or [A])
    linked = draw(st.dictionaries(ids, st.integers(20, 30)))
    formerly = draw(st.dictionaries(ids, st.integers(1, 14)))
    return keys, Candidates(linked, contacts, formerly)


@given(pages(), st.randoms())
def test_matching_does_not_depend_on_the_order_the_store_returned_candidates_in(
    page: tuple[list[MatchKeys], Candidates], random: Random
) -> None:
    keys, candidates = page
    shuffled = list(candidates.contacts)
    random.shuffle(shuffled)
    assert match_page(keys, candidates) == match_page(
        keys, Candidates(candidates.by_external_id, shuffled, candidates.formerly)
    )


@given(pages())
def test_every_match_shares_a_key_and_no_contact_is_given_to_two_records(
    page: tuple[list[MatchKeys], Candidates],
) -> None:
    keys, candidates = page
    by_id = {c.contact_id: c for c in candidates.contacts}
    matches = match_page(keys, candidates)
    taken = [m.contact_id for m in matches if m.contact_id is not None and m.by is not MatchedBy.ID]
    assert len(taken) == len(set(taken))
    for record, match in zip(keys, matches, strict=True):
        if match.by is MatchedBy.ID:
            assert match.contact_id == candidates.by_external_id[record.external_id]
        elif match.contact_id is not None:
            chosen = by_id[match.contact_id]
            assert not chosen.linked
            if match.by is MatchedBy.FORMER_LINK:
                assert match.contact_id == candidates.formerly[record.external_id]
            elif match.by is MatchedBy.PHONE:
                assert chosen.phones & set(record.phones)
            else:
                assert chosen.email == record.email and not chosen.phones & set(record.phones)
