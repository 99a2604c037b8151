from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
import requests

from forcebridge.cli.callback_listener import CallbackListener, CallbackTimeout
from forcebridge.sync.connection_errors import ConnectError


@pytest.fixture
def listener() -> Iterator[CallbackListener]:
    with CallbackListener(port=0) as listening:
        yield listening


def browser_visits(*urls: str) -> tuple[threading.Thread, list[int]]:
    """A browser on another thread, as the real one is another program; the statuses it got."""
    statuses: list[int] = []

    def visit() -> None:
        browser = requests.Session()
        browser.trust_env = False
        statuses.extend(browser.get(url, timeout=10).status_code for url in urls)

    thread = threading.Thread(target=visit)
    thread.start()
    return thread, statuses


def test_the_callback_request_brings_back_its_parameters(listener: CallbackListener) -> None:
    port = listener.redirect_uri.split(":")[2].split("/")[0]
    browser, statuses = browser_visits(
        f"http://127.0.0.1:{port}/favicon.ico",
        f"{listener.redirect_uri}?code=aPrx.abc&state=s1",
    )

    params = listener.wait(timeout=10, state="s1")
    browser.join(timeout=10)

    assert listener.redirect_uri.startswith("http://localhost:")
    assert listener.redirect_uri.endswith("/OauthRedirect")
    assert params == {"code": "aPrx.abc", "state": "s1"}
    assert statuses == [404, 200]


def test_waiting_in_vain_ends_with_advice(listener: CallbackListener) -> None:
    with pytest.raises(CallbackTimeout, match="run the command again"):
        listener.wait(timeout=0.1, state="s1")


def test_a_port_in_use_is_reported_with_the_way_out(listener: CallbackListener) -> None:
    port = int(listener.redirect_uri.split(":")[2].split("/")[0])
    with pytest.raises(ConnectError, match="--callback-port"):
        CallbackListener(port)


def test_a_callback_of_another_login_is_ignored_and_the_wait_goes_on(
    listener: CallbackListener,
) -> None:
    browser, statuses = browser_visits(
        f"{listener.redirect_uri}?code=stolen&state=another",
        f"{listener.redirect_uri}?error=access_denied&error_description=end-user+denied&state=s1",
    )

    params = listener.wait(timeout=10, state="s1")
    browser.join(timeout=10)

    assert params["error"] == "access_denied"
    assert statuses == [400, 200]
