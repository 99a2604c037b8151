"""The runs pages: the org's runs with their counts, one run's log, and org scoping."""

from __future__ import annotations

import datetime as dt
import re

from forcebridge.store.models import LogLevel
from forcebridge.store.repositories.orgs import create_org, get_org
from forcebridge.store.repositories.runs import add_log_entry, finish_run, start_run
from forcebridge.store.repositories.services import get_service
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
    assert pages.client.get(f"/runs?before={other}").status_code == 404  # nor paged from


def test_the_runs_need_a_login(pages: AdminPages) -> None:
    answer = pages.client.get("/runs", follow_redirects=False)

    assert answer.status_code == 303 and answer.headers["location"].startswith("/login")


def record_runs(pages: AdminPages, count: int, service: str | None = None) -> list[int]:
    """`count` runs of acme (of its service `service`), two by two started at the same
    moment; their ids, oldest first."""
    start = dt.datetime(2026, 11, 2, 8, 0, tzinfo=dt.UTC)
    with pages.runtime.sessions() as session:
        org = get_org(session, "acme")
        found = get_service(session, f"acme/{service}") if service else None
        moments = [start + dt.timedelta(minutes=n // 2) for n in range(count)]
        runs = [start_run(session, org, "pull:Contact", service=found, now=at) for at in moments]
        session.commit()
        return [run.id for run in runs]


def listed_runs(html: str) -> list[int]:
    return [int(found) for found in re.findall(r'data-run-id="(\d+)"', html)]


def test_older_runs_are_a_link_away_page_by_page(pages: AdminPages) -> None:
    ids = record_runs(pages, 53)
    pages.log_in("acme", "ann@acme.example.com")

    first = pages.client.get("/runs").text
    older = re.search(r'<a href="([^"]+)" rel="next">Older runs</a>', first)
    assert older is not None
    second = pages.client.get(older.group(1).replace("&amp;", "&")).text

    assert listed_runs(first) == ids[::-1][:50]
    assert "50 runs, newest first; older ones follow on the next page." in first
    assert older.group(1) == f"/runs?before={ids[3]}"
    assert listed_runs(second) == ids[2::-1]  # the rest, none twice, none left out
    assert "Older runs" not in second
    assert '<a href="/runs">Newest runs</a>' in second


def test_the_runs_of_one_service_are_listed_by_its_name(pages: AdminPages) -> None:
    pages.add_service("acme", "shop")
    pages.add_service("acme", "desk")
    shop = record_runs(pages, 3, "shop")
    record_runs(pages, 2, "desk")
    pages.log_in("acme", "ann@acme.example.com")

    page = pages.client.get("/runs?service=shop")
    unknown = pages.client.get("/runs?service=acme/shop")

    assert listed_runs(page.text) == shop[::-1]
    assert '<option value="shop" selected>' in page.text
    assert "3 runs of shop, newest first." in page.text
    assert unknown.status_code == 404 and "No such service" in unknown.text


def test_a_link_with_an_unreadable_query_says_it_is_not_valid_and_leads_to_the_newest_runs(
    pages: AdminPages,
) -> None:
    pages.log_in("acme", "ann@acme.example.com")

    page = pages.client.get("/runs?before=abc")

    assert page.status_code == 400
    assert "This link is not valid: the page cannot read its before=abc" in page.text
    assert '<a href="/runs">Open the newest runs</a>' in page.text
    assert "Input should be" not in page.text and "Reload the page" not in page.text
