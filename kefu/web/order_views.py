"""The order page: summary, clocks, timeline, and the actions this user may take now."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from kefu.accounts.models import User
from kefu.accounts.roles import ACTION_ROLES, HOLDERS, Role
from kefu.core.errors import DomainError
from kefu.tickets import services
from kefu.tickets.actions import ACTION_LABELS, allowed_actions
from kefu.tickets.filters import with_relations
from kefu.tickets.models import Clock, OrderEvent, WorkOrder
from kefu.tickets.visibility import readable_orders
from kefu.web.forms import action_form
from kefu.web.shortcuts import current_user, require_person, require_read


def _order(user: User, number: str) -> WorkOrder:
    order = (
        with_relations(readable_orders(user))
        .prefetch_related(
            Prefetch("events", queryset=OrderEvent.objects.select_related("department"))
        )
        .filter(number=number)
        .first()
    )
    if order is None:
        raise Http404(_("No such work order."))
    return order


def _page(
    request: HttpRequest, order: WorkOrder, forms: dict[str, Any] | None = None, status: int = 200
) -> HttpResponse:
    user = current_user(request)
    actions = allowed_actions(user, order)
    forms = forms or {}
    events = list(order.events.all())
    initial = {
        "dispatch": _dispatch_initial(order, events),
        "depart": crew_leader_initial(user),
        "complaint_record": {
            "complaint_object": order.complaint_object,
            "complaint_cause": order.complaint_cause,
            "customer_demand": order.customer_demand,
            "callback_method": order.callback_method,
            "co_handlers": order.co_handler_codes,
        },
    }
    action_forms = [
        (
            action,
            ACTION_LABELS[action],
            forms.get(action) or action_form(action, initial=initial.get(action)),
        )
        for action in actions
    ]
    clocks = list(order.clocks.all())
    for clock in clocks:
        clock.may_give_cause = _answers_for(user, clock)  # type: ignore[attr-defined]
    return render(
        request,
        "web/order.html",
        {
            "order": order,
            "informant_visible": not order.informant_hidden,
            "clocks": clocks,
            "late_cause_form": forms.get("late_cause"),
            "events": events,
            "action_forms": action_forms,
            # The form of the action in hand (or of the one just refused) is open.
            "open_action": next(iter(forms), actions[0] if actions else None),
        },
        status=status,
    )


def _answers_for(user: User, clock: Clock) -> bool:
    """May `user` say why this stage was late (the service decides again)?"""
    role = Role(user.role)
    if role not in ACTION_ROLES["late_cause"]:
        return False
    overdue = clock.status == "open" and clock.deadline and clock.deadline < timezone.now()
    if not (clock.late or overdue):
        return False
    if clock.department_id is not None:
        return user.department_id == clock.department_id
    return role not in HOLDERS


def crew_leader_initial(user: User) -> dict[str, str]:
    """The crew leader is, unless said otherwise, the crew member reporting."""
    return {"crew_leader": str(user), "crew_phone": user.phone}


def _dispatch_initial(order: WorkOrder, events: list[OrderEvent]) -> dict[str, str]:
    """Dispatch is preset to the suggested department, unless that is the one that just
    returned the order: then the agent chooses."""
    suggested = order.suggested_department
    if suggested is None:
        return {}
    returned_by = {e.department_id for e in events if e.kind == "returned"}
    return {} if suggested.pk in returned_by else {"department": suggested.code}


@login_required
@require_safe
def order_page(request: HttpRequest, number: str) -> HttpResponse:
    return _page(request, _order(require_read(request, "orders"), number))


Runner = Callable[[User, str, dict[str, Any]], WorkOrder]

RUNNERS: dict[str, Runner] = {
    "dispatch": lambda u, n, d: services.dispatch_order(
        actor=u,
        number=n,
        department_code=d["department"].code,
        override_reason=d["override_reason"],
        note=d["note"],
    ),
    "return": lambda u, n, d: services.return_order(actor=u, number=n, reason=d["reason"]),
    "acknowledge": lambda u, n, d: services.acknowledge_order(actor=u, number=n, note=d["note"]),
    "depart": lambda u, n, d: services.depart(
        actor=u, number=n, crew_leader=d["crew_leader"], crew_phone=d["crew_phone"], note=d["note"]
    ),
    "arrive": lambda u, n, d: services.arrive(actor=u, number=n, note=d["note"]),
    "onsite_report": lambda u, n, d: services.report_on_site(
        actor=u, number=n, findings=d["findings"], expected_restoration=d["expected_restoration"]
    ),
    "update_estimate": lambda u, n, d: services.update_estimate(
        actor=u, number=n, expected_restoration=d["expected_restoration"], reason=d["reason"]
    ),
    "report_to_city": lambda u, n, d: services.report_to_city(
        actor=u, number=n, report=d["report"]
    ),
    "restore": lambda u, n, d: services.restore_supply(
        actor=u, number=n, fault=d["fault"], result=d["result"], note=d["note"]
    ),
    "application_step": lambda u, n, d: services.record_application_step(
        actor=u, number=n, step=d["step"], note=d["note"]
    ),
    "reply": lambda u, n, d: services.reply_order(actor=u, number=n, result=d["result"]),
    "approve": lambda u, n, d: services.approve_order(actor=u, number=n, note=d["note"]),
    "send_back": lambda u, n, d: services.send_back_order(actor=u, number=n, reason=d["reason"]),
    "callback": lambda u, n, d: services.callback_order(
        actor=u, number=n, satisfaction=d["satisfaction"], note=d["note"]
    ),
    "answer": lambda u, n, d: services.answer_order(actor=u, number=n, answer=d["answer"]),
    "archive": lambda u, n, d: services.archive_order(actor=u, number=n, note=d["note"]),
    "suspend": lambda u, n, d: services.suspend_order(
        actor=u, number=n, reason=d["reason"], note=d["note"], appointment_at=d["appointment_at"]
    ),
    "resume": lambda u, n, d: services.resume_order(actor=u, number=n, note=d["note"]),
    "urge": lambda u, n, d: services.urge_order(actor=u, number=n, note=d["note"]),
    "cancel": lambda u, n, d: services.cancel_order(actor=u, number=n, reason=d["reason"]),
    "complaint_record": lambda u, n, d: services.record_complaint(
        actor=u,
        number=n,
        record=services.ComplaintRecord(
            complaint_object=d["complaint_object"],
            complaint_cause=d["complaint_cause"],
            customer_demand=d["customer_demand"],
            callback_method=d["callback_method"],
            co_handlers=tuple(dep.code for dep in d["co_handlers"]),
        ),
    ),
    "interim_reply": lambda u, n, d: services.interim_reply(actor=u, number=n, reply=d["reply"]),
    "late_cause": lambda u, n, d: services.record_late_cause(
        actor=u, number=n, clock=d["clock"], round=d["round"], cause=d["cause"]
    ),
}


@login_required
@require_POST
def order_action(request: HttpRequest, number: str, action: str) -> HttpResponse:
    user = require_person(request)
    order = _order(user, number)
    if action not in RUNNERS:
        raise Http404(_("No such action."))
    form = action_form(action, request.POST)
    if not form.is_valid():
        return _page(request, order, {action: form}, status=400)
    try:
        RUNNERS[action](user, number, form.cleaned_data)
    except DomainError as exc:
        form.add_error(None, exc.localized())
        return _page(request, _order(user, number), {action: form}, status=exc.status)
    messages.success(request, _("%(action)s: done.") % {"action": ACTION_LABELS[action]})
    next_url = request.POST.get("next")
    if next_url and next_url.startswith("/") and not next_url.startswith("//"):
        return redirect(next_url)
    return redirect("web:order", number=number)
