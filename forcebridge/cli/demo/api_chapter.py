"""Chapter: the product's side, the REST API called with an API token of the org."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import requests

from forcebridge.cli.demo.commands import CommandRunner
from forcebridge.cli.demo.narration import Narrator
from forcebridge.jobs.runtime import open_runtime
from forcebridge.settings import Settings
from forcebridge.web.app import create_app
from forcebridge.web.local_server import served_locally

SERVICE = "support"
_LEAD_EXPORT = {
    "object": "Lead",
    "prospects": [
        {
            "first_name": "Ines",
            "last_name": "Duarte",
            "email": "ines.duarte@tidewater-labs.example",
            "job_title": "Head of Operations",
            "company_name": "Tidewater Labs",
        }
    ],
}
"""What a rep sends from the product in one action: a prospect, as a Lead."""


def call_the_api(narrator: Narrator, run: CommandRunner) -> None:
    narrator.chapter(
        "The REST API for the product",
        "The product reads contact books and runs, posts its messages, sends a rep's prospects "
        "to Salesforce and asks for a sync now, over HTTP with a token of its org (only the "
        "token's hash is stored).",
    )
    created = run.output(["api-token", "create", "--org", "acme", "--name", "product", "--json"])
    token = json.loads(created)["token"]
    narrator.note(f"the token, shown once: {token[:8]}... (the product keeps it as a secret)")
    with _served() as base, requests.Session() as api:
        api.headers["Authorization"] = f"Bearer {token}"
        api.trust_env = False  # the local server, never through a proxy
        services = _call(narrator, api, base, "GET", "/api/v1/services")
        streams = [s["stream"] for s in services["services"][0]["streams"]]
        narrator.note(f"service {SERVICE!r} and its streams: {', '.join(streams)}")
        page = _call(narrator, api, base, "GET", f"/api/v1/services/{SERVICE}/contacts?limit=3")
        names = [f"{c['first_name']} {c['last_name']}" for c in page["contacts"]]
        after = page["next_after"]
        narrator.note(f"the first page: {', '.join(names)}; the next one starts after id {after}")
        message = {
            "contact_id": page["contacts"][0]["id"],
            "direction": "inbound",
            "channel": "sms",
            "author": "Customer",
            "body": "Is my order on its way?",
            "sent_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        }
        posted = _call(
            narrator,
            api,
            base,
            "POST",
            f"/api/v1/services/{SERVICE}/messages",
            {"messages": [message]},
        )
        narrator.note(f"messages recorded: {posted['imported']}")
        exported = _call(narrator, api, base, "POST", "/api/v1/exports", _LEAD_EXPORT)
        lead = exported["results"][0]
        narrator.note(
            f"export run {exported['run_id']}: {exported['status']}, the prospect {lead['action']}"
            f" as Lead {lead['salesforce_id']}"
        )
        ran = _call(
            narrator, api, base, "POST", f"/api/v1/services/{SERVICE}/streams/activities/run-now"
        )
        narrator.note(
            f"activities due at {ran['streams'][0]['next_run_at']}: the scheduler of "
            "`forcebridge serve` (or a worker) writes the Task at its next tick"
        )
    narrator.found(
        "REST API",
        f"{len(streams)} streams reported, 1 message posted, 1 prospect exported, run-now 202",
    )


def _call(
    narrator: Narrator,
    api: requests.Session,
    base: str,
    method: str,
    path: str,
    body: Any = None,
) -> dict[str, Any]:
    narrator.request(method, f"{base}{path}")
    answer = api.request(method, f"{base}{path}", json=body, timeout=30)
    answer.raise_for_status()
    document: dict[str, Any] = answer.json()
    return document


@contextmanager
def _served() -> Iterator[str]:
    """`forcebridge serve`'s app on a free local port, without its scheduler, for the chapter."""
    with open_runtime(Settings()) as runtime, served_locally(create_app(runtime)) as url:
        yield url
