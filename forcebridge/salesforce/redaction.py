"""Keep tokens and secrets out of logs, whatever ends up formatted into a message.

Our own code never logs a token on purpose; this is the second line of defence for messages
that quote a request, a response body or an exception. Attach `RedactingFilter` to a handler to
cover every logger that reaches it; `get_logger` gives this package's loggers one of their own.

It also keeps customer data out: urllib3 logs each request's URL at DEBUG, and a query's URL
carries its SOQL, whose WHERE names the values an export or a lookup matches (e-mails, company
names, websites), as uvicorn's access log does each request's path and query (an admin page's
`?soql=`). Their records keep their method, path, status and parameter names; each parameter's
value is masked. `mask_query_strings` does the same to the URLs quoted in free text, such as
requests' message for a failed connection, kept as a run's or a connection's reason.
"""

from __future__ import annotations

import logging
import re

MASK = "[REDACTED]"

_MASKED_KEYS = "|".join(
    (
        "access_token",
        "refresh_token",
        "client_secret",
        "password",
        "assertion",
        "code_verifier",
        "code",
        "token",
        "session_id",
        "sessionId",
    )
)
_PATTERNS = (
    # Authorization: Bearer <token>
    (re.compile(r"(?i)(bearer\s+)[^\s,;'\"]+"), rf"\1{MASK}"),
    # "access_token": "..." in JSON or a dict repr, access_token='...' in a dataclass repr; a
    # key standing unquoted before a colon is prose (Salesforce's "unexpected token: 'FROM'")
    (
        re.compile(
            rf"""(?i)((?:["'](?:{_MASKED_KEYS})["']\s*[:=]|\b(?:{_MASKED_KEYS})\s*=)\s*["'])"""
            r"""[^"']*(["'])"""
        ),
        rf"\1{MASK}\2",
    ),
    # access_token=... in a form body or query string
    (re.compile(rf"(?i)\b((?:{_MASKED_KEYS})=)[^&\s'\"]+"), rf"\1{MASK}"),
    # A Salesforce session id standing alone: 15/18-char org id, '!', opaque part
    (re.compile(r"\b00D[A-Za-z0-9]{12,15}![A-Za-z0-9._-]+"), MASK),
)


URL_LOGGERS = ("urllib3", "uvicorn.access")
"""The loggers (with those below them) whose records quote request URLs, query strings and
all: urllib3's requests to Salesforce, and the requests `serve` answers."""
_QUOTED_URL = re.compile(r"\S*\?\S+")
"""A URL (or path) with a query, as quoted in text: up to the next space, as requests and
uvicorn quote a URL with its spaces and quotes percent-encoded."""


def redact(text: str) -> str:
    """`text` with every token or secret it quotes replaced by a mask."""
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def mask_query_values(url: str) -> str:
    """`url` with the value of each query parameter masked (`/query/?q=[REDACTED]`); a part
    without a name is masked whole."""
    path, mark, query = url.partition("?")
    if not mark:
        return url
    parts = (part.partition("=") for part in query.split("&"))
    return f"{path}?" + "&".join(f"{name}={MASK}" if sep else MASK for name, sep, _ in parts)


def mask_query_strings(text: str) -> str:
    """`text` with the query values of every URL it quotes masked by `mask_query_values`."""
    return _QUOTED_URL.sub(lambda quoted: mask_query_values(quoted.group()), text)


def _is_url_logger(name: str) -> bool:
    return any(name == logger or name.startswith(f"{logger}.") for logger in URL_LOGGERS)


class RedactingFilter(logging.Filter):
    """Rewrites each record's final message through `redact`, and the URLs a `URL_LOGGERS`
    record quotes through `mask_query_values` (never drops a record)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if _is_url_logger(record.name) and isinstance(record.args, tuple):
            record.args = tuple(
                mask_query_values(arg) if isinstance(arg, str) else arg for arg in record.args
            )
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        return True


def get_logger(name: str) -> logging.Logger:
    """A logger whose own records pass through `RedactingFilter`."""
    logger = logging.getLogger(name)
    if not any(isinstance(f, RedactingFilter) for f in logger.filters):
        logger.addFilter(RedactingFilter())
    return logger
