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
from kefu.tickets import services
from kefu.tickets.filters import OrderFilter, filter_orders
from kefu.tickets.models import WorkOrder
from kefu.web.lists import running_clocks
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
    return render(request, "web/partials/crew_card.html", {"order": order, "error": error})


@login_required
@require_safe
def crew(request: HttpRequest) -> HttpResponse:
    user = require_role(request, (Role.CREW,))
    jobs = list(_jobs(user)[:SHOWN])
    context = {
        "actionable": [o for o in jobs if next_step(o)],
        "waiting": [o for o in jobs if not next_step(o)],
        "department": user.department,
    }
    if request.headers.get("HX-Request"):
        return render(request, "web/partials/crew_cards.html", context)
    return render(request, "web/crew.html", context)


def _run(user: User, order: WorkOrder, step: str, data: Any) -> None:
    number = order.number
    if step == "acknowledge":
        services.acknowledge_order(actor=user, number=number)
    elif step == "depart":
        services.depart(actor=user, number=number)
    elif step == "arrive":
        services.arrive(actor=user, number=number)
    elif step == "onsite_report":
        services.report_on_site(actor=user, number=number, findings=data.get("findings", ""))
    elif step == "restore":
        services.restore_supply(actor=user, number=number)
    elif step == "reply":
        services.reply_order(actor=user, number=number, result=data.get("result", ""))
    else:
        raise Http404(_("No such action."))


@login_required
@require_POST
def crew_step(request: HttpRequest, number: str, step: str) -> HttpResponse:
    user = require_role(request, (Role.CREW,))
    order = _jobs(user).filter(number=number).first()
    error = ""
    if order is None:
        error = _("This job is no longer yours.")
    elif next_step(order) is None or next_step(order)[0] != step:  # type: ignore[index]
        error = _("This step was already taken; the card shows where the job is now.")
    else:
        try:
            _run(user, order, step, request.POST)
        except DomainError as exc:
            error = exc.localized()
    if not request.headers.get("HX-Request"):
        return redirect(f"/crew/#job-{number}")
    return _card(request, user, number, error)
