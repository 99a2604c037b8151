from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from forcebridge.store.models import Direction, Message, Service
from forcebridge.store.repositories.contact_merges import merge_contacts
from forcebridge.store.repositories.contacts import insert_contacts
from forcebridge.store.repositories.orgs import create_org
from forcebridge.store.repositories.services import create_service
from forcebridge.sync.message_import import import_messages
from forcebridge.sync.message_rows import RowProblem, UnreadableFile

HEADER = "contact_id,phone,email,direction,channel,author,body,sent_at\n"
NOW = dt.datetime(2024, 3, 12, 20, 0, tzinfo=dt.UTC)


@pytest.fixture
def service(session: Session) -> Service:
    service = create_service(session, create_org(session, "acme"), "support")
    session.commit()
    return service


@pytest.fixture
def contacts(session: Session, service: Service) -> dict[str, int]:
    ana, bo, twin_1, twin_2 = insert_contacts(
        session,
        service.id,
        [
            {"first_name": "Ana", "phone": "(201) 555-0101", "phone_e164": "+12015550101"},
            {"first_name": "Bo", "email": "Bo@Example.com", "email_normalized": "bo@example.com"},
            {"first_name": "Twin", "email_normalized": "twins@example.com"},
            {"first_name": "Twin", "email_normalized": "twins@example.com"},
        ],
    )
    session.commit()
    return {"ana": ana, "bo": bo, "twin": twin_1, "twin2": twin_2}


def stored(session: Session) -> list[Message]:
    return list(session.scalars(select(Message).order_by(Message.sent_at, Message.id)))


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_rows_find_their_contact_by_id_phone_or_email(
    session: Session, service: Service, contacts: dict[str, int], tmp_path: Path
) -> None:
    path = write(
        tmp_path,
        "messages.csv",
        HEADER
        + f"{contacts['ana']},,,inbound,sms,Ana,Hi,2024-03-12T10:00:00-04:00\n"
        + ",+1 201 555 0101,,outbound,sms,Sam,Hello Ana,2024-03-12T14:01:00Z\n"
        + ',,BO@example.com,Inbound,chat,Bo,"two\nlines",2024-03-12T15:00:00+00:00\n',
    )

    report = import_messages(session, service, path, now=NOW)

    assert (report.read, report.imported, report.rejected) == (3, 3, 0)
    first, second, third = stored(session)
    assert (first.contact_id, first.direction, first.sent_at) == (
        contacts["ana"],
        Direction.INBOUND,
        dt.datetime(2024, 3, 12, 14, 0, tzinfo=dt.UTC),
    )
    assert (second.contact_id, second.author, second.direction) == (
        contacts["ana"],
        "Sam",
        Direction.OUTBOUND,
    )
    assert (third.contact_id, third.channel, third.body) == (contacts["bo"], "chat", "two\nlines")


def test_a_file_saved_with_semicolons_is_read_with_them(
    session: Session, service: Service, contacts: dict[str, int], tmp_path: Path
) -> None:
    path = write(
        tmp_path,
        "messages.csv",
        HEADER.replace(",", ";")
        + f"{contacts['ana']};;;inbound;sms;Ana;Hi, how are you?;2024-03-12T10:00:00-04:00\n",
    )

    report = import_messages(session, service, path, now=NOW)

    assert (report.imported, report.rejected) == (1, 0)
    assert [m.body for m in stored(session)] == ["Hi, how are you?"]


def test_bad_rows_are_named_by_line_and_field_and_the_rest_imported(
    session: Session, service: Service, contacts: dict[str, int], tmp_path: Path
) -> None:
    ana = contacts["ana"]
    path = write(
        tmp_path,
        "messages.csv",
        HEADER
        + f'{ana},,,inbound,sms,Ana,"a body\nover two lines",2024-03-12T10:00:00Z\n'  # lines 2-3
        + f"{ana},,,sideways,sms,Ana,Hi,2024-03-12T10:00:00Z\n"  # 4
        + f"{ana},,,inbound,sms,Ana,Hi,2024-03-12T10:00:00\n"  # 5
        + ",+1 999 555 0000,,inbound,sms,Ana,Hi,2024-03-12T10:00:00Z\n"  # 6
        + ",,twins@example.com,inbound,sms,Twin,Hi,2024-03-12T10:00:00Z\n"  # 7
        + "999999,,,inbound,sms,?,Hi,2024-03-12T10:00:00Z\n"  # 8
        + ",,,inbound,sms,?,Hi,2024-03-12T10:00:00Z\n"  # 9
        + f"{ana},,,outbound,,Sam,Hi,yesterday\n"  # 10
        + f"{ana},,,outbound,sms,Sam,fine,2024-03-12T11:00:00Z\n",  # 11
    )

    report = import_messages(session, service, path, now=NOW)

    assert (report.read, report.imported, report.rejected) == (9, 2, 7)
    assert [(p.line, p.field) for p in report.problems] == [
        (4, "direction"),
        (5, "sent_at"),
        (6, "phone"),
        (7, "email"),
        (8, "contact_id"),
        (9, "contact_id"),
        (10, "channel"),
        (10, "sent_at"),
    ]
    assert "+19995550000" in report.problems[2].message
    assert f"{contacts['twin']}, {contacts['twin2']}" in report.problems[3].message
    assert [m.body for m in stored(session)] == ["a body\nover two lines", "fine"]


def test_importing_a_file_again_stores_nothing_twice(
    session: Session, service: Service, contacts: dict[str, int], tmp_path: Path
) -> None:
    ana = contacts["ana"]
    rows = [
        {"contact_id": ana, "direction": "inbound", "channel": "sms", "body": "Hi", "sent_at": t}
        for t in ("2024-03-12T10:00:00Z", "2024-03-12T10:05:00Z")
    ]
    rows.append({**rows[0], "external_id": "msg-1", "body": "with an id"})
    path = write(tmp_path, "messages.jsonl", "".join(json.dumps(r) + "\n" for r in rows))

    first = import_messages(session, service, path, now=NOW)
    again = import_messages(session, service, path, now=NOW)

    assert (first.imported, first.duplicates) == (3, 0)
    assert (again.imported, again.duplicates) == (0, 3)
    assert len(stored(session)) == 3


def test_an_id_already_given_to_another_message_is_refused_by_line_not_counted_a_duplicate(
    session: Session, service: Service, contacts: dict[str, int], tmp_path: Path
) -> None:
    """The product's id names one message: a second message under it (another text, another
    contact), here or in an earlier import, would be lost without a word."""
    first = {"contact_id": contacts["ana"], "direction": "inbound", "channel": "sms",
             "body": "Hi", "sent_at": "2024-03-12T10:00:00Z", "external_id": "X1"}  # fmt: skip
    earlier = write(tmp_path, "earlier.jsonl", json.dumps(first) + "\n")
    rows = [first, {**first, "body": "Another text"}, {**first, "contact_id": contacts["bo"]}]
    path = write(tmp_path, "messages.jsonl", "".join(json.dumps(r) + "\n" for r in rows))

    import_messages(session, service, earlier, now=NOW)
    report = import_messages(session, service, path, now=NOW)

    assert (report.imported, report.duplicates, report.rejected) == (0, 1, 2)
    assert [(p.line, p.field) for p in report.problems] == [(2, "external_id"), (3, "external_id")]
    assert "X1 is already the id of another message" in report.problems[0].message
    assert [m.body for m in stored(session)] == ["Hi"]


def test_a_message_sent_under_the_id_of_a_contact_merged_away_is_recorded_under_the_kept_one(
    session: Session, service: Service, contacts: dict[str, int], tmp_path: Path
) -> None:
    """The product learns of a merge (a Lead converted into a Contact the book already had)
    only by reading the book again: until then it sends messages under the old id, and they
    belong to the same person."""
    merge_contacts(session, [(contacts["bo"], contacts["ana"])])
    session.commit()
    row = {"contact_id": contacts["bo"], "direction": "inbound", "channel": "sms",
           "body": "Still me", "sent_at": "2024-03-12T10:00:00Z"}  # fmt: skip
    path = write(tmp_path, "messages.jsonl", json.dumps(row) + "\n")

    report = import_messages(session, service, path, now=NOW)
    again = import_messages(session, service, path, now=NOW)

    assert (report.imported, report.rejected) == (1, 0)
    assert [m.contact_id for m in stored(session)] == [contacts["ana"]]
    [notice] = report.notices
    assert (notice.line, notice.code) == (1, "merged_contact")
    assert f"merged into contact {contacts['ana']}" in notice.message
    assert (again.imported, again.duplicates) == (0, 1)


def good_line(contacts: dict[str, int]) -> dict[str, object]:
    """A JSON line every check passes."""
    return {
        "contact_id": contacts["bo"],
        "direction": "outbound",
        "channel": "chat",
        "body": "ok",
        "sent_at": "2024-03-12T10:00:00+01:00",
    }


def test_json_lines_that_are_not_messages_are_rejected_by_line(
    session: Session, service: Service, contacts: dict[str, int], tmp_path: Path
) -> None:
    good = good_line(contacts)
    path = write(
        tmp_path,
        "messages.jsonl",
        json.dumps(good) + "\n\n[1, 2]\n{not json\n" + json.dumps({**good, "mood": "happy"})
        + "\n{}\n",
    )  # fmt: skip

    report = import_messages(session, service, path, now=NOW)

    assert report.imported == 1
    assert report.problems[:3] == [
        RowProblem(3, None, "not a JSON object with the message's fields"),
        RowProblem(4, None, "not a JSON object with the message's fields"),
        RowProblem(
            5,
            "mood",
            "unknown field: the fields are contact_id, phone, email, direction, channel, "
            "author, body, sent_at, external_id",
        ),
    ]
    # An empty object is a message without its fields: each one it needs is named.
    assert {p.field for p in report.problems[3:]} >= {"direction", "channel", "sent_at"}
    assert {p.line for p in report.problems[3:]} == {6}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"sent_at": "0001-01-01T00:00:00+14:00"}, "sent_at"),
        ({"sent_at": "9999-12-31T23:59:59-12:00"}, "sent_at"),
        ({"contact_id": 2**63}, "contact_id"),
        ({"external_id": "a\x00b"}, "external_id"),
        ({"body": "a\x00b"}, "body"),  # not removed as other control characters are
        ({"direction": None}, "direction"),
    ],
)
def test_a_value_out_of_any_range_is_rejected_by_field_and_the_rest_imported(
    session: Session,
    service: Service,
    contacts: dict[str, int],
    tmp_path: Path,
    change: dict[str, object],
    field: str,
) -> None:
    good = good_line(contacts)
    bad = {**good, "external_id": "bad", **change}
    lines = json.dumps(good) + "\n" + json.dumps(bad) + "\n"

    report = import_messages(session, service, write(tmp_path, "m.jsonl", lines), now=NOW)

    assert report.imported == 1
    assert [(p.line, p.field) for p in report.problems] == [(2, field)]


def test_a_json_value_of_the_wrong_kind_is_named_as_json_names_it(
    session: Session, service: Service, contacts: dict[str, int], tmp_path: Path
) -> None:
    """`true` is no body and no direction: taken as text it would show in a Task as "true"."""
    bad = {**good_line(contacts), "contact_id": True, "direction": False, "body": 1.5}

    report = import_messages(
        session, service, write(tmp_path, "m.jsonl", json.dumps(bad) + "\n"), now=NOW
    )

    assert [(p.field, p.message) for p in report.problems] == [
        ("body", "must be a string, not a number"),
        ("contact_id", "must be a whole number or a string, not a boolean"),
        ("direction", "must be a string, not a boolean"),
    ]
    assert report.imported == 0


def test_odd_but_usable_rows_are_imported_with_a_notice(
    session: Session, service: Service, contacts: dict[str, int], tmp_path: Path
) -> None:
    ana = contacts["ana"]
    path = write(
        tmp_path,
        "messages.csv",
        HEADER
        + f"{ana},,,inbound,sms,Ana,bell\x07 rings,2024-03-12T10:00:00Z\n"
        + f"{ana},,,inbound,sms,Ana,,2024-03-12T10:01:00Z\n"
        + f"{ana},,,inbound,sms,Ana,from tomorrow,2024-03-13T10:00:00Z\n"
        + ",,nobody@example.com,inbound,sms,Ana,from tomorrow,2024-03-13T10:00:00Z\n",
    )

    report = import_messages(session, service, path, now=NOW)

    assert report.imported == 3
    assert [p.line for p in report.problems] == [5]  # rejected: a problem, no notice
    assert [(n.line, n.code) for n in report.notices] == [
        (2, "control_characters"),
        (3, "empty_body"),
        (4, "dated_in_future"),
    ]
    assert [m.body for m in stored(session)] == ["bell rings", "", "from tomorrow"]


def test_a_csv_with_an_unknown_column_is_refused_before_anything_is_imported(
    session: Session, service: Service, tmp_path: Path
) -> None:
    path = write(tmp_path, "messages.csv", "contact_id,direction,snt_at\n1,inbound,x\n")

    with pytest.raises(UnreadableFile) as refused:
        import_messages(session, service, path, now=NOW)
    assert str(refused.value) == (
        f"{path}: unknown column 'snt_at' (did you mean 'sent_at'?); the columns are: "
        "contact_id, phone, email, direction, channel, author, body, sent_at, external_id"
    )
    assert stored(session) == []


def test_each_unknown_column_is_named_with_the_one_it_may_be_a_misspelling_of(
    session: Session, service: Service, tmp_path: Path
) -> None:
    path = write(tmp_path, "messages.csv", "contact_id,Sent Att,shoe_size\n1,x,42\n")

    with pytest.raises(UnreadableFile, match=r"unknown columns 'Sent Att' \(did you mean "
                       r"'sent_at'\?\), 'shoe_size'; the columns are: contact_id, "):  # fmt: skip
        import_messages(session, service, path, now=NOW)


def test_a_header_is_read_whatever_its_case_and_word_separators(
    session: Session, service: Service, contacts: dict[str, int], tmp_path: Path
) -> None:
    path = write(
        tmp_path,
        "messages.csv",
        "Contact ID,Direction,CHANNEL,Body,Sent At,External-Id\n"
        f"{contacts['bo']},inbound,chat,Hello,2024-03-12T10:00:00Z,m-1\n",
    )

    report = import_messages(session, service, path, now=NOW)

    assert (report.imported, report.problems) == (1, [])
    (message,) = stored(session)
    assert (message.direction, message.body, message.external_id) == (
        Direction.INBOUND,
        "Hello",
        "m-1",
    )


def test_a_header_is_read_by_the_rule_export_and_contacts_import_read_theirs(
    session: Session, service: Service, contacts: dict[str, int], tmp_path: Path
) -> None:
    """Hyphens and underscores are ignored as spaces are: `E-Mail` is `email` as in an export's
    file, and `sentat` is `sent_at`, not a misspelling of it."""
    path = write(
        tmp_path,
        "messages.csv",
        "E-Mail,Direction,channel,body,sentat\nbo@example.com,inbound,sms,Hi,2024-03-12T10:00Z\n",
    )

    report = import_messages(session, service, path, now=NOW)

    assert (report.imported, report.problems) == (1, [])
    (message,) = stored(session)
    assert (message.contact_id, message.body) == (contacts["bo"], "Hi")


@pytest.mark.parametrize(
    ("header", "named"),
    [
        ("contact_id,direction,channel,body,sent_at,body", "body ('body', 'body')"),
        ("email,direction,channel,body,sent_at,E-mail", "email ('email', 'E-mail')"),
        ("contact_id,direction,channel,body,Sent At,sent_at", "sent_at ('Sent At', 'sent_at')"),
    ],
)
def test_a_csv_naming_a_column_twice_is_refused_before_anything_is_imported(
    session: Session, service: Service, tmp_path: Path, header: str, named: str
) -> None:
    """Reading one of the two would drop the other's values without a word."""
    path = write(
        tmp_path, "messages.csv", f"{header}\n1,inbound,sms,first body,2024-03-12T10:00:00Z,x\n"
    )

    with pytest.raises(UnreadableFile) as refused:
        import_messages(session, service, path, now=NOW)
    assert str(refused.value) == (
        f"{path}: the header names {named} more than once: keep one column each"
    )
    assert stored(session) == []


def test_an_empty_column_a_spreadsheet_adds_is_passed_over(
    session: Session, service: Service, contacts: dict[str, int], tmp_path: Path
) -> None:
    path = write(
        tmp_path,
        "messages.csv",
        "contact_id,direction,channel,body,sent_at,\n"
        f"{contacts['bo']},inbound,sms,Hi,2024-03-12T10:00:00Z,\n"
        f"{contacts['bo']},outbound,sms,Hello,2024-03-12T10:01:00Z, ,\n"
        f"{contacts['bo']},inbound,sms,Bye,2024-03-12T10:02:00Z\n",
    )

    report = import_messages(session, service, path, now=NOW)

    assert (report.imported, report.problems) == (3, [])


@pytest.mark.parametrize(
    ("header", "row", "column"),
    [
        (
            "contact_id,,direction,channel,body,sent_at",
            "1,x,inbound,sms,Hi,2024-03-12T10:00:00Z",
            2,
        ),
        ("contact_id,direction,channel,body,sent_at", "1,inbound,sms,Hi,2024-03-12T10:00:00Z,x", 6),
    ],
)
def test_a_value_under_a_column_the_header_leaves_unnamed_refuses_the_file(
    session: Session, service: Service, tmp_path: Path, header: str, row: str, column: int
) -> None:
    path = write(tmp_path, "messages.csv", f"{header}\n{row.replace('x', '')}\n{row}\n")

    with pytest.raises(UnreadableFile) as refused:
        import_messages(session, service, path, now=NOW)
    assert str(refused.value) == (
        f"{path}: column {column} has no name in the header but holds a value on line 3: name "
        "it (the columns are: contact_id, phone, email, direction, channel, author, body, "
        "sent_at, external_id) or remove it"
    )
    assert stored(session) == []


def test_a_misspelt_json_key_is_named_with_the_field_it_may_be_a_misspelling_of(
    session: Session, service: Service, contacts: dict[str, int], tmp_path: Path
) -> None:
    good = good_line(contacts)
    sent_at = good.pop("sent_at")
    path = write(tmp_path, "messages.jsonl", json.dumps({**good, "Sent_At": sent_at}) + "\n")

    report = import_messages(session, service, path, now=NOW)

    assert report.problems[0] == RowProblem(
        1,
        "Sent_At",
        "unknown field (did you mean 'sent_at'?): the fields are contact_id, phone, email, "
        "direction, channel, author, body, sent_at, external_id",
    )


def test_json_lines_end_at_line_feeds_only_not_at_unicodes_other_line_breaks(
    session: Session, service: Service, contacts: dict[str, int], tmp_path: Path
) -> None:
    """U+2028, U+2029 and U+0085 may stand unescaped in a JSON string (`JSON.stringify`
    writes them so, and text pasted from Word holds them): they end no line, and every line
    keeps the number an editor shows. CR LF ends a line as LF does."""
    good = good_line(contacts)
    bodies = ["para\u2028graph", "para\u2029graph", "next\x85line"]
    lines = [json.dumps({**good, "body": body}, ensure_ascii=False) for body in bodies]
    path = tmp_path / "messages.jsonl"
    path.write_bytes("\r\n".join([*lines, '{"direction": "sideways"}', ""]).encode())

    report = import_messages(session, service, path, now=NOW)

    assert (report.read, report.imported, report.rejected) == (4, 3, 1)
    assert {p.line for p in report.problems} == {4}
    assert [(n.line, n.code) for n in report.notices] == [(3, "control_characters")]
    assert [m.body for m in stored(session)] == ["para\u2028graph", "para\u2029graph", "nextline"]
