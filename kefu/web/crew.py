"""A repair crew's jobs on a phone: the next deadline first, what it can act on before what
it cannot, time left and urges on every card, and one tap per step that changes only the
card tapped (the page stays where it is)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from kefu.accounts.models import User
from kefu.accounts.roles import Role
from kefu.core.errors import DomainError
from kefu.core.vocabulary import RequestType
from kefu.tickets.filters import OrderFilter, filter_orders
from kefu.tickets.models import WorkOrder
from kefu.web.forms import action_form
from kefu.web.lists import running_clocks
from kefu.web.order_views import RUNNERS, crew_leader_initial
from kefu.web.shortcuts import require_role

#: state -> (the crew's next step, its button). Reply needs the result typed in.
STEPS: dict[str, tuple[str, Any]] = {
    "dispatched": ("acknowledge", gettext_lazy("Acknowledge")),
    "acknowledged": ("depart", gettext_lazy("Depart")),
    "departed": ("arrive", gettext_lazy("Arrived on site")),
    "arrived": ("onsite_report", gettext_lazy("Send on-site report")),
    "on_site_reported": ("restore", gettext_lazy("Supply restored")),
    "restored": ("reply", gettext_lazy("Reply: job done")),
    "rework": ("reply", gettext_lazy("Reply again")),
}
SHOWN = 60


def next_step(order: object) -> tuple[str, str] | None:
    """The one step a crew takes next on a repair, or None (nothing for it to do now)."""
    if getattr(order, "suspended_reason", ""):
        return None
    step = STEPS.get(getattr(order, "state", ""))
    return (step[0], str(step[1])) if step else None


def _jobs(user: User) -> Any:
    return (
        filter_orders(
            user, OrderFilter(open=True, request_type=RequestType.REPAIR, sort="deadline")
        )
        .select_related("customer")
        .prefetch_related(running_clocks())
    )


def _card(request: HttpRequest, user: User, number: str, error: str = "") -> HttpResponse:
    order = _jobs(user).filter(number=number).first()
    if order is None:
        # Closed, or no longer the crew's: the card says so instead of vanishing under the tap.
        return render(request, "web/partials/crew_card.html", {"gone": number})
    return render(
        request,
        "web/partials/crew_card.html",
        {"order": order, "error": error, "leader": crew_leader_initial(user)},
    )


@login_required
@require_safe
def crew(request: HttpRequest) -> HttpResponse:
    user = require_role(request, (Role.CREW,))
    jobs = list(_jobs(user)[:SHOWN])
    context = {
        "actionable": [o for o in jobs if next_step(o)],
        "waiting": [o for o in jobs if not next_step(o)],
        "department": user.department,
        "leader": crew_leader_initial(user),
    }
    if request.headers.get("HX-Request"):
        return render(request, "web/partials/crew_cards.html", context)
    return render(request, "web/crew.html", context)


#: Steps a crew may also take besides the next one, in these states.
ASIDE: dict[str, frozenset[str]] = {
    "update_estimate": frozenset({"arrived", "on_site_reported"}),
}


def may_take(order: WorkOrder, step: str) -> bool:
    if getattr(order, "suspended_reason", ""):
        return False
    ahead = next_step(order)
    return (ahead is not None and ahead[0] == step) or order.state in ASIDE.get(step, ())


def _run(user: User, order: WorkOrder, step: str, data: Any) -> str:
    """Take `step` with the card's fields (the order page's forms and services); the
    refusal to show on the card, or ""."""
    if step not in RUNNERS:
        raise Http404(_("No such action."))
    form = action_form(step, data)
    if not form.is_valid():
        return " ".join(str(m) for errors in form.errors.values() for m in errors)
    RUNNERS[step](user, order.number, form.cleaned_data)
    return ""


@login_required
@require_POST
def crew_step(request: HttpRequest, number: str, step: str) -> HttpResponse:
    user = require_role(request, (Role.CREW,))
    order = _jobs(user).filter(number=number).first()
    error = ""
    if order is None:
        error = _("This job is no longer yours.")
    elif not may_take(order, step):
        error = _("This step was already taken; the card shows where the job is now.")
    else:
        try:
            error = _run(user, order, step, request.POST)
        except DomainError as exc:
            error = exc.localized()
    if not request.headers.get("HX-Request"):
        return redirect(f"/crew/#job-{number}")
    return _card(request, user, number, error)
