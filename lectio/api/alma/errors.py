"""Alma's error answer: an HTTP 4xx whose body is a `web_service_result` with an
`errorList` of `errorCode`, `errorMessage` and `trackingId`, in JSON or XML."""

from __future__ import annotations

import secrets
from typing import Any

# Alma's error codes where scripts are known to look at them (401, 429); the rest
# are Lectio's own, one per HTTP status.
CODES = {
    400: "INVALID_PARAMETER",
    401: "UNAUTHORIZED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    409: "CONFLICT",
    413: "REQUEST_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
    429: "PER_SECOND_THRESHOLD",
}


class AlmaError(Exception):
    """A refusal answered with Alma's error body. `field` names the bad input."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        code: str | None = None,
        field: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        if field and not message.startswith(field):
            message = f"{field}: {message}"
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code or CODES.get(status, "GENERAL_ERROR")
        self.field = field
        self.headers = headers or {}


def bad_input(field: str, message: str) -> AlmaError:
    return AlmaError(400, message, field=field)


def error_body(error: AlmaError) -> dict[str, Any]:
    return {
        "web_service_result": {
            "errorsExist": True,
            "errorList": {
                "error": [
                    {
                        "errorCode": error.code,
                        "errorMessage": error.message,
                        # Alma gives each failed call an id to quote to support; ours
                        # is random, for matching a script's log with the server's.
                        "trackingId": secrets.token_hex(8).upper(),
                    }
                ]
            },
            "result": None,
        }
    }
