"""Domain errors: every refusal a service can give, each with its HTTP status and a field.

A refusal's text is a translatable template with named values (`_("no work order
%(number)s")`, number=…): `localized()` says it in the language of the request being
answered (the pages, the API), `message` in English (logs, the command line, tests). The
`code` is what a program reads.
"""

from __future__ import annotations

from typing import Any

from django.utils import translation
from django.utils.functional import Promise


class DomainError(Exception):
    """A request the domain refuses; the API turns it into a 4xx JSON body."""

    status = 400
    code = "invalid"

    def __init__(self, message: str | Promise, *, field: str | None = None, **values: Any) -> None:
        self.template = message
        self.values = values
        self.field = field
        super().__init__(self.message)

    def localized(self) -> str:
        """The refusal in the active language, values (labels included) in it too."""
        text = str(self.template)
        return text % {k: str(v) for k, v in self.values.items()} if self.values else text

    @property
    def message(self) -> str:
        with translation.override("en"):
            return self.localized()


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

    def __init__(self, message: str | Promise, *, candidates: list[str], **values: Any) -> None:
        super().__init__(message, field="customer", **values)
        self.candidates = candidates
