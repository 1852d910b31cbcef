"""The JSON API: one NinjaAPI, token auth for integrations, session auth for the pages.

Every refusal is a 4xx JSON body {"detail", "code", "errors": [{"field", "message"}]}.
OpenAPI: /api/openapi.json; interactive docs: /api/docs.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.datastructures import MultiValueDict
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser
from ninja.renderers import JSONRenderer
from ninja.security import HttpBearer
from ninja.security.session import SessionAuth

from kefu.accounts.models import User
from kefu.accounts.services import user_for_token
from kefu.core.api_errors import ErrorOut
from kefu.core.errors import DomainError, DuplicateSuspected

log = logging.getLogger(__name__)


class TokenAuth(HttpBearer):
    """`Authorization: Bearer kefu_…`: one digest lookup, no password hashing per request."""

    openapi_description = "API token made with `kefu token create`"

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = user_for_token(token)
        if user is not None:
            request.user = user
        return user


class PageSession(SessionAuth):
    """The workstation's session cookie. Without one the request is simply not
    authenticated (401); the CSRF check applies to requests that do carry a session."""

    def _get_key(self, request: HttpRequest) -> str | None:
        if settings.SESSION_COOKIE_NAME not in request.COOKIES:
            return None
        return super()._get_key(request)


class ObjectParser(Parser):
    """Request bodies are JSON objects: `[null, null]`, `123` or `true` are refused, not
    read as an empty object. A query parameter that takes one value is given once:
    `?limit=1&limit=2` is refused, not read as its last value."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        data = super().parse_body(request)
        if not isinstance(data, dict):
            raise ValueError("the request body must be a JSON object")
        return data

    def parse_querydict(
        self, data: MultiValueDict[str, Any], list_fields: list[str], request: HttpRequest
    ) -> dict[str, Any]:
        repeated = [k for k in data if k not in list_fields and len(data.getlist(k)) > 1]
        if repeated:
            raise ValidationError(
                [
                    {"loc": ("query", key), "msg": "give this parameter once", "type": "repeated"}
                    for key in repeated
                ]
            )
        return super().parse_querydict(data, list_fields, request)


class ReadableJSON(JSONRenderer):
    """UTF-8 JSON: Chinese text stays readable in logs and on the wire (charset=utf-8)."""

    json_dumps_params = {"ensure_ascii": False}


api = NinjaAPI(
    title="Kefu 95598 work-order API",
    version="1",
    description="Work orders of a 95598-style hotline: intake, lifecycle, deadlines, events.",
    auth=[TokenAuth(), PageSession()],
    renderer=ReadableJSON(),
    parser=ObjectParser(),
    urls_namespace="api",
)


def _error(
    request: HttpRequest,
    status: int,
    code: str,
    detail: str,
    errors: list[dict[str, Any]] | None = None,
    **extra: Any,
) -> HttpResponse:
    body: dict[str, Any] = {"detail": detail, "code": code, "errors": errors or []}
    body.update(extra)
    return api.create_response(request, body, status=status)


@api.exception_handler(DomainError)
def _domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    extra = {"candidates": exc.candidates} if isinstance(exc, DuplicateSuspected) else {}
    return _error(
        request,
        exc.status,
        exc.code,
        exc.localized(),
        [{"field": exc.field, "message": exc.localized()}],
        **extra,
    )


def _field_name(loc: tuple[Any, ...] | list[Any]) -> str:
    # ninja prefixes locations with the parameter source and name ("body", "payload").
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "payload", "filters")]
    return ".".join(parts) or "body"


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = [
        {"field": _field_name(e.get("loc", ())), "message": str(e.get("msg", "is invalid"))}
        for e in exc.errors
    ]
    detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors) or "invalid input"
    return _error(request, 422, "invalid", detail, errors)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error(
        request, 401, "unauthenticated", "log in, or send 'Authorization: Bearer <token>'"
    )


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, 404, "not_found", str(exc) or "not found")


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if exc.status_code == 400 and str(exc).startswith("Cannot parse request body"):
        # An unreadable body is invalid input like any other: 422 with what to send.
        return _error(
            request,
            422,
            "invalid",
            "the request body must be a JSON object",
            [{"field": "body", "message": "must be a JSON object"}],
        )
    return _error(request, exc.status_code, "invalid", str(exc))


@api.exception_handler(RequestDataTooBig)
def _too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return _error(request, 413, "too_large", "the request body is too large")


@api.get(
    "/health",
    auth=None,
    response={200: dict[str, str], 400: ErrorOut, 414: ErrorOut},
    tags=["system"],
    summary="Liveness check (no database)",
)
def health(request: HttpRequest) -> dict[str, str]:
    return {"status": "ok"}


def register_routers() -> None:
    from kefu.assessment.api import router as assessment_router
    from kefu.assessment.report_api import router as report_router
    from kefu.callbacks.api import router as callbacks_router
    from kefu.contact.api import router as contact_router
    from kefu.core.api import router as core_router
    from kefu.customers.api import router as customers_router
    from kefu.outages.api import grid_router, incident_router
    from kefu.outages.api import router as outages_router
    from kefu.outbox.api import router as outbox_router
    from kefu.supervision.api import router as supervision_router
    from kefu.tickets.api import router as tickets_router
    from kefu.tickets.ivr import router as ivr_router

    api.add_router("/orders", tickets_router)
    api.add_router("/ivr", ivr_router)
    api.add_router("/customers", customers_router)
    api.add_router("/supervision", supervision_router)
    api.add_router("/callbacks", callbacks_router)
    api.add_router("/handovers", contact_router)
    api.add_router("/messages", outbox_router)
    api.add_router("/outages", outages_router)
    api.add_router("/grid", grid_router)
    api.add_router("/incidents", incident_router)
    api.add_router("/assessments", assessment_router)
    api.add_router("/reports", report_router)
    api.add_router("/", core_router)


register_routers()
