"""The JSON documents of the product's things (a service, a contact, a run), one shape for
both ways to ask: the command line's `--json` and the REST API answer alike, built here."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from forcebridge.store.models import Contact, Run, Service
from forcebridge.store.repositories.activity_windows import (
    count_held_windows,
    count_parked_windows,
)
from forcebridge.store.repositories.contacts import BUILTIN_FIELDS
from forcebridge.store.types import utcnow
from forcebridge.sync.activity_tasks import target_sources
from forcebridge.sync.service_days import zone_document

RUN_COUNTS = ("read", "created", "updated", "unchanged", "skipped", "failed", "api_calls")
PULL_COUNTS = {key: key for key in RUN_COUNTS}
"""The counts `pull --json` reports, by the run's column each is."""
PUSH_COUNTS = {"windows": "read"} | {
    key: key for key in ("created", "updated", "unchanged", "failed", "api_calls")
}
"""`activities push --json`'s: the run's `read` holds the windows it considered."""
EXPORT_COUNTS = {key: key for key in ("created", "updated", "unchanged", "failed", "api_calls")}
"""`export --json`'s."""


def timestamp(value: datetime | None) -> str | None:
    """Times in JSON documents: ISO 8601 in UTC."""
    return value.isoformat() if value is not None else None


def service_document(service: Service, now: datetime | None = None) -> dict[str, Any]:
    """The service; `timezone_change` names a zone change that has not taken effect at `now`."""
    return {
        "org": service.org.name,
        "name": service.name,
        "path": f"{service.org.name}/{service.name}",
        **zone_document(service, now or utcnow()),
        "region": service.region,
        "connection": service.connection.name if service.connection else None,
    }


def pull_settings_document(service: Service) -> dict[str, Any]:
    """What the service pulls and how often, named as `service configure --json` names it."""
    return {
        "pull": service.pull_objects.value,
        "soql": service.pull_soql,
        "routing": service.routing_condition,
        "pull_every_minutes": service.pull_interval_minutes,
        "update_only": service.pull_update_only,
    }


def activity_settings_document(service: Service) -> dict[str, Any]:
    return {
        "activities_to": service.activities_to.value,
        "activities_every_minutes": service.activities_interval_minutes,
        "task_subject": service.task_subject_template,
    }


def window_counts(session: Session, service: Service) -> dict[str, int]:
    """How many of the service's activity windows, over all days, are `parked` (their write
    failed too often: no push tries them again until someone does, `activities windows
    --retry`) and `held` (their contact has no Salesforce record the service logs to, until the
    pull links one): conversations that are not in Salesforce."""
    sources = target_sources(service.activities_to)
    return {
        "parked": count_parked_windows(session, service.id),
        "held": count_held_windows(session, service.id, sources),
    }


def activity_windows_document(session: Session, service: Service) -> dict[str, int] | None:
    """`window_counts`, for where scheduled pushes are watched (`service status`, the REST
    API): None while the service has no Salesforce connection, which it never pushed without
    (a connection in use cannot be removed), as it has no streams then."""
    return window_counts(session, service) if service.connection is not None else None


def contact_document(contact: Contact) -> dict[str, Any]:
    return {
        "id": contact.id,
        **{name: getattr(contact, name) for name in BUILTIN_FIELDS},
        "custom": contact.custom,
        "identities": [
            {"source": i.source, "external_id": i.external_id}
            for i in sorted(contact.identities, key=lambda i: (i.source, i.external_id))
        ],
        "deleted_in_source": contact.deleted_in_source,
    }


def run_document(run: Run) -> dict[str, Any]:
    duration = (
        (run.finished_at - run.started_at).total_seconds() if run.finished_at is not None else None
    )
    return {
        "run_id": run.id,
        "org": run.org.name,
        "service": run.service.name if run.service is not None else None,
        "stream": run.stream,
        "status": run.status.value,
        "dry_run": run.dry_run,
        "started_at": timestamp(run.started_at),
        "finished_at": timestamp(run.finished_at),
        "duration_seconds": duration,
        **{key: getattr(run, key) for key in RUN_COUNTS},
        "error": run.error,
    }


def run_with_log_document(run: Run) -> dict[str, Any]:
    """The run and a log entry per record it could not take."""
    return {
        **run_document(run),
        "log": [
            {
                "level": entry.level.value,
                "code": entry.code,
                "salesforce_id": entry.salesforce_id,
                "record_ref": entry.record_ref,
                "field": entry.field,
                "message": entry.message,
            }
            for entry in run.log_entries
        ],
    }


def recorded_counts(session: Session, run_id: int, counts: Mapping[str, str]) -> dict[str, int]:
    """The counts a run stopped midway had committed, named as its command reports them
    (`counts`: report key to the run's column), read afresh after what the stop left pending
    is rolled back."""
    session.rollback()
    run = session.get_one(Run, run_id, populate_existing=True)
    return {key: getattr(run, column) for key, column in counts.items()}
