"""The mapping editor both the export and the service pages show: rows from a form, problems
next to their rows, and the field choices an admin picks from.

The editor works without scripts (the pages allow none but their own): adding, removing or
moving a row posts the form and the page comes back with the admin's edits kept, as a refused
"Verify and Save" does. Enter in a row's field presses no button: the form's first submit
button, the one a browser presses for Enter, is a disabled one (with `mapping_editor.js`, Enter
in the new row's source box adds the row).

Each button's address ends with the id of the control to take the focus once the page comes
back (`focus_after`): a browser opening an address at a control's id scrolls to it and focuses
it, so a keyboard user carries on where they were, not at the top of a long page.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Form

from forcebridge.mapping.describe import Catalog, ObjectDescribe, SalesforceField
from forcebridge.mapping.local_fields import LocalFields
from forcebridge.mapping.model import Mapping, MappingRow, UpdateOption, update_option
from forcebridge.mapping.report import Problem, ProblemCode, VerificationReport
from forcebridge.mapping.verify import ExportRow, check_export_rows
from forcebridge.web.errors import WebError
from forcebridge.web.row_problems import CONTROLS, TARGET, RowProblem, at_fault
from forcebridge.wording import quoted, sentence

SAVE = "save"
ADD = "add"
REMOVE, UP, DOWN = "remove", "up", "down"
"""`remove:N` drops row N (1-based); `up:N` and `down:N` swap it with the row above or below,
which changes which source of a hierarchy is tried first."""
LISTED_ROWS = 50
"""Up to this many rows, each row's fields are picked from lists (see `Editor.typed`)."""
MAX_ROWS = 10_000
"""The most rows the editor's form takes (a form field per column and row, `MAX_FIELDS`), far
more than any object has fields, so that a form of millions of fields (what 16 MB can hold) is
refused before it is read; the command line takes a mapping of any size."""
MAX_FIELDS = 3 * MAX_ROWS + 3
"""The `form_limits` of the routes reading an editor's form: its rows, and its token, button
and new row's source."""
TOO_MANY_ROWS = (
    f"This mapping has more than {MAX_ROWS:,} rows, more than the page takes, so nothing was "
    "saved. Save it from a file with the command line, which takes any number of rows: "
    "forcebridge mapping set --org ORG (or --service ORG/SERVICE) --object OBJECT --file "
    "MAPPING.json."
)


NO_BUTTON = (
    "The mapping form came without the button pressed (`action`, `save` for Verify and Save), "
    "so nothing was checked or saved: reload the page, then press Verify and Save (or the "
    "button of the row to change)."
)
"""What a form posted without its `action` is told, in place of FastAPI's "field required"."""


class BadMappingForm(WebError):
    """A form the editor did not produce (rows of unequal length, an unknown action)."""

    def __init__(self, detail: str) -> None:
        super().__init__(f"The mapping form could not be read ({detail}): reload the page.")


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True)
class EditorRow:
    number: int
    """The row's number, as the problems name it."""
    level: int | None
    """The row's place among the rows feeding the same target, 1 for the source tried first;
    None when no other row feeds its target (or it has none yet)."""
    of: int
    """How many rows feed its target."""
    source: str
    target: str
    update: UpdateOption
    problems: tuple[RowProblem, ...]

    def at_fault(self, control: str) -> bool:
        return any(control in problem.controls for problem in self.problems)


@dataclass(frozen=True)
class Editor:
    sobject: str
    rows: tuple[EditorRow, ...]
    sources: tuple[Choice, ...]
    targets: tuple[Choice, ...]
    problems: tuple[str, ...]
    """Problems of the whole mapping (or query), not of one row."""
    default: bool
    """Nothing was saved yet: these are the rows used by default."""
    unchecked: str | None = None
    """Why Salesforce could not check the rows as submitted, which are kept as they are."""
    stale: str = ""
    """What stops while the rows in use no longer verify (a field deleted in Salesforce), their
    problems shown: "Contact fails to sync", "Lead exports are refused"; empty when they do."""

    @property
    def refused(self) -> bool:
        return bool(self.problem_count)

    @property
    def problem_count(self) -> int:
        """The mapping's problems: its own and its rows'."""
        return len(self.problems) + sum(len(row.problems) for row in self.rows)

    @property
    def anchor(self) -> str:
        """The id of the editor's section."""
        return f"mapping-{self.sobject}"

    def control(self, name: str, number: int = 0) -> str:
        """The id of row `number`'s control `name` (source, up, down, remove), or of the
        editor's own (add)."""
        return f"{self.anchor}-{name}-{number}" if number else f"{self.anchor}-{name}"

    def after(self, action: str) -> str:
        """The id of the control to focus once `action` comes back done."""
        number, name = focus_after(action, len(self.rows))
        return self.control(name, number)

    @property
    def typed(self) -> bool:
        """Past `LISTED_ROWS` rows, fields are typed, with one list of suggestions each
        (`<datalist>`), not picked from a list repeated in every row: a page of 200 rows is
        then a third of the size and shows three times faster."""
        return len(self.rows) > LISTED_ROWS

    def problem_id(self, number: int, index: int) -> str:
        """The id of row `number`'s problem `index` (from 1)."""
        return f"{self.control('problem', number)}-{index}"

    def described_by(self, row: EditorRow, control: str) -> str:
        """The ids of what describes a row's control: the problems it is at fault in, and for
        the target its place in a hierarchy."""
        ids = [
            self.problem_id(row.number, index)
            for index, problem in enumerate(row.problems, start=1)
            if control in problem.controls
        ]
        if control == TARGET and row.level:
            ids.append(self.control("priority", row.number))
        return " ".join(ids)

    @property
    def first_fault(self) -> str | None:
        """The id of the first control at fault, where a refused Verify and Save leads."""
        for row in self.rows:
            for control in CONTROLS:
                if row.at_fault(control):
                    return self.control(control, row.number)
        return None


def mapping_from_form(
    sources: Sequence[str], targets: Sequence[str], updates: Sequence[str]
) -> tuple[Mapping, tuple[Problem, ...]]:
    """The rows as the admin left them, blank ones included (verification names those), and
    the form's own problems, which Verify and Save shows with the others: an update option the
    editor does not offer, named on its row (and read as Overwrite meanwhile)."""
    if not len(sources) == len(targets) == len(updates):
        raise BadMappingForm("its columns have different lengths")
    rows, problems = [], []
    for number, (source, target, update) in enumerate(
        zip(sources, targets, updates, strict=True), start=1
    ):
        option = update_option(update)
        if option is None:
            problems.append(
                Problem(number, "update", ProblemCode.INVALID_ROW, _not_offered(update))
            )
        rows.append(MappingRow(source.strip(), target.strip(), option or UpdateOption.OVERWRITE))
    return Mapping(tuple(rows)), tuple(problems)


def _not_offered(update: str) -> str:
    return (
        f"the update option {quoted(update)} is not one the editor offers: choose Overwrite "
        "or Fill empty only"
    )


@dataclass(frozen=True)
class Submission:
    """What an editor's form posted: the button pressed and the rows as the admin left them."""

    action: str
    mapping: Mapping
    problems: tuple[Problem, ...] = ()
    """The form's own problems (`mapping_from_form`): Verify and Save refuses a mapping with
    any, showing them on their rows with the others."""

    @property
    def saving(self) -> bool:
        return self.action == SAVE

    def edited(self, new_row_update: UpdateOption, new_row_source: str = "") -> Mapping:
        """The rows as the page shows them next: as left for Verify and Save, else with the row
        added or removed."""
        if self.saving:
            return self.mapping
        return edit(self.mapping, self.action, new_row_update, new_row_source)


def _submission(
    action: Annotated[str | None, Form()] = None,
    source: Annotated[list[str] | None, Form()] = None,
    target: Annotated[list[str] | None, Form()] = None,
    update: Annotated[list[str] | None, Form()] = None,
) -> Submission:
    """The form as posted; one that does not say which button was pressed (its `action`),
    which the editor's buttons always do, is refused saying so rather than as a field missing:
    a script posting the rows, or a page of an older version."""
    if not action:
        raise WebError(NO_BUTTON)
    return Submission(action, *mapping_from_form(source or [], target or [], update or []))


Submitted = Annotated[Submission, Depends(_submission)]
"""A route's parameter reading an editor's form."""


def edit(
    mapping: Mapping, action: str, new_row_update: UpdateOption, new_row_source: str = ""
) -> Mapping:
    """`mapping` with a row added (its source `new_row_source`, such as a parent's field
    `Account.Industry` that the choices do not list, or blank), or row N removed or moved, as
    the pressed button asks. A row moved past either end stays where it is."""
    if action == ADD:
        return Mapping((*mapping.rows, MappingRow(new_row_source.strip(), "", new_row_update)))
    verb, _, typed = action.partition(":")
    if verb not in (REMOVE, UP, DOWN):
        raise BadMappingForm(f"unknown action {action!r}")
    try:
        index = int(typed) - 1
    except ValueError:
        raise BadMappingForm(f"no row {typed!r}") from None
    rows = list(mapping.rows)
    if not 0 <= index < len(rows):
        return mapping
    if verb == REMOVE:
        del rows[index]
        return Mapping(tuple(rows))
    other = index - 1 if verb == UP else index + 1
    if 0 <= other < len(rows):
        rows[index], rows[other] = rows[other], rows[index]
    return Mapping(tuple(rows))


def focus_after(action: str, rows: int) -> tuple[int, str]:
    """The row and control to focus once `action` is done on `rows` rows: the source of the row
    added, or of the row now in a removed one's place (the Add row button when none is left);
    a moved row's arrow the same way, so pressing it again moves it on (at an end, its other
    arrow, as that one is disabled)."""
    verb, _, typed = action.partition(":")
    number = int(typed) if typed.isdigit() else 0
    if verb == ADD:
        return rows + 1, "source"
    if verb == REMOVE:
        return (min(number, rows - 1), "source") if rows > 1 else (0, "add")
    if verb not in (UP, DOWN) or rows < 2 or not 1 <= number <= rows:
        return max(1, min(number, rows)), "source"
    moved = max(number - 1, 1) if verb == UP else min(number + 1, rows)
    at_end = moved == (1 if verb == UP else rows)
    return moved, (DOWN if verb == UP else UP) if at_end else verb


def editor(
    sobject: str,
    mapping: Mapping,
    sources: Iterable[Choice],
    targets: Iterable[Choice],
    *,
    report: VerificationReport | None = None,
    default: bool = False,
    path_labels: dict[str, str] | None = None,
    stale: str = "",
) -> Editor:
    """The editor's view of `mapping`, with `report`'s problems placed on their rows. A value
    the choices lack (a parent's field such as `Account.Name`) is offered with its label in
    `path_labels` ("Account Name (Account.Name)"), or as it is spelled. `stale`: `report`
    is of the rows in use, not of rows just refused, and this is what they stop."""
    problems = report.problems if report is not None else ()
    rows = tuple(
        EditorRow(
            number,
            *_place(mapping, number, row.target),
            row.source,
            row.target,
            row.update,
            tuple(
                RowProblem(sentence(f"Row {number}: {p.message}"), at_fault(p, row))
                for p in problems
                if p.row == number
            ),
        )
        for number, row in mapping.numbered()
    )
    return Editor(
        sobject,
        rows,
        _with_values(sources, (row.source for row in rows), path_labels or {}),
        _with_values(targets, (row.target for row in rows), {}),
        tuple(sentence(p.message) for p in problems if p.row is None),
        default,
        stale=stale,
    )


def _place(mapping: Mapping, number: int, target: str) -> tuple[int | None, int]:
    """Row `number`'s level among the rows feeding `target`, and how many do; rows with no
    target yet form no hierarchy."""
    feeding = len(mapping.hierarchy(target)) if target.strip() else 1
    return (mapping.level(number) if feeding > 1 else None), feeding


def salesforce_choices(describe: ObjectDescribe) -> tuple[Choice, ...]:
    """The fields an admin may pick, "Business Phone (Phone)", alphabetically by label."""
    return _labelled(describe.offered())


def writable_choices(describe: ObjectDescribe, sources: LocalFields) -> tuple[Choice, ...]:
    """The fields an export may write: those Verify lets some field of `sources` fill, which
    it can both set on a new record and update, of a type a prospect's value converts to (not
    Id, CreatedDate, a formula, a lookup such as OwnerId...)."""
    return _labelled(f for f in describe.offered() if _fillable(describe, f, sources))


def _fillable(describe: ObjectDescribe, target: SalesforceField, sources: LocalFields) -> bool:
    """Whether some source may fill `target`: checked as one hierarchy of every source into it,
    each row on its own."""
    rows = tuple(MappingRow(source.name, target.name) for source in sources.fields)
    checked = check_export_rows(Mapping(rows), describe, sources)
    return any(isinstance(row, ExportRow) for row in checked)


def _labelled(fields: Iterable[SalesforceField]) -> tuple[Choice, ...]:
    return tuple(
        Choice(f.name, f.display_name) for f in sorted(fields, key=lambda f: f.label.lower())
    )


def local_choices(fields: LocalFields) -> tuple[Choice, ...]:
    return tuple(Choice(f.name, f"{f.label} ({f.name})") for f in fields.fields)


def _with_values(
    choices: Iterable[Choice], values: Iterable[str], labels: dict[str, str]
) -> tuple[Choice, ...]:
    offered = tuple(choices)
    known = {choice.value.lower() for choice in offered}
    extra = [v for v in dict.fromkeys(values) if v and v.lower() not in known]
    return (*offered, *(Choice(value, labels.get(value, value)) for value in extra))


def path_labels(catalog: Catalog, sobject: str, paths: Iterable[str]) -> dict[str, str]:
    """A label for each parent's field among `paths` that `catalog` resolves from `sobject`:
    "Account Name (Account.Name)", as the object's own fields are shown."""
    return {path: label for path in paths if (label := catalog.label(sobject, path)) != path}


def unchecked(sobject: str, mapping: Mapping, why: str) -> Editor:
    """The rows as the admin left them, when Salesforce could not be reached to check them or
    to list the fields: kept on the page, each select offering its own value, to be saved
    once Salesforce answers."""
    shown = editor(sobject, mapping, (), ())
    return Editor(sobject, shown.rows, shown.sources, shown.targets, (), False, unchecked=why)


def page_editors(
    sobjects: Iterable[str], edited: Editor | None, shown: Callable[[str], Editor] | None
) -> list[Editor]:
    """A page's editors: each object's as `shown` builds it, `edited` (the one just posted) in
    its place or after them; without `shown` (Salesforce out of reach), `edited` alone."""
    editors = []
    if shown is not None:
        editors = [
            edited if edited is not None and edited.sobject == sobject else shown(sobject)
            for sobject in sobjects
        ]
    if edited is not None and edited not in editors:
        editors.append(edited)
    return editors
