"""Template filters of the workstation."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils.translation import gettext_lazy as _

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
    "warned": _("Warning"),
    "urged": _("Urged"),
    "callback_attempt": _("Callback attempt"),
    "deadline_recomputed": _("Deadline recomputed"),
}


@register.filter
def event_label(kind: str) -> str:
    return str(EVENT_LABELS.get(kind, kind))


@register.filter
def isoformat(value: dt.datetime | None) -> str:
    return value.isoformat() if value else ""


CREW_STEPS = [
    ("dispatched", "acknowledge", _("Acknowledge")),
    ("acknowledged", "depart", _("Depart")),
    ("departed", "arrive", _("Arrived on site")),
    ("arrived", "onsite_report", _("Send on-site report")),
    ("on_site_reported", "restore", _("Supply restored")),
]


@register.filter
def next_crew_action(order: object) -> tuple[str, str] | None:
    """The one tap a crew makes next on a repair, or None (reply from the order page)."""
    state = getattr(order, "state", "")
    if getattr(order, "suspended_reason", ""):
        return None
    for from_state, action, label in CREW_STEPS:
        if state == from_state:
            return action, str(label)
    return None


@register.filter
def limit_label(value: object) -> str:
    """A policy limit ("5 minutes", or a Limit) in the reader's language."""
    from kefu.core.limits import Limit

    try:
        limit = value if isinstance(value, Limit) else Limit.parse(str(value))
    except ValueError:
        return str(value)
    return limit.display()
