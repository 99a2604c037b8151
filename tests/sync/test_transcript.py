from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forcebridge.sync.service_days import ServiceCalendar, change_zone
from forcebridge.sync.transcript import (
    DESCRIPTION_LIMIT,
    EMPTY_BODY_TEXT,
    SUBJECT_LIMIT,
    ContactName,
    NoteCode,
    TranscriptMessage,
    check_subject_template,
    clean_text,
    key_in,
    marker_line,
    render_transcript,
    salesforce_length,
    task_subject,
)

NEW_YORK = ServiceCalendar("America/New_York").zone_at
MORNING = dt.datetime(2024, 3, 12, 14, 0, tzinfo=dt.UTC)


def key(part: int) -> str:
    return f"fb-1-7-20240312-{part}"


def message(
    id: int,
    body: str,
    *,
    minutes: int = 0,
    direction: str = "inbound",
    author: str | None = "Jane Doe",
    at: dt.datetime = MORNING,
) -> TranscriptMessage:
    return TranscriptMessage(id, at + dt.timedelta(minutes=minutes), direction, "sms", author, body)


def test_messages_are_written_in_the_order_sent_with_local_time_direction_and_author() -> None:
    transcript = render_transcript(
        [
            message(2, "Yes, until 6pm.", minutes=3, direction="outbound", author="Sam"),
            message(1, "Is the shop open today?"),
        ],
        NEW_YORK,
        key,
    )

    (part,) = transcript.parts
    assert part.description == (
        "10:00 EDT · inbound · sms · Jane Doe\nIs the shop open today?\n\n"
        "10:03 EDT · outbound · sms · Sam\nYes, until 6pm.\n\n"
        "[conversation key fb-1-7-20240312-1]"
    )
    assert part.message_ids == (1, 2)
    assert transcript.notes == ()


def test_the_hour_repeated_when_clocks_fall_back_stays_readable() -> None:
    first_pass = dt.datetime(2024, 11, 3, 5, 30, tzinfo=dt.UTC)
    transcript = render_transcript(
        [message(1, "before", at=first_pass), message(2, "after", at=first_pass, minutes=60)],
        NEW_YORK,
        key,
    )

    description = transcript.parts[0].description
    assert "01:30 EDT" in description and "01:30 EST" in description


def test_control_characters_are_removed_and_empty_bodies_shown_each_with_a_note() -> None:
    transcript = render_transcript(
        [
            message(1, "bell\x07 and\x00 nul\r\nnext line\ttab"),
            message(2, "  \n ", minutes=1),
            message(3, "", minutes=2, author=None),
        ],
        NEW_YORK,
        key,
    )

    description = transcript.parts[0].description
    assert "bell and nul\nnext line\ttab" in description
    assert description.count(EMPTY_BODY_TEXT) == 2
    assert "unknown author" in description
    assert [(n.message_id, n.code) for n in transcript.notes] == [
        (1, NoteCode.CONTROL_CHARACTERS),
        (2, NoteCode.EMPTY_BODY),
        (3, NoteCode.EMPTY_BODY),
    ]


def test_clean_text_keeps_what_people_write() -> None:
    text = "Café ☕ 👍🏽 — «ok»\n\tindented"

    assert clean_text(text) == text
    assert clean_text("lone \ud800 surrogate") == "lone  surrogate"


def test_a_long_day_continues_in_further_parts_each_within_the_limit() -> None:
    bodies = [f"message {i} " + "blah " * 2_000 for i in range(7)]  # ~10,000 characters each
    transcript = render_transcript(
        [message(i, body, minutes=i) for i, body in enumerate(bodies)], NEW_YORK, key
    )

    parts = transcript.parts
    assert [p.number for p in parts] == [1, 2, 3]
    assert all(salesforce_length(p.description) <= DESCRIPTION_LIMIT for p in parts)
    assert [key_in(p.description) for p in parts] == [key(1), key(2), key(3)]
    assert parts[0].description.endswith(f"(continued in part 2)\n\n{marker_line(key(1))}")
    assert parts[1].description.startswith("(continued from part 1)\n\n")
    assert "(continued in" not in parts[2].description
    assert [i for p in parts for i in p.message_ids] == list(range(7))


def test_messages_appended_to_a_day_change_only_its_last_part_and_the_line_before() -> None:
    bodies = [f"message {i} " + "blah " * 2_000 for i in range(5)]
    before = render_transcript(
        [message(i, b, minutes=i) for i, b in enumerate(bodies)], NEW_YORK, key
    )
    after = render_transcript(
        [message(i, b, minutes=i) for i, b in enumerate([*bodies, "one more"])], NEW_YORK, key
    )

    assert after.parts[0] == before.parts[0]
    assert after.parts[1].description.startswith(
        before.parts[1].description.removesuffix(marker_line(key(2)))
    )


def test_a_message_longer_than_a_part_is_split_across_parts_not_cut() -> None:
    body = "".join(f"line {i:05d} of a very long paste\n" for i in range(3_000))  # ~93,000

    transcript = render_transcript([message(1, "hi"), message(2, body, minutes=1)], NEW_YORK, key)

    parts = transcript.parts
    assert len(parts) == 4
    assert all(salesforce_length(p.description) <= DESCRIPTION_LIMIT for p in parts)
    assert all(2 in p.message_ids for p in parts)
    assert "10:01 EDT · inbound · sms · Jane Doe (continued)" in parts[1].description
    text = "\n".join(p.description for p in parts)
    positions = [text.index(f"line {i:05d} of a very long paste\n") for i in range(3_000)]
    assert positions == sorted(positions)
    (note,) = transcript.notes
    assert (note.message_id, note.code) == (2, NoteCode.SPLIT_MESSAGE)
    assert note.text == "message too long for one Task: written across parts 1 to 4"


def test_a_split_message_is_said_to_be_across_the_parts_it_is_in_not_from_the_first() -> None:
    """A day whose first part is full: the 40,000-character message is in parts 2 and 3."""
    earlier = [message(n, "x" * 1_000, minutes=n) for n in range(1, 32)]
    long = message(99, "y" * 40_000, minutes=40)

    transcript = render_transcript([*earlier, long], NEW_YORK, key)

    assert [99 in p.message_ids for p in transcript.parts] == [False, True, True]
    (note,) = transcript.notes
    assert note.text == "message too long for one Task: written across parts 2 and 3"


def test_characters_outside_the_basic_plane_count_twice_as_salesforce_counts_them() -> None:
    transcript = render_transcript([message(1, "👍" * 20_000)], NEW_YORK, key)

    assert len(transcript.parts) == 2
    assert all(salesforce_length(p.description) <= DESCRIPTION_LIMIT for p in transcript.parts)
    assert sum(p.description.count("👍") for p in transcript.parts) == 20_000


@pytest.mark.parametrize(("emoji", "parts"), [(30_000, 2), (40_000, 3)])
def test_a_message_of_emoji_longer_than_a_part_fills_each_part_to_the_limit(
    emoji: int, parts: int
) -> None:
    body = "a" + "😀" * emoji + "\U0001d518" * 5  # the cut falls between the halves of a pair

    transcript = render_transcript([message(1, body)], NEW_YORK, key)

    assert len(transcript.parts) == parts
    assert all(salesforce_length(p.description) <= DESCRIPTION_LIMIT for p in transcript.parts)
    text = "".join(p.description for p in transcript.parts)
    assert (text.count("😀"), text.count("\U0001d518")) == (emoji, 5)


@settings(max_examples=30, deadline=None)
@given(
    st.lists(
        st.tuples(st.text(max_size=3_000), st.integers(min_value=0, max_value=24 * 60 - 1)),
        max_size=40,
    ),
    st.integers(min_value=1_500, max_value=6_000),
)
def test_every_part_fits_and_every_character_of_every_message_is_kept(
    messages: list[tuple[str, int]], limit: int
) -> None:
    written = [message(i, body, minutes=m) for i, (body, m) in enumerate(messages)]

    transcript = render_transcript(written, NEW_YORK, key, limit=limit)

    assert all(salesforce_length(p.description) <= limit for p in transcript.parts)
    text = "".join(p.description for p in transcript.parts)
    for body in (clean_text(m.body) for m in written):
        for word in body.split():
            assert word in text


def test_the_default_subject_names_the_product_and_later_parts_say_so() -> None:
    jane = ContactName("Jane", "Doe")

    assert task_subject(None, "Acme", jane, 1) == "Acme Conversation"
    assert task_subject(None, "Acme", jane, 2) == "Acme Conversation (part 2)"


def test_a_subject_template_takes_the_contacts_name() -> None:
    template = "{product} chat with {name} ({first_name})"

    assert (
        task_subject(template, "Acme", ContactName("Jane", "Doe"), 1)
        == "Acme chat with Jane Doe (Jane)"
    )
    assert task_subject("Chat with {name}", "Acme", ContactName(fallback="+15551234567"), 1) == (
        "Chat with +15551234567"
    )


def test_a_long_subject_is_shortened_but_keeps_its_part_number() -> None:
    subject = task_subject("{name}", "Acme", ContactName("J" * 400), 12)

    assert len(subject) == SUBJECT_LIMIT
    assert subject.endswith("… (part 12)")


def test_a_template_with_an_unknown_placeholder_is_refused_naming_it() -> None:
    with pytest.raises(ValueError, match=r"\{email\}"):
        check_subject_template("Chat with {email}")
    assert check_subject_template("Chat with {name}") == "Chat with {name}"


def test_doubled_braces_are_braces_as_in_python_format_strings() -> None:
    template = check_subject_template("{{VIP}} {name} {{{first_name}}}")

    assert task_subject(template, "Acme", ContactName("Jane", "Doe"), 1) == "{VIP} Jane Doe {Jane}"
    assert task_subject("{{name}}", "Acme", ContactName("Jane"), 1) == "{name}"


def test_a_template_longer_than_a_subject_holds_is_refused() -> None:
    with pytest.raises(ValueError, match="has 256 characters; a Task's Subject holds 255"):
        check_subject_template("x" * 256)
    assert check_subject_template("x" * 255) == "x" * 255


@pytest.mark.parametrize("template", ["Chat with {name", "Chat with name}", "{{name}"])
def test_a_template_with_a_brace_without_its_pair_is_refused(template: str) -> None:
    with pytest.raises(ValueError, match="brace without its pair"):
        check_subject_template(template)


def test_each_message_is_written_in_the_zone_the_service_had_when_it_was_sent() -> None:
    # Moved from Paris to New York on the 12th: from Paris's midnight on, New York's clock.
    calendar = change_zone(ServiceCalendar("Europe/Paris"), "America/New_York", MORNING)
    before = message(1, "Bonne nuit", minutes=8 * 60 + 30)  # 22:30 UTC: 23:30 in Paris
    after = message(2, "Good evening", minutes=9 * 60 + 30)  # 23:30 UTC: 19:30 in New York

    (last_in_paris,) = render_transcript([before], calendar.zone_at, key).parts
    (first_in_new_york,) = render_transcript([after], calendar.zone_at, key).parts

    assert last_in_paris.description.startswith("23:30 CET · inbound")
    assert first_in_new_york.description.startswith("19:30 EDT · inbound")
    assert calendar.day_of(before.sent_at) == dt.date(2024, 3, 12)
    assert calendar.day_of(after.sent_at) == dt.date(2024, 3, 13)  # the day after, never back
