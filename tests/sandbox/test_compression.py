"""Answers are gzipped only for a client whose `Accept-Encoding` finds gzip acceptable, its
q-values read as RFC 9110 §12.5.3 reads them."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import requests

from forcebridge.sandbox.compression import accepts_gzip
from forcebridge.sandbox.server import SandboxServer

Session = Callable[[SandboxServer], requests.Session]


@pytest.mark.parametrize(
    ("header", "gzipped"),
    [
        ("gzip", True),
        ("GZIP", True),
        ("x-gzip", True),
        ("deflate, gzip;q=0.5", True),
        ("*", True),
        ("identity, *;q=0.1", True),
        ("*;q=1", True),
        ("*;q=0.5", True),
        ("deflate, *", True),
        ("identity, *", True),
        ("X-GZIP", True),
        ("gzip;Q=1.000", True),
        ("gzip;q=0.0001", False),
        ("gzip;q=1.5", False),
        ("gzip;q=.5", False),
        ("gzip;q=1.001", False),
        (None, False),
        ("", False),
        ("identity", False),
        ("deflate", False),
        ("gzip;q=0, identity", False),
        ("gzip; q=0.000", False),
        ("*;q=0", False),
        ("gzip;q=0, *", False),
        ("*, gzip;q=0", False),
        ("gzip;q=junk", False),
    ],
)
def test_gzip_is_acceptable_as_the_q_values_say(header: str | None, gzipped: bool) -> None:
    assert accepts_gzip(header) is gzipped


@pytest.mark.parametrize(
    ("header", "encoding"),
    [
        ("gzip;q=0, identity", None),
        ("identity, gzip;q=0.8", "gzip"),
        ("*", "gzip"),
        ("*;q=0.5", "gzip"),
        ("deflate, *", "gzip"),
        ("GZIP", "gzip"),
        ("X-GZIP", "gzip"),
        ("gzip;q=0.0001", None),
    ],
)
def test_an_answer_is_gzipped_only_when_gzip_is_acceptable(
    sandbox: SandboxServer, api_for: Session, header: str, encoding: str | None
) -> None:
    answer = api_for(sandbox).get(
        f"{sandbox.base_url}/services/data/v62.0/sobjects",
        headers={"Accept-Encoding": header},
    )

    assert answer.status_code == 200
    assert answer.headers.get("Content-Encoding") == encoding
    assert answer.json()["sobjects"]
