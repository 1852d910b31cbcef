"""The error answers every API operation declares, in one place.

Every refusal has the same body, and every status an operation can give is in its
OpenAPI entry: reads can be malformed (400), unauthenticated (401), forbidden (403), about
something missing (404), too long a URL (414) or invalid (422); writes can also conflict
(409), be too large (413) or not be JSON (415).
"""

from __future__ import annotations

from typing import Any

from ninja import Schema


class FieldError(Schema):
    field: str | None
    message: str


class ErrorOut(Schema):
    detail: str
    code: str
    errors: list[FieldError]
    candidates: list[str] | None = None


READ_ERRORS: dict[int, Any] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    414: ErrorOut,
    422: ErrorOut,
}
WRITE_ERRORS: dict[int, Any] = {**READ_ERRORS, 409: ErrorOut, 413: ErrorOut, 415: ErrorOut}
