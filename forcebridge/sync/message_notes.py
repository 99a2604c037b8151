"""What a push logs about odd messages (an empty body, control characters, a message split
across parts, one dated in the future): each once, in the run that first writes it, or records
its window held.

A push reads the messages of the cursor's last two minutes again, and a day's Task is
rewritten each time the day grows, so a run often writes a message an earlier run wrote
already. Times cannot tell which: a message committed late was not seen by the push that
started after it was recorded. So what was said is read back from the log itself: every entry
names its message (`message 19: ...`) and the part that holds it (where it starts, when it is
split), and a note whose message an earlier run's entry of the same code names is not said
again (`unsaid`). Dry runs say everything they would, and count for nothing here.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from forcebridge.store.models import LogLevel
from forcebridge.store.repositories.messages import StoredMessage
from forcebridge.sync.activity_drafts import DraftedWindow
from forcebridge.sync.activity_report import Code
from forcebridge.sync.activity_windows import dated_in_future
from forcebridge.sync.transcript import NoteCode

MESSAGE_CODES: tuple[str, ...] = (*NoteCode, Code.FUTURE)
"""The codes logged once per message."""
_ABOUT = re.compile(r"message (\d+): ")


@dataclass(frozen=True)
class Note:
    """A log entry about a window's messages, waiting to know whether the window is written."""

    level: LogLevel
    code: str
    message: str
    record_ref: str
    """The key of the part the message is in (the first of them, when it is split)."""
    message_id: int | None = None
    """The message it is about; None for a note about the window (`held`)."""


def about(message_id: int, text: str) -> str:
    """A log entry's text about one message, which names it so that it is said once."""
    return f"message {message_id}: {text}"


def new_message_notes(
    drafted: DraftedWindow,
    messages: Sequence[StoredMessage],
    new_ids: Iterable[int],
    now: dt.datetime,
) -> list[Note]:
    """What is odd about the window's messages recorded since the cursor (`new_ids`), each
    under the part that holds its message."""
    new = set(new_ids)
    part_of: dict[int, str] = {}
    for draft in drafted.drafts:
        for message_id in draft.message_ids:
            part_of.setdefault(message_id, draft.key)
    notes = [
        Note(
            LogLevel.INFO, n.code, about(n.message_id, n.text), part_of[n.message_id], n.message_id
        )
        for n in drafted.notes
        if n.message_id in new
    ]
    notes += [
        Note(
            LogLevel.WARNING,
            Code.FUTURE,
            about(
                m.id,
                f"dated {m.sent_at.astimezone(dt.UTC).isoformat()}, in the future: logged on "
                "the day it names",
            ),
            part_of[m.id],
            m.id,
        )
        for m in messages
        if m.id in new and dated_in_future(m.sent_at, now)
    ]
    return notes


def unsaid(notes: Iterable[Note], logged: Iterable[tuple[str | None, str]]) -> list[Note]:
    """`notes` but those about a message an entry of `logged` (`(code, text)` of earlier runs'
    entries about the same window parts) already named with the same code."""
    said = set()
    for code, text in logged:
        named = _ABOUT.match(text)
        if named:
            said.add((code, int(named.group(1))))
    return [n for n in notes if n.message_id is None or (n.code, n.message_id) not in said]
