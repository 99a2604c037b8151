"""Field paths as SQL joins: `Account.Owner.Name` becomes two LEFT JOINs and a column.

A parent path turns into one LEFT JOIN per relationship hop, shared by every field that goes
the same way; a polymorphic parent (`Who.Name`) into one join per object it may be, taking
whichever matched. The planner resolves every field of a query here, so each join is made once,
and a path following more than five relationships, which Salesforce refuses, is refused here
for every clause alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from forcebridge.sandbox.schema import FieldSpec, ObjectSpec, Schema
from forcebridge.sandbox.storage import quote
from forcebridge.soql import ast
from forcebridge.soql.errors import MalformedQuery, SoqlError

MAX_LEVELS = 5
"""The most relationships one path may follow from child to parent (SOQL and SOSL guide,
"Relationship Query Limitations": `Contact.Account.Owner.FirstName` is three levels)."""


@dataclass(frozen=True)
class Step:
    """One relationship hop: its name, and the alias (or aliases, if polymorphic) it joins."""

    name: str
    aliases: tuple[str, ...]
    targets: tuple[ObjectSpec, ...]
    polymorphic: bool


@dataclass(frozen=True)
class Target:
    steps: tuple[Step, ...]
    spec: FieldSpec | None
    """None for the `Type` of a polymorphic parent."""
    aliases: tuple[str, ...]
    owner: ObjectSpec


@dataclass
class Paths:
    """The joins a query's paths need, from its root object (aliased `t0`)."""

    schema: Schema
    root: ObjectSpec
    text: str
    """The query's text, for errors that point into it."""
    joins: list[str] = field(default_factory=list)
    aliases: dict[tuple[str, str, str], str] = field(default_factory=dict)

    def resolve(self, node: ast.Field) -> Target:
        """The field `node` names, joining the parents its path passes through."""
        path = node.path
        prefixed = len(path) > 1 and path[0].lower() == self.root.name.lower()
        if prefixed and self.root.relationship(path[0]) is None:
            path = path[1:]
        obj, alias = self.root, "t0"
        steps: list[Step] = []
        *relationships, last = path
        if len(relationships) > MAX_LEVELS:
            raise MalformedQuery(
                self.text,
                node.pos,
                f"A child-to-parent relationship can be specified at most {MAX_LEVELS} levels "
                f"deep; {'.'.join(path)} goes {len(relationships)} levels",
            )
        for i, name in enumerate(relationships):
            lookup = obj.relationship(name)
            targets = (
                tuple(t for t in map(self.schema.get, lookup.reference_to) if t) if lookup else ()
            )
            if lookup is None or not targets or (len(targets) > 1 and i < len(relationships) - 1):
                raise SoqlError.invalid_relationship(self.text, node.pos, name)
            assert lookup.relationship_name is not None
            aliases = tuple(self._join(alias, lookup, t) for t in targets)
            steps.append(Step(lookup.relationship_name, aliases, targets, lookup.polymorphic))
            obj, alias = targets[0], aliases[0]
        aliases = steps[-1].aliases if steps else ("t0",)
        owners = steps[-1].targets if steps else (self.root,)
        if steps and steps[-1].polymorphic and last.lower() == "type":
            return Target(tuple(steps), None, aliases, obj)
        specs = [owner.field(last) for owner in owners]
        spec = specs[0]
        if spec is None or any(s is None or s.type != spec.type for s in specs):
            raise SoqlError.invalid_field(self.text, node.pos, last, obj.name)
        return Target(tuple(steps), spec, aliases, obj)

    def hop(self, lookup: FieldSpec) -> Step:
        """The root's relationship through `lookup`, joined to each object it may point at."""
        targets = tuple(t for t in map(self.schema.get, lookup.reference_to) if t)
        aliases = tuple(self._join("t0", lookup, target) for target in targets)
        return Step(lookup.relationship_name or lookup.name, aliases, targets, lookup.polymorphic)

    def _join(self, alias: str, lookup: FieldSpec, target: ObjectSpec) -> str:
        key = (alias, lookup.name, target.name)
        if key not in self.aliases:
            new = f"t{len(self.aliases) + 1}"
            self.aliases[key] = new
            self.joins.append(
                f" LEFT JOIN {quote(target.name)} AS {new} "
                f"ON {new}.{quote('Id')} = {alias}.{quote(lookup.name)}"
            )
        return self.aliases[key]

    def expression(self, target: Target) -> str:
        """SQL for the value `target` names; from one of several parents (a COALESCE), still
        compared as the field's column is (text ignoring case, numbers by value)."""
        if target.spec is None:
            return object_name(target.steps[-1])
        expr = coalesce(target.aliases, target.spec.name)
        collation = target.spec.field_type.collation
        if len(target.aliases) > 1 and collation != "BINARY":
            expr += f" COLLATE {collation}"
        return expr


def coalesce(aliases: tuple[str, ...], column: str) -> str:
    """The column from whichever of the joined objects is present."""
    refs = [f"{alias}.{quote(column)}" for alias in aliases]
    return refs[0] if len(refs) == 1 else f"COALESCE({', '.join(refs)})"


def object_name(step: Step) -> str:
    """SQL naming the object a polymorphic parent turned out to be."""
    cases = " ".join(
        f"WHEN {alias}.{quote('Id')} IS NOT NULL THEN '{target.name}'"
        for alias, target in zip(step.aliases, step.targets, strict=True)
    )
    return f"CASE {cases} END"
