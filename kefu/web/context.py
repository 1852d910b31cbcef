"""What every page needs: the navigation for the user's role, with the counts that tell
where work waits (badges), and the agent status."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kefu.accounts.roles import Role
from kefu.contact.models import AgentStatus
from kefu.contact.services import agent_status
from kefu.core.counting import CAP
from kefu.supervision.summary import ShiftCounts, shift_counts
from kefu.tickets.late_stages import waiting_count

CENTER_DESK = frozenset({Role.AGENT, Role.SHIFT_LEADER})
PEOPLE = frozenset(Role.values) - {Role.INTEGRATION}

#: Page name, label, the roles whose navigation shows it, and the count on its badge.
PAGES: list[tuple[str, Any, frozenset[str], str | None]] = [
    ("web:intake", _("Intake"), CENTER_DESK, None),
    (
        "web:board",
        _("Board"),
        frozenset({Role.AGENT, Role.SHIFT_LEADER, Role.SUPERVISOR, Role.ASSESSOR}),
        "overdue",
    ),
    ("web:inbox", _("Department inbox"), frozenset({Role.HANDLER}), "overdue"),
    ("web:crew", _("Repair jobs"), frozenset({Role.CREW}), "overdue"),
    ("web:review", _("Review"), frozenset({Role.SHIFT_LEADER, Role.SUPERVISOR}), "to_review"),
    ("web:callbacks", _("Callbacks"), CENTER_DESK, "callbacks_due"),
    ("web:handover", _("Handover"), frozenset({Role.SHIFT_LEADER, Role.SUPERVISOR}), None),
    ("web:outages", _("Outages"), PEOPLE, None),
    (
        "web:incidents",
        _("Faults"),
        frozenset({Role.AGENT, Role.SHIFT_LEADER, Role.SUPERVISOR}),
        None,
    ),
    (
        "web:dashboard",
        _("Dashboard"),
        frozenset({Role.SHIFT_LEADER, Role.SUPERVISOR, Role.ASSESSOR}),
        None,
    ),
    (
        "web:assessments",
        _("Assessment"),
        frozenset({Role.SHIFT_LEADER, Role.SUPERVISOR, Role.ASSESSOR}),
        None,
    ),
    (
        "web:reports",
        _("Monthly report"),
        frozenset({Role.SHIFT_LEADER, Role.SUPERVISOR, Role.ASSESSOR}),
        None,
    ),
    ("web:messages", _("Messages"), PEOPLE, "unread"),
    ("web:policy", _("Policy"), PEOPLE, None),
    ("web:calendar", _("Calendar"), PEOPLE, None),
]


def navigation(request: HttpRequest, counts: ShiftCounts | None) -> list[dict[str, Any]]:
    user = request.user
    values = counts.as_dict() if counts else {}
    nav = []
    for name, label, roles, badge in PAGES:
        if getattr(user, "role", None) in roles:
            url = reverse(name)
            count = values.get(badge, 0) if badge else 0
            nav.append(
                {
                    "url": url,
                    "label": label,
                    "current": request.path.startswith(url),
                    "badge_id": f"badge-{name.split(':')[1]}",
                    "badge": count,
                    "badge_text": f"{CAP:,}+" if count > CAP else str(count),
                    "urgent": badge in ("overdue", "unread", "callbacks_due"),
                }
            )
    return nav


def counts_for(request: HttpRequest) -> ShiftCounts:
    """The shift's counts, once per request (the board and the navigation both show them)."""
    counts = getattr(request, "_shift_counts", None)
    if counts is None:
        counts = shift_counts(request.user)  # type: ignore[arg-type]
        request._shift_counts = counts  # type: ignore[attr-defined]
    return counts


def workstation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or user.role == Role.INTEGRATION:
        return {}
    if request.headers.get("HX-Request"):
        return {}  # a live fragment: the page around it has its navigation already
    nav = navigation(request, counts_for(request))
    if user.role == Role.ADMINISTRATOR:
        nav.append({"url": reverse("admin:index"), "label": _("Administration"), "current": False})
    # The late stages waiting for a cause (the notice on the inbox, the crew's jobs and the
    # board): a callable, which a template calls only where it shows the notice.
    context: dict[str, Any] = {"nav": nav, "late_stages_waiting": lambda: waiting_count(user)}
    if user.role in CENTER_DESK:
        context["agent_status"] = agent_status(user)
        context["agent_statuses"] = AgentStatus.choices
    return context
