"""Showing, verifying and saving mappings: a service's pull mappings and an org's export ones.

Verification asks Salesforce for the object's current describe (a 304 when nothing changed), so
"Verify and Save" judges the org as it is now, not as it was cached an hour ago. A mapping that
does not verify is never saved. Saving a pull mapping makes the service's streams on that object
read everything again, so contacts get the newly mapped values too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from forcebridge.mapping.describe import Catalog, ObjectDescribe, parse_describe
from forcebridge.mapping.errors import MappingError
from forcebridge.mapping.model import Mapping, MappingRow
from forcebridge.mapping.report import Problem
from forcebridge.mapping.verify import VerificationReport
from forcebridge.store.models import Org, Service
from forcebridge.store.repositories.mappings import (
    Row,
    get_mapping,
    get_org_mapping,
    save_mapping,
    save_org_mapping,
)
from forcebridge.store.repositories.watermarks import reset_watermarks
from forcebridge.sync.export import checked_mapping, export_mapping
from forcebridge.sync.export_model import ExportObject
from forcebridge.sync.pull_members import (
    StreamFailed,
    load_catalog,
    rule_problems,
    rule_refusal,
    service_fields,
    stored_mapping,
    verify_stream,
)
from forcebridge.sync.pull_plan import PlanError, Stream, service_streams
from forcebridge.sync.routing import Route, RoutingError

if TYPE_CHECKING:
    from forcebridge.salesforce.client import SalesforceClient


class MappingRefused(MappingError):
    """A mapping that did not verify; nothing was saved."""

    def __init__(self, report: VerificationReport) -> None:
        self.report = report
        super().__init__(report.message)


@dataclass(frozen=True)
class ShownRow:
    row: MappingRow
    salesforce_label: str
    """The row's Salesforce field (the source of a pull, the target of an export) as admins
    see it, "Business Phone (Phone)", or its name when the describe does not know it."""


@dataclass(frozen=True)
class ShownMapping:
    direction: str
    """"pull" or "export"."""
    sobject: str
    rows: tuple[ShownRow, ...]
    default: bool
    """No mapping was saved: these are the rows used by default."""

    def to_json(self) -> dict[str, Any]:
        return {
            "direction": self.direction,
            "object": self.sobject,
            "default": self.default,
            "rows": [
                {
                    "source": shown.row.source,
                    "target": shown.row.target,
                    "update": shown.row.update.value,
                    "salesforce_label": shown.salesforce_label,
                }
                for shown in self.rows
            ],
        }


def _stream_for(service: Service, sobject: str) -> Stream:
    """The stream of `service` reading `sobject`, or a plain read of it (not pulled yet)."""
    return _pulled(service, sobject) or Stream(f"pull:{sobject}", sobject)


def _pulled(service: Service, sobject: str) -> Stream | None:
    """The stream of `service` reading `sobject`, if it pulls it."""
    try:
        streams = service_streams(service.pull_objects, service.pull_soql)
    except PlanError:
        streams = ()
    found = [s for s in streams if s.sobject.lower() == sobject.lower()]
    return found[0] if found else None


def show_pull_mapping(
    session: Session, client: SalesforceClient, service: Service, sobject: str
) -> ShownMapping:
    try:
        mapping = stored_mapping(session, service, _stream_for(service, sobject))
    except StreamFailed as missing:
        raise MappingError(str(missing)) from None
    default = get_mapping(session, service, sobject) is None
    catalog = load_catalog(client, sobject, mapping.sources)
    described = catalog.get(sobject)
    spelled = sobject if described is None else described.name
    return ShownMapping("pull", spelled, _labelled(mapping, catalog, sobject), default)


def verify_pull_mapping(
    session: Session,
    client: SalesforceClient,
    service: Service,
    sobject: str,
    mapping: Mapping | None = None,
    *,
    refresh: bool = True,
    routing: bool = False,
) -> VerificationReport:
    """`mapping` (else the one in use) against the object's live describe (as cached, without
    `refresh`); when the service pulls `sobject` through a custom query, against that query
    too; and with `routing`, when it pulls `sobject`, its routing rule as its runs check it: a
    rule naming a field the org no longer has stops them as surely as a mapped one."""
    return _checked_pull(session, client, service, sobject, mapping, refresh, routing)[0]


def _checked_pull(
    session: Session,
    client: SalesforceClient,
    service: Service,
    sobject: str,
    mapping: Mapping | None,
    refresh: bool,
    routing: bool = False,
) -> tuple[VerificationReport, Catalog, Stream]:
    """The report, and the describes and stream it was made against (for saving)."""
    stream = _stream_for(service, sobject)
    if mapping is None:
        try:
            mapping = stored_mapping(session, service, stream)
        except StreamFailed as missing:
            raise MappingError(str(missing)) from None
    rule: Route | None = None
    refused: tuple[Problem, ...] = ()
    if routing and _pulled(service, sobject) is not None:
        try:
            rule = Route.parse(service.routing_condition)
        except RoutingError as error:
            refused = rule_problems(str(error))
    paths = (*mapping.sources, *(stream.selected or ()), *(rule.fields if rule else ()))
    catalog = load_catalog(client, sobject, paths, refresh=refresh)
    report = verify_stream(mapping, catalog, stream, service_fields(session, service))
    described = catalog.get(sobject)
    if rule is not None and described is not None:  # verification reports a missing object
        refused = rule_problems(rule_refusal(service, catalog, described.name, rule))
    return VerificationReport((*report.problems, *refused), report.rows), catalog, stream


def save_pull_mapping(
    session: Session,
    client: SalesforceClient,
    service: Service,
    sobject: str,
    mapping: Mapping,
    found: Sequence[Problem] = (),
) -> VerificationReport:
    """Verify then save (in the caller's transaction), each Salesforce field as the org spells
    it (`account.industry` is `Account.Industry`); `MappingRefused` saves nothing. `found`: the
    problems the mapping's file or form had already (a bad update option), reported with the
    others, a mapping with any being refused."""
    report, catalog, stream = _checked_pull(session, client, service, sobject, mapping, True)
    report = report.joined(found)
    described = catalog.get(sobject)
    if not report.ok or described is None:  # verification reports a missing describe
        raise MappingRefused(report)
    spelled = [
        (catalog.resolve(sobject, source)[0], target, update)
        for source, target, update in _rows(mapping)
    ]
    save_mapping(session, service, described.name, spelled)
    reset_watermarks(session, service, [stream.name])
    return report


def export_object(name: str) -> ExportObject:
    """`name` as Salesforce spells it (`lead` is `Lead`), refused unless an export writes that
    object: a mapping for any other would be saved and never used."""
    for sobject in ExportObject:
        if sobject.lower() == name.lower():
            return sobject
    raise MappingError(
        f"export mappings are for the objects an export writes ({', '.join(ExportObject)}),"
        f" not {name!r}"
    )


def show_export_mapping(
    session: Session, client: SalesforceClient, org: Org, sobject: str
) -> ShownMapping:
    sobject = export_object(sobject)
    stored = get_org_mapping(session, org, sobject)
    mapping = export_mapping(session, org, sobject)
    describe = parse_describe(client.describe(sobject))
    labels = {f.name.lower(): f.display_name for f in describe.fields}
    rows = tuple(ShownRow(row, labels.get(row.target.lower(), row.target)) for row in mapping.rows)
    return ShownMapping("export", describe.name, rows, stored is None)


def verify_export_mapping(
    session: Session,
    client: SalesforceClient,
    org: Org,
    sobject: str,
    mapping: Mapping | None = None,
    *,
    refresh: bool = True,
) -> VerificationReport:
    return checked_mapping(session, client, org, export_object(sobject), mapping, refresh=refresh)[
        0
    ]


def save_export_mapping(
    session: Session,
    client: SalesforceClient,
    org: Org,
    sobject: str,
    mapping: Mapping,
    found: Sequence[Problem] = (),
) -> VerificationReport:
    """Verify then save (in the caller's transaction), each Salesforce field as the org spells
    it; `MappingRefused` saves nothing. `found` as for `save_pull_mapping`."""
    report, describe, _ = checked_mapping(
        session, client, org, export_object(sobject), mapping, refresh=True
    )
    report = report.joined(found)
    if not report.ok:
        raise MappingRefused(report)
    spelled = [
        (source, _spelling(describe, target), update) for source, target, update in _rows(mapping)
    ]
    save_org_mapping(session, org, describe.name, spelled)
    return report


def _spelling(describe: ObjectDescribe, name: str) -> str:
    """A field of a verified row as the org spells it (`email` is `Email`)."""
    found = describe.field(name)
    return name if found is None else found.name


def _labelled(mapping: Mapping, catalog: Catalog, sobject: str) -> tuple[ShownRow, ...]:
    return tuple(ShownRow(row, catalog.label(sobject, row.source)) for row in mapping.rows)


def _rows(mapping: Mapping) -> list[Row]:
    return [(row.source, row.target, row.update) for row in mapping.rows]
