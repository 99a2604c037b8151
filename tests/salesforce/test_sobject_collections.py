from decimal import Decimal

from forcebridge.salesforce.errors import RecordError
from forcebridge.salesforce.sobject_collections import (
    CollectionWrite,
    RecordResult,
    chunks,
    json_ready,
    parse_results,
    write_body,
)


def test_450_records_make_chunks_of_200_200_50() -> None:
    assert [len(c) for c in chunks(list(range(450)), 200)] == [200, 200, 50]
    assert list(chunks([], 200)) == []


def test_each_record_is_typed_by_attributes() -> None:
    body = write_body("Contact", [{"LastName": "Ng"}], all_or_none=False)
    assert body == {
        "allOrNone": False,
        "records": [{"attributes": {"type": "Contact"}, "LastName": "Ng"}],
    }


def test_results_are_one_per_record_in_order() -> None:
    answer = [
        {"id": "003000000000001AAA", "success": True, "errors": []},
        {
            "success": False,
            "errors": [
                {
                    "statusCode": "REQUIRED_FIELD_MISSING",
                    "message": "Required fields are missing: [LastName]",
                    "fields": ["LastName"],
                }
            ],
        },
    ]
    assert parse_results(CollectionWrite.CREATE, answer) == [
        RecordResult(success=True, id="003000000000001AAA", created=True),
        RecordResult(
            success=False,
            errors=(
                RecordError(
                    "REQUIRED_FIELD_MISSING",
                    "Required fields are missing: [LastName]",
                    ("LastName",),
                ),
            ),
        ),
    ]


def test_upsert_results_tell_inserts_from_updates_and_updates_create_nothing() -> None:
    answer = [
        {"id": "003000000000001AAA", "success": True, "created": True, "errors": []},
        {"id": "003000000000002AAA", "success": True, "created": False, "errors": []},
    ]
    assert [r.created for r in parse_results(CollectionWrite.UPSERT, answer)] == [True, False]
    updated = [{"id": "003000000000001AAA", "success": True, "errors": []}]
    assert not parse_results(CollectionWrite.UPDATE, updated)[0].created


def test_only_create_may_not_be_sent_twice() -> None:
    assert [w.idempotent for w in CollectionWrite] == [False, True, True, True]


def test_decimals_read_from_salesforce_go_back_as_json_numbers() -> None:
    record = {
        "AnnualRevenue": Decimal("1250000"),
        "Rate__c": Decimal("0.25"),
        "Owner": {"Ext__c": "x"},
    }
    assert json_ready(record) == {
        "AnnualRevenue": 1250000,
        "Rate__c": 0.25,
        "Owner": {"Ext__c": "x"},
    }
    assert isinstance(json_ready(Decimal("3")), int)
    assert json_ready([Decimal("1.5"), None]) == [1.5, None]
