"""Benchmark: seed the sandbox, then read every Contact back with simple-salesforce.

Prints seeding speed, records per second through `query` + `nextRecordsUrl`, milliseconds per
2,000-record page as the client sees it (a round trip: server time plus transfer and parsing,
so an upper bound on the server's own time), API calls spent and peak memory of this process.

    .venv/bin/python bench/sandbox.py [--contacts 100000] [--batch-size 2000]
"""

from __future__ import annotations

import argparse
import math
import resource
import statistics
import tempfile
import time
from pathlib import Path

from simple_salesforce import Salesforce

from forcebridge.sandbox.clients import simple_salesforce
from forcebridge.sandbox.config import SandboxConfig
from forcebridge.sandbox.org import Org
from forcebridge.sandbox.seed import seed
from forcebridge.sandbox.server import SandboxServer

PULL_QUERY = (
    "SELECT Id, FirstName, LastName, Email, Phone, MobilePhone, Title, Department, AccountId,"
    " MailingStreet, MailingCity, MailingState, MailingPostalCode, MailingCountry, LeadSource,"
    " HasOptedOutOfEmail, DoNotCall, Description, CreatedDate, LastModifiedDate, SystemModstamp"
    " FROM Contact ORDER BY SystemModstamp, Id"
)


def read_all(sf: Salesforce, batch_size: int) -> tuple[int, list[float]]:
    headers = {"Sforce-Query-Options": f"batchSize={batch_size}"}
    page_ms: list[float] = []
    started = time.perf_counter()
    result = sf.query(PULL_QUERY, headers=headers)
    page_ms.append((time.perf_counter() - started) * 1000)
    read = len(result["records"])
    while not result["done"]:
        started = time.perf_counter()
        result = sf.query_more(result["nextRecordsUrl"], identifier_is_url=True, headers=headers)
        page_ms.append((time.perf_counter() - started) * 1000)
        read += len(result["records"])
    return read, page_ms


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--batch-size", type=int, default=2000)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="fb-bench-sandbox-") as tmp:
        data = Path(tmp)
        org = Org(data)
        report = seed(
            org, contacts=args.contacts, leads=0, accounts=max(1, args.contacts // 10), seed=7
        )
        org.close()
        seeded = report.contacts + report.accounts
        print(f"seeded {report.contacts:,} contacts and {report.accounts:,} accounts")
        print(f"  seeding: {report.seconds:.1f} s ({seeded / report.seconds:,.0f} records/s)")

        with SandboxServer(SandboxConfig(data_dir=data, port=0)) as server:
            sf = simple_salesforce(server)
            server.reset_usage()
            started = time.perf_counter()
            read, page_ms = read_all(sf, args.batch_size)
            seconds = time.perf_counter() - started
            usage = server.usage()

    pages = len(page_ms)
    ordered = sorted(page_ms)
    p95 = ordered[min(pages - 1, math.ceil(pages * 0.95) - 1)]
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"read {read:,} contacts in {pages} pages of up to {args.batch_size:,}")
    print(f"  throughput: {read / seconds:,.0f} records/s ({seconds:.1f} s)")
    print(
        f"  ms per page (client round trip): median {statistics.median(page_ms):.0f},"
        f" p95 {p95:.0f}, first {page_ms[0]:.0f}, max {ordered[-1]:.0f}"
    )
    print(f"  API calls: {usage.used} ({dict(usage.by_kind)})")
    print(f"  peak memory of this process (server + client): {peak_mib:,.0f} MiB")


if __name__ == "__main__":
    main()
