import pytest

from forcebridge.salesforce.errors import (
    ApiDisabled,
    AuthenticationLost,
    BadRequest,
    Failure,
    InsufficientAccess,
    LimitExceeded,
    LoginFailed,
    NotFound,
    RecordError,
    SalesforceError,
    TransientError,
    error_for,
    failure_from_body,
)


def test_rest_error_bodies_are_read_with_code_and_fields() -> None:
    body = [
        {
            "message": "No such column 'Emial' on entity 'Contact'.",
            "errorCode": "INVALID_FIELD",
            "fields": ["Emial"],
        }
    ]
    failure = failure_from_body(400, body)
    assert failure == Failure(
        status=400,
        error_code="INVALID_FIELD",
        message="No such column 'Emial' on entity 'Contact'.",
        fields=("Emial",),
    )


def test_oauth_error_bodies_are_marked_as_such() -> None:
    failure = failure_from_body(
        400, {"error": "invalid_grant", "error_description": "expired access/refresh token"}
    )
    assert failure.oauth
    assert failure.error_code == "invalid_grant"
    assert failure.message == "expired access/refresh token"


def test_bodies_that_are_not_json_keep_their_text() -> None:
    assert failure_from_body(502, b"<html>Bad Gateway</html>").message == "<html>Bad Gateway</html>"
    assert failure_from_body(503, "").message == "HTTP 503"


@pytest.mark.parametrize(
    ("status", "code", "cls"),
    [
        (401, "INVALID_SESSION_ID", AuthenticationLost),
        (403, "API_DISABLED_FOR_ORG", ApiDisabled),
        (403, "REQUEST_LIMIT_EXCEEDED", LimitExceeded),
        (403, "INSUFFICIENT_ACCESS_OR_READONLY", InsufficientAccess),
        (400, "INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY", InsufficientAccess),
        (403, "FORBIDDEN", InsufficientAccess),
        (400, "MALFORMED_QUERY", BadRequest),
        (400, "INVALID_TYPE", BadRequest),
        (404, "NOT_FOUND", NotFound),
        (404, None, NotFound),
        (500, "UNKNOWN_EXCEPTION", SalesforceError),
    ],
)
def test_failures_map_to_what_the_caller_should_do(
    status: int, code: str | None, cls: type
) -> None:
    error = error_for(Failure(status, code, "msg"), transient=False, attempts=1)
    assert type(error) is cls
    assert error.status == status
    assert error.error_code == code


def test_bad_request_keeps_salesforce_code_and_fields_for_the_caller() -> None:
    error = error_for(
        Failure(400, "INVALID_FIELD", "No such column", ("Emial",)), transient=False, attempts=1
    )
    assert isinstance(error, BadRequest)
    assert error.fields == ("Emial",)
    assert str(error) == "INVALID_FIELD: No such column (fields: Emial)"


def test_an_exhausted_retry_says_how_often_it_tried() -> None:
    error = error_for(Failure(503, "SERVER_UNAVAILABLE", "busy"), transient=True, attempts=4)
    assert isinstance(error, TransientError)
    assert error.attempts == 4
    assert "4 times" in error.message


def test_messages_say_what_to_do() -> None:
    revoked = error_for(
        Failure(401, "INVALID_SESSION_ID", "Session expired or invalid"),
        transient=False,
        attempts=1,
    )
    assert "reconnect" in revoked.message
    assert "Session expired or invalid" in revoked.message


def test_oauth_refusals_are_login_failures() -> None:
    error = error_for(
        failure_from_body(
            400, {"error": "invalid_client_id", "error_description": "client identifier invalid"}
        ),
        transient=False,
        attempts=1,
    )
    assert isinstance(error, LoginFailed)
    assert error.error_code == "invalid_client_id"


def test_record_errors_read_both_spellings_of_the_code() -> None:
    assert RecordError.from_json(
        {
            "statusCode": "REQUIRED_FIELD_MISSING",
            "message": "Required fields are missing: [LastName]",
            "fields": ["LastName"],
        }
    ) == RecordError(
        "REQUIRED_FIELD_MISSING", "Required fields are missing: [LastName]", ("LastName",)
    )
    assert (
        RecordError.from_json({"errorCode": "DUPLICATES_DETECTED", "message": "dup"}).status_code
        == "DUPLICATES_DETECTED"
    )
