"""What every page needs: the navigation for the user's role and their agent status."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kefu.accounts.roles import Role
from kefu.contact.models import AgentStatus
from kefu.contact.services import agent_status

#: Page name, label, and the roles whose navigation shows it.
PAGES: list[tuple[str, Any, frozenset[str]]] = [
    ("web:intake", _("Intake"), frozenset({Role.AGENT, Role.SHIFT_LEADER})),
    (
        "web:board",
        _("Board"),
        frozenset({Role.AGENT, Role.SHIFT_LEADER, Role.SUPERVISOR, Role.ASSESSOR}),
    ),
    ("web:inbox", _("Department inbox"), frozenset({Role.HANDLER})),
    ("web:crew", _("Repair jobs"), frozenset({Role.CREW})),
    ("web:review", _("Review"), frozenset({Role.SHIFT_LEADER, Role.SUPERVISOR})),
    ("web:callbacks", _("Callbacks"), frozenset({Role.AGENT, Role.SHIFT_LEADER})),
    ("web:handover", _("Handover"), frozenset({Role.SHIFT_LEADER, Role.SUPERVISOR})),
    ("web:policy", _("Policy"), frozenset(Role.values)),
    ("web:calendar", _("Calendar"), frozenset(Role.values)),
]


def workstation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    nav = []
    for name, label, roles in PAGES:
        if user.role in roles:
            url = reverse(name)
            nav.append({"url": url, "label": label, "current": request.path.startswith(url)})
    if user.role == Role.ADMINISTRATOR:
        nav.append({"url": reverse("admin:index"), "label": _("Administration"), "current": False})
    context: dict[str, Any] = {"nav": nav}
    if user.role in (Role.AGENT, Role.SHIFT_LEADER):
        context["agent_status"] = agent_status(user)
        context["agent_statuses"] = AgentStatus.choices
    return context
