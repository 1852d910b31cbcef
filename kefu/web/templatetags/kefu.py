"""Template filters of the workstation."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from kefu.core.calendar import BEIJING
from kefu.core.vocabulary import CallbackMethod
from kefu.outages.models import OutageKind

register = template.Library()

EVENT_LABELS = {
    "accepted": _("Accepted"),
    "dispatched": _("Dispatched"),
    "returned": _("Returned"),
    "acknowledged": _("Acknowledged"),
    "departed": _("Crew departed"),
    "arrived": _("Crew on site"),
    "on_site_reported": _("On-site report made"),
    "restored": _("Supply restored"),
    "application_step": _("Application step"),
    "replied": _("Replied"),
    "approved": _("Approved"),
    "sent_back": _("Sent back for rework"),
    "called_back": _("Called back"),
    "archived": _("Archived"),
    "answered": _("Answered"),
    "linked": _("Linked to another order"),
    "cancelled": _("Cancelled"),
    "suspended": _("Suspended"),
    "resumed": _("Resumed"),
    "customer_urged": _("Customer urged"),
    "call_linked": _("Another caller linked"),
    "outage_explained": _("Answered from a known outage"),
    "warned": _("Warning"),
    "urged": _("Urged"),
    "callback_attempt": _("Callback attempt"),
    "deadline_recomputed": _("Deadline recomputed"),
    "estimate_updated": _("Expected restoration changed"),
    "reported_to_city": _("Reported to the city center"),
    "customer_fault_explained": _("Customer's own fault explained"),
    "merged": _("Merged into another fault"),
    "regrouped": _("Moved to another fault's master"),
    "incident_restored": _("Supply restored (fault incident)"),
    "split_off": _("Split off as a fault of its own"),
    "calls_split": _("Calls split off as another fault"),
    "late_cause": _("Cause of a delay given"),
    "complaint_recorded": _("Complaint record written"),
    "interim_replied": _("Interim reply given"),
}

#: What a step records besides its note, as the timeline shows it.
EVENT_DETAILS = {
    "crew_leader": _("Crew leader"),
    "crew_phone": _("Phone"),
    "expected_restoration": _("Expected restoration"),
    "fault": _("What the fault was"),
    "result": _("Result"),
    "paid_service": _("Paid repair"),
    "complaint_object": _("Complained about"),
    "complaint_cause": _("Cause of the complaint"),
    "customer_demand": _("Customer's demand"),
    "callback_method": _("Preferred callback method"),
    "co_handlers": _("Co-handling units"),
}


@register.filter
def event_details(event: Any) -> list[tuple[str, str]]:
    """The recorded values of a repair step (crew leader, expected restoration, fault …)."""
    from kefu.tickets.services import PaidService

    shown = []
    for name, label in EVENT_DETAILS.items():
        value = (event.new or {}).get(name)
        if not value:
            continue
        if name == "expected_restoration":
            moment = dt.datetime.fromisoformat(str(value)).astimezone(BEIJING)
            value = moment.strftime("%Y-%m-%d %H:%M")
        elif name == "paid_service" and value in PaidService.values:
            value = PaidService(value).label
        elif name == "callback_method" and value in CallbackMethod.values:
            value = CallbackMethod(value).label
        elif isinstance(value, list):
            value = "、".join(str(v) for v in value)
        shown.append((str(label), str(value)))
    return shown


@register.filter
def event_label(kind: str) -> str:
    return str(EVENT_LABELS.get(kind, kind))


NOTICE_EVENT_LABELS = {
    "drafted": _("Drafted"),
    "published": _("Published"),
    "updated": _("Changed"),
    "restored": _("Power restored"),
    "closed": _("Closed"),
}


@register.filter
def notice_event_label(kind: str) -> str:
    return str(NOTICE_EVENT_LABELS.get(kind, kind))


#: Why a customer was told: a step of a notice, or of a fault incident.
NOTIFICATION_REASONS = {
    **NOTICE_EVENT_LABELS,
    "confirmed": _("Fault confirmed"),
    "apology": _("Apology and arrangement to the callers"),
}


@register.filter
def notification_reason(reason: str) -> str:
    return str(NOTIFICATION_REASONS.get(reason, reason))


INCIDENT_EVENT_LABELS = {
    "opened": _("Opened by the first call"),
    "predicted": _("Predicted out"),
    "merged": _("Merged into another fault"),
    "absorbed": _("Took in another fault"),
    "confirmed": _("Confirmed by the dispatcher"),
    "split": _("Calls split off"),
    "callers_told": _("Callers told by SMS"),
    "restored": _("Power restored"),
}


@register.filter
def case_label(what: str) -> str:
    """A case behind a deduction: a clock's stage, or an event."""
    from kefu.core.vocabulary import ClockKind

    if what in ClockKind.values:
        return str(ClockKind(what).label)
    return str(EVENT_LABELS.get(what, what))


@register.filter
def incident_event_label(kind: str) -> str:
    return str(INCIDENT_EVENT_LABELS.get(kind, kind))


@register.filter
def isoformat(value: dt.datetime | None) -> str:
    return value.isoformat() if value else ""


@register.filter
def next_crew_action(order: object) -> tuple[str, str] | None:
    """The one tap a crew makes next on a repair, or None (nothing for the crew to do)."""
    from kefu.web.crew import next_step

    return next_step(order)


@register.filter
def limit_label(value: object) -> str:
    """A policy limit ("5 minutes", or a Limit) in the reader's language."""
    from kefu.core.limits import Limit

    try:
        limit = value if isinstance(value, Limit) else Limit.parse(str(value))
    except ValueError:
        return str(value)
    return limit.display()


#: State groups, each with its colour (kefu.css): new, being worked, back at the center,
#: closed.
STATE_GROUPS = {
    "accepted": "new",
    "returned": "new",
    "dispatched": "work",
    "acknowledged": "work",
    "departed": "work",
    "arrived": "work",
    "on_site_reported": "work",
    "restored": "work",
    "rework": "work",
    "replied": "center",
    "approved": "center",
    "called_back": "center",
}


@register.filter
def state_class(state: str) -> str:
    return f"state-{STATE_GROUPS.get(state, 'closed')}"


@register.filter
def key_clock(order: object) -> object:
    """The running clock that matters next (a prefetched `running` list, earliest first)."""
    running = getattr(order, "running", None) or []
    return running[0] if running else None


@register.filter
def importance(customer: object) -> str:
    """What puts a caller first: the important-customer class, the red list, a high tier."""
    if customer is None:
        return ""
    if getattr(customer, "important_class", ""):
        return str(customer.get_important_class_display())  # type: ignore[attr-defined]
    if getattr(customer, "red_list", False):
        return str(_("red list"))
    if getattr(customer, "value_tier", "") == "high":
        return str(_("VIP"))
    return ""


@register.simple_tag
def sort_query(params: Any, key: str) -> str:
    """The query string that sorts by `key`, or reverses it when it is the current sort."""
    query = params.copy()
    current = query.get("sort", "")
    query["sort"] = f"-{key}" if current == key else key
    query.pop("page", None)
    return str(query.urlencode())


@register.simple_tag
def sort_state(params: Any, key: str) -> str:
    current = params.get("sort", "") if params is not None else ""
    if current == key:
        return mark_safe(' aria-sort="ascending"')
    if current == f"-{key}":
        return mark_safe(' aria-sort="descending"')
    return ""


@register.simple_tag
def page_query(params: Any, number: int) -> str:
    query = params.copy()
    query["page"] = str(number)
    return str(query.urlencode())


@register.filter
def split(text: str) -> list[str]:
    return text.split()


@register.filter
def field(form: Any, name: str) -> Any:
    return form[name]


@register.filter
def get(mapping: Any, key: str) -> Any:
    return mapping.get(key, "")


@register.filter
def topic_label(code: str) -> str:
    from kefu.core.policy import active_policy

    topic = active_policy().topics.get(code)
    return topic.name if topic else code


@register.filter
def type_label(value: str) -> str:
    from kefu.core.vocabulary import RequestType

    return _label(RequestType, value)


@register.filter
def state_label(value: str) -> str:
    from kefu.tickets.states import State

    return _label(State, value)


def _label(choices: Any, value: str) -> str:
    """A choice's label, or the value itself when it is none of them. Looked up by value
    (a dict), not tested against `choices.values`, which Django builds afresh each time:
    a list of rows asks this for every row."""
    try:
        return str(choices(value).label)
    except ValueError:
        return value


@register.filter
def clock_label(value: str) -> str:
    from kefu.core.vocabulary import ClockKind

    return _label(ClockKind, value)


@register.filter
def iso_local(value: str | None) -> str:
    """An ISO time kept in a snapshot, as Beijing time."""
    from kefu.core.calendar import BEIJING

    if not value:
        return "—"
    try:
        return dt.datetime.fromisoformat(value).astimezone(BEIJING).strftime("%m-%d %H:%M")
    except ValueError:
        return value


@register.filter
def handover_lists(handover: Any) -> list[tuple[str, list[Any]]]:
    snapshot = handover.snapshot
    return [
        (str(_("Overdue at the handover")), snapshot.get("overdue", [])),
        (str(_("Due in the next shift")), snapshot.get("due_next_shift", [])),
        (str(_("Open at the handover")), snapshot.get("open_orders", [])),
    ]


@register.simple_tag
def order_rows(page: Any) -> str:
    """The rows of an order list (kefu.web.order_rows: rendered in Python, for speed)."""
    from kefu.web.order_rows import order_rows as render

    return render(page)


@register.filter
def outage_kind_label(kind: str) -> str:
    return str(OutageKind(kind).label) if kind in OutageKind.values else kind


@register.simple_tag(takes_context=True)
def csv_link(context: Any) -> str:
    """The list's export: the same address and filters, every row, as CSV (csv_export).
    No `download` attribute: a list too long to export answers with a page saying so,
    which the browser must show rather than save as a failed download."""
    from django.utils.html import format_html

    from kefu.web.csv_export import EXPORT

    query = context["request"].GET.copy()
    query.pop("page", None)
    query["format"] = "csv"
    return format_html(
        '<a class="button secondary small export-csv" href="?{}">{}</a>',
        query.urlencode(),
        EXPORT,
    )
