"""What to do when Salesforce refuses a web login, by the OAuth error it gives (Salesforce's
"OAuth 2.0 Authorization Errors" and the token endpoint's answers): a code refused is mended by
starting again, a client id refused by checking the connected app, and so on. Each advice is
the end of a sentence ("Salesforce refused the login (...): <advice>.")."""

from __future__ import annotations

START_AGAIN = "start connecting again"
_CHECK_THE_APP = "check the connected app's client id and secret, then try again"

_BY_CODE = {
    "invalid_client_id": "check the connected app's client id (consumer key), then try again",
    "invalid_client": "check the connected app's client secret (consumer secret), or leave it "
    "empty if the app does not require one, then try again",
    "redirect_uri_mismatch": "add this server's callback URL (<public url>/oauth/callback) to "
    "the connected app's callback URLs, then try again",
    "invalid_scope": "give the connected app the scopes api and refresh_token, offline_access, "
    "then try again",
    "inactive_user": "log in as an active Salesforce user",
    "inactive_org": "the Salesforce org is inactive: connect an active one",
    "rate_limit_exceeded": "wait a few minutes, then try again",
}

_GRANT_BY_DESCRIPTION = {
    "authorization code": "the one-time code of this login is no longer good (it expires "
    f"within minutes and works once): {START_AGAIN}",
    "code verifier": f"this login's proof (PKCE) did not match: {START_AGAIN}",
    "ip restricted": "the Salesforce user may not log in from this server's address or at this "
    "hour: ask your Salesforce admin, or log in as another user",
    "login hours": "the Salesforce user may not log in at this hour: ask your Salesforce admin, "
    "or log in as another user",
    "redirect_uri": _BY_CODE["redirect_uri_mismatch"],
}


def login_advice(error_code: str | None, description: str) -> str:
    """What to do about a refused login, from its OAuth `error` and `error_description`."""
    if error_code == "invalid_grant":
        lowered = description.lower()
        for words, advice in _GRANT_BY_DESCRIPTION.items():
            if words in lowered:
                return advice
        return START_AGAIN
    return _BY_CODE.get(error_code or "", _CHECK_THE_APP)
