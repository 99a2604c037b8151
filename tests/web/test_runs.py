"""The runs pages: the org's runs with their counts, one run's log, and org scoping."""

from __future__ import annotations

from forcebridge.store.models import LogLevel
from forcebridge.store.repositories.orgs import create_org, get_org
from forcebridge.store.repositories.runs import add_log_entry, finish_run, start_run
from tests.web.conftest import AdminPages


def record_run(pages: AdminPages, org: str, stream: str) -> int:
    """A finished run of `org` with one logged problem; its id."""
    with pages.runtime.sessions() as session:
        run = start_run(session, get_org(session, org), stream)
        run.read, run.updated, run.failed, run.api_calls = 40, 12, 1, 7
        add_log_entry(
            session,
            run,
            LogLevel.ERROR,
            "Email is not an email address",
            salesforce_id="003000000000001AAA",
            record_ref="contact 17",
            field="Email",
            code="invalid_email",
        )
        finish_run(session, run)
        session.commit()
        return run.id


def test_runs_are_listed_with_their_counts(pages: AdminPages) -> None:
    run_id = record_run(pages, "acme", "pull:Contact")
    pages.log_in("acme", "ann@acme.example.com")

    page = pages.client.get("/runs")

    assert page.status_code == 200
    row = page.text.split(f'data-run-id="{run_id}"')[1].split("</tr>")[0]
    assert "pull:Contact" in row and "partial" in row
    assert all(f"<td>{count}</td>" in row for count in (40, 12, 1, 7))


def test_a_runs_page_shows_its_log_entries(pages: AdminPages) -> None:
    run_id = record_run(pages, "acme", "pull:Contact")
    pages.log_in("acme", "ann@acme.example.com")

    page = pages.client.get(f"/runs/{run_id}")

    assert page.status_code == 200
    entry = page.text.split('class="log-entry"')[1]
    assert "contact 17" in entry and "003000000000001AAA" in entry
    assert "<td>Email</td>" in entry and "invalid_email" in entry
    assert "Email is not an email address" in entry


def test_another_orgs_run_is_not_found(pages: AdminPages) -> None:
    with pages.runtime.sessions() as session:
        create_org(session, "globex")
        session.commit()
    other = record_run(pages, "globex", "pull:Lead")
    pages.log_in("acme", "ann@acme.example.com")

    assert pages.client.get(f"/runs/{other}").status_code == 404
    assert f'data-run-id="{other}"' not in pages.client.get("/runs").text


def test_the_runs_need_a_login(pages: AdminPages) -> None:
    answer = pages.client.get("/runs", follow_redirects=False)

    assert answer.status_code == 303 and answer.headers["location"].startswith("/login")
