"""The mapping editor's decisions, without a page: which control takes the focus after a
button, and how rows are numbered."""

from __future__ import annotations

import pytest

from forcebridge.mapping.model import Mapping, MappingRow
from forcebridge.web.mapping_editor import editor, focus_after


@pytest.mark.parametrize(
    ("action", "rows", "focused"),
    [
        ("add", 3, (4, "source")),  # the new row
        ("remove:2", 3, (2, "source")),  # the row now in its place
        ("remove:3", 3, (2, "source")),  # the last removed: the one before
        ("remove:1", 1, (0, "add")),  # none left: Add row
        ("up:3", 3, (2, "up")),  # pressed again, it moves on
        ("up:2", 3, (1, "down")),  # at the top its up arrow is disabled
        ("down:1", 3, (2, "down")),
        ("down:2", 3, (3, "up")),
        ("up:9", 3, (3, "source")),  # a row the page does not have
    ],
)
def test_the_focus_goes_where_the_admin_carries_on(
    action: str, rows: int, focused: tuple[int, str]
) -> None:
    assert focus_after(action, rows) == focused


def test_rows_keep_their_numbers_and_only_a_shared_target_is_a_hierarchy() -> None:
    mapping = Mapping(
        (
            MappingRow("a", ""),
            MappingRow("b", ""),
            MappingRow("c", "Phone"),
            MappingRow("d", "Email"),
            MappingRow("e", "Phone"),
        )
    )

    shown = editor("Lead", mapping, (), ())

    assert [(row.number, row.level, row.of) for row in shown.rows] == [
        (1, None, 1),
        (2, None, 1),
        (3, 1, 2),
        (4, None, 1),
        (5, 2, 2),
    ]
    assert shown.after("up:5") == "mapping-Lead-up-4"
