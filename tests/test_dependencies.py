"""The package runs on its own dependencies: an install without the dev extras (`make demo`,
`pip install forcebridge`) must start. The dev-only modules are barred while the command line,
the web app and the demo are imported, in a fresh interpreter."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ENTRY_POINTS = ("forcebridge.cli.main", "forcebridge.web.app", "forcebridge.cli.demo")


def dev_only_modules() -> set[str]:
    """The import names of the dev extras that are not also runtime dependencies."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]

    def names(requirements: list[str]) -> set[str]:
        return {re.split(r"[\[<>=!~ ]", r, maxsplit=1)[0].lower() for r in requirements}

    dev = names(project["optional-dependencies"]["dev"]) - names(project["dependencies"])
    return {name.replace("-", "_") for name in dev if not name.startswith("types-")} | {"xdist"}


def test_the_command_line_web_app_and_demo_import_without_the_dev_extras() -> None:
    barred = sorted(dev_only_modules())
    script = (
        "import sys\n"
        f"for name in {barred!r}:\n"
        "    sys.modules[name] = None  # importing it raises ImportError\n"
        f"for module in {list(ENTRY_POINTS)!r}:\n"
        "    __import__(module)\n"
    )

    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=False
    )

    assert "httpx" in barred
    assert done.returncode == 0, done.stderr
