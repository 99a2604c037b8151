"""Grouping sets and group keys, as pure functions (the SQL they give runs in test_query)."""

from __future__ import annotations

import pytest

from forcebridge.sandbox.groups import Groups, group_key, grouping_sets
from forcebridge.soql.ast import DateFunction, DateFunctionName, Field, Subtotals
from forcebridge.soql.errors import MalformedQuery
from forcebridge.soql.parser import parse


def test_rollup_drops_items_from_the_right_and_cube_takes_every_subset() -> None:
    assert grouping_sets(Subtotals.ROLLUP, 3) == [[0, 0, 0], [0, 0, 1], [0, 1, 1], [1, 1, 1]]
    cube = grouping_sets(Subtotals.CUBE, 3)
    assert len(cube) == 8 and len({tuple(flags) for flags in cube}) == 8
    assert cube[0] == [0, 0, 0] and cube[-1] == [1, 1, 1]


def test_an_item_is_known_by_its_text_whatever_its_case() -> None:
    zoned = DateFunction(DateFunctionName.HOUR_IN_DAY, Field(("CreatedDate",)), in_user_zone=True)
    assert group_key(Field(("Account", "Name"))) == "account.name"
    assert group_key(zoned) == "hour_in_day(converttimezone(createddate))"


def test_subtotalled_items_are_masked_flagged_and_ordered_after_their_groups() -> None:
    query = parse("SELECT COUNT(Id) FROM Lead GROUP BY ROLLUP(LeadSource, leadsource, Rating)")
    groups = Groups.of(query, lambda node: f"<{group_key(node)}>", lambda node, sql: [sql, "x"])

    assert groups.flags == {"leadsource": "gs.column1", "rating": "gs.column2"}
    assert groups.expressions["rating"] == "CASE WHEN gs.column2 THEN NULL ELSE <rating> END"
    assert groups.order == [
        "gs.column1",
        "CASE WHEN gs.column1 THEN NULL ELSE <leadsource> END",
        "x",
        "gs.column2",
        "CASE WHEN gs.column2 THEN NULL ELSE <rating> END",
        "x",
    ]
    assert groups.joins == " CROSS JOIN (VALUES (0, 0), (0, 1), (1, 1)) AS gs"
    plain = Groups.of(
        parse("SELECT Rating FROM Lead GROUP BY Rating"), lambda node: "r", lambda node, sql: [sql]
    )
    assert (plain.clause, plain.joins, plain.order) == ("r", "", ["r"])


def test_more_than_three_subtotalled_fields_are_refused() -> None:
    query = parse("SELECT COUNT(Id) FROM Lead GROUP BY CUBE(A, B, C, D)")
    with pytest.raises(MalformedQuery, match="GROUP BY CUBE takes at most 3 fields"):
        Groups.of(query, lambda node: "x", lambda node, sql: [sql])
