"""A Bulk API 2.0 query job's read, stopped midway: the job is aborted while Salesforce still
runs it, and no call is started after the one in flight but that abort. Against a scripted org
first (each step in order), then against the sandbox."""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from types import FrameType
from typing import Any

import pytest

from forcebridge.salesforce.bulk_reads import job_rows
from forcebridge.salesforce.errors import BadRequest, SalesforceError
from forcebridge.salesforce.operations import Request
from forcebridge.salesforce.retry import Retrier, RetryPolicy
from forcebridge.salesforce.stopping import ReadStopped
from forcebridge.salesforce.usage import EndpointKind
from forcebridge.sandbox import bulk as sandbox_bulk
from forcebridge.sandbox.server import SandboxServer
from tests.salesforce.conftest import Connected

JOB = "750000000000001AAA"
ABORT = ("PATCH", f"jobs/query/{JOB}", {"state": "Aborted"})
CREATE = ("POST", "jobs/query")
POLL = ("GET", f"jobs/query/{JOB}")
RESULTS = ("GET", "results")


@dataclass
class _Response:
    text: str
    headers: dict[str, str]
    status_code: int = 200


@dataclass
class ScriptedOrg:
    """Answers a Bulk read's calls as simple-salesforce would: the job's `states` one a call
    (creation first), then `pages` of CSV; `during` runs inside the call it names (by method
    and path)."""

    states: list[str]
    pages: list[tuple[str, str | None]] = field(default_factory=list)
    during: dict[tuple[str, str], Callable[[], None]] = field(default_factory=dict)
    calls: list[tuple[Any, ...]] = field(default_factory=list)
    refuse_abort: bool = False
    bulk2_url = "https://org.example/services/data/v62.0/jobs/"
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def session(self) -> ScriptedOrg:
        return self

    def restful(self, path: str, method: str = "GET", json: Any = None) -> dict[str, Any]:
        call = (method, path) if json is None or method == "POST" else (method, path, json)
        self.calls.append(call)
        self.during.get((method, path), lambda: None)()
        if method == "PATCH":
            if self.refuse_abort:
                raise BadRequest("Job is already JobComplete", error_code="INVALIDJOBSTATE")
            return {"id": JOB, "state": "Aborted"}
        return {"id": JOB, "state": self.states.pop(0)}

    def get(self, url: str, headers: dict[str, str], params: dict[str, str]) -> _Response:
        self.calls.append(RESULTS)
        self.during.get(RESULTS, lambda: None)()
        text, locator = self.pages.pop(0)
        return _Response(text, {"Sforce-Locator": locator or "null"})

    def call(
        self, request: Request[Any], *, idempotent: bool = True, stop: threading.Event | None = None
    ) -> Any:
        return request(self)  # type: ignore[arg-type]


def read(org: ScriptedOrg, stop: threading.Event) -> Iterator[dict[str, str]]:
    return job_rows(org.call, "SELECT Id FROM Contact", include_deleted=False, page_size=2,
                    stop=stop)  # fmt: skip


def test_a_stop_while_the_job_is_polled_aborts_it_at_once_and_reads_no_results() -> None:
    """The stop arrives while a poll is in flight: no further wait, poll or download."""
    stop = threading.Event()
    org = ScriptedOrg(["UploadComplete", "InProgress", "JobComplete"], during={POLL: stop.set})

    with pytest.raises(ReadStopped, match=f"while Bulk query job {JOB} was InProgress"):
        next(read(org, stop))

    assert org.calls == [CREATE, POLL, ABORT]


def test_a_read_stopped_before_it_starts_creates_no_job() -> None:
    stop = threading.Event()
    stop.set()
    org = ScriptedOrg(["JobComplete"])

    with pytest.raises(ReadStopped):
        next(read(org, stop))

    assert org.calls == []


def test_a_stop_during_the_jobs_creation_aborts_the_job_it_created() -> None:
    stop = threading.Event()
    org = ScriptedOrg(["UploadComplete"], during={CREATE: stop.set})

    with pytest.raises(ReadStopped):
        next(read(org, stop))

    assert org.calls == [CREATE, ABORT]


def test_a_stop_while_results_are_read_reads_no_other_page_and_aborts_nothing() -> None:
    """A complete job has nothing left to abort (Salesforce refuses to)."""
    stop = threading.Event()
    pages = [('"Id"\n"003A"\n"003B"\n', "MjAw"), ('"Id"\n"003C"\n', None)]
    org = ScriptedOrg(["JobComplete"], pages, during={RESULTS: stop.set})
    rows = read(org, stop)

    assert [next(rows), next(rows)] == [{"Id": "003A"}, {"Id": "003B"}]
    with pytest.raises(ReadStopped):
        next(rows)
    assert org.calls == [CREATE, RESULTS]


def test_an_abort_salesforce_refuses_leaves_the_stop_as_it_was() -> None:
    """The job ended meanwhile: the refusal is logged, the read still ends as stopped."""
    stop = threading.Event()
    org = ScriptedOrg(["InProgress"], during={CREATE: stop.set}, refuse_abort=True)

    with pytest.raises(ReadStopped):
        next(read(org, stop))

    assert org.calls == [CREATE, ABORT]


def test_a_failed_job_is_not_aborted() -> None:
    org = ScriptedOrg(["UploadComplete", "Failed"])

    with pytest.raises(BadRequest, match="failed"):
        next(read(org, threading.Event()))

    assert org.calls == [CREATE, POLL]


class _Interrupted(threading.Event):
    """The wait a signal lands in, on the main thread: Ctrl+C raises there."""

    def wait(self, timeout: float | None = None) -> bool:
        raise KeyboardInterrupt


def test_a_signal_landing_in_the_wait_aborts_the_job() -> None:
    org = ScriptedOrg(["UploadComplete"])

    with pytest.raises(KeyboardInterrupt):
        next(read(org, _Interrupted()))

    assert org.calls == [CREATE, ABORT]


class _Terminated(Exception):
    pass


def test_a_signal_during_the_jobs_creation_waits_for_its_answer_then_aborts_the_job() -> None:
    """On the main thread, cut short, the creation would leave a job no one knows to abort."""

    def terminated(signum: int, frame: FrameType | None) -> None:
        raise _Terminated

    previous = signal.signal(signal.SIGTERM, terminated)
    try:
        org = ScriptedOrg(
            ["UploadComplete"], during={CREATE: lambda: signal.raise_signal(signal.SIGTERM)}
        )
        with pytest.raises(_Terminated):
            next(read(org, threading.Event()))
    finally:
        signal.signal(signal.SIGTERM, previous)

    assert org.calls == [CREATE, ABORT]


def test_a_read_stopped_while_the_sandbox_runs_its_job_leaves_the_job_aborted(
    sandbox: SandboxServer,
    connect: Callable[..., Connected],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The client's own read, its abort counted as a Bulk call like any other."""
    released, polled = threading.Event(), threading.Event()
    fetch_rest, info = sandbox_bulk.QueryJob.fetch_rest, sandbox_bulk.QueryJob.info
    jobs: list[sandbox_bulk.QueryJob] = []

    def slow_fetch(job: sandbox_bulk.QueryJob, org: Any, locator: str | None) -> None:
        jobs.append(job)
        released.wait(30)
        fetch_rest(job, org, locator)

    def polled_info(job: sandbox_bulk.QueryJob, detailed: bool = False) -> dict[str, Any]:
        if detailed:
            polled.set()
        return info(job, detailed)

    monkeypatch.setattr(sandbox_bulk.QueryJob, "fetch_rest", slow_fetch)
    monkeypatch.setattr(sandbox_bulk.QueryJob, "info", polled_info)
    client = connect(sandbox).client
    stop = threading.Event()
    failed: list[BaseException] = []

    def reading() -> None:
        try:
            list(client.bulk_query("SELECT Id FROM Contact", stop=stop))
        except (ReadStopped, SalesforceError) as error:
            failed.append(error)

    reader = threading.Thread(target=reading)
    try:
        reader.start()
        assert polled.wait(30)
        stop.set()
        reader.join(5)  # a poll interval at most
        assert not reader.is_alive()
    finally:
        released.set()
        reader.join()

    [job] = jobs
    assert job.state is sandbox_bulk.JobState.ABORTED
    assert [type(error) for error in failed] == [ReadStopped]
    assert client.usage.snapshot().calls[EndpointKind.BULK] == 3  # create, poll, abort


def test_a_stop_while_a_failed_call_waits_for_its_retry_ends_the_wait_and_retries_nothing(
    make_sandbox: Callable[..., SandboxServer], connect: Callable[..., Connected]
) -> None:
    """Salesforce answers 503 and the retry is due in a minute: the stop ends the read at once
    (a signal on the main thread already cuts `time.sleep` short; a stop set by `read_ahead`
    reaches the reading thread only so)."""
    server = make_sandbox(fail_rate=1.0)
    retrier = Retrier(RetryPolicy(max_attempts=2, base_delay=60, max_delay=60), draw=lambda: 1.0)
    client = connect(server, retrier=retrier).client
    stop = threading.Event()
    timer = threading.Timer(0.5, stop.set)
    started = time.monotonic()
    timer.start()
    try:
        with pytest.raises(ReadStopped, match="before retry 1 of a failed Salesforce call"):
            list(client.bulk_query("SELECT Id FROM Contact", stop=stop))
    finally:
        timer.cancel()

    assert time.monotonic() - started < 10
    assert client.usage.snapshot().calls[EndpointKind.BULK] == 1  # the 503ed creation only
