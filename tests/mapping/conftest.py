"""Describes to verify against: the payloads a real org returned, and the sandbox's own."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from forcebridge.mapping.describe import Catalog
from forcebridge.sandbox.describe import describe_object
from forcebridge.sandbox.schema import load_schema

REAL_DESCRIBES = Path(__file__).resolve().parents[3] / "shared" / "salesforce" / "describe"
"""`../shared` beside the repository, where every developer and CI keep it."""


@pytest.fixture(scope="session")
def real_catalog() -> Catalog:
    """Contact, Lead, Account, ... as a real Salesforce org described them."""
    if not (REAL_DESCRIBES / "Contact.json").exists():
        pytest.skip(f"the recorded describe payloads are not at {REAL_DESCRIBES}")
    payloads = [
        json.loads(path.read_text())
        for path in sorted(REAL_DESCRIBES.glob("*.json"))
        if path.name != "describeGlobal.json"
    ]
    return Catalog.of(*payloads)


@pytest.fixture(scope="session")
def sandbox_catalog() -> Catalog:
    """The describes forcebridge's sandbox serves."""
    schema = load_schema()
    return Catalog.of(*(describe_object(schema, obj, "62.0") for obj in schema.objects))
