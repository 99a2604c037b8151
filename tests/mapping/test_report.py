from __future__ import annotations

from forcebridge.mapping.report import (
    Problem,
    ProblemCode,
    VerificationReport,
    listed,
    readable,
)


def test_a_clean_report_says_the_mapping_can_be_saved() -> None:
    report = VerificationReport((), rows=3)

    assert report.ok
    assert report.to_json() == {
        "ok": True,
        "message": "Verified: 3 rows map existing fields of compatible types.",
        "problems": [],
    }


def test_a_report_with_problems_lists_each_with_its_row() -> None:
    report = VerificationReport(
        (
            Problem(2, "Titel", ProblemCode.UNKNOWN_TARGET, "Lead has no field 'Titel'"),
            Problem(None, "LastName", ProblemCode.REQUIRED_UNMAPPED, "Last Name is required"),
        ),
        rows=4,
    )

    assert not report.ok
    assert report.message == (
        "The mapping has 2 problems:\n- row 2: Lead has no field 'Titel'\n- Last Name is required"
    )
    assert report.to_json()["problems"][0] == {
        "row": 2,
        "field": "Titel",
        "code": "unknown_target",
        "message": "row 2: Lead has no field 'Titel'",
    }


def test_a_report_naming_the_query_says_so_rather_than_blame_the_mapping() -> None:
    report = VerificationReport(
        (Problem(None, "ORDER BY", ProblemCode.INVALID_QUERY, "remove ORDER BY from the query"),),
        rows=2,
    )

    assert report.message == (
        "The query and its mapping have 1 problem:\n- remove ORDER BY from the query"
    )


def test_rows_reading_what_the_query_does_not_select_are_said_once_the_querys_own_first() -> None:
    def unselected(row: int, name: str) -> Problem:
        message = f"{name} is not in the query's SELECT list; add it or remove the row"
        return Problem(row, name, ProblemCode.NOT_SELECTED, message)

    query = Problem(
        None, "Emial", ProblemCode.INVALID_QUERY, "the query: Contact has no field 'Emial'"
    )
    unknown = Problem(4, "Nope", ProblemCode.UNKNOWN_SOURCE, "Contact has no field 'Nope'")
    names = {1: "FirstName", 2: "LastName", 3: "Email", 5: "Phone", 7: "Title", 8: "Title"}
    rows = [unselected(row, name) for row, name in names.items()]
    report = VerificationReport((query, *rows[:3], unknown, *rows[3:]), rows=8)
    lone = VerificationReport((rows[0],), rows=1)

    assert report.message == (
        "The query and its mapping have 8 problems:\n"
        "- the query: Contact has no field 'Emial'\n"
        "- rows 1 to 3, 5, 7 to 8 read fields the query does not select: FirstName, LastName, "
        "Email, Phone, Title; add them to its SELECT list or remove the rows\n"
        "- row 4: Contact has no field 'Nope'"
    )  # a field missing from a query of hundreds of rows is not hundreds of lines
    assert [line.problems for line in readable(report.problems)][1] == tuple(rows)
    assert lone.message.endswith(
        "- row 1: FirstName is not in the query's SELECT list; add it or remove the row"
    )
    assert len(report.to_json()["problems"]) == 8  # each one still, for scripts


def test_long_value_lists_are_cut_with_a_count() -> None:
    assert listed([f"v{n}" for n in range(15)], limit=3) == "v0, v1, v2, ... (12 more)"


def test_problems_found_before_verifying_join_the_report_row_by_row() -> None:
    blank = Problem(2, "Phone", ProblemCode.BLANK_ROW, "the source is blank")
    unknown = Problem(3, "Titel", ProblemCode.UNKNOWN_TARGET, "Lead has no field 'Titel'")
    required = Problem(None, "LastName", ProblemCode.REQUIRED_UNMAPPED, "Last Name is required")
    verified = VerificationReport((blank, unknown, required), rows=3)
    bad_update = Problem(3, "update", ProblemCode.INVALID_ROW, '"update" must be ...')
    no_source = Problem(2, "source", ProblemCode.INVALID_ROW, '"source" is missing')
    extra_key = Problem(None, "", ProblemCode.INVALID_FILE, "unknown key 'x' at the top level")

    joined = verified.joined([no_source, bad_update, extra_key])

    assert joined.problems == (no_source, bad_update, unknown, extra_key, required)
    assert verified.joined([]) is verified
