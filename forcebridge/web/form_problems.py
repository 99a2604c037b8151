"""Why a form was not saved, shown in its "Not saved" alert: one list item per problem, and
each field at fault marked invalid (`aria-invalid`) and described by its problems
(`aria-describedby`), as the mapping editor marks its rows', so a screen reader says what is
wrong with the field it is on."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from forcebridge.mapping.report import ProblemCode, readable
from forcebridge.sync.pull_settings import SettingProblem
from forcebridge.wording import QUOTED_AT_MOST, quoted, sentence


@dataclass(frozen=True)
class FormProblem:
    text: str
    """A sentence."""
    controls: frozenset[str] = frozenset()
    """The ids of the form's fields it is about."""
    details: tuple[str, ...] = ()
    """What `text` sums up, a sentence each (a row of a mapping each), shown on demand."""


@dataclass(frozen=True)
class FormProblems:
    """A form's problems, in the order of its fields."""

    form: str
    """The id of the form's section, which the problems' ids start with."""
    problems: tuple[FormProblem, ...] = field(default=())

    def __bool__(self) -> bool:
        return bool(self.problems)

    def __iter__(self) -> Iterator[tuple[str, FormProblem]]:
        """Each problem with its id."""
        for index, problem in enumerate(self.problems, start=1):
            yield self.problem_id(index), problem

    def problem_id(self, index: int) -> str:
        return f"{self.form}-problem-{index}"

    def described_by(self, control: str) -> str:
        """The ids of the problems about `control`: empty when it is not at fault."""
        return " ".join(id_ for id_, problem in self if control in problem.controls)


def quoting(text: str, typed: str) -> str:
    """`text`, a refusal that may quote `typed` whole (the store's checks do), or name it as
    typed (a URL), quoting it as `quoted` does: a long one by its start and its length."""
    text = text.replace(repr(typed), quoted(typed))
    return text.replace(typed, quoted(typed)) if len(typed) > QUOTED_AT_MOST else text


def about(control: str, text: str) -> FormProblem:
    """A problem of the form's field `control`."""
    return FormProblem(sentence(text), frozenset({control}))


def in_form_order(
    form: str, problems: Iterable[FormProblem], controls: Sequence[str]
) -> FormProblems:
    """`problems` in the order of the form's `controls` (by the first they are about), those
    about none after the others."""

    def place(problem: FormProblem) -> int:
        at = [controls.index(control) for control in problem.controls if control in controls]
        return min(at, default=len(controls))

    return FormProblems(form, tuple(sorted(problems, key=place)))


SETTING_CONTROLS = {"interval_minutes": "pull_every", "soql": "soql", "routing": "routing"}
"""The settings form's field for each `PullChange` setting."""
QUERY_CODES = frozenset(
    {ProblemCode.INVALID_QUERY, ProblemCode.UNKNOWN_OBJECT, ProblemCode.NOT_SELECTED}
)
"""What the custom query's field is marked for: the query's own problems, and rows reading
what it does not select."""


def setting_problems(problem: SettingProblem) -> list[FormProblem]:
    """A refused setting as the settings form shows it: an object's query and mapping problem
    by problem, the query's own first, and the rows reading what the query does not select
    summed up in one, each row behind it."""
    if problem.report is None:
        control = SETTING_CONTROLS.get(problem.setting or "")
        return [FormProblem(sentence(problem.text), frozenset({control} if control else ()))]
    shown = []
    for line in readable(problem.report.problems):
        about_query = any(p.code in QUERY_CODES for p in line.problems)
        details = tuple(sentence(str(p)) for p in line.problems) if len(line.problems) > 1 else ()
        shown.append(
            FormProblem(
                sentence(f"{problem.sobject}: {line.text}"),
                frozenset({"soql"} if about_query else ()),
                details,
            )
        )
    return shown


def refused_problems(details: Sequence[SettingProblem]) -> list[FormProblem]:
    """Why a change of what to pull was refused, each problem as `setting_problems` shows it;
    led, when an object's mapping as saved does not verify, by why that refuses the change:
    the settings are saved only once they verify, so it is the mapping to mend first."""
    shown = [item for detail in details for item in setting_problems(detail)]
    broken = [detail.sobject for detail in details if _mapping_at_fault(detail)]
    if not broken:
        return shown
    lead = FormProblem(
        "What to pull, the query and the routing rule are changed only once the pull settings "
        f"verify, and the {' and '.join(dict.fromkeys(broken))} mapping no longer does: fix "
        "it in its editor below first (the intervals and the other settings can be saved "
        "meanwhile)."
    )
    return [lead, *shown]


def _mapping_at_fault(problem: SettingProblem) -> bool:
    """Whether a problem is the mapping's own (a row reading a field Salesforce no longer has),
    not the query's nor the rule's."""
    if problem.report is None:
        return False
    return any(
        not any(p.code in QUERY_CODES for p in line.problems)
        for line in readable(problem.report.problems)
    )
