"""Two `forcebridge pull` commands of one service at once, in processes of their own, on both
backends: the one refused records no run (docs/jobs.md), and the one that runs is not cut
short between its streams by the other."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from forcebridge.sandbox.limits import FaultSettings
from tests.cli.conftest import Cli, document
from tests.cli.pull_setup import connected_service
from tests.conftest import SandboxFactory

TRIES = 6
"""Pairs of pulls started together: each pair gives the race its window again."""


@pytest.fixture
def cli_env(cli_env_on_each_backend: dict[str, str]) -> dict[str, str]:
    return cli_env_on_each_backend


def test_of_two_pulls_at_once_the_refused_one_records_no_run(
    cli: Cli, cli_env: dict[str, str], make_sandbox: SandboxFactory
) -> None:
    sandbox = make_sandbox()
    service = connected_service(cli, sandbox, "--pull", "both")
    sandbox.org.create("Lead", {"LastName": "Racer", "Company": "Initech"})
    sandbox.org.create("Contact", {"LastName": "Runner"})
    sandbox.set_faults(FaultSettings(latency_ms=150))  # each run long enough to overlap

    answers = []
    for _ in range(TRIES):
        pulls = [_pull(cli_env, service), _pull(cli_env, service, "--full")]
        answers += [(*p.communicate(timeout=120), p.returncode) for p in pulls]
    runs = document(cli("runs", "list", "--service", service, "--json"))["runs"]

    ran = [json.loads(out) for out, _, status in answers if status == 0]
    refused = [json.loads(out) for out, _, status in answers if status != 0]
    assert [a for a in refused if "in progress" not in a["error"] or "run_id" in a] == []
    assert [r["status"] for r in runs] == ["succeeded"] * len(ran)
    assert refused  # the pulls did overlap


def _pull(cli_env: dict[str, str], service: str, *extra: str) -> subprocess.Popen[str]:
    """`forcebridge pull --service SERVICE [EXTRA] --json` started in a process of its own."""
    args = ["pull", "--service", service, *extra, "--json"]
    return subprocess.Popen(
        [sys.executable, "-m", "forcebridge.cli.main", *args],
        env=cli_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
