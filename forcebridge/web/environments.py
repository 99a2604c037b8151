"""Where an admin can connect to: the choices of the "Connect to Salesforce" form.

Production and Salesforce sandboxes have fixed login URLs; a My Domain and the forcebridge
sandbox need the admin's URL. Checking that URL (is it Salesforce's, is the sandbox trusted) is
the connection service's job; this module turns the form's choice into a login URL, and
offers the forcebridge sandbox only when the server trusts one (its CA file). A typed sandbox
URL is checked here too, with one TLS handshake, because the admin's browser is sent there
before the server itself calls it: a host whose certificate the CA file does not sign (any
https site typed there) would be shown the admin's Salesforce credentials, and only the code
exchange afterwards would fail on it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from forcebridge.salesforce.endpoints import (
    PRODUCTION_LOGIN,
    SANDBOX_LOGIN,
    is_salesforce_host,
    not_salesforce,
    trusted_sandbox,
)
from forcebridge.salesforce.transport import ca_file_problem, handshake_problem
from forcebridge.settings import Settings
from forcebridge.store.models import ConnectionKind
from forcebridge.web.errors import WebError

logger = logging.getLogger(__name__)

SANDBOX_CA = Path("sandbox") / "ca.pem"
"""Where `forcebridge sandbox serve` keeps its CA under the data folder by default."""
SANDBOX_HANDSHAKE_SECONDS = 5.0
"""How long the typed sandbox URL's TLS handshake may take: a sandbox answers at once."""


@dataclass(frozen=True)
class Environment:
    value: ConnectionKind
    name: str
    """How a connection's environment reads on the page."""
    label: str
    """How the choice reads in the form."""
    login_url: str | None = None
    """None: the admin types it."""

    @property
    def needs_url(self) -> bool:
        return self.login_url is None


ENVIRONMENTS = (
    Environment(
        ConnectionKind.PRODUCTION,
        "Production",
        "Production (login.salesforce.com)",
        PRODUCTION_LOGIN,
    ),
    Environment(
        ConnectionKind.SANDBOX,
        "Salesforce sandbox",
        "Salesforce sandbox (test.salesforce.com)",
        SANDBOX_LOGIN,
    ),
    Environment(ConnectionKind.MY_DOMAIN, "My Domain", "My Domain URL"),
    Environment(
        ConnectionKind.FORCEBRIDGE_SANDBOX, "forcebridge sandbox", "forcebridge sandbox URL"
    ),
)
_BY_KIND = {environment.value: environment for environment in ENVIRONMENTS}


@dataclass(frozen=True)
class ChosenLogin:
    login_url: str
    ca_file: Path | None = None
    """Set for the forcebridge sandbox only: Salesforce's own certificates are public."""


class InvalidEnvironment(WebError):
    """The form named no environment on offer, or left out the URL it needs."""


def environment_of(kind: ConnectionKind) -> Environment:
    return _BY_KIND[kind]


def name_of(kind: ConnectionKind) -> str:
    return environment_of(kind).name


def sandbox_ca_file(settings: Settings) -> Path | None:
    """The CA that makes a forcebridge sandbox trusted: configured, or the local sandbox's."""
    if settings.sandbox_ca_file is not None:
        return settings.sandbox_ca_file
    local = settings.data_dir / SANDBOX_CA
    return local if local.is_file() else None


def _usable_sandbox_ca(ca_file: Path) -> Path:
    """The sandbox's CA file, refused before the admin logs in when it cannot be loaded: the
    token exchange after the login would fail on it, and the login be lost."""
    problem = ca_file_problem(ca_file)
    if problem is not None:
        raise InvalidEnvironment(
            f"The forcebridge sandbox cannot be trusted now: its CA file {ca_file} {problem}. "
            "Ask whoever runs forcebridge to set FORCEBRIDGE_SANDBOX_CA_FILE to the sandbox's "
            "CA certificate."
        )
    return ca_file


def _sandbox_served(url: str, ca_file: Path) -> None:
    """Refuse `url` unless the server there shows a certificate `ca_file` signs, before the
    admin is sent there to type their credentials. A URL that is not one (no https, a path)
    is refused as the connection service refuses it.

    The admin is told the same whatever failed: saying refused, no answer, no TLS or another
    certificate would let an org's admin map which hosts and ports this server reaches. Why it
    failed goes to the log, for whoever runs forcebridge: a certificate the CA file does not
    sign as a warning (the CA file may be out of date), a server not reached as information."""
    endpoint = trusted_sandbox(url, ca_file)
    problem = handshake_problem(endpoint.origin, ca_file, SANDBOX_HANDSHAKE_SECONDS)
    if problem is None:
        return
    logger.log(
        logging.WARNING if problem.reached else logging.INFO,
        "forcebridge sandbox URL %s refused on the Connect form: %s",
        endpoint.url,
        problem.reason,
    )
    raise InvalidEnvironment(
        f"{url} could not be confirmed as the forcebridge sandbox this server trusts, so you "
        "were not sent there. Check that it is the URL `forcebridge sandbox serve` printed and "
        "that the sandbox is running; whoever runs forcebridge can see why in its log."
    )


def offered(settings: Settings) -> tuple[Environment, ...]:
    """The form's choices: the forcebridge sandbox only when one is trusted."""
    has_sandbox = sandbox_ca_file(settings) is not None
    return tuple(
        environment
        for environment in ENVIRONMENTS
        if has_sandbox or environment.value is not ConnectionKind.FORCEBRIDGE_SANDBOX
    )


def chosen_login(settings: Settings, value: str, typed_url: str) -> ChosenLogin:
    """The login URL (and CA) the form's choice means; the typed URL only where one is needed.
    A forcebridge sandbox URL is refused unless its server's certificate is the sandbox's."""
    choices = offered(settings)
    environment = next((e for e in choices if e.value.value == value), None)
    if environment is None:
        names = ", ".join(e.label for e in choices)
        raise InvalidEnvironment(f"Choose where to connect: {names}.")
    if environment.login_url is not None:
        return ChosenLogin(environment.login_url)
    url = typed_url.strip()
    if not url:
        raise InvalidEnvironment(
            f"{environment.label}: type the URL you log in at, e.g. "
            "https://yourcompany.my.salesforce.com."
        )
    sandbox_ca = sandbox_ca_file(settings)
    if environment.value is ConnectionKind.FORCEBRIDGE_SANDBOX and sandbox_ca is not None:
        ca_file = _usable_sandbox_ca(sandbox_ca)
        _sandbox_served(url, ca_file)
        return ChosenLogin(url, ca_file)
    if not _is_salesforce_url(url):
        advice = _instead_of_my_domain(sandbox_offered=sandbox_ca is not None)
        raise InvalidEnvironment(not_salesforce(url, advice))
    return ChosenLogin(url)


def _instead_of_my_domain(*, sandbox_offered: bool) -> str:
    """What to do instead of a My Domain URL that is not Salesforce's, in the words of an
    admin, who chooses in the form and cannot make the server trust a sandbox: only whoever
    runs forcebridge can."""
    sandbox = (
        "for a forcebridge sandbox, choose forcebridge sandbox URL"
        if sandbox_offered
        else "to connect to a forcebridge sandbox, ask whoever runs forcebridge to set "
        "FORCEBRIDGE_SANDBOX_CA_FILE to the sandbox's CA certificate"
    )
    return (
        "enter your My Domain URL (https://yourcompany.my.salesforce.com), or choose Production "
        f"or Salesforce sandbox; {sandbox}."
    )


def _is_salesforce_url(url: str) -> bool:
    """Its host is Salesforce's; an address that cannot be read passes, for the connection
    service to refuse it with what is wrong in it (no https, a path)."""
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return True
    return host is None or is_salesforce_host(host)
