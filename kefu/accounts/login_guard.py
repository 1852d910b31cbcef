"""Login throttling (django-axes): which address a login attempt comes from."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def client_ip(request: HttpRequest) -> str:
    """The client's address: the peer, or behind KEFU_TRUSTED_PROXIES proxies the address
    the outermost trusted one saw (X-Forwarded-For is appended to by each proxy, so only
    its last entries are trustworthy)."""
    peer = str(request.META.get("REMOTE_ADDR") or "")
    proxies = settings.KEFU_TRUSTED_PROXIES
    if proxies <= 0:
        return peer
    forwarded = [
        part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part
    ]
    if len(forwarded) < proxies:
        return forwarded[0] if forwarded else peer
    return forwarded[-proxies]


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: object = None
) -> HttpResponse:
    """The page a locked-out login gets: 429, saying for how long and who can lift it."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(
        request,
        "web/locked_out.html",
        {"failure_limit": settings.AXES_FAILURE_LIMIT, "minutes": minutes},
        status=429,
    )
