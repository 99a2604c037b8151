"""A group's `--help` lists its commands each by one line of help, whatever the docstring's
line breaks."""

from __future__ import annotations

from tests.cli.conftest import Cli


def test_a_group_lists_each_command_by_its_help_on_one_line(cli: Cli) -> None:
    listed = cli("service", "--help", env={"COLUMNS": "250"}).stdout

    status = next(line for line in listed.splitlines() if " status " in line)
    assert "Needs Attention (with the reason), or Off, and when it runs next" in status


def test_every_group_is_listed_the_same_way(cli: Cli) -> None:
    listed = cli("runs", "--help", env={"COLUMNS": "250"}).stdout

    line = next(line for line in listed.splitlines() if " list " in line)
    assert "or of a service; `next_before`" in line
