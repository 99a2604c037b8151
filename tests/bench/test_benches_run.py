"""Each benchmark runs to its figures at a tiny size: a benchmark that no longer runs (a
signature it calls changed) is found by the suite, not by the next person measuring. The
figures themselves are not judged here (docs/pull.md, "Performance")."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"


@pytest.mark.parametrize(
    ("script", "arguments", "figure"),
    [
        ("sandbox.py", ["--contacts", "500"], "API calls"),
        ("activities.py", ["--contacts", "50"], "fewer calls"),
        ("export.py", ["--prospects", "60", "--companies", "10"], "fewer calls"),
        ("pull.py", ["--contacts", "500", "--backend", "sqlite"], "nothing changed"),
    ],
)
def test_a_benchmark_runs_to_its_figures(
    script: str, arguments: list[str], figure: str, tmp_path: Path
) -> None:
    ran = subprocess.run(
        [sys.executable, str(BENCH / script), *arguments],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
    )

    assert ran.returncode == 0, ran.stderr[-3000:]
    assert figure in ran.stdout
