"""A text field's length is measured as Salesforce measures it, in UTF-16 code units: an emoji
counts two. Over REST with simple-salesforce and through sObject Collections."""

from __future__ import annotations

from typing import Any

import pytest
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceMalformedRequest

EMOJI = "\U0001f600"
"""😀: one character, two UTF-16 code units."""


@pytest.mark.parametrize(
    ("sobject", "field", "length", "values"),
    [
        ("Task", "Description", 32000, {}),
        ("Task", "Subject", 255, {}),
        ("Contact", "LastName", 80, {}),
        ("Contact", "Email", 80, {"LastName": "Long"}),
        ("Contact", "Phone", 40, {"LastName": "Long"}),
        ("Account", "Website", 255, {"Name": "Long"}),
        ("Account", "Industry", 40, {"Name": "Long"}),
    ],
    ids=["textarea", "combobox", "string", "email", "phone", "url", "picklist"],
)
def test_a_text_one_code_unit_too_long_is_string_too_long_though_its_characters_fit(
    sf: Salesforce, sobject: str, field: str, length: int, values: dict[str, Any]
) -> None:
    units = length + 1
    text = EMOJI * (units // 2) + "a" * (units % 2)
    assert len(text) <= length

    with pytest.raises(SalesforceMalformedRequest) as refused:
        getattr(sf, sobject).create(values | {field: text})

    (error,) = refused.value.content
    assert (error["errorCode"], error["fields"]) == ("STRING_TOO_LONG", [field])
    assert error["message"].endswith(f"(max length={length})")


def test_a_task_description_holds_32000_code_units_of_emoji_and_no_more(sf: Salesforce) -> None:
    fits = EMOJI * 16_000
    records = [
        {"attributes": {"type": "Task"}, "Subject": subject, "Description": description}
        for subject, description in (("Fits", fits), ("Over", fits + EMOJI))
    ]

    fitted, over = sf.restful(
        "composite/sobjects", method="POST", json={"allOrNone": False, "records": records}
    )

    assert fitted["success"] is True
    assert sf.Task.get(fitted["id"])["Description"] == fits
    assert over["success"] is False
    assert [(e["statusCode"], e["fields"]) for e in over["errors"]] == [
        ("STRING_TOO_LONG", ["Description"])
    ]
