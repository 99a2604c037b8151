"""The REST API's OpenAPI description (`/api/v1/openapi.json`), as the server answers.

FastAPI builds it from the routes: each documents its answer's shape (`api_documents`) and the
refusals it may answer (`api_errors.refusals`). FastAPI also gives any operation that takes
parameters a 422 of its own validation shape, which the API never answers (a refusal is always
`{"error", "message"}`, and an id no record can have is 404): that one is left out here.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

DESCRIPTION = """\
What an org's product does with forcebridge, as JSON (docs/web.md, "REST API").

Every refusal is `{"error", "message"}`: the caller is judged first (401 whatever the method
or body), then the method (405, with `Allow`), then the body (415, 422). A path with a trailing
slash, or one the API does not have, is 404 `http_error`. Bodies are JSON encoded as UTF-8:
UTF-16 or UTF-32 is refused (422). Every GET path answers HEAD too.
"""

_FASTAPI_OWN = ("ValidationError", "HTTPValidationError")
"""The schemas of FastAPI's own 422, which no answer of the API has."""


def api_description(app: FastAPI) -> dict[str, Any]:
    """The description of `app`'s API, built once."""
    if app.openapi_schema is None:
        document = get_openapi(
            title=app.title,
            version=app.version,
            openapi_version=app.openapi_version,
            description=DESCRIPTION,
            routes=app.routes,
        )
        for operations in document["paths"].values():
            for operation in operations.values():
                operation["responses"] = {
                    status: response
                    for status, response in operation["responses"].items()
                    if not _fastapi_own(response)
                }
        schemas = document.get("components", {}).get("schemas", {})
        for name in _FASTAPI_OWN:
            schemas.pop(name, None)
        app.openapi_schema = document
    return app.openapi_schema


def _fastapi_own(response: dict[str, Any]) -> bool:
    """Whether a documented answer is FastAPI's validation error, not one of the API's."""
    schema = response.get("content", {}).get("application/json", {}).get("schema", {})
    return schema.get("$ref", "").rsplit("/", 1)[-1] in _FASTAPI_OWN
