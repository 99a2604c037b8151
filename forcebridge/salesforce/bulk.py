"""Bulk API 2.0 query jobs as plain data: when to look again, whether a job is done, its CSV pages.

A query job runs on Salesforce's side; the client polls it, with waits growing to a cap, then
reads its results a page at a time (`Sforce-Locator` names the next page, `null` ends them), so a
large read holds one page in memory, never the whole result.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from forcebridge.salesforce.errors import BadRequest

DONE = "JobComplete"
FAILED = frozenset({"Failed", "Aborted"})


def poll_delays(
    first: float = 0.5, factor: float = 1.5, cap: float = 10.0, budget: float = 3600.0
) -> Iterator[float]:
    """Waits between job status checks, growing to `cap`, until `budget` seconds are spent."""
    delay, spent = first, 0.0
    while spent + delay <= budget:
        yield delay
        spent += delay
        delay = min(cap, delay * factor)


def job_finished(job: Mapping[str, Any]) -> bool:
    """True when results can be read; a failed or aborted job raises with Salesforce's reason."""
    state = job.get("state")
    if state in FAILED:
        reason = job.get("errorMessage") or f"the job ended as {state}"
        raise BadRequest(f"Bulk query job {job.get('id')} failed: {reason}", error_code=state)
    return state == DONE


@dataclass(frozen=True)
class ResultPage:
    """One page of a job's CSV results, and the locator of the next page (None after the last)."""

    csv_text: str
    next_locator: str | None

    @classmethod
    def from_response(cls, text: str, locator: str | None) -> ResultPage:
        return cls(csv_text=text, next_locator=None if locator in (None, "", "null") else locator)

    def rows(self) -> Iterator[dict[str, str]]:
        """Each row keyed by the header's field names; Bulk CSV writes null as an empty string."""
        yield from csv.DictReader(io.StringIO(self.csv_text))
