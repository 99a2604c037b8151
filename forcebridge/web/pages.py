"""Rendering the admin pages: one template folder, the context every page shares, notices."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape

from forcebridge.web.csrf import FormToken
from forcebridge.web.dependencies import Admin
from forcebridge.wording import plural, sentence

PACKAGE_DIR = Path(__file__).parent
PAGE_LINKS = {"the Connections page": "/connections", "the Export page": "/export"}
"""The pages messages send admins to, by the words that name them."""
TOP = "notice"
"""The id of a notice shown at the top of a page: an action whose part of the page is gone (a
connection removed) comes back there, the notice focused."""
_NOTICE = "notice"
_CODE_SPAN = re.compile(r"`([^`\s<>][^`<>]*)`")
"""A command or value a message quotes as Markdown does, for the CLI that shares it."""


def linked(text: str) -> Markup:
    """`text`, escaped, each page it names (`PAGE_LINKS`) a link to it: "reconnect it, with
    the Reconnect button on its card on the Connections page" leads there; and each `code`
    span a <code> element, not backticks. Only escaped text goes inside, so a message that
    quotes markup shows it as text."""
    shown = str(escape(text))
    for words, address in PAGE_LINKS.items():
        shown = shown.replace(words, f'<a href="{address}">{words}</a>')
    shown = _CODE_SPAN.sub(r"<code>\1</code>", shown)
    return Markup(shown)  # noqa: S704 - escaped above; the links and <code> are constants


templates = Jinja2Templates(directory=PACKAGE_DIR / "templates")
templates.env.filters["plural"] = plural
templates.env.filters["sentence"] = sentence
templates.env.filters["linked"] = linked


@dataclass(frozen=True)
class Notice:
    """What the last action did, shown once on the next page. `place` is the id of the part of
    the page it is about (a mapping's section, a connection's card): the page opens there, so
    the notice is shown there, not at the top, off screen; empty, at the top."""

    text: str
    place: str = ""
    items: tuple[str, ...] = ()
    """What the text goes on to list, an item each (the problems of settings saved)."""

    def at(self, place: str) -> str:
        """The text, if this notice belongs at `place`; else nothing."""
        return self.text if self.place == place else ""


def render(
    request: Request,
    template: str,
    admin: Admin | None = None,
    *,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    """`template` with the signed-in admin (for the header) and the session's form token."""
    return templates.TemplateResponse(
        request,
        template,
        {"admin": admin, "csrf_token": FormToken(request), **context},
        status_code=status_code,
    )


def flash(request: Request, notice: str, place: str = "", items: Sequence[str] = ()) -> None:
    """A one-line notice for the next page this session shows (after a redirect), at `place`,
    and the `items` it lists."""
    request.session[_NOTICE] = {"text": notice, "place": place, "items": list(items)}


def notify_at(
    request: Request, page: str, notice: str, place: str = "", items: Sequence[str] = ()
) -> RedirectResponse:
    """Back to `page`, opened at `place` (an element's id) with `notice` shown there."""
    flash(request, notice, place, items)
    return RedirectResponse(f"{page}#{place}" if place else page, status_code=303)


def take_notice(request: Request, places: Iterable[str] = ()) -> Notice | None:
    """The notice waiting for this page; at the top when the page has no part at its place
    (a section Salesforce's outage hides now, a connection just removed)."""
    kept = request.session.pop(_NOTICE, None)
    if not isinstance(kept, dict) or not isinstance(kept.get("text"), str):
        return None
    place = kept.get("place")
    items = kept.get("items")
    listed = tuple(i for i in items if isinstance(i, str)) if isinstance(items, list) else ()
    shown_at = place if isinstance(place, str) and place in set(places) else ""
    return Notice(kept["text"], shown_at, listed)
