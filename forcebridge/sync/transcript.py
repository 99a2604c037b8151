"""A window's conversation as Task text: the Description of each part, and its Subject.

Messages are written in the order they were sent, each as a header line (local time with the
zone's abbreviation, so the hour repeated when clocks fall back stays readable; direction;
channel; author) and its text. Control characters are removed and an empty body is shown as
such, each with a note the run can log.

A Description holds 32,000 characters. A day that needs more continues in part 2, 3, ...,
packed in order and greedily, so messages appended to a day only ever change its last part
(and add a "continued" line to the one before). A message longer than a part is itself split
across parts, each piece under a repeated header: nothing is cut off. Lengths are counted in
UTF-16 code units, as Salesforce counts them, so an emoji counts two.

Every part ends with a marker line carrying the part's idempotency key, which is how a Task
written before a crash is found again when the org has no external-id field for the key.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

DESCRIPTION_LIMIT = 32_000
"""Task.Description is a 32,000-character long text area."""
SUBJECT_LIMIT = 255
EMPTY_BODY_TEXT = "(empty message)"
DEFAULT_SUBJECT = "{product} Conversation"
SUBJECT_PLACEHOLDERS = ("name", "first_name", "last_name", "product")
MIN_PIECE = 500
"""A message too long for a whole part starts in the current part only if this much room is
left there; otherwise it starts on a fresh part."""
AUTHOR_SHOWN = 100
"""Header fields are cut to this many characters, so a header always leaves room for text."""

_SEPARATOR = "\n\n"
_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([^{}]*)\}")
"""A subject template's tokens: `{{` and `}}` (a brace as itself, as in Python's format
strings), and `{placeholder}`, whose name is the group (None for the escapes)."""
_ESCAPED = {"{{": "{", "}}": "}"}
_UNWANTED = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
"""Unicode's control characters (category Cc) but tab and line feed, and lone surrogates."""
_MARKER_LABEL = "conversation key"
_MARKER = re.compile(rf"\[{_MARKER_LABEL} ([A-Za-z0-9-]+)\]")


class NoteCode(enum.StrEnum):
    EMPTY_BODY = "empty_body"
    CONTROL_CHARACTERS = "control_characters"
    SPLIT_MESSAGE = "split_message"


@dataclass(frozen=True)
class TranscriptMessage:
    id: int
    sent_at: dt.datetime
    direction: str
    """"inbound" or "outbound"."""
    channel: str
    author: str | None
    body: str


@dataclass(frozen=True)
class TranscriptNote:
    """Something about one message a reader of the run should know."""

    message_id: int
    code: NoteCode
    text: str


@dataclass(frozen=True)
class TranscriptPart:
    number: int
    description: str
    message_ids: tuple[int, ...]
    """Messages wholly or partly in this part, in order."""


@dataclass(frozen=True)
class Transcript:
    parts: tuple[TranscriptPart, ...]
    notes: tuple[TranscriptNote, ...] = ()


def salesforce_length(text: str) -> int:
    """Characters as Salesforce counts them: UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def clean_text(text: str) -> str:
    """`text` without control characters (newlines and tabs stay; CR LF and CR become LF) and
    without lone surrogates, which no JSON encoder accepts."""
    return _UNWANTED.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def _one_line(text: str) -> str:
    return " ".join(clean_text(text).split())


def marker_line(key: str) -> str:
    """The line that carries a part's idempotency key in its Description."""
    return f"[{_MARKER_LABEL} {key}]"


def key_in(description: str) -> str | None:
    """The idempotency key of a Description's marker: its last line, which forcebridge
    writes. A marker pasted into a message, higher up, is text, not the Task's key."""
    last = description.rstrip().rpartition("\n")[2].strip()
    matched = _MARKER.fullmatch(last)
    return matched.group(1) if matched else None


# --- the transcript -----------------------------------------------------------------------


@dataclass(frozen=True)
class _Block:
    message_id: int
    header: str
    body: str

    @property
    def text(self) -> str:
        return f"{self.header}\n{self.body}"


def render_transcript(
    messages: Iterable[TranscriptMessage],
    zone_at: Callable[[dt.datetime], ZoneInfo],
    key_for_part: Callable[[int], str],
    *,
    limit: int = DESCRIPTION_LIMIT,
) -> Transcript:
    """The window's parts, each Description at most `limit` long, ending in its marker line.
    Each message's time is written in `zone_at` its instant: the service's zone then, so the
    day after a zone change, which starts at the old zone's midnight, reads the new zone's
    clock from its first message (18:00 in New York, after Paris's midnight)."""
    blocks: list[_Block] = []
    notes: list[TranscriptNote] = []
    for message in sorted(messages, key=lambda m: (m.sent_at, m.id)):
        block, block_notes = _block(message, zone_at(message.sent_at))
        blocks.append(block)
        notes += block_notes
    packer = _Packer(key_for_part, limit)
    for block in blocks:
        pieces = packer.add(block)
        if pieces > 1:
            last = packer.number
            notes.append(
                TranscriptNote(
                    block.message_id,
                    NoteCode.SPLIT_MESSAGE,
                    "message too long for one Task: written across "
                    + _parts(last - pieces + 1, last),
                )
            )
    return Transcript(packer.finish(), tuple(notes))


def _parts(first: int, last: int) -> str:
    return f"parts {first} and {last}" if last == first + 1 else f"parts {first} to {last}"


def _block(message: TranscriptMessage, zone: ZoneInfo) -> tuple[_Block, list[TranscriptNote]]:
    local = message.sent_at.astimezone(zone)
    author = _one_line(message.author or "")[:AUTHOR_SHOWN] or "unknown author"
    channel = _one_line(message.channel)[:AUTHOR_SHOWN]
    header = " · ".join((f"{local:%H:%M} {local:%Z}", message.direction, channel, author))
    notes: list[TranscriptNote] = []
    body = clean_text(message.body)
    if body != message.body.replace("\r\n", "\n").replace("\r", "\n"):
        notes.append(
            TranscriptNote(message.id, NoteCode.CONTROL_CHARACTERS, "control characters removed")
        )
    if not body.strip():
        body = EMPTY_BODY_TEXT
        notes.append(TranscriptNote(message.id, NoteCode.EMPTY_BODY, "the message has no text"))
    return _Block(message.id, header, body), notes


@dataclass
class _Open:
    """The part being filled."""

    number: int
    sections: list[str] = field(default_factory=list)
    message_ids: list[int] = field(default_factory=list)
    used: int = 0


class _Packer:
    """Fills parts in order; a part is closed for good once the next one starts."""

    def __init__(self, key_for_part: Callable[[int], str], limit: int) -> None:
        self._key_for_part = key_for_part
        self._limit = limit
        self._done: list[TranscriptPart] = []
        self._part = _Open(1)
        self._budgets: dict[int, int] = {}

    def _budget(self, number: int) -> int:
        """Room for message blocks in part `number`: the limit less its marker and both
        continuation lines (the "continued in" line is reserved even if no part follows)."""
        if number not in self._budgets:
            self._budgets[number] = self._compute_budget(number)
        return self._budgets[number]

    def _compute_budget(self, number: int) -> int:
        fixed = salesforce_length(marker_line(self._key_for_part(number)))
        fixed += salesforce_length(_continued_in(number)) + 2 * len(_SEPARATOR)
        if number > 1:
            fixed += salesforce_length(_continued_from(number)) + len(_SEPARATOR)
        budget = self._limit - fixed
        if budget < MIN_PIECE:
            raise ValueError(f"a Description limit of {self._limit} leaves no room for messages")
        return budget

    @property
    def number(self) -> int:
        """The part being filled."""
        return self._part.number

    def _room(self) -> int:
        gap = len(_SEPARATOR) if self._part.sections else 0
        return self._budget(self._part.number) - self._part.used - gap

    def _put(self, text: str, message_id: int) -> None:
        part = self._part
        part.used += salesforce_length(text) + (len(_SEPARATOR) if part.sections else 0)
        part.sections.append(text)
        if not part.message_ids or part.message_ids[-1] != message_id:
            part.message_ids.append(message_id)

    def _next_part(self) -> None:
        self._close(followed=True)
        self._part = _Open(self._part.number + 1)

    def add(self, block: _Block) -> int:
        """Place `block`; how many parts it spans."""
        text = block.text
        if salesforce_length(text) <= self._room():
            self._put(text, block.message_id)
            return 1
        if self._part.sections and salesforce_length(text) <= self._budget(self._part.number + 1):
            self._next_part()
            self._put(text, block.message_id)
            return 1
        return self._add_split(block)

    def _add_split(self, block: _Block) -> int:
        header = f"{block.header}\n"
        continued = f"{block.header} (continued)\n"
        if self._room() < MIN_PIECE:
            self._next_part()
        rest, lead, pieces = block.body, header, 0
        while rest:
            if pieces:
                self._next_part()
            head, rest = _take(rest, self._room() - salesforce_length(lead))
            self._put(lead + head, block.message_id)
            lead, pieces = continued, pieces + 1
        return pieces

    def _close(self, *, followed: bool) -> None:
        part = self._part
        sections = list(part.sections)
        if part.number > 1:
            sections.insert(0, _continued_from(part.number))
        if followed:
            sections.append(_continued_in(part.number))
        sections.append(marker_line(self._key_for_part(part.number)))
        self._done.append(
            TranscriptPart(part.number, _SEPARATOR.join(sections), tuple(part.message_ids))
        )

    def finish(self) -> tuple[TranscriptPart, ...]:
        self._close(followed=False)
        return tuple(self._done)


def _continued_from(number: int) -> str:
    return f"(continued from part {number - 1})"


def _continued_in(number: int) -> str:
    return f"(continued in part {number + 1})"


def _take(text: str, units: int) -> tuple[str, str]:
    """The longest start of `text` within `units` UTF-16 units, preferring to end after a line
    break near the cut, else after a space; and the rest."""
    head = text.encode("utf-16-le")[: 2 * units]
    if head and 0xD8 <= head[-1] <= 0xDB:  # the first half of a surrogate pair: not cut in two
        head = head[:-2]
    end = len(head.decode("utf-16-le"))
    if end < len(text):
        near = end - MIN_PIECE // 2
        for boundary in ("\n", " "):
            soft = text.rfind(boundary, max(near, 0), end)
            if soft > 0:
                end = soft + 1
                break
    return text[:end], text[end:]


# --- the subject ----------------------------------------------------------------------------


def check_subject_template(template: str) -> str:
    """`template` when every `{placeholder}` in it is one of SUBJECT_PLACEHOLDERS."""
    unknown = sorted(
        {
            m.group(1)
            for m in _PLACEHOLDER.finditer(template)
            if m.group(1) is not None and m.group(1) not in SUBJECT_PLACEHOLDERS
        }
    )
    if unknown:
        allowed = ", ".join(f"{{{name}}}" for name in SUBJECT_PLACEHOLDERS)
        raise ValueError(
            f"unknown placeholder {', '.join(f'{{{n}}}' for n in unknown)} in the Task subject "
            f"{template!r}: use {allowed}"
        )
    stray = _PLACEHOLDER.sub("", template)
    if "{" in stray or "}" in stray:
        raise ValueError(
            f"the Task subject {template!r} has a brace without its pair: a placeholder is "
            "written {name}, and a brace as itself {{ or }}"
        )
    if not _one_line(template):
        raise ValueError("the Task subject template is empty")
    if len(template) > SUBJECT_LIMIT:
        raise ValueError(
            f"the Task subject template has {len(template):,} characters; a Task's Subject "
            f"holds {SUBJECT_LIMIT}"
        )
    return template


@dataclass(frozen=True)
class ContactName:
    first_name: str | None = None
    last_name: str | None = None
    fallback: str = ""
    """What to call a contact without a name (their email or phone)."""

    @property
    def full(self) -> str:
        name = " ".join(p.strip() for p in (self.first_name, self.last_name) if p and p.strip())
        return name or self.fallback


def task_subject(template: str | None, product_name: str, contact: ContactName, part: int) -> str:
    """The Subject of a window's part: the template filled in (unknown placeholders stay as
    typed, `{{` and `}}` are braces), on one line, cut to fit with " (part N)" kept for parts
    after the first."""
    values: Mapping[str, str] = {
        "name": contact.full,
        "first_name": (contact.first_name or "").strip(),
        "last_name": (contact.last_name or "").strip(),
        "product": product_name,
    }
    filled = _PLACEHOLDER.sub(
        lambda m: _ESCAPED.get(m.group(0)) or values.get(m.group(1), m.group(0)),
        template or DEFAULT_SUBJECT,
    )
    subject = _one_line(filled)
    suffix = f" (part {part})" if part > 1 else ""
    room = SUBJECT_LIMIT - len(suffix)
    if salesforce_length(subject) > room:
        subject, _ = _take(subject, room - 1)
        subject = subject.rstrip() + "…"
    return subject + suffix
