"""How the demo talks: numbered chapters, the commands it runs, and the closing summary."""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field

from rich.console import Console
from rich.rule import Rule
from rich.table import Table


@dataclass
class Narrator:
    """Prints the story and keeps one line per finding for the summary at the end."""

    console: Console
    findings: list[tuple[str, str]] = field(default_factory=list)
    chapter_count: int = 0

    def chapter(self, title: str, why: str) -> None:
        self.chapter_count += 1
        self.console.print()
        self.console.print(Rule(f"[bold]{self.chapter_count}. {title}", align="left"))
        self.console.print(why, style="dim")

    def command(self, argv: list[str]) -> None:
        """Shows a command exactly as a newcomer could type it."""
        self.console.print(f"[bold cyan]$ forcebridge {shlex.join(argv)}")

    def request(self, method: str, path: str) -> None:
        """Shows an HTTP request the product makes, as curl would send it."""
        self.console.print(f"[bold cyan]$ curl -X {method} -H 'Authorization: Bearer ...' {path}")

    def note(self, text: str) -> None:
        self.console.print(f"  {text}")

    def found(self, what: str, figure: str) -> None:
        self.findings.append((what, figure))

    def summary(self, next_steps: list[str]) -> None:
        table = Table(title="What the demo showed", show_lines=False, expand=True)
        table.add_column("capability", style="bold")
        table.add_column("result")
        for what, figure in self.findings:
            table.add_row(what, figure)
        self.console.print()
        self.console.print(table)
        self.console.print(Rule("[bold]Where to look next", align="left"))
        for step in next_steps:  # never wrapped: a command must paste as one line
            self.console.print(step, soft_wrap=True, highlight=False, markup=False)
