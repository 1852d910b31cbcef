"""The pages for refusals and failures, in the user's language (handler400 … handler500).

Under /api/ the same refusals are the API's JSON error body (kefu.core.middleware.refuse).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.utils.translation import gettext as _

from kefu.core.errors import DomainError
from kefu.core.middleware import refuse


def refused(request: HttpRequest, exc: DomainError) -> HttpResponse:
    """A service's refusal of what a page asked, as a page: its status and its reason."""
    return refuse(request, exc.status, exc.code, exc.localized())


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return refuse(
        request, 400, "invalid", _("The request is malformed. Reload the page and try again.")
    )


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return refuse(request, 403, "forbidden", _("Your role does not give access to this page."))


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return refuse(
        request, 404, "not_found", _("There is no such page, or it is not one you may see.")
    )


def server_error(request: HttpRequest) -> HttpResponse:
    # No context processors: whatever failed (the database, say) must not fail this too.
    return HttpResponse(loader.get_template("web/server_error.html").render(), status=500)
