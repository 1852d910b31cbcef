"""Roles and what each may do: the one permission matrix every service checks."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    AGENT = "agent", _("Agent")
    SHIFT_LEADER = "shift_leader", _("Shift leader")
    SUPERVISOR = "supervisor", _("Supervisor")
    HANDLER = "handler", _("Department handler")
    CREW = "crew", _("Repair crew")
    ASSESSOR = "assessor", _("Assessor")
    ADMINISTRATOR = "administrator", _("Administrator")
    INTEGRATION = "integration", _("Integration (IVR, portal)")


CENTER = frozenset({Role.AGENT, Role.SHIFT_LEADER})
HOLDERS = frozenset({Role.HANDLER, Role.CREW})

#: action -> roles that may perform it. Holder actions additionally require the user's
#: department to hold the order (see HOLDER_ACTIONS).
ACTION_ROLES: dict[str, frozenset[Role]] = {
    "accept": CENTER | {Role.INTEGRATION},
    "preview": CENTER | {Role.INTEGRATION},
    "answer": CENTER,
    "link": CENTER | {Role.INTEGRATION},
    "urge": CENTER | {Role.INTEGRATION},
    "dispatch": CENTER,
    "return": HOLDERS,
    "acknowledge": HOLDERS,
    "depart": frozenset({Role.CREW}),
    "arrive": frozenset({Role.CREW}),
    "onsite_report": frozenset({Role.CREW}),
    "restore": frozenset({Role.CREW}),
    "application_step": frozenset({Role.HANDLER}),
    "reply": HOLDERS,
    "approve": frozenset({Role.SHIFT_LEADER, Role.SUPERVISOR}),
    "send_back": frozenset({Role.SHIFT_LEADER, Role.SUPERVISOR}),
    "callback": CENTER,
    "archive": CENTER | {Role.SUPERVISOR},
    "cancel": frozenset({Role.SHIFT_LEADER, Role.SUPERVISOR}),
    "suspend": HOLDERS | {Role.SHIFT_LEADER},
    "resume": HOLDERS | {Role.SHIFT_LEADER},
}

#: Actions a handler or crew may take only on orders their own department holds.
HOLDER_ACTIONS = frozenset(
    {
        "return",
        "acknowledge",
        "depart",
        "arrive",
        "onsite_report",
        "restore",
        "application_step",
        "reply",
        "suspend",
        "resume",
    }
)

#: Roles that see every order (others see what their department held).
SEES_ALL_ORDERS = frozenset(
    {
        Role.AGENT,
        Role.SHIFT_LEADER,
        Role.SUPERVISOR,
        Role.ASSESSOR,
        Role.ADMINISTRATOR,
        Role.INTEGRATION,
    }
)

#: Roles that manage the calendar, users and tokens.
ADMINISTERS = frozenset({Role.ADMINISTRATOR})
