from __future__ import annotations

import pytest

from forcebridge.jobs.errors import NoRunner
from forcebridge.jobs.runtime import Runtime
from forcebridge.jobs.streams import RunResult, StreamRegistry, StreamRunner
from forcebridge.store.models import RunStatus


def _reporting(run_id: int) -> StreamRunner:
    def run(runtime: Runtime, service_id: int) -> RunResult:
        return RunResult(run_id, RunStatus.SUCCEEDED)

    return run


def test_a_registry_runs_what_was_registered_last_for_a_stream() -> None:
    first, second, pushing = _reporting(1), _reporting(2), _reporting(3)
    registry = StreamRegistry({"pull:Contact": first})
    registry.register("pull:Contact", second)
    registry.register("activities", pushing)

    assert registry.streams == {"pull:Contact", "activities"}
    assert registry.runner_for("pull:Contact") is second


def test_a_stream_nobody_registered_is_refused_by_name() -> None:
    with pytest.raises(NoRunner, match="no runner for stream 'pull:custom'"):
        StreamRegistry().runner_for("pull:custom")
