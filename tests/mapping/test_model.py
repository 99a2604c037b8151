from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from forcebridge.mapping.errors import MappingFileError
from forcebridge.mapping.model import (
    Mapping,
    MappingOf,
    MappingRow,
    UpdateOption,
    parse_mapping_json,
    read_mapping,
    read_mapping_json,
)
from forcebridge.mapping.report import ProblemCode


def test_a_mapping_file_reads_in_priority_order_with_its_update_options() -> None:
    mapping = parse_mapping_json(
        json.dumps(
            {
                "rows": [
                    {"source": "direct_phone", "target": "Phone", "update": "fill_empty"},
                    {"source": "company_phone", "target": "Phone", "update": "overwrite"},
                    {"source": "email", "target": "Email"},
                ]
            }
        )
    )

    assert mapping.rows == (
        MappingRow("direct_phone", "Phone", UpdateOption.FILL_EMPTY),
        MappingRow("company_phone", "Phone", UpdateOption.OVERWRITE),
        MappingRow("email", "Email", UpdateOption.OVERWRITE),
    )


def test_rows_sharing_a_target_are_numbered_within_their_hierarchy() -> None:
    mapping = Mapping.of(("direct_phone", "Phone"), ("email", "Email"), ("company_phone", "Phone"))

    assert mapping.targets == ("Phone", "Email")
    assert [row.source for row in mapping.hierarchy("Phone")] == ["direct_phone", "company_phone"]
    assert [mapping.level(number) for number in (1, 2, 3)] == [1, 1, 2]


def test_every_wrong_row_is_named_at_once() -> None:
    document = {
        "rows": [
            {"source": "FirstName", "target": "first_name"},
            {"source": "Email"},
            {"source": 7, "target": "phone", "update": "always"},
            "Title -> title",
        ]
    }

    with pytest.raises(MappingFileError) as raised:
        Mapping.from_json(document)

    assert raised.value.problems == (
        'row 2: "target" is missing',
        'row 3: "source" must be a string, not a number',
        'row 3: "update" must be "overwrite" or "fill_empty", not "always"',
        'row 4: must be an object with "source", "target" and "update"',
    )


def test_an_update_given_as_null_is_left_out_overwriting() -> None:
    mapping = Mapping.from_json({"rows": [{"source": "Email", "target": "email", "update": None}]})

    assert mapping.rows[0].update is UpdateOption.OVERWRITE


def test_unknown_keys_are_refused_rather_than_ignored() -> None:
    with pytest.raises(MappingFileError, match="row 1: unknown key 'priority'"):
        Mapping.from_json({"rows": [{"source": "a", "target": "b", "priority": 2}]})


def test_a_document_without_rows_says_what_shape_is_expected() -> None:
    with pytest.raises(MappingFileError, match='"rows" list'):
        Mapping.from_json([{"source": "a", "target": "b"}])


def test_text_that_is_not_json_says_where_it_breaks() -> None:
    with pytest.raises(MappingFileError, match="line 1, column 2"):
        parse_mapping_json("{rows: []}")


def test_blank_rows_are_kept_for_verification_to_name() -> None:
    mapping = Mapping.from_json({"rows": [{"source": "", "target": "Phone"}]})

    assert mapping.rows[0].blank


names = st.text(min_size=1, max_size=20)
rows = st.builds(MappingRow, names, names, st.sampled_from(UpdateOption))


@given(st.lists(rows, max_size=8))
def test_the_file_form_reads_back_to_the_same_mapping(generated: list[MappingRow]) -> None:
    mapping = Mapping(tuple(generated))

    assert parse_mapping_json(json.dumps(mapping.to_json())) == mapping


def test_a_file_with_problems_is_still_read_row_by_row_for_verification_to_go_on() -> None:
    read = read_mapping(
        {
            "rows": [
                {"source": "company_name", "target": "Company", "update": "Overwrite"},
                "Title -> title",
                {"source": "email", "target": "Email", "update": ["overwrite"]},
                {"target": "Phone", "update": "fill_empty"},
            ]
        }
    )

    assert read.mapping is not None
    assert read.mapping.rows == (
        MappingRow("company_name", "Company"),
        MappingRow("", ""),
        MappingRow("email", "Email"),
        MappingRow("", "Phone", UpdateOption.FILL_EMPTY),
    )
    assert [(p.row, p.field, p.code) for p in read.problems] == [
        (1, "update", ProblemCode.INVALID_ROW),
        (2, "", ProblemCode.INVALID_ROW),
        (3, "update", ProblemCode.INVALID_ROW),
        (4, "source", ProblemCode.INVALID_ROW),
    ]


def test_a_document_with_no_rows_to_read_has_no_mapping() -> None:
    for read in (read_mapping_json("{rows: []}"), read_mapping({"rows": "none"})):
        assert read.mapping is None
        assert [p.code for p in read.problems] == [ProblemCode.INVALID_FILE]


SHOWN: dict[str, Any] = {
    "direction": "export",
    "object": "Lead",
    "default": True,
    "rows": [
        {
            "source": "last_name",
            "target": "LastName",
            "update": "fill_empty",
            "salesforce_label": "Last Name (LastName)",
        },
        {"source": "company_name", "target": "Company", "salesforce_label": 7},
    ],
}
"""A document as `mapping show --json` prints it (the second label wrong on purpose)."""


def test_what_mapping_show_printed_reads_back_as_it_is_its_labels_ignored() -> None:
    read = read_mapping(SHOWN, MappingOf("export", "lead"))

    assert read.problems == ()
    assert read.mapping == Mapping.of(
        ("last_name", "LastName", UpdateOption.FILL_EMPTY), ("company_name", "Company")
    )


def test_a_misspelt_key_in_a_shown_document_is_still_refused_naming_its_row() -> None:
    typo = {**SHOWN, "rows": [SHOWN["rows"][0], {"source": "email", "target": "Email", "upate": 1}]}

    read = read_mapping(typo, MappingOf("export", "Lead"))

    assert [(p.row, p.field, str(p)) for p in read.problems] == [
        (2, "upate", "row 2: unknown key 'upate'")
    ]


def test_a_document_of_another_mapping_is_refused_saying_which_it_is() -> None:
    read = read_mapping(SHOWN, MappingOf("pull", "Contact"))

    assert [(p.row, p.field, p.code) for p in read.problems] == [
        (None, "direction", ProblemCode.INVALID_FILE),
        (None, "object", ProblemCode.INVALID_FILE),
    ]
    assert str(read.problems[1]) == (
        '"object" is "Lead", not "Contact": the file holds another object\'s mapping;'
        ' keep its "rows" alone to use them here'
    )
    assert read.mapping is not None and len(read.mapping.rows) == 2  # verified as well
    assert read_mapping({"rows": SHOWN["rows"]}, MappingOf("pull", "Contact")).problems == ()
