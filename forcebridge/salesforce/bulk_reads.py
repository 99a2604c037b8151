"""A Bulk API 2.0 query job read from its creation to its last result page, or aborted.

The job runs on Salesforce's side whether or not anyone waits for it, and counts against the
org's daily Bulk allowance. One whose rows are no longer wanted is aborted, as Salesforce's
guide has it (`PATCH jobs/query/{id}` `{"state": "Aborted"}`), so that it stops working for
nobody: when its reader stops the read (`stop` set, `forcebridge.salesforce.stopping`), when
Ctrl+C or SIGTERM lands in the reading thread, and when it outlasts the wait. A stopped read
starts no call after the one in flight but that abort. On the main thread the job's creation
is not cut short by a signal: a job made unknown to its reader could not be aborted.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any, Protocol, TypeVar

from forcebridge.salesforce import operations as ops
from forcebridge.salesforce.bulk import DONE, FAILED, job_finished, poll_delays
from forcebridge.salesforce.errors import SalesforceError
from forcebridge.salesforce.redaction import get_logger
from forcebridge.salesforce.stopping import ReadStopped, interrupts_held, raise_if_stopped

T = TypeVar("T")
log = get_logger(__name__)


class BulkCall(Protocol):
    """The client's door for Bulk calls: sent, counted, retried and typed; `stop` ends the
    wait before a retry (not given to the abort, which must not be cut short)."""

    def __call__(
        self,
        request: ops.Request[T],
        *,
        idempotent: bool = True,
        stop: threading.Event | None = None,
    ) -> T: ...


def job_rows(
    call: BulkCall, soql: str, *, include_deleted: bool, page_size: int, stop: threading.Event
) -> Iterator[dict[str, str]]:
    """The job's rows as CSV dicts (empty string for null), `page_size` a results call."""
    raise_if_stopped(stop, "creating a Bulk query job")
    job: dict[str, Any] | None = None
    try:
        with interrupts_held():
            job = call(
                ops.create_query_job(soql, include_deleted=include_deleted),
                idempotent=False,
                stop=stop,
            )
        job = _complete(call, job, stop)
    except SalesforceError:
        raise  # the job failed, or Salesforce did not answer: nothing an abort would change
    except BaseException:
        if job is not None:
            _abort(call, job)
        raise
    job_id = str(job["id"])
    locator: str | None = None
    while True:
        raise_if_stopped(stop, f"reading the results of Bulk query job {job_id}")
        page = call(ops.query_job_results(job_id, locator, page_size), stop=stop)
        yield from page.rows()
        locator = page.next_locator
        if locator is None:
            return


def _complete(call: BulkCall, job: dict[str, Any], stop: threading.Event) -> dict[str, Any]:
    """The job once complete, polled with growing waits that a stop cuts short."""
    job_id = str(job["id"])
    delays = poll_delays()
    while not job_finished(job):
        delay = next(delays, None)
        if delay is None:
            _abort(call, job)
            raise SalesforceError(
                f"Bulk query job {job_id} is still {job.get('state')} after an hour",
                error_code="BULK_JOB_TIMEOUT",
            )
        if stop.wait(delay):
            raise ReadStopped(f"stopped while Bulk query job {job_id} was {job.get('state')}")
        job = call(ops.query_job(job_id), stop=stop)
    return job


def _abort(call: BulkCall, job: dict[str, Any]) -> None:
    """Abort the job unless it has ended; cleanup, so a refusal (it ended meanwhile) or an
    unreachable Salesforce is logged, not raised over why the read stopped."""
    if job.get("state") == DONE or job.get("state") in FAILED:
        return
    try:
        call(ops.abort_query_job(str(job["id"])))
    except SalesforceError as error:
        log.warning("Bulk query job %s was not aborted: %s", job["id"], error)
