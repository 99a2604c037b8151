"""The connections page: list, connect (through a Salesforce pop-up), check, disconnect.

Connecting is two requests in the pop-up. The form posts into a named window; the server starts
the OAuth web flow, keeps it sealed in the session (`pending.py`) and redirects the window to
Salesforce's login. Salesforce sends the window back to `/oauth/callback`, which finishes the
flow through the connection service and renders a page that tells the opener and closes itself.
Every failure on the way is shown in the pop-up, and the service stores nothing for it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from forcebridge.jobs.schedules import after_checking, after_connecting, after_disconnecting
from forcebridge.salesforce.errors import LoginFailed, SalesforceError, TransientError
from forcebridge.salesforce.status import ConnectionStatus
from forcebridge.settings import Settings
from forcebridge.store.errors import StoreError
from forcebridge.store.models import Connection
from forcebridge.store.models.base import MAX_ID
from forcebridge.store.names import typed_name
from forcebridge.store.repositories.connections import list_connections
from forcebridge.store.repositories.orgs import get_org
from forcebridge.store.types import utcnow
from forcebridge.sync.connection_errors import ConnectError
from forcebridge.sync.connections import (
    disconnect,
    org_connection_status,
    refresh_status,
    remove_connection,
)
from forcebridge.sync.web_connect import finish_web_connect, start_web_connect
from forcebridge.web.connection_views import ConnectionView, connection_view
from forcebridge.web.dependencies import Admin, ChangingAdmin, CurrentAdmin, Database, runtime_of
from forcebridge.web.environments import chosen_login, environment_of, offered
from forcebridge.web.errors import PageNotFound, WebError
from forcebridge.web.form_problems import quoting
from forcebridge.web.login_advice import login_advice
from forcebridge.web.pages import TOP, notify_at, render, take_notice
from forcebridge.web.pending import StrayCallback, keep_pending, take_pending
from forcebridge.wording import listed, sentence

PAGE = "/connections"
CALLBACK_PATH = "/oauth/callback"
POPUP_NAME = "forcebridge-salesforce-login"

router = APIRouter()


class NoLoginInProgress(WebError):
    """A callback this browser session did not start (or already finished): refused before
    anything is sent to Salesforce."""

    def __init__(self) -> None:
        super().__init__(
            "No Salesforce login was started from this browser session (or it was already "
            "finished), so this answer was refused."
        )


class MissingClientId(WebError):
    """The form named no connected app, and the server has no default one."""

    def __init__(self) -> None:
        super().__init__(
            "Enter the client id (consumer key) of your Salesforce connected app: this server "
            "has no default connected app."
        )


def failure_message(error: Exception, typed: Sequence[str] = ()) -> str:
    """What the pop-up says when connecting failed, and what to do next. A value the admin
    `typed` (the name, the URL) that it names is quoted as the other pages quote one (a long
    one by its start and its length), and left as typed, never capitalised."""
    if isinstance(error, LoginFailed) and error.error_code == "access_denied":
        return "Access was not allowed in Salesforce, so nothing was connected."
    if isinstance(error, LoginFailed) and error.error_code != "state_mismatch":
        advice = login_advice(error.error_code, error.message)
        return f"Salesforce refused the login ({error.message}): {advice}."
    if isinstance(error, TransientError):
        return f"{unreachable(error)}: try again in a moment."
    text = error.message if isinstance(error, SalesforceError | WebError) else str(error)
    for value in sorted(typed, key=len, reverse=True):  # a name within the URL: the URL first
        text = quoting(text, value)
    return sentence(text, typed)


def unreachable(error: TransientError) -> str:
    """What a temporary failure of Salesforce, retried in vain, was."""
    return f"Salesforce could not be reached ({error.message})"


def callback_url(request: Request, settings: Settings) -> str:
    """Where Salesforce sends the pop-up back: under the public URL when one is configured
    (it must be registered as the connected app's callback URL)."""
    if settings.public_url:
        return settings.public_url.rstrip("/") + CALLBACK_PATH
    return str(request.url_for("oauth_callback"))


def org_connection(session: Session, admin: Admin, connection_id: int) -> Connection:
    """The connection with that id in the admin's org; another org's is "not found" too."""
    connection = session.scalars(
        select(Connection).where(Connection.id == connection_id, Connection.org_id == admin.org_id)
    ).one_or_none()
    if connection is None:
        raise PageNotFound("connection")
    return connection


@dataclass(frozen=True)
class ConnectForm:
    """The "Connect to Salesforce" form's values: empty, or a connection's, to log in again."""

    name: str = ""
    environment: str = ""
    login_url: str = ""
    focus: str = ""
    """The field to type in first (the first one left empty), when logging in again."""

    @classmethod
    def again(cls, connection: Connection) -> ConnectForm:
        """Its name (so the new login replaces its own, keeping its services) and environment;
        the connected app is left to the admin: the server never shows its secret."""
        environment = environment_of(connection.kind)
        login_url = connection.login_url if environment.needs_url else ""
        focus = "login_url" if environment.needs_url and not login_url else "client_id"
        return cls(connection.name, environment.value.value, login_url, focus)


def org_summary(overall: ConnectionStatus, connections: Sequence[ConnectionView], org: str) -> str:
    """The banner's line: which connections need attention, not what to do about them, which
    their cards say."""
    if not overall.needs_attention:
        return f"Every connection of {org} works."
    troubled = [view.name for view in connections if not view.connected]
    if not troubled:
        return overall.message  # no connection at all: no card says it
    if len(troubled) == 1:
        return f"{troubled[0]} needs attention: what to do is on its card below."
    return f"{listed(troubled)} need attention: what to do is on their cards below."


@router.get(PAGE, response_class=HTMLResponse)
def connections_page(
    request: Request,
    admin: CurrentAdmin,
    session: Database,
    reconnect: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> Response:
    """`reconnect`: a connection whose name and environment fill the Connect form."""
    org = get_org(session, admin.org_name)
    settings = runtime_of(request).settings
    views = [connection_view(c) for c in list_connections(session, org)]
    overall = org_connection_status(session, org)
    form = ConnectForm()
    if reconnect is not None:
        form = ConnectForm.again(org_connection(session, admin, reconnect))
    return render(
        request,
        "connections.html",
        admin,
        connections=views,
        overall=overall,
        summary=org_summary(overall, views, admin.org_name),
        notice=take_notice(request, [card(view.id) for view in views]),
        can_change=admin.can_change,
        environments=offered(settings),
        form=form,
        has_default_app=settings.sf_client_id is not None,
        popup_name=POPUP_NAME,
    )


@router.post(PAGE + "/connect", response_class=HTMLResponse)
def start_connect(
    request: Request,
    admin: ChangingAdmin,
    environment: Annotated[str, Form()],
    name: Annotated[str, Form()] = "",
    login_url: Annotated[str, Form()] = "",
    client_id: Annotated[str, Form()] = "",
    client_secret: Annotated[str, Form()] = "",
) -> Response:
    """Start the web flow in the pop-up: keep it in the session, send the window to Salesforce."""
    runtime = runtime_of(request)
    settings = runtime.settings
    typed = (name.strip(), login_url.strip())
    try:
        # An empty field is none given (the default name); spaces alone are refused.
        connection_name = typed_name("connection", name or None)
        login = chosen_login(settings, environment, login_url)
        app_id, app_secret = client_id.strip(), client_secret.strip() or None
        if not app_id:
            if settings.sf_client_id is None:
                raise MissingClientId()
            app_id = settings.sf_client_id
            default_secret = settings.sf_client_secret
            app_secret = default_secret.get_secret_value() if default_secret else None
        pending = start_web_connect(
            admin.org_name,
            connection_name,
            login.login_url,
            callback_url(request, settings),
            app_id,
            app_secret,
            login.ca_file,
        )
    except (WebError, SalesforceError, StoreError) as error:
        return _outcome(request, admin, error=error, typed=typed)
    keep_pending(request, runtime.keyring, pending)
    return RedirectResponse(pending.authorize_url, status_code=303)


@router.get(CALLBACK_PATH, response_class=HTMLResponse, name="oauth_callback")
def oauth_callback(request: Request, admin: ChangingAdmin, session: Database) -> Response:
    """Finish the web flow the session started; refuse a callback it did not start, and
    ignore one with another state, leaving the login waiting for its own."""
    try:
        state = request.query_params.get("state", "")
        pending = take_pending(request, runtime_of(request).keyring, state)
        if pending is None or pending.org != admin.org_name:
            raise NoLoginInProgress()
        connection = finish_web_connect(session, pending, dict(request.query_params))
        after_connecting(session.connection(), [s.id for s in connection.services], utcnow())
        session.commit()
    except (WebError, SalesforceError, ConnectError, StoreError) as error:
        session.rollback()
        return _outcome(request, admin, error=error)
    return _outcome(request, admin, name=connection.name)


def _outcome(
    request: Request,
    admin: Admin,
    *,
    error: Exception | None = None,
    name: str = "",
    typed: Sequence[str] = (),
) -> HTMLResponse:
    """The pop-up's page: connected, ignored (a stray callback: the login goes on), or failed
    (quoting what the admin `typed` in the form as `failure_message` does)."""
    outcome = "connected" if error is None else "failed"
    if isinstance(error, StrayCallback):
        outcome = "ignored"
    return render(
        request,
        "callback.html",
        admin,
        status_code=200 if error is None else 400,
        outcome=outcome,
        name=name,
        message=failure_message(error, typed) if error is not None else "",
    )


def card(connection_id: int) -> str:
    """The id of a connection's card: what is done to a connection is said on it."""
    return f"connection-{connection_id}"


def check_notice(view: ConnectionView) -> str:
    """What "Check now" found: connected, or that the check failed and why, as its card says."""
    if view.disconnected:
        return f"{view.name} is disconnected, so there was nothing to check: reconnect it first."
    if view.connected:
        return f"Checked {view.name} with Salesforce just now: it is connected."
    why = sentence(view.reason) if view.reason else "It needs attention."
    return f"Checking {view.name} with Salesforce just now failed. {why}"


@router.post(PAGE + "/{connection_id}/check")
def check_now(
    request: Request, connection_id: int, admin: CurrentAdmin, session: Database
) -> RedirectResponse:
    """Ask Salesforce now (one cheap call) and say, on the connection's card, what it found."""
    connection = org_connection(session, admin, connection_id)
    try:
        refresh_status(session, connection)
        after_checking(session, connection, utcnow())
        session.commit()
    except SalesforceError as error:
        session.rollback()
        notice = f"Could not check {connection.name}: {failure_message(error)}"
    else:
        notice = check_notice(connection_view(connection))
    return notify_at(request, PAGE, notice, card(connection_id))


@router.post(PAGE + "/{connection_id}/disconnect")
def disconnect_connection(
    request: Request, connection_id: int, admin: ChangingAdmin, session: Database
) -> RedirectResponse:
    """Revoke the authorization at Salesforce and forget the credentials (the row stays)."""
    connection = org_connection(session, admin, connection_id)
    name = connection.name
    try:
        disconnected = disconnect(session, admin.org_name, name)
        after_disconnecting(session, disconnected, utcnow())
        session.commit()
    except SalesforceError as error:
        session.rollback()
        return notify_at(
            request,
            PAGE,
            f"Could not revoke {name}'s authorization at Salesforce, so it stays connected: "
            f"{failure_message(error)}",
            card(connection_id),
        )
    # Disconnected, its card says so (when, and that the authorization was revoked): no notice
    # says it again.
    return RedirectResponse(f"{PAGE}#{card(connection_id)}", status_code=303)


@router.post(PAGE + "/{connection_id}/remove")
def remove(
    request: Request, connection_id: int, admin: ChangingAdmin, session: Database
) -> RedirectResponse:
    """Revoke and delete the connection, as `forcebridge connections remove` does, with its
    refusals: not while a service syncs through it, nor when Salesforce cannot revoke it."""
    name = org_connection(session, admin, connection_id).name
    try:
        remove_connection(session, admin.org_name, name)
    except (SalesforceError, ConnectError) as error:
        session.rollback()
        why = failure_message(error)  # a service's use names the service
        if isinstance(error, SalesforceError):
            why = f"Could not revoke {name}'s authorization at Salesforce, so it stays: {why}"
        return notify_at(request, PAGE, why, card(connection_id))
    removed = f"Connection {name} removed: forcebridge no longer knows it."
    return notify_at(request, PAGE, removed, TOP)  # its card is gone: the notice takes the focus
