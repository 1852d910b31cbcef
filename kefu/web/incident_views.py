"""故障主单 Fault incident pages: the open incidents, and one incident with its calls, its
place in the grid, its history and the dispatcher's actions (confirm or move, split, tell
the callers)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from kefu.accounts.models import User
from kefu.accounts.roles import ACTION_ROLES, Role
from kefu.core.errors import DomainError
from kefu.outages import incidents
from kefu.outages.models import FaultIncident, GridElement, IncidentState
from kefu.outages.topology import line_of, transformer_by_code
from kefu.tickets.visibility import orders_visible_to, readable_orders
from kefu.web import list_columns
from kefu.web.csv_export import csv_response, wants_csv
from kefu.web.errors import refused
from kefu.web.shortcuts import page_of, require_read, require_role


def _dispatches(user: Any) -> bool:
    return Role(user.role) in ACTION_ROLES["dispatch"]


@login_required
@require_safe
def incident_list(request: HttpRequest) -> HttpResponseBase:
    require_read(request, "outages")
    since = timezone.now() - dt.timedelta(days=1)
    found = FaultIncident.objects.select_related("element", "master", "master__holder")
    open_ones = found.filter(state=IncidentState.OPEN).order_by("-last_call_at", "-id")
    if wants_csv(request):
        return csv_response(request, list_columns.INCIDENTS, open_ones)
    return render(
        request,
        "web/incidents.html",
        {
            "page": page_of(request, open_ones, 50),
            "restored": list(
                found.filter(state=IncidentState.RESTORED, restored_at__gte=since).order_by(
                    "-restored_at"
                )[:20]
            ),
        },
    )


def _incident(number: str) -> FaultIncident:
    incident = (
        FaultIncident.objects.select_related("element", "master", "master__holder", "confirmed_by")
        .filter(number=number)
        .first()
    )
    if incident is None:
        raise Http404(_("No such fault incident."))
    return incident


def _calls(incident: FaultIncident, user: User) -> Any:
    """The master and every call linked to it that `user` may open, the first call first."""
    master = incident.master_id
    return (
        readable_orders(user)
        .filter(Q(pk=master) | Q(parent_id=master))
        .select_related("customer")
        .order_by("accepted_at", "id")
    )


def _places(incident: FaultIncident, user: User) -> list[GridElement]:
    """Where the fault may be: every element on the lines of the callers' transformers,
    from the substation down (what a dispatcher confirms it on, moves it to, splits off)."""
    seen: dict[int, GridElement] = {e.pk: e for e in line_of(incident.element)}
    master = incident.master_id
    # The transformers only, of the calls this user may open; never a confidential call's
    # (its informant's whereabouts are masked).
    codes = (
        orders_visible_to(user)
        .filter(Q(pk=master) | Q(parent_id=master), confidential=False)
        .exclude(customer__transformer="")
        .values_list("customer__transformer", flat=True)
        .order_by()
        .distinct()
    )
    for code in codes[:500]:
        transformer = transformer_by_code(code) if code else None
        if transformer is not None:
            for element in line_of(transformer):
                seen.setdefault(element.pk, element)
    return sorted(seen.values(), key=lambda e: e.path)


@login_required
@require_safe
def incident_page(request: HttpRequest, number: str) -> HttpResponseBase:
    user = require_read(request, "outages")
    incident = _incident(number)
    if wants_csv(request):
        return csv_response(
            request, list_columns.INCIDENT_CALLS, _calls(incident, user), f"{number}-calls"
        )
    open_ = incident.state == IncidentState.OPEN
    acts = open_ and _dispatches(user)
    return render(
        request,
        "web/incident.html",
        {
            "incident": incident,
            "line": line_of(incident.element),
            "calls": page_of(request, _calls(incident, user), 100),
            "events": incident.events.select_related("actor"),
            "acts": acts,
            "places": _places(incident, user) if acts else [],
            "callers_text": incidents.apology_text(incident) if acts else "",
        },
    )


@login_required
@require_POST
def incident_action(request: HttpRequest, number: str, action: str) -> HttpResponse:
    user = require_role(request, tuple(ACTION_ROLES["dispatch"]))
    note = request.POST.get("note", "")[:2000]
    element = request.POST.get("element", "")[:60].strip()
    try:
        if action == "confirm":
            incidents.confirm_incident(
                actor=user, number=number, element=element or None, note=note
            )
            messages.success(request, _("Confirmed: the rule will not move this fault."))
        elif action == "split":
            split = incidents.split_incident(actor=user, number=number, element=element, note=note)
            messages.success(
                request,
                _("The calls under the element are fault %(number)s now; dispatch its master.")
                % {"number": split.number},
            )
            return redirect("web:incident", number=split.number)
        elif action == "tell-callers":
            told = incidents.tell_callers(
                actor=user, number=number, text=request.POST.get("text", "")[:500]
            )
            messages.success(request, _("%(n)s callers were sent the SMS.") % {"n": told})
        else:
            raise Http404(_("No such action."))
    except DomainError as exc:
        return refused(request, exc)
    return redirect("web:incident", number=number)
