"""HTTP calls the OAuth tests share: the token endpoint, a REST probe, the error shape."""

from __future__ import annotations

from collections.abc import Callable

import requests

from forcebridge.sandbox.server import SandboxServer

Https = Callable[[SandboxServer], requests.Session]


def token_call(sandbox: SandboxServer, https: Https, **form: str) -> requests.Response:
    return https(sandbox).post(sandbox.base_url + "/services/oauth2/token", data=form)


def password_form(sandbox: SandboxServer, **overrides: str) -> dict[str, str]:
    config = sandbox.config
    return {
        "grant_type": "password",
        "client_id": config.client_id,
        "client_secret": config.client_secret,
        "username": config.username,
        "password": config.password,
    } | overrides


def api_status(sandbox: SandboxServer, https: Https, token: str) -> requests.Response:
    return https(sandbox).get(
        sandbox.base_url + "/services/data/v62.0/limits",
        headers={"Authorization": f"Bearer {token}"},
    )


def assert_oauth_error(answer: requests.Response, error: str, description: str) -> None:
    assert answer.status_code == 400
    assert answer.headers["content-type"] == "application/json;charset=UTF-8"
    assert answer.json() == {"error": error, "error_description": description}
