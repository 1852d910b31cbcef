"""受理 Intake: find the customer as you type, see the profile and the deadlines before saving,
link a repeat call instead of opening a duplicate, answer and close at intake."""

from __future__ import annotations

import dataclasses
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from kefu.accounts.models import User
from kefu.accounts.roles import Role
from kefu.core.errors import DomainError, DuplicateSuspected
from kefu.core.vocabulary import ClockKind
from kefu.customers.models import Customer
from kefu.customers.search import customer_by_account, find_customers
from kefu.outages.check import check
from kefu.outages.services import answer_from_notice
from kefu.tickets import services
from kefu.tickets.services.complaints import RECORD_FIELDS
from kefu.tickets.states import OPEN_STATES
from kefu.tickets.visibility import customer_orders
from kefu.web.forms import FIELD_TYPES, IntakeForm
from kefu.web.shortcuts import require_role

INTAKE_ROLES = (Role.AGENT, Role.SHIFT_LEADER)


def _intake(form: IntakeForm) -> services.Intake:
    """What the service gets: only the fields of the chosen type (a repair never carries a
    complaint topic left over from an earlier choice)."""
    data = form.for_type(form.cleaned_data["request_type"])
    return services.Intake(
        request_type=data["request_type"],
        channel=data["channel"],
        description=data["description"],
        customer_account=data["customer_account"] or None,
        caller_name=data["caller_name"],
        caller_phone=data["caller_phone"],
        anonymous=data["anonymous"],
        address=data["address"],
        area_class=data["area_class"],
        topic=data["topic"],
        supply_scheme=data["supply_scheme"],
        **{name: data[name] for name in RECORD_FIELDS},
    )


def _known(customer: Customer) -> dict[str, Any]:
    found = check(customer=customer)
    return {"outages": found.outages, "faults": found.faults}


def _profile_context(user: User, customer: Customer) -> dict[str, Any]:
    orders = customer_orders(user, customer)
    return {
        "customer": customer,
        # The first thing a repair call meets: is the power off for a reason already known?
        **_known(customer),
        "open_orders": list(orders.filter(state__in=list(OPEN_STATES))[:10]),
        "recent_orders": list(orders[:5]),
    }


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def intake(request: HttpRequest) -> HttpResponse:
    user = require_role(request, INTAKE_ROLES)
    context: dict[str, Any] = {}
    status = 200
    if request.method == "POST":
        form = IntakeForm(request.POST)
        if form.is_valid():
            try:
                return _save(request, user, form)
            except DuplicateSuspected as exc:
                context["duplicates"] = exc.candidates
                form.add_error(None, exc.localized())
                status = exc.status
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.localized())
                status = exc.status
        else:
            status = 400
        account = request.POST.get("customer_account", "")
    else:
        # "New order for this customer" (the customer page) opens intake with them found.
        account = request.GET.get("account", "")[:20]
        form = IntakeForm(initial={"customer_account": account} if account else None)
    customer = customer_by_account(account) if account else None
    if customer is not None:
        context.update(_profile_context(user, customer))
    return render(
        request,
        "web/intake.html",
        {"form": form, "field_types": _field_types(), **context},
        status=status,
    )


def _field_types() -> dict[str, str]:
    """For the page: each type-specific field and the types it belongs to."""
    return {name: " ".join(sorted(types)) for name, types in FIELD_TYPES.items()}


def _repair(intake: services.Intake) -> services.Intake:
    """A call answered from an outage is a repair call, whatever type the form was left at."""
    return dataclasses.replace(
        intake,
        request_type="repair",
        topic="",
        supply_scheme="",
        complaint_object="",
        complaint_cause="",
        customer_demand="",
        callback_method="",
    )


def _save(request: HttpRequest, user: User, form: IntakeForm) -> HttpResponse:
    intake = _intake(form)
    data = form.for_type(form.cleaned_data["request_type"])
    if data["outage_notice"]:
        call = answer_from_notice(
            actor=user,
            intake=_repair(intake),
            number=data["outage_notice"],
            notify_restored=data["notify_restored"],
        )
        messages.success(
            request,
            _("The call was answered from outage notice %(notice)s and recorded as %(number)s.")
            % {"notice": data["outage_notice"], "number": call.order.number},
        )
        return redirect("web:outage", number=data["outage_notice"])
    if data["link_to"]:
        outcome = services.link_call(actor=user, intake=intake, parent_number=data["link_to"])
        messages.success(
            request,
            _("The call was recorded on order %(number)s.")
            % {
                "number": outcome.order.parent.number
                if outcome.order.parent
                else outcome.order.number
            },
        )
        return redirect("web:order", number=(outcome.order.parent or outcome.order).number)
    if data["customer_fault"]:
        order = services.explain_customer_fault(
            actor=user,
            intake=intake,
            explanation=data["customer_fault"],
            paid_service=data["paid_service"],
        )
        messages.success(
            request,
            _("A fault in the customer's own installation: explained and closed as %(number)s.")
            % {"number": order.number},
        )
        return redirect("web:order", number=order.number)
    if data["answer"]:
        order = services.answer_at_intake(actor=user, intake=intake, answer=data["answer"])
        messages.success(request, _("Answered and closed: %(number)s.") % {"number": order.number})
        return redirect("web:order", number=order.number)
    order = services.accept_order(
        actor=user,
        intake=intake,
        confirm_new=data["confirm_new"],
        dispatch_to_suggested=data["dispatch_now"],
    )
    if getattr(order, "intake_outcome", "created") == "created":
        messages.success(request, _("Order %(number)s accepted.") % {"number": order.number})
        return redirect("web:order", number=order.number)
    # A call of a fault already reported: recorded on its master order, no second crew.
    master = order.parent or order
    messages.success(
        request,
        _("The call is part of a fault already reported: recorded on order %(number)s.")
        % {"number": master.number},
    )
    return redirect("web:order", number=master.number)


@login_required
@require_safe
def customer_results(request: HttpRequest) -> HttpResponse:
    require_role(request, INTAKE_ROLES)
    query = request.GET.get("q", "")[:100]
    found = list(find_customers(query)[:8]) if len(query.strip()) >= 2 else []
    return render(
        request, "web/partials/customer_results.html", {"customers": found, "query": query}
    )


@login_required
@require_safe
def customer_panel(request: HttpRequest, account_number: str) -> HttpResponse:
    user = require_role(request, INTAKE_ROLES)
    customer = customer_by_account(account_number)
    if customer is None:
        return render(request, "web/partials/customer_panel.html", {}, status=404)
    return render(request, "web/partials/customer_panel.html", _profile_context(user, customer))


@login_required
@require_POST
def preview(request: HttpRequest) -> HttpResponse:
    user = require_role(request, INTAKE_ROLES)
    form = IntakeForm(request.POST)
    if not form.is_valid():
        return render(request, "web/partials/preview.html", {"incomplete": True})
    try:
        result = services.preview_intake(actor=user, intake=_intake(form))
    except DomainError as exc:
        return render(request, "web/partials/preview.html", {"problem": exc.localized()})
    for deadline in result.deadlines:
        deadline["label"] = ClockKind(deadline["clock"]).label
    return render(request, "web/partials/preview.html", {"preview": result})
