"""Fixtures for the org engine: a real org in a temporary folder, on a clock tests control."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from forcebridge.sandbox.org import Org
from tests.sandbox.clocks import Clock


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def org(tmp_path: Path, clock: Clock) -> Iterator[Org]:
    org = Org(tmp_path / "org", clock=clock)
    yield org
    org.close()
