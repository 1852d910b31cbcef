"""The shift leader's first screen: the counters, the board of open orders, and the feed of
urges and escalations the sweep sends, each acknowledged with one click."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe
from pydantic import ValidationError

from kefu.accounts.models import Department, User
from kefu.accounts.roles import Role
from kefu.core.counting import CAP
from kefu.core.errors import DomainError
from kefu.core.policy import active_policy
from kefu.core.vocabulary import RequestType
from kefu.outbox.models import Message
from kefu.outbox.services import acknowledge_message, inbox
from kefu.tickets.filters import OrderFilter, count_cap, filter_orders
from kefu.tickets.states import State
from kefu.web import list_columns
from kefu.web.context import counts_for, navigation
from kefu.web.csv_export import csv_response, rows_of, wants_csv
from kefu.web.errors import refused
from kefu.web.lists import order_list
from kefu.web.shortcuts import page_of, require_person, require_role

BOARD_ROLES = (Role.AGENT, Role.SHIFT_LEADER, Role.SUPERVISOR, Role.ASSESSOR)
FEED_SIZE = 12


def _filters(request: HttpRequest) -> OrderFilter:
    """The board's filters, read with the API's own filter schema; bad values are dropped."""
    raw = {k: v for k, v in request.GET.items() if v and k in OrderFilter.model_fields}
    try:
        filters = OrderFilter.model_validate(raw)
    except ValidationError:
        filters = OrderFilter()
    if filters.open is None and filters.state is None:
        filters.open = True
    return filters


def _level_titles() -> dict[str, str]:
    return {level.name: level.title for level in active_policy().supervision.levels}


def feed(user: User, limit: int = FEED_SIZE) -> list[Message]:
    """The newest in-app messages, unacknowledged first; each knows its level's title."""
    titles = _level_titles()
    messages = list(
        inbox(user).select_related("read_by").order_by("read_at", "-created_at", "-id")[:limit]
    )
    for message in messages:
        message.title = titles.get(message.kind, "")  # type: ignore[attr-defined]
    return messages


def counters_context(request: HttpRequest) -> dict[str, Any]:
    return {"counts": counts_for(request), "cap": CAP}


@login_required
@require_safe
def board(request: HttpRequest) -> HttpResponseBase:
    user = require_role(request, BOARD_ROLES)
    filters = _filters(request)
    return order_list(
        request,
        filter_orders(user, filters),
        "web/board.html",
        {
            "filters": filters,
            "types": RequestType.choices,
            "states": State.choices,
            "departments": Department.objects.filter(active=True).order_by("code"),
            "feed": feed(user),
            **counters_context(request),
        },
        per_page=30,
        cap=count_cap(filters),
    )


@login_required
@require_safe
def counters(request: HttpRequest) -> HttpResponse:
    require_role(request, BOARD_ROLES)
    return render(request, "web/partials/counters.html", counters_context(request))


@login_required
@require_safe
def messages_page(request: HttpRequest) -> HttpResponseBase:
    """Every urge and escalation sent to me or my department; the feed alone when polled."""
    user = require_person(request)
    if request.headers.get("HX-Request"):
        return render(request, "web/partials/feed.html", {"feed": feed(user)})
    titles = _level_titles()
    messages = inbox(user).select_related("read_by").order_by("-created_at", "-id")
    if wants_csv(request):
        return csv_response(
            request, list_columns.MESSAGES, _titled(messages, titles), source=messages
        )
    page = page_of(request, messages)
    for message in page:
        message.title = titles.get(message.kind, "")
    return render(request, "web/messages.html", {"page": page})


def _titled(messages: Any, titles: dict[str, str]) -> Any:
    for message in rows_of(messages):
        message.title = titles.get(message.kind, "")
        yield message


@login_required
@require_POST
def acknowledge(request: HttpRequest, message_id: int) -> HttpResponse:
    user = require_person(request)
    try:
        message = acknowledge_message(actor=user, message_id=message_id)
    except DomainError as exc:
        return refused(request, exc)
    if not request.headers.get("HX-Request"):
        return redirect("web:messages")
    message.title = _level_titles().get(message.kind, "")  # type: ignore[attr-defined]
    return render(request, "web/partials/feed_item.html", {"message": message})


@login_required
@require_safe
def nav_badges(request: HttpRequest) -> HttpResponse:
    """The navigation's counts, swapped into the badges in place (out of band)."""
    require_person(request)
    return render(
        request, "web/partials/nav_badges.html", {"nav": navigation(request, counts_for(request))}
    )
