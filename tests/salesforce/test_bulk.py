import pytest

from forcebridge.salesforce.bulk import ResultPage, job_finished, poll_delays
from forcebridge.salesforce.errors import BadRequest


def test_polls_grow_to_a_cap_and_stop_when_the_budget_is_spent() -> None:
    delays = list(poll_delays(first=1, factor=2, cap=4, budget=15))
    assert delays == [1, 2, 4, 4, 4]
    assert sum(delays) <= 15


@pytest.mark.parametrize(
    ("state", "done"), [("UploadComplete", False), ("InProgress", False), ("JobComplete", True)]
)
def test_a_job_is_finished_when_complete(state: str, done: bool) -> None:
    assert job_finished({"id": "750x", "state": state}) is done


def test_a_failed_job_raises_salesforce_reason() -> None:
    with pytest.raises(BadRequest, match="INVALID_FIELD: No such column"):
        job_finished(
            {"id": "750x", "state": "Failed", "errorMessage": "INVALID_FIELD: No such column"}
        )
    with pytest.raises(BadRequest, match="Aborted"):
        job_finished({"id": "750x", "state": "Aborted"})


def test_a_page_reads_csv_rows_and_the_next_locator() -> None:
    page = ResultPage.from_response('"Id","Name","Account.Name"\n"003A","Ng, Ana",""\n', "MTAwMDA")
    assert list(page.rows()) == [{"Id": "003A", "Name": "Ng, Ana", "Account.Name": ""}]
    assert page.next_locator == "MTAwMDA"


@pytest.mark.parametrize("locator", ["null", "", None])
def test_the_last_page_has_no_next_locator(locator: str | None) -> None:
    assert ResultPage.from_response('"Id"\n', locator).next_locator is None
