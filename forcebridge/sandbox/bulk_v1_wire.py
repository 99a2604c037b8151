"""How Bulk API 1.0 reads its requests and writes its answers: JSON, or XML and CSV.

A job's `contentType` decides both. A JSON job (simple-salesforce's `sf.bulk`) takes its
batches as JSON arrays and answers everything in JSON. A CSV job (jsforce's `bulk`, Data
Loader) takes CSV batches, reports its job and batch info in XML under the
`http://www.force.com/2009/06/asyncapi/dataload` namespace, and gives its results as CSV:
`"Id","Success","Created","Error"` rows for DML, and the records for a query, whose result ids
come as an XML `result-list`. A job is created by a JSON or an XML `jobInfo`, as the request's
`Content-Type` says, and errors answer in the format the request was sent in.

Requests are parsed with defusedxml, which refuses entity declarations and external
references: a client's XML is untrusted input.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Mapping, Sequence
from typing import Any
from xml.etree import ElementTree

import orjson
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from fastapi.responses import Response

from forcebridge.sandbox.bulk import salesforce_time
from forcebridge.sandbox.bulk_csv import csv_columns, encode_row, error_text, record_row
from forcebridge.sandbox.json_values import encode_default, read_json
from forcebridge.soql.ast import Query

NAMESPACE = "http://www.force.com/2009/06/asyncapi/dataload"
NO_RECORDS = "Records not found for this query"
"""What a query result holds, as its whole CSV, when the query matched nothing."""


class Format(enum.Enum):
    JSON = "JSON"
    XML = "XML"

    @classmethod
    def of_request(cls, content_type: str | None) -> Format:
        return cls.JSON if "json" in (content_type or "").lower() else cls.XML


class Unreadable(ValueError):
    """A request body that does not parse in the format it claims."""


def read_object(raw: bytes, fmt: Format, root: str) -> dict[str, Any]:
    """A `jobInfo` request as a dict of its fields (XML element texts, JSON values)."""
    if fmt is Format.JSON:
        try:
            body = read_json(raw)
        except orjson.JSONDecodeError:
            raise Unreadable("Failed to parse the JSON content") from None
        if not isinstance(body, dict):
            raise Unreadable(f"The {root} must be a JSON object")
        return body
    try:
        element = fromstring(raw.strip())
    except (ElementTree.ParseError, DefusedXmlException) as error:
        raise Unreadable(f"Unable to parse XML: {error}") from None
    if _local(element.tag) != root:
        raise Unreadable(f"Expected a {root} element, found {_local(element.tag)}")
    return {_local(child.tag): (child.text or "").strip() for child in element}


def read_object_list(raw: bytes) -> list[Any]:
    """A JSON batch: an array of records."""
    try:
        body = read_json(raw)
    except orjson.JSONDecodeError:
        raise Unreadable("Failed to parse the JSON content") from None
    if not isinstance(body, list):
        raise Unreadable("A batch is a JSON array of records")
    return body


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def answer(body: Mapping[str, Any], root: str, fmt: Format, status: int = 200) -> Response:
    """A job or batch info (or an error) in `fmt`, the XML one as the element `root`; times
    are written as each format writes them (`...+0000` in JSON, `...Z` in XML)."""
    if fmt is Format.JSON:
        return answer_json(_plain(body), status)
    return _xml(_element(root, body), status)


def answer_list(items: Sequence[Mapping[str, Any]], root: str, item: str, fmt: Format) -> Response:
    """A list of infos: `{"batchInfo": [...]}` in JSON, `<batchInfoList>` in XML."""
    if fmt is Format.JSON:
        return answer_json({item: [_plain(body) for body in items]})
    element = ElementTree.Element(_tag(root))
    element.extend(_element(item, body) for body in items)
    return _xml(element)


def result_ids(ids: Iterable[str], fmt: Format) -> Response:
    """A query batch's result ids."""
    ids = list(ids)
    if fmt is Format.JSON:
        return answer_json(ids)
    element = ElementTree.Element(_tag("result-list"))
    for result_id in ids:
        ElementTree.SubElement(element, _tag("result")).text = result_id
    return _xml(element)


def _plain(body: Mapping[str, Any]) -> dict[str, Any]:
    return {k: salesforce_time(v) if isinstance(v, dt.datetime) else v for k, v in body.items()}


def answer_json(body: Any, status: int = 200) -> Response:
    return Response(
        orjson.dumps(body, default=encode_default), status, media_type="application/json"
    )


def dml_results_csv(results: Iterable[Mapping[str, Any]]) -> Response:
    lines = [_line(["Id", "Success", "Created", "Error"])]
    lines += [
        _line(
            [
                r.get("id") or "",
                _flag(r["success"]),
                _flag(r["created"]),
                "" if r["success"] else error_text(r["errors"]),
            ]
        )
        for r in results
    ]
    return _csv("".join(lines))


def records_csv(query: Query, records: Sequence[dict[str, Any]]) -> Response:
    """A query result's records as CSV, columns in select order (`Account.Name` for a parent's
    field); Salesforce's one-line notice when there are none."""
    if not records:
        return _csv(NO_RECORDS)
    columns = csv_columns(query, records[0])
    header = _line([".".join(path) for path in columns])
    return _csv(header + "".join(_line(record_row(record, columns)) for record in records))


def _line(values: list[str]) -> str:
    return encode_row(values, "COMMA", "LF")


def _flag(value: bool) -> str:
    return "true" if value else "false"


def _csv(text: str) -> Response:
    return Response(text, media_type="text/csv; charset=UTF-8")


def _tag(name: str) -> str:
    return f"{{{NAMESPACE}}}{name}"


def _element(root: str, body: Mapping[str, Any]) -> ElementTree.Element:
    element = ElementTree.Element(_tag(root))
    for name, value in body.items():
        if value is not None:
            ElementTree.SubElement(element, _tag(name)).text = _text(value)
    return element


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return _flag(value)
    if isinstance(value, dt.datetime):
        return salesforce_time(value)[:-5] + "Z"
    return str(value)


def _xml(element: ElementTree.Element, status: int = 200) -> Response:
    text = ElementTree.tostring(element, encoding="unicode", default_namespace=NAMESPACE)
    body = f'<?xml version="1.0" encoding="UTF-8"?>{text}'
    return Response(body, status, media_type="application/xml")
