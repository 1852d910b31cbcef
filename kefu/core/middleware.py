"""Requests no view should ever see, answered before any of them reads the request.

Every page and API operation gets the same clear 4xx for them: a URL that is too long
(414), a body larger than Kefu accepts (413, before CSRF or the session look at it), a NUL
character in the URL or a form field (400: PostgreSQL cannot store one), and on the API a
body that is not JSON (415). API answers are the API's JSON error body; pages get a page.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

#: Longer request targets are refused here with 414, below the web server's own limit.
MAX_URL_LENGTH = 4096
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
#: Pages that take a file (the grid's CSV from the production departments), and how large.
UPLOAD_PATHS = frozenset({"/grid/import/"})
MAX_UPLOAD_BYTES = 20 * 1024 * 1024


def _is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith("/api/")


def refuse(request: HttpRequest, status: int, code: str, detail: str) -> HttpResponse:
    if _is_api(request):
        body = {"detail": detail, "code": code, "errors": [{"field": "request", "message": detail}]}
        return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})
    return render(request, "web/error.html", {"status": status, "detail": detail}, status=status)


def _has_nul(values: object) -> bool:
    lists = values.lists() if hasattr(values, "lists") else []  # a QueryDict
    return any("\x00" in key or any("\x00" in v for v in vs) for key, vs in lists)


class RequestGuardMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self._refusal(request) or self.get_response(request)

    def _refusal(self, request: HttpRequest) -> HttpResponse | None:
        if len(request.get_full_path()) > MAX_URL_LENGTH:
            return refuse(request, 414, "too_long", _("The address is too long."))
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return refuse(request, 400, "invalid", _("The request has an invalid length."))
        limit = (
            MAX_UPLOAD_BYTES
            if request.path_info in UPLOAD_PATHS
            else settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        )
        if length > limit:
            return refuse(
                request,
                413,
                "too_large",
                _("The request is too large (at most %(size)d KB).") % {"size": limit // 1024},
            )
        if "\x00" in request.path_info or _has_nul(request.GET):
            return refuse(request, 400, "invalid", _("The address contains a NUL character."))
        content_type = request.content_type or ""
        if _is_api(request):
            if length and content_type != "application/json":
                return refuse(
                    request,
                    415,
                    "unsupported_media_type",
                    _("Send the request body as JSON (Content-Type: application/json)."),
                )
        elif request.method == "POST" and content_type in FORM_TYPES and _has_nul(request.POST):
            return refuse(request, 400, "invalid", _("A field contains a NUL character."))
        return None
