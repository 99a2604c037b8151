"""Fixtures for the org engine: a real org in a temporary folder, on a clock tests control."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from forcebridge.sandbox.org import Org
from forcebridge.sandbox.server import SandboxServer
from tests.sandbox.bulk_v1_jobs import CsvJobs
from tests.sandbox.clocks import Clock


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def org(tmp_path: Path, clock: Clock) -> Iterator[Org]:
    org = Org(tmp_path / "org", clock=clock)
    yield org
    org.close()


@pytest.fixture
def csv_jobs(sandbox: SandboxServer) -> Iterator[CsvJobs]:
    with requests.Session() as http:
        http.verify = str(sandbox.ca_file)
        http.trust_env = False
        yield CsvJobs(sandbox, http)
