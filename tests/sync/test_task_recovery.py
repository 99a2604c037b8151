from __future__ import annotations

import datetime as dt

from forcebridge.soql.parser import parse
from forcebridge.store.repositories.activity_windows import StoredWindow
from forcebridge.sync.task_recovery import match_tasks, search_query
from forcebridge.sync.transcript import marker_line

LEAD = "00Q000000000001AAA"
CONTACT = "003000000000001AAA"


def window(id: int, part: int, target: str | None = LEAD) -> StoredWindow:
    key = f"fb-1-7-20240312-{part}"
    return StoredWindow(id, 7, dt.date(2024, 3, 12), part, key, target_id=target)


def test_the_search_filters_on_what_soql_can_filter_who_and_day_never_the_description() -> None:
    text = search_query([window(1, 1)], current_targets={7: CONTACT})

    query = parse(text)
    assert text == (
        "SELECT Id, Description FROM Task WHERE WhoId IN ('003000000000001AAA', "
        "'00Q000000000001AAA') AND ActivityDate IN (2024-03-12) ORDER BY CreatedDate, Id"
    )
    assert query.sobject == "Task"


def test_each_window_gets_the_oldest_task_carrying_its_key_and_later_ones_are_reported() -> None:
    first, twelfth = window(1, 1), window(2, 12)
    tasks = [
        {"Id": "00T1", "Description": f"hello\n\n{marker_line(first.key)}"},
        {"Id": "00T2", "Description": f"hello again\n\n{marker_line(first.key)}"},
        {"Id": "00T3", "Description": f"typed by a person: {marker_line(first.key)} inline"},
        {"Id": "00T4", "Description": None},
        {"Id": "00T5", "Description": f"part 12\r\n\r\n{marker_line(twelfth.key)}"},
    ]

    recovered = match_tasks([first, twelfth], tasks)

    assert recovered.found == {1: "00T1", 2: "00T5"}
    assert recovered.duplicates == {1: ("00T2",)}


def test_a_marker_pasted_into_a_message_is_text_not_the_tasks_key() -> None:
    """Only the last line is forcebridge's: a transcript an agent pasted, marker and all,
    must not make part 1's Task pass for part 2's."""
    first, second = window(1, 1), window(2, 2)
    pasted = f"pasted:\n{marker_line(second.key)}\n\n{marker_line(first.key)}"
    tasks = [
        {"Id": "00T1", "Description": pasted},
        {"Id": "00T2", "Description": f"x\n\n{marker_line(second.key)}\n"},
    ]

    recovered = match_tasks([first, second], tasks)

    assert recovered.found == {1: "00T1", 2: "00T2"}
    assert recovered.duplicates == {}
