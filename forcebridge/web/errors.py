"""What the admin pages and the API refuse, each turned into one clear answer by `app.py`.

Pages answer with a page (or a redirect to the login), the API with JSON `{"error", "message"}`.
"""

from __future__ import annotations

from forcebridge.web.sessions import MAX_AGE_SECONDS
from forcebridge.wording import plural


class WebError(Exception):
    """Base of the refusals the web layer raises on purpose; `status` is the HTTP answer."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class LoginRequired(WebError):
    """No admin is signed in (or the one who was no longer exists). `why` is what the login
    page tells the admin of it (`LOGIN_REASONS`); a stranger, who may be a product calling the
    API, is told both ways in (`NO_CREDENTIALS`)."""

    status = 401
    code = "login_required"

    def __init__(self, why: str = "") -> None:
        super().__init__(LOGIN_REASONS.get(why, NO_CREDENTIALS))
        self.why = why


NO_CREDENTIALS = (
    "Send an API token as 'Authorization: Bearer <token>' (an admin makes one with "
    "'forcebridge api-token create --org ORG --name NAME'), or log in to the admin pages."
)
"""What a request with neither an API token nor an admin session is told: the API answers it
(the pages send the browser to the login instead)."""


SESSION_EXPIRED, SESSION_ENDED, LOGGED_OUT = "expired", "ended", "logged_out"
LOGIN_REASONS = {
    SESSION_EXPIRED: f"Your session expired (a session lasts {MAX_AGE_SECONDS // 3600} hours): "
    "log in again to carry on.",
    SESSION_ENDED: "Your session has ended (logged out, the password was changed, or the "
    "account was removed or replaced): log in again to carry on.",
    LOGGED_OUT: "You have logged out.",
}
"""Why the login page is shown again, as `/login?why=...` names it: a session that expired or
ended, or the admin's own logout (so the page does not look like a first visit)."""


class CsrfRejected(WebError):
    """A state-changing request without this session's form token: possibly forged elsewhere.
    `message`: what the caller is told, a page's by default (the API words its own)."""

    status = 403
    code = "csrf_rejected"

    def __init__(self, message: str = "") -> None:
        super().__init__(
            message
            or "This form has expired or did not come from these admin pages, so nothing was "
            "changed. Reload the page and try again."
        )


class PageNotFound(WebError):
    """Absent, or belonging to another org: the two are indistinguishable on purpose."""

    status = 404
    code = "not_found"

    def __init__(self, kind: str) -> None:
        super().__init__(f"No such {kind} in your organisation.")


class Forbidden(WebError):
    """Signed in, but this account may not do that (a viewer changing settings)."""

    status = 403
    code = "forbidden"


class TooManyLogins(WebError):
    """Too many failed logins from this address for this account: wait, then try again."""

    status = 429
    code = "too_many_logins"

    def __init__(self, retry_after: int) -> None:
        minutes = max(1, round(retry_after / 60))
        super().__init__(f"Too many failed logins. Wait {plural(minutes, 'minute')} and try again.")
        self.retry_after = retry_after
