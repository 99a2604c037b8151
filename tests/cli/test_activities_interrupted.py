"""`forcebridge activities push` stopped by Ctrl+C or SIGTERM: its run ends failed (never
`running`), and a script given `--json` reads one document naming that run, as a stopped pull
or export names its own."""

from __future__ import annotations

import json
import signal

import pytest

from forcebridge.cli.activities import AGAIN
from forcebridge.sync.documents import PUSH_COUNTS
from tests.cli.conftest import Cli, document, password_grant_args, stopped_by
from tests.conftest import SandboxFactory


@pytest.mark.parametrize(
    ("signum", "status", "why"),
    [
        (signal.SIGINT, 130, "interrupted (Ctrl+C)"),
        (signal.SIGTERM, 143, "stopped (SIGTERM)"),
    ],
)
def test_a_signal_ends_a_push_with_one_json_document_naming_its_failed_run(
    cli: Cli,
    cli_env: dict[str, str],
    make_sandbox: SandboxFactory,
    signum: int,
    status: int,
    why: str,
) -> None:
    """Stopped while Task is described, once the run is recorded: cron's timeout or a
    container's stop, whose script must find the run it failed (`runs show RUN_ID`)."""
    server = make_sandbox(latency_ms=400)
    cli("org", "create", "acme")
    assert cli(*password_grant_args(server)).exit_code == 0
    cli("service", "create", "acme/shop")
    stopped = stopped_by(
        signum,
        cli_env,
        ["activities", "push", "--service", "acme/shop", "--json"],
        lambda: bool(document(cli("runs", "list", "--org", "acme", "--json"))["runs"]),
    )

    [run] = document(cli("runs", "list", "--org", "acme", "--json"))["runs"]
    recorded = f"{why}; what it had committed is kept"
    assert stopped.returncode == status, stopped.stderr
    assert json.loads(stopped.stdout) == {
        "run_id": run["run_id"],
        "status": "failed",
        **{key: run[column] for key, column in PUSH_COUNTS.items()},
        "error": f"{recorded}: {AGAIN}",
    }
    assert (run["stream"], run["status"], run["error"]) == ("activities", "failed", recorded)
    assert f"Error: {recorded}: {AGAIN}" in stopped.stderr
