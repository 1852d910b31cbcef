"""The other lists people work from: a department's inbox, the review queue, the callback
queue, the late stages waiting for their cause and the shift handover. Lists refresh
themselves without touching what is being typed (kefu.js, "live")."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from kefu.accounts.roles import ACTION_ROLES, Role
from kefu.callbacks.services import queue as callback_queue
from kefu.callbacks.services import record_callback
from kefu.contact.services import acknowledge_handover, sign_handover, visible_handovers
from kefu.core.calendar import BEIJING
from kefu.core.counting import capped_count
from kefu.core.errors import DomainError
from kefu.tickets.filters import OrderFilter, filter_orders
from kefu.tickets.late_stages import awaiting_cause
from kefu.tickets.states import Satisfaction, State
from kefu.web import list_columns
from kefu.web.csv_export import csv_response, wants_csv
from kefu.web.lists import order_list
from kefu.web.shortcuts import page_of, require_read, require_role

#: Who says why a stage was late, on the workstation (integrations use the API).
LATE_CAUSE_ROLES = tuple(r for r in ACTION_ROLES["late_cause"] if r != Role.INTEGRATION)


@login_required
@require_safe
def inbox(request: HttpRequest) -> HttpResponseBase:
    user = require_role(request, (Role.HANDLER, Role.CREW))
    orders = filter_orders(user, OrderFilter(open=True, sort="deadline"))
    return order_list(request, orders, "web/inbox.html", {"department": user.department})


@login_required
@require_safe
def review(request: HttpRequest) -> HttpResponseBase:
    user = require_read(request, "review")
    orders = filter_orders(user, OrderFilter(state=State.REPLIED)).order_by("last_event_at")
    return order_list(request, orders, "web/review.html", {})


@login_required
@require_safe
def late_stages(request: HttpRequest) -> HttpResponseBase:
    """The late stages the user answers for and nobody has said why of: each said here."""
    user = require_role(request, LATE_CAUSE_ROLES)
    stages = awaiting_cause(user)
    if wants_csv(request):
        return csv_response(request, list_columns.LATE_STAGES, stages)
    return render(request, "web/late_stages.html", {"page": page_of(request, stages)})


CALLBACK_ANSWERS = [
    (v, label) for v, label in Satisfaction.choices if v != Satisfaction.UNREACHABLE
]


@login_required
@require_safe
def callbacks(request: HttpRequest) -> HttpResponseBase:
    user = require_read(request, "callbacks")
    # A confidential order's caller is called back by its handlers: others read no number.
    tasks = callback_queue().select_related("call").for_reader(user)
    if wants_csv(request):
        return csv_response(request, list_columns.CALLBACKS, tasks)
    page = page_of(request, tasks)
    context = {"page": page, "now": timezone.now(), "satisfactions": CALLBACK_ANSWERS}
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


def _sign_or_take_over(request: HttpRequest) -> None:
    user = require_read(request, "handovers")
    if request.POST.get("acknowledge"):
        try:
            handover_id = int(request.POST["acknowledge"])
        except ValueError:
            raise Http404(_("No such handover.")) from None
        acknowledge_handover(
            actor=user, handover_id=handover_id, note=request.POST.get("note", "")[:2000]
        )
        messages.success(request, _("Shift taken over."))
        return
    try:
        start = dt.datetime.fromisoformat(request.POST.get("shift_start", ""))
    except ValueError:
        raise ValueError(_("Give the shift's start time.")) from None
    sign_handover(
        actor=user,
        shift_start=start.replace(tzinfo=BEIJING),
        notes=request.POST.get("notes", "")[:2000],
    )
    messages.success(request, _("Handover signed."))


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def handover(request: HttpRequest) -> HttpResponseBase:
    user = require_read(request, "handovers")
    if request.method != "POST" and wants_csv(request):
        return csv_response(request, list_columns.HANDOVERS, visible_handovers(user))
    status = 200
    if request.method == "POST":
        try:
            _sign_or_take_over(request)
            return redirect("web:handover")
        except DomainError as exc:
            messages.error(request, exc.localized())
            status = exc.status
        except ValueError as exc:
            messages.error(request, str(exc))
            status = 400
    default_start = (timezone.now() - dt.timedelta(hours=8)).astimezone(BEIJING)
    return render(
        request,
        "web/handover.html",
        {
            "handovers": visible_handovers(user)[:20],
            "default_start": default_start.strftime("%Y-%m-%dT%H:%M"),
            "open_count": capped_count(filter_orders(user, OrderFilter(open=True)).values("pk")),
            "may_sign": user.role == Role.SHIFT_LEADER,
        },
        status=status,
    )


@login_required
@require_safe
def handover_detail(request: HttpRequest, handover_id: int) -> HttpResponse:
    """What was handed over, as it was: every list of the snapshot, each order a link."""
    user = require_read(request, "handovers")
    found = visible_handovers(user).filter(pk=handover_id).first()
    if found is None:
        raise Http404(_("No such handover."))
    return render(
        request,
        "web/handover_detail.html",
        {"handover": found, "may_take_over": _may_take_over(user, found)},
    )


def _may_take_over(user: object, handover: object) -> bool:
    return (
        getattr(user, "role", "") == Role.SHIFT_LEADER
        and getattr(handover, "acknowledged_at", None) is None
        and getattr(handover, "outgoing_leader_id", None) != getattr(user, "pk", None)
    )
