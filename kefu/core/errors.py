"""Domain errors: every refusal a service can give, each with its HTTP status and a field."""

from __future__ import annotations


class DomainError(Exception):
    """A request the domain refuses; the API turns it into a 4xx JSON body."""

    status = 400
    code = "invalid"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class InvalidInput(DomainError):
    status = 422
    code = "invalid"


class NotFound(DomainError):
    status = 404
    code = "not_found"


class PermissionDenied(DomainError):
    status = 403
    code = "forbidden"


class IllegalTransition(DomainError):
    """The order's state does not allow this action."""

    status = 409
    code = "illegal_transition"


class Conflict(DomainError):
    """Someone else changed the order since the caller read it."""

    status = 409
    code = "conflict"


class DuplicateSuspected(DomainError):
    """An open order of the same type exists for this customer: link, urge or confirm new."""

    status = 409
    code = "duplicate_suspected"

    def __init__(self, message: str, *, candidates: list[str]) -> None:
        super().__init__(message, field="customer")
        self.candidates = candidates
