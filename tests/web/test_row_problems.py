"""Which of a mapping row's fields a problem marks invalid on the page."""

from __future__ import annotations

import pytest

from forcebridge.mapping.model import MappingRow
from forcebridge.mapping.report import Problem, ProblemCode
from forcebridge.web.row_problems import at_fault


@pytest.mark.parametrize(
    ("row", "field", "code", "controls"),
    [
        (MappingRow("", "Title"), "Title", ProblemCode.BLANK_ROW, {"source"}),  # names the other
        (MappingRow("email", ""), "email", ProblemCode.BLANK_ROW, {"target"}),
        (MappingRow("email", "Email"), "email", ProblemCode.DUPLICATE_ROW, {"source", "target"}),
        (MappingRow("emial", "Email"), "emial", ProblemCode.UNKNOWN_SOURCE, {"source"}),
        (MappingRow("email", "Nope__c"), "Nope__c", ProblemCode.UNKNOWN_TARGET, {"target"}),
        (MappingRow("email", "ownerid"), "OwnerId", ProblemCode.TYPE_MISMATCH, {"target"}),
        (MappingRow("email", "Email"), "update", ProblemCode.INVALID_ROW, {"update"}),
        (MappingRow("email", "Email"), "Other", ProblemCode.TYPE_MISMATCH, {"source", "target"}),
    ],
)
def test_a_problem_marks_the_fields_it_is_about(
    row: MappingRow, field: str, code: ProblemCode, controls: set[str]
) -> None:
    assert at_fault(Problem(1, field, code, "..."), row) == controls
