"""`forcebridge sandbox serve|seed`: run and fill the Salesforce-compatible sandbox."""

from __future__ import annotations

import typer

app = typer.Typer(help="Run and fill the Salesforce-compatible sandbox.", no_args_is_help=True)
