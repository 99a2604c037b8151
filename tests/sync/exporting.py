"""What the export tests build: an org allowed to export, its own sandbox, CSV files, and plain
views of what Salesforce and the store hold afterwards."""

from __future__ import annotations

from pathlib import Path
from types import TracebackType
from typing import Any, Self

from sqlalchemy import select as select_rows
from sqlalchemy.orm import Session

from forcebridge.salesforce.client import SalesforceClient
from forcebridge.sandbox.server import SandboxServer
from forcebridge.soql.builder import Filter, select, to_soql
from forcebridge.store.models import (
    AuthMethod,
    Connection,
    ConnectionKind,
    Org,
    Prospect,
    RunLogEntry,
    UpdateOption,
)
from forcebridge.store.repositories.connections import Login, Tokens, create_connection
from forcebridge.store.repositories.export_preferences import allow_objects
from forcebridge.store.repositories.mappings import save_org_mapping
from forcebridge.store.repositories.orgs import create_org
from forcebridge.sync.export import export_file
from forcebridge.sync.export_results import ExportReport
from tests.salesforce.conftest import client_for


def stored_connection(
    session: Session, org: Org, server: SandboxServer, client: SalesforceClient
) -> Connection:
    """The org's connection as `forcebridge connect` would store it, for the client made
    without one: exports keep their prospects' Salesforce Ids per connection."""
    login = Login(
        ConnectionKind.FORCEBRIDGE_SANDBOX,
        server.base_url,
        AuthMethod.PASSWORD,
        server.config.client_id,
        client.settings.api_version,
    )
    return create_connection(
        session, org, "sandbox", login, Tokens(client.tokens.access_token, server.base_url)
    )


class ExportWorld:
    """One org, allowed to export Leads, Contacts and Accounts, and a sandbox of its own (so each
    database backend's run of a test starts from an empty Salesforce)."""

    def __init__(
        self, session: Session, server: SandboxServer, folder: Path, client: SalesforceClient
    ) -> None:
        self.session, self.server, self.folder, self.client = session, server, folder, client
        self.org: Org = create_org(session, "acme")
        allow_objects(session, self.org, ["Lead", "Contact", "Account"])
        self.connection = stored_connection(session, self.org, server, client)
        session.commit()

    @classmethod
    def open(cls, session: Session, server: SandboxServer, folder: Path, **client: Any) -> Self:
        """`client` options as `client_for` takes them (retry attempts, a describe cache)."""
        return cls(session, server, folder, client_for(server, **client).client)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.client.close()

    def lead_mapping_with(
        self, source: str, target: str, *more: tuple[str, str, UpdateOption]
    ) -> None:
        """The org's Lead mapping: the fields a Lead needs (filled only when empty), one more
        row, overwriting, and `more` rows after it."""
        save_org_mapping(
            self.session,
            self.org,
            "Lead",
            [
                ("last_name", "LastName", UpdateOption.FILL_EMPTY),
                ("company_name", "Company", UpdateOption.FILL_EMPTY),
                ("email", "Email", UpdateOption.FILL_EMPTY),
                (source, target, UpdateOption.OVERWRITE),
                *more,
            ],
        )
        self.session.commit()

    def csv(self, *lines: str, name: str = "prospects.csv") -> Path:
        path = self.folder / name
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return path

    def export(self, sobject: str, *lines: str, dry_run: bool = False) -> ExportReport:
        """Export a CSV file of `lines` (the header first)."""
        return export_file(
            self.session,
            self.client,
            self.org,
            sobject,
            self.csv(*lines),
            connection_id=self.connection.id,
            dry_run=dry_run,
        )

    def create(self, sobject: str, *records: dict[str, Any]) -> list[str]:
        """Records put straight into Salesforce; their Ids."""
        return [str(result.id) for result in self.client.collection_create(sobject, records)]

    def records(
        self, sobject: str, *fields: str, where: Filter | None = None
    ) -> list[dict[str, Any]]:
        """Every record of `sobject` with `fields`, oldest first, without `attributes`."""
        query = select("Id", *fields).from_(sobject)
        if where is not None:
            query = query.where(where)
        found = self.client.query_all_records(to_soql(query.order_by("Id").build()))
        return [{k: v for k, v in record.items() if k != "attributes"} for record in found]

    def prospects(self) -> list[Prospect]:
        self.session.expire_all()
        query = select_rows(Prospect).where(Prospect.org_id == self.org.id).order_by(Prospect.id)
        return list(self.session.scalars(query))

    def log(self, run_id: int) -> list[tuple[str | None, str | None, str | None]]:
        """`(record_ref, field, code)` of each log entry of the run."""
        query = select_rows(RunLogEntry).where(RunLogEntry.run_id == run_id)
        return [(e.record_ref, e.field, e.code) for e in self.session.scalars(query)]
