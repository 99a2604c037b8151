"""`forcebridge service field add|list|remove`: a service's own contact fields."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from forcebridge.cli.output import JsonFlag, console, database, emit
from forcebridge.store.models import CustomContactField, CustomFieldType
from forcebridge.store.repositories.custom_contact_fields import list_custom_fields
from forcebridge.store.repositories.services import get_service
from forcebridge.sync.custom_contact_fields import define_field, remove_field

app = typer.Typer(
    help="A service's own contact fields, which pull mappings may write to.",
    no_args_is_help=True,
)

ServicePath = Annotated[str, typer.Argument(metavar="ORG/SERVICE", help="The service.")]
FieldName = Annotated[
    str, typer.Argument(metavar="NAME", help="The field's name, like loyalty_tier.")
]


def field_document(field: CustomContactField) -> dict[str, Any]:
    return {"name": field.name, "type": field.type.value, "choices": field.choices}


@app.command("add")
def add(
    path: ServicePath,
    name: FieldName,
    type_: Annotated[
        CustomFieldType, typer.Option("--type", help="What the field holds.")
    ] = CustomFieldType.TEXT,
    choices: Annotated[
        list[str] | None,
        typer.Option("--choice", help="A value of a choice field; give one option per value."),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Add a contact field to the service: pull mappings may then target it."""
    with database() as session:
        service = get_service(session, path)
        field = define_field(session, service, name, type_.value, choices or ())
        document = {"service": path, **field_document(field)}
        session.commit()
    emit(
        document,
        as_json,
        lambda: console.print(f"Added {document['type']} field [bold]{escape(name)}[/bold]."),
    )


@app.command("list")
def list_command(path: ServicePath, as_json: JsonFlag = False) -> None:
    """The service's own contact fields."""
    with database() as session:
        fields = [
            field_document(f) for f in list_custom_fields(session, get_service(session, path))
        ]
    emit({"service": path, "fields": fields}, as_json, lambda: console.print(_table(fields)))


@app.command("remove")
def remove(path: ServicePath, name: FieldName, as_json: JsonFlag = False) -> None:
    """Remove a field no saved mapping writes to; contacts keep the values they hold."""
    with database() as session:
        remove_field(session, get_service(session, path), name)
        session.commit()
    emit(
        {"service": path, "removed": name},
        as_json,
        lambda: console.print(f"Removed field [bold]{escape(name)}[/bold]."),
    )


def _table(fields: list[dict[str, Any]]) -> Table:
    table = Table("Field", "Type", "Choices")
    for field in fields:
        table.add_row(
            escape(field["name"]), field["type"], escape(", ".join(field["choices"] or ()))
        )
    return table
