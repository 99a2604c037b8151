"""Which code runs a stream: a registry from stream name to runner, shared by both engines.

A runner is handed the process's runtime and a service id, builds what the sync engine is
handed (a store session, a Salesforce client) and runs one run of its stream. It reports the
run's result, or raises when the stream could not run at all; either way a failure is classed
(`failures.classify`) to decide how long the schedule waits. The product's runners are in
`runners`; tests register their own.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from forcebridge.jobs.errors import NoRunner
from forcebridge.jobs.policy import StreamFailure
from forcebridge.jobs.runtime import Runtime
from forcebridge.store.models import RunStatus


@dataclass(frozen=True)
class RunResult:
    """What a runner reports of a run that reached its end."""

    run_id: int | None
    status: RunStatus
    error: str | None = None
    failure: StreamFailure | None = None
    """Why a failed run failed, when the runner can tell more than the error text says."""
    covered: tuple[int, ...] = ()
    """Other services whose same stream this run brought up to date: they count as run."""
    others_failed: tuple[tuple[int, StreamFailure], ...] = ()
    """Other services whose same stream this run failed for, and why: they count as failed."""


StreamRunner = Callable[[Runtime, int], RunResult]


class StreamRunFailed(Exception):
    """A runner reported a run that stopped before its end, without raising."""

    def __init__(self, result: RunResult) -> None:
        super().__init__(result.error or f"run {result.run_id} failed")
        self.result = result


class StreamRegistry:
    def __init__(self, runners: Mapping[str, StreamRunner] | None = None) -> None:
        self._runners = dict(runners or {})

    def register(self, stream: str, runner: StreamRunner) -> None:
        self._runners[stream] = runner

    def runner_for(self, stream: str) -> StreamRunner:
        try:
            return self._runners[stream]
        except KeyError:
            raise NoRunner(stream) from None

    @property
    def streams(self) -> frozenset[str]:
        return frozenset(self._runners)
