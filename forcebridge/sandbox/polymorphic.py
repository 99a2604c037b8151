"""TYPEOF: a polymorphic parent's fields chosen by the object it turns out to be.

`TYPEOF What WHEN Account THEN Phone WHEN Opportunity THEN Amount ELSE Name END` joins the
parent once per object it may be (as `What.Name` does, `paths`), reads each WHEN's fields from
its object's join and the ELSE fields from whichever join matched, and lays the parent out per
object (`results.ByType`). The relationship must be the queried object's own and polymorphic,
each WHEN must name one of its objects, and the fields are that object's own (no paths); the
relationship cannot also be read as `What.Name` in the same query. A parent that no WHEN names
and no ELSE covers comes back as its type alone.
"""

from __future__ import annotations

from collections.abc import Callable, Collection

from forcebridge.sandbox.paths import Paths, coalesce, object_name
from forcebridge.sandbox.results import ByType, Column, Shape
from forcebridge.sandbox.schema import FieldSpec, ObjectSpec
from forcebridge.sandbox.storage import quote
from forcebridge.soql import ast
from forcebridge.soql.errors import InvalidField, MalformedQuery, SoqlError


def by_type(
    item: ast.TypeOf,
    root: ObjectSpec,
    paths: Paths,
    column: Callable[[str], int],
    text: str,
    taken: Collection[str],
) -> tuple[str, ByType]:
    """The record key (the relationship's name, not among the keys already `taken`) and how
    the parent is laid out."""
    lookup = root.relationship(item.relationship)
    if lookup is None or not lookup.polymorphic:
        raise InvalidField(
            text,
            item.pos,
            f"TYPEOF can only be used on a polymorphic relationship of {root.name}: "
            f"{item.relationship}",
        )
    step = paths.hop(lookup)
    if step.name in taken:
        raise SoqlError.selected_twice(step.name)
    joined = {
        target.name.lower(): (target, alias)
        for target, alias in zip(step.targets, step.aliases, strict=True)
    }
    branches: dict[str, Shape] = {}
    for when in item.whens:
        found = joined.get(when.sobject.lower())
        if found is None:
            raise SoqlError.invalid_type(text, item.pos, when.sobject)
        target, alias = found
        shape = Shape(column(f"{alias}.{quote('Id')}"), type_name=target.name)
        for node in when.fields:
            spec = _own_field(node, target, text)
            shape.entries[spec.name] = Column.of(column(f"{alias}.{quote(spec.name)}"), spec)
        branches[target.name] = shape
    type_index = column(object_name(step))
    id_index = column(coalesce(step.aliases, "Id"))
    otherwise = None
    if item.otherwise:
        otherwise = Shape(id_index, type_index=type_index)
        for node in item.otherwise:
            _one_name(node, text)
            target_field = paths.resolve(ast.Field((step.name, node.name), node.pos))
            common = target_field.spec  # None for the parent's Type
            if common is not None:
                _stored(common, node, text)
            index = column(paths.expression(target_field))
            otherwise.entries[common.name if common is not None else "Type"] = (
                Column(index) if common is None else Column.of(index, common)
            )
    return step.name, ByType(type_index, id_index, branches, otherwise)


def _one_name(node: ast.Field, text: str) -> None:
    if len(node.path) > 1:
        raise MalformedQuery(
            text, node.pos, f"TYPEOF reads the parent's own fields, not a path: {node.name}"
        )


def _own_field(node: ast.Field, target: ObjectSpec, text: str) -> FieldSpec:
    _one_name(node, text)
    spec = target.field(node.name)
    if spec is None:
        raise SoqlError.invalid_field(text, node.pos, node.name, target.name)
    return _stored(spec, node, text)


def _stored(spec: FieldSpec, node: ast.Field, text: str) -> FieldSpec:
    """A compound field (an address) has no column of its own: TYPEOF reads its parts."""
    if not spec.stored:
        raise MalformedQuery(
            text, node.pos, f"TYPEOF reads a compound field through its parts: {node.name}"
        )
    return spec
