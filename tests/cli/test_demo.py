"""The demo is the newcomer's first contact: it must run end to end and explain itself, and the
commands it suggests at the end must work as printed."""

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import Result
from typer.testing import CliRunner

from forcebridge.cli.main import app

DEMO_ENV = (
    "FORCEBRIDGE_DATA_DIR",
    "FORCEBRIDGE_DATABASE_URL",
    "FORCEBRIDGE_SECRET_KEY",
    "FORCEBRIDGE_RETIRED_SECRET_KEYS",
    "FORCEBRIDGE_LOG_LEVEL",
)


@pytest.fixture(autouse=True)
def demo_env() -> Iterator[None]:
    """The demo sets some of these in its own process: the environment is put back whole
    after each test (`monkeypatch.delenv` of an unset name records nothing to undo, so what
    the demo set reached the next test files of the worker)."""
    saved = dict(os.environ)
    for name in (*DEMO_ENV, "FORCEBRIDGE_SANDBOX_PORT"):
        os.environ.pop(name, None)
    yield
    os.environ.clear()
    os.environ.update(saved)


def small_demo(data: Path) -> Result:
    """A quick demo, its sandbox on a free port so that it never meets another."""
    sizes = ["--contacts", "300", "--leads", "50", "--accounts", "40"]
    return CliRunner().invoke(app, ["demo", "--data", str(data), "--port", "0", *sizes])


def hint(result: Result, starting: str) -> str:
    """The command of "Where to look next" that starts with `starting`."""
    (line,) = (
        line.strip() for line in result.stdout.splitlines() if line.strip().startswith(starting)
    )
    return line


def shell(
    script: str, env: dict[str, str], cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """`script` as bash runs it pasted (in `cwd`), with the `forcebridge` of this installation."""
    path = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return subprocess.run(
        ["bash", "-c", "set -eo pipefail\n" + script],
        cwd=cwd,
        env=env | {"PATH": path},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def a_users_shell() -> dict[str, str]:
    """The environment of the shell the demo was run from, without what the demo set."""
    return {name: value for name, value in os.environ.items() if name not in DEMO_ENV}


def test_demo_runs_every_chapter_and_ends_with_a_summary(tmp_path: Path) -> None:
    data = tmp_path / "demo"
    result = small_demo(data)
    assert result.exit_code == 0, result.output
    assert "Business Phone (Phone)" in result.output
    assert "MALFORMED_QUERY" in result.output
    assert "GROUP BY, answered as Salesforce answers it: " in result.output
    assert "a child subquery and a semi-join in one query: " in result.output
    assert "a SOSL search, FIND {Smith} IN NAME FIELDS: " in result.output
    assert "answered 201, 200, 204" in result.output
    assert "read 300 Contacts in 1 pages" in result.output
    assert "acme: Connected" in result.output
    would, pulled = result.output.split("Would pull (run 1)")[1].split("Pulled (run 2)")[:2]
    assert would.split("Api calls")[0] == pulled.split("Api calls")[0]  # the dry run was exact
    assert "messages recorded: 1" in result.output  # over the REST API, with a token
    assert "Reconciled (run" in result.output
    assert "America/New_York" in result.output
    assert "What the demo showed" in result.output
    assert "Where to look next" in result.output
    assert (data / "sandbox" / "ca.pem").exists()
    assert "unset" not in result.stdout  # no key of the user's to keep out of the hints
    assert "the demo ignores it" not in result.stderr


def test_demo_empties_only_a_folder_a_demo_made(tmp_path: Path) -> None:
    """`--data` naming a folder of real data, or a file, must not lose it."""
    kept = tmp_path / "mine"
    kept.mkdir()
    (kept / "notes.txt").write_text("mine")
    a_file = tmp_path / "file.txt"
    a_file.write_text("mine")

    into_a_folder = CliRunner().invoke(app, ["demo", "--data", str(kept)])
    into_a_file = CliRunner().invoke(app, ["demo", "--data", str(a_file)])

    assert into_a_folder.exit_code == into_a_file.exit_code == 1
    assert "holds files no demo made" in into_a_folder.stderr
    assert "is a file, not a folder" in into_a_file.stderr
    assert (kept / "notes.txt").read_text() == a_file.read_text() == "mine"


USERS_KEY = "a-users-own-secret-key-not-the-demos-0000000000"


def test_demo_ignores_the_user_s_settings_and_its_hints_reach_its_own_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A user's `FORCEBRIDGE_DATABASE_URL`, secret keys and data folder are neither used by the
    demo nor by the commands it suggests, which find the demo's data, and open the secrets it
    sealed (its own key, not theirs), in a shell where those variables are still exported."""
    theirs = tmp_path / "theirs.sqlite3"
    users = {
        "FORCEBRIDGE_DATABASE_URL": f"sqlite:///{theirs}",
        "FORCEBRIDGE_SECRET_KEY": USERS_KEY,
        "FORCEBRIDGE_RETIRED_SECRET_KEYS": USERS_KEY.replace("own", "old"),
        "FORCEBRIDGE_DATA_DIR": str(tmp_path / "their-data"),
    }
    for name, value in users.items():
        monkeypatch.setenv(name, value)
    env = a_users_shell() | users
    monkeypatch.chdir(tmp_path)  # --data relative to where the demo ran, hints pasted elsewhere
    data = tmp_path / "demo"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()

    result = small_demo(Path("demo"))
    explored = shell(
        "\n".join(
            [
                hint(result, "export FORCEBRIDGE_DATA_DIR="),
                hint(result, "unset FORCEBRIDGE_SECRET_KEY"),
                hint(result, "forcebridge contacts list"),
                hint(result, "forcebridge runs list"),
            ]
        ),
        env,
        elsewhere,
    )

    assert result.exit_code == 0, result.output
    product = data / "product"
    own_store = product / "forcebridge.sqlite3"
    notes = " ".join(result.stderr.split())
    for note in (
        "FORCEBRIDGE_DATABASE_URL is set: the demo ignores it and keeps its own SQLite store, "
        f"{own_store}",
        "FORCEBRIDGE_SECRET_KEY is set: the demo ignores it and keeps its own key, "
        f"{product / 'secret.key'}",
        "FORCEBRIDGE_RETIRED_SECRET_KEYS is set: the demo ignores it and keeps its own key, ",
        f"FORCEBRIDGE_DATA_DIR is set: the demo ignores it and keeps its data under --data, in "
        f"{product}",
    ):
        assert note in notes
    assert explored.returncode == 0, explored.stderr
    assert re.search(r"│ +1 +│", explored.stdout)  # the demo's contacts, the first in a table
    assert "350 read" in explored.stdout  # the runs of the demo's pulls
    assert own_store.exists() and (product / "secret.key").exists()
    assert not theirs.exists() and not (tmp_path / "their-data").exists()


@pytest.fixture
def processes() -> Iterator[list[subprocess.Popen[str]]]:
    """Processes a test started, stopped at its end."""
    started: list[subprocess.Popen[str]] = []
    yield started
    for process in started:
        process.terminate()
        process.communicate(timeout=30)


def test_demo_on_a_free_port_stores_and_hints_the_port_it_used(
    tmp_path: Path, processes: list[subprocess.Popen[str]]
) -> None:
    """The hint's `sandbox serve` brings the demo's sandbox back where the demo's connection
    expects it, even when the demo ran on a port of its own."""
    result = small_demo(tmp_path / "demo")
    serve = hint(result, "forcebridge sandbox serve")
    port = int(serve.rpartition("--port ")[2])
    env = a_users_shell()
    path = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    processes.append(
        subprocess.Popen(
            ["bash", "-c", f"exec {serve}"],
            env=env | {"PATH": path},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
    )
    deadline = time.monotonic() + 60
    while not _listening(port):
        assert processes[0].poll() is None, processes[0].communicate()
        assert time.monotonic() < deadline
        time.sleep(0.05)
    checked = shell(
        hint(result, "export FORCEBRIDGE_DATA_DIR=")
        + "\nforcebridge connections status --org acme --check",
        env,
    )

    assert result.exit_code == 0, result.output
    assert port != 8443
    assert f"serving https://127.0.0.1:{port}" in result.stdout
    assert checked.returncode == 0, checked.stderr
    assert "main: Connected" in checked.stdout


def _listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def test_demo_refuses_a_busy_port_naming_it_and_the_option(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two demos on one machine: the second says which port is taken and how to choose
    another, before it empties or seeds anything."""
    data = tmp_path / "demo"
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        given = CliRunner().invoke(app, ["demo", "--data", str(data), "--port", str(port)])
        monkeypatch.setenv("FORCEBRIDGE_SANDBOX_PORT", str(port))  # as `sandbox serve` reads it
        from_env = CliRunner().invoke(app, ["demo", "--data", str(data)])

    for refused in (given, from_env):
        assert refused.exit_code == 1, refused.output
        assert f"cannot listen on 127.0.0.1:{port}" in refused.stderr
        assert "another port with --port N (0 picks a free one)" in refused.stderr
    assert not data.exists()
