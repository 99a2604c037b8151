"""`forcebridge secrets reseal`: the last step of rotating FORCEBRIDGE_SECRET_KEY.

Until every stored secret is sealed with the new key, the old one must stay in
FORCEBRIDGE_RETIRED_SECRET_KEYS, and only a refresh (access tokens) or a reconnect would ever
move them. This moves them all at once, in one transaction, and says whether any secret still
needs a retired key. No secret is shown: only where it is and the id of its key.
"""

from __future__ import annotations

from typing import Any

import typer

from forcebridge.cli.output import JsonFlag, console, emit, reporting_errors
from forcebridge.jobs.runtime import open_runtime
from forcebridge.settings import Settings
from forcebridge.store.sealed_keys import ResealReport, reseal_secrets

app = typer.Typer(help="Move stored secrets to the current secret key.", no_args_is_help=True)


@app.command("reseal")
def reseal(as_json: JsonFlag = False) -> None:
    """Seal every stored secret again with FORCEBRIDGE_SECRET_KEY, so retired keys can go."""
    with (
        reporting_errors(),
        open_runtime(Settings()) as runtime,
        runtime.sessions() as session,
    ):
        report = reseal_secrets(session, runtime.keyring)
        session.commit()
    emit(_document(report), as_json, lambda: _show(report), stopped=_left_behind(report))
    if report.unresealed:
        raise typer.Exit(1)


def _document(report: ResealReport) -> dict[str, Any]:
    return {
        "key": report.key_id,
        "resealed": report.resealed,
        "already_current": report.already_current,
        "keys_still_needed": report.keys_still_needed,
        "unresealed": [
            {"column": u.column, "row": u.row, "key": u.key_id, "reason": u.reason}
            for u in report.unresealed
        ],
    }


def _show(report: ResealReport) -> None:
    console.print(
        f"Resealed {_secrets(report.resealed)} with key {report.key_id} "
        f"({report.already_current} already were).",
        soft_wrap=True,
    )
    if not report.unresealed:
        console.print(
            "No stored secret needs a retired key: once every process runs with this "
            "FORCEBRIDGE_SECRET_KEY, remove the old keys from FORCEBRIDGE_RETIRED_SECRET_KEYS.",
            soft_wrap=True,
        )


def _left_behind(report: ResealReport) -> str | None:
    """Why a retired key cannot be dropped yet: each secret left as it was, and why."""
    if not report.unresealed:
        return None
    needed = ", ".join(report.keys_still_needed) or "none"
    each = "; ".join(
        f"{u.column} of row {', '.join(f'{k}={v}' for k, v in u.row.items())}: {u.reason}"
        for u in report.unresealed
    )
    return (
        f"{_secrets(len(report.unresealed))} could not be resealed (retired keys still needed: "
        f"{needed}): {each}"
    )


def _secrets(count: int) -> str:
    return f"{count} stored secret{'' if count == 1 else 's'}"
