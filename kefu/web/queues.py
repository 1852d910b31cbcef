"""The lists people work from: the center's board, a department's inbox, a crew's jobs, the
review and callback queues, the shift handover. Lists refresh themselves (htmx polling)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import F, Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from pydantic import ValidationError

from kefu.accounts.models import Department
from kefu.accounts.roles import Role
from kefu.callbacks.services import queue as callback_queue
from kefu.callbacks.services import record_callback
from kefu.contact.services import acknowledge_handover, sign_handover, visible_handovers
from kefu.core.calendar import BEIJING
from kefu.core.errors import DomainError
from kefu.core.vocabulary import RequestType
from kefu.tickets.filters import OrderFilter, filter_orders
from kefu.tickets.models import Clock, ClockStatus
from kefu.tickets.states import Satisfaction, State
from kefu.web.shortcuts import page_of, require_read, require_role

CENTER_ROLES = (Role.AGENT, Role.SHIFT_LEADER, Role.SUPERVISOR, Role.ASSESSOR)


def _running_clocks() -> Prefetch[Any]:
    return Prefetch(
        "clocks",
        queryset=Clock.objects.filter(status=ClockStatus.OPEN).order_by("deadline"),
        to_attr="running",
    )


def _list(
    request: HttpRequest, orders: Any, template: str, context: dict[str, Any]
) -> HttpResponse:
    page = page_of(
        request,
        orders.select_related("holder", "customer", "parent").prefetch_related(_running_clocks()),
    )
    context = {**context, "page": page, "query": request.GET.urlencode()}
    if request.headers.get("HX-Request"):
        return render(request, "web/partials/order_rows.html", context)
    return render(request, template, context)


def _filters(request: HttpRequest) -> OrderFilter:
    """The board's filters, read with the API's own filter schema; bad values are dropped."""
    raw = {k: v for k, v in request.GET.items() if v and k in OrderFilter.model_fields}
    try:
        return OrderFilter.model_validate(raw)
    except ValidationError:
        return OrderFilter()


@login_required
@require_safe
def board(request: HttpRequest) -> HttpResponse:
    user = require_role(request, CENTER_ROLES)
    filters = _filters(request)
    if filters.open is None and filters.state is None:
        filters.open = True
    orders = (
        filter_orders(user, filters).order_by(
            F("next_deadline").asc(nulls_last=True), "-accepted_at"
        )
        if filters.open
        else filter_orders(user, filters)
    )
    return _list(
        request,
        orders,
        "web/board.html",
        {
            "filters": filters,
            "types": RequestType.choices,
            "states": State.choices,
            "departments": Department.objects.filter(active=True).order_by("code"),
        },
    )


@login_required
@require_safe
def inbox(request: HttpRequest) -> HttpResponse:
    user = require_role(request, (Role.HANDLER, Role.CREW))
    orders = (
        filter_orders(user, OrderFilter(open=True))
        .filter(holder_id=user.department_id)
        .order_by(F("next_deadline").asc(nulls_last=True), "accepted_at")
    )
    return _list(request, orders, "web/inbox.html", {"department": user.department})


@login_required
@require_safe
def crew(request: HttpRequest) -> HttpResponse:
    user = require_role(request, (Role.CREW,))
    orders = (
        filter_orders(user, OrderFilter(open=True, request_type=RequestType.REPAIR))
        .filter(holder_id=user.department_id)
        .order_by("accepted_at")
    )
    context = {"orders": orders.select_related("customer")[:50], "department": user.department}
    if request.headers.get("HX-Request"):
        return render(request, "web/partials/crew_cards.html", context)
    return render(request, "web/crew.html", context)


@login_required
@require_safe
def review(request: HttpRequest) -> HttpResponse:
    user = require_read(request, "review")
    orders = filter_orders(user, OrderFilter(state=State.REPLIED)).order_by("last_event_at")
    return _list(request, orders, "web/review.html", {})


@login_required
@require_safe
def callbacks(request: HttpRequest) -> HttpResponse:
    user = require_read(request, "callbacks")
    # A confidential order's caller is called back by its handlers: others read no number.
    page = page_of(request, callback_queue().select_related("call").for_reader(user))
    context = {
        "page": page,
        "now": timezone.now(),
        "satisfactions": [
            (v, label) for v, label in Satisfaction.choices if v != Satisfaction.UNREACHABLE
        ],
    }
    if request.headers.get("HX-Request"):
        return render(request, "web/partials/callback_rows.html", context)
    return render(request, "web/callbacks.html", context)


@login_required
@require_POST
def callback_attempt(request: HttpRequest, task_id: int) -> HttpResponse:
    user = require_read(request, "callbacks")
    reached = request.POST.get("reached") == "yes"
    try:
        record_callback(
            actor=user,
            task_id=task_id,
            reached=reached,
            satisfaction=request.POST.get("satisfaction", ""),
            note=request.POST.get("note", "")[:2000],
        )
    except DomainError as exc:
        messages.error(request, exc.localized())
        return redirect("web:callbacks")
    messages.success(request, _("Callback recorded."))
    return redirect("web:callbacks")


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def handover(request: HttpRequest) -> HttpResponse:
    user = require_read(request, "handovers")
    status = 200
    if request.method == "POST":
        try:
            if request.POST.get("acknowledge"):
                acknowledge_handover(
                    actor=user,
                    handover_id=int(request.POST["acknowledge"]),
                    note=request.POST.get("note", "")[:2000],
                )
                messages.success(request, _("Shift taken over."))
            else:
                start = dt.datetime.fromisoformat(request.POST.get("shift_start", ""))
                sign_handover(
                    actor=user,
                    shift_start=start.replace(tzinfo=BEIJING),
                    notes=request.POST.get("notes", "")[:2000],
                )
                messages.success(request, _("Handover signed."))
            return redirect("web:handover")
        except (DomainError, ValueError) as exc:
            messages.error(request, getattr(exc, "message", _("Give the shift's start time.")))
            status = 400
    default_start = (timezone.now() - dt.timedelta(hours=8)).astimezone(BEIJING)
    return render(
        request,
        "web/handover.html",
        {
            "handovers": visible_handovers(user)[:20],
            "default_start": default_start.strftime("%Y-%m-%dT%H:%M"),
            "open_count": filter_orders(user, OrderFilter(open=True)).count(),
        },
        status=status,
    )
