"""The service pages: what a service pulls and how often, its activities, its streams, and the
pull mapping of each object it pulls (edited through `service_mappings`, its own contact fields
through `service_fields`, its streams run through `service_streams`), all verified against the
live describe before anything is saved."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import partial
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from forcebridge.jobs.execute import holding_for_zone_change
from forcebridge.jobs.schedules import reconcile_schedules
from forcebridge.jobs.stream_status import service_stream_statuses
from forcebridge.jobs.workers import service_worker_check
from forcebridge.salesforce.client import SalesforceClient
from forcebridge.store.errors import InvalidValue
from forcebridge.store.models import ActivityTarget, CustomFieldType, PullObjects, Service
from forcebridge.store.repositories.custom_contact_fields import list_custom_fields
from forcebridge.store.repositories.orgs import get_org
from forcebridge.store.repositories.services import check_timezone, list_services
from forcebridge.store.types import utcnow
from forcebridge.sync.pull_plan import PlanError, service_streams
from forcebridge.sync.pull_settings import (
    ConfigurationRefused,
    PullChange,
    PullConfiguration,
    configure_pull,
    interval_problem,
    save_unverified,
    scope_changes,
)
from forcebridge.sync.service_days import move_service, zone_document, zone_in_words
from forcebridge.sync.transcript import check_subject_template
from forcebridge.web import mapping_editor
from forcebridge.web.activity_windows import windows_notice
from forcebridge.web.dependencies import SETTLED, Admin, ChangingAdmin, CurrentAdmin, Database
from forcebridge.web.errors import PageNotFound
from forcebridge.web.form_problems import (
    FormProblem,
    FormProblems,
    about,
    in_form_order,
    refused_problems,
    setting_problems,
)
from forcebridge.web.mapping_editor import Editor
from forcebridge.web.pages import notify_at, render, take_notice
from forcebridge.web.pull_editors import first_mapping, shown_editor
from forcebridge.web.salesforce_access import SalesforceUnavailable, service_client
from forcebridge.wording import listed, sentence

PAGE = "/services"
SETTINGS, STREAMS, FIELDS = SECTIONS = ("settings", "streams", "fields")
"""The ids of the page's sections, where the notice of what was done in each is shown."""
SETTINGS_CONTROLS = (
    "pull", "soql", "routing", "pull_every", "update_only",
    "activities_to", "activities_every", "task_subject", "timezone",
)  # fmt: skip
"""The settings form's fields, in order: its problems are listed in this order."""
SCOPE_CONTROLS = {"objects": "pull", "soql": "soql", "routing": "routing"}
"""The field of each part of what a service reads (`scope_changes`)."""

router = APIRouter()


@dataclass(frozen=True)
class SettingsForm:
    """The settings form's values: the service's, or what the admin just submitted."""

    pull: str
    soql: str
    routing: str
    pull_every: int | str
    """What the admin typed, when it is no number."""
    update_only: bool
    activities_to: str
    activities_every: int | str
    task_subject: str
    timezone: str
    """The zone the service is set to (a pending change's, which takes effect at the end of
    the current day, or of the latest day a Task was written for when that is later)."""
    problems: FormProblems = field(default=FormProblems(SETTINGS))

    @classmethod
    def of(cls, service: Service) -> SettingsForm:
        return cls(
            service.pull_objects.value,
            service.pull_soql or "",
            service.routing_condition or "",
            service.pull_interval_minutes,
            service.pull_update_only,
            service.activities_to.value,
            service.activities_interval_minutes,
            service.task_subject_template or "",
            service.timezone,
        )


@dataclass(frozen=True)
class FieldForm:
    """The form adding a contact field of the service's own: empty, or as refused."""

    name: str = ""
    kind: str = CustomFieldType.TEXT.value
    choices: str = ""
    problems: FormProblems = field(default=FormProblems(FIELDS))
    """Why it was not added, as typed."""


def org_service(session: Session, admin: Admin, service_id: int) -> Service:
    """The service with that id in the admin's org; another org's is "not found" too."""
    service = session.scalars(
        select(Service).where(Service.id == service_id, Service.org_id == admin.org_id)
    ).one_or_none()
    if service is None:
        raise PageNotFound("service")
    return service


def pulled_objects(service: Service) -> tuple[str, ...]:
    """The objects the service pulls, whose mappings its page shows: Contacts before Leads,
    as the settings name them ("Contacts and Leads"), though a run reads Leads first."""
    try:
        streams = service_streams(service.pull_objects, service.pull_soql)
    except PlanError:
        return ()
    return tuple(sorted((stream.sobject for stream in streams), key=lambda name: name != "Contact"))


def projection_notice(configured: PullConfiguration) -> tuple[str, list[str]]:
    """What was saved and what it costs; and, as `service configure` warns, that the pull
    settings left as they were no longer verify (their streams fail until they are fixed):
    the notice, and its list of their problems, row by row as the settings form lists them."""
    problems = [item.text for detail in configured.details for item in setting_problems(detail)]
    broken = " The pull settings no longer verify:" if problems else ""
    return f"Settings saved. {configured.cost}{broken}", problems


@router.get(PAGE, response_class=HTMLResponse)
def services_page(request: Request, admin: CurrentAdmin, session: Database) -> Response:
    services = list_services(session, get_org(session, admin.org_name))
    workers = service_worker_check(session.connection(), [s.id for s in services])
    return render(request, "services.html", admin, services=services, workers=workers)


@router.get(PAGE + "/{service_id}", response_class=HTMLResponse, dependencies=[SETTLED])
def service_page(
    request: Request,
    service_id: int,
    admin: CurrentAdmin,
    session: Database,
    soql: Annotated[str, Query()] = "",
) -> Response:
    """`soql`: a custom query the admin typed and is to save once its object is mapped,
    shown in the settings form (nothing is saved by showing it)."""
    service = org_service(session, admin, service_id)
    form = SettingsForm.of(service)
    if soql.strip():
        form = replace(form, pull=PullObjects.CUSTOM.value, soql=soql)
    return page_with_forms(request, admin, session, service, form)


def page_with_forms(
    request: Request,
    admin: Admin,
    session: Session,
    service: Service,
    form: SettingsForm,
    field_form: FieldForm = FieldForm(),
    *,
    status_code: int = 200,
) -> HTMLResponse:
    """The service's page with these forms' values, its mappings shown when Salesforce can
    be reached."""
    try:
        with service_client(session, service) as client:
            return render_service_page(
                request, admin, session, client, service, form,
                field_form=field_form, status_code=status_code,
            )  # fmt: skip
    except SalesforceUnavailable as unavailable:
        # Settings, fields and streams need no Salesforce: shown, with why mappings are not.
        return render_service_page(
            request, admin, session, None, service, form,
            field_form=field_form, status_code=status_code,
            mappings_unavailable=unavailable.message,
        )  # fmt: skip


@router.post(PAGE + "/{service_id}/settings", response_class=HTMLResponse)
def save_settings(
    request: Request,
    service_id: int,
    admin: ChangingAdmin,
    session: Database,
    pull: Annotated[PullObjects, Form()],
    activities_to: Annotated[ActivityTarget, Form()],
    pull_every: Annotated[str, Form()] = "",
    activities_every: Annotated[str, Form()] = "",
    soql: Annotated[str, Form()] = "",
    routing: Annotated[str, Form()] = "",
    update_only: Annotated[bool, Form()] = False,
    task_subject: Annotated[str, Form()] = "",
    timezone: Annotated[str, Form()] = "",
) -> Response:
    """Verify the pull settings against Salesforce and save them with the activity settings
    and the time zone (from the end of the current day, or of the latest day a Task was written
    for when that is later: a new zone is refused while an activity push writes Tasks);
    refused, nothing is saved and the form keeps what the admin entered."""
    service = org_service(session, admin, service_id)
    zone = timezone.strip() or service.timezone
    submitted = SettingsForm(
        pull.value,
        soql,
        routing,
        pull_every,
        update_only,
        activities_to.value,
        activities_every,
        task_subject,
        timezone,
    )
    custom = pull is PullObjects.CUSTOM
    change = PullChange(
        objects=None if custom else pull,
        soql=soql.strip() if custom else None,
        routing=routing,
        interval_minutes=_minutes(pull_every),
        update_only=update_only,
    )
    problems = _activity_problems(_minutes(activities_every), task_subject)
    try:
        check_timezone(zone)
    except InvalidValue as unknown:
        problems.append(about("timezone", str(unknown)))
        zone = service.timezone  # refused already: no change to hold the pushes off for
    if not custom and soql.strip() not in ("", (service.pull_soql or "").strip()):
        problems.append(
            about(
                "soql",
                "a custom SOQL query is only read with Pull: Custom SOQL; choose it, or clear "
                "the query",
            )
        )
    # Held from before the first write (the pull settings') until the commit.
    with holding_for_zone_change(session, service, zone) as busy:
        if busy is not None:
            problems.append(about("timezone", busy))
        try:
            with service_client(session, service) as client:
                try:
                    configured: PullConfiguration | None = configure_pull(
                        session, client, service, change
                    )
                except ConfigurationRefused as refused:
                    problems += refused_problems(refused.details)
                    configured = None
                if configured is None or problems:
                    session.rollback()
                    shown = replace(submitted, problems=_settings_problems(problems))
                    first = first_mapping(session, client, service, soql) if custom else None
                    return render_service_page(
                        request, admin, session, client, service, shown, first,
                        status_code=400, then_soql=soql.strip(),
                    )  # fmt: skip
                notice, listed_problems = projection_notice(configured)
        except SalesforceUnavailable as unavailable:
            # What to read needs Salesforce to verify it: refused, with what was typed kept. The
            # rest is saved as the command line saves it, so an outage never blocks those.
            session.rollback()
            interval = interval_problem("pull every", _minutes(pull_every))
            objections = [*problems, *([about("pull_every", interval)] if interval else [])]
            changed = scope_changes(service, change)
            if changed:
                objections.append(
                    FormProblem(
                        "What to pull, the query and the routing rule are verified against "
                        f"Salesforce, which could not be asked. {unavailable.message}",
                        frozenset(SCOPE_CONTROLS[name] for name in changed),
                    )
                )
            if objections:
                return render_service_page(
                    request, admin, session, None, service,
                    replace(submitted, problems=_settings_problems(objections)),
                    status_code=unavailable.status, mappings_unavailable=unavailable.message,
                )  # fmt: skip
            reread = save_unverified(session, service, change)
            listed_problems = []
            notice = (  # saved: not what to do when refused ("try again")
                "Saved without verifying against Salesforce, which could not be asked: "
                f"{sentence(unavailable.reason)}"
                + (f" The next run reads everything again ({listed(reread)})." if reread else "")
            )
        service.activities_to = activities_to
        service.activities_interval_minutes = _minutes(activities_every)
        service.task_subject_template = task_subject.strip() or None
        now = utcnow()
        if zone != service.timezone:
            move_service(service, zone, now)
        session.flush()
        reconcile_schedules(session.connection(), now, [service.id])
        session.commit()
    return notify_at(request, f"{PAGE}/{service_id}", notice, SETTINGS, listed_problems)


def _minutes(typed: str) -> int:
    """An interval field's minutes; 0, refused as no interval, when it is not a whole number."""
    try:
        return int(typed.strip())
    except ValueError:
        return 0


def _activity_problems(every: int, subject: str) -> list[FormProblem]:
    problems = []
    problem = interval_problem("activities every", every)
    if problem is not None:
        problems.append(about("activities_every", problem))
    if subject.strip():
        try:
            check_subject_template(subject)
        except ValueError as error:
            problems.append(about("task_subject", str(error)))
    return problems


def _settings_problems(problems: list[FormProblem]) -> FormProblems:
    return in_form_order(SETTINGS, problems, SETTINGS_CONTROLS)


def render_service_page(
    request: Request,
    admin: Admin,
    session: Session,
    client: SalesforceClient | None,
    service: Service,
    form: SettingsForm,
    edited: Editor | None = None,
    *,
    status_code: int = 200,
    mappings_unavailable: str | None = None,
    then_soql: str = "",
    field_form: FieldForm = FieldForm(),
) -> HTMLResponse:
    """The service's page; without a `client` (Salesforce out of reach, the connection
    disconnected) its mappings are not shown, `mappings_unavailable` saying why, but for
    `edited`, the one just submitted. `edited` may be the mapping of an object not pulled yet,
    shown after the others; its form carries `then_soql`, the custom query waiting for it."""
    pulled = pulled_objects(service)
    actions = {sobject: f"{PAGE}/{service.id}/mappings/{sobject}" for sobject in pulled}
    shown = None if client is None else partial(shown_editor, session, client, service)
    editors = mapping_editor.page_editors(pulled, edited, shown)
    if edited is not None and edited.sobject not in pulled:
        waiting = f"?{urlencode({'then_soql': then_soql})}" if then_soql else ""
        actions[edited.sobject] = f"{PAGE}/{service.id}/mappings/{edited.sobject}{waiting}"
    return render(
        request,
        "service.html",
        admin,
        status_code=status_code,
        notice=take_notice(request, [*SECTIONS, *(editor.anchor for editor in editors)]),
        service=service,
        form=form,
        pull_choices=[(o.value, o.value.capitalize()) for o in PullObjects],
        activity_choices=[t.value for t in ActivityTarget],
        editors=editors,
        editor_actions=actions,
        custom_fields=list_custom_fields(session, service),
        streams=service_stream_statuses(session.connection(), service.id),
        workers=service_worker_check(session.connection(), [service.id]),
        windows=windows_notice(session, service),
        field_types=[t.value for t in CustomFieldType],
        field_form=field_form,
        can_change=admin.can_change,
        mappings_unavailable=mappings_unavailable,
        zone_words=zone_in_words(zone_document(service, utcnow())),
    )
