"""Roles and what each may do or read: the one permission matrix every service, API
operation and page checks (README, "Who may do what")."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import gettext_lazy as _

from kefu.core.errors import PermissionDenied

if TYPE_CHECKING:
    from kefu.accounts.models import User


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
    "update_estimate": frozenset({Role.CREW}),
    "report_to_city": CENTER,
    "application_step": frozenset({Role.HANDLER}),
    "reply": HOLDERS,
    "approve": frozenset({Role.SHIFT_LEADER, Role.SUPERVISOR}),
    "send_back": frozenset({Role.SHIFT_LEADER, Role.SUPERVISOR}),
    "callback": CENTER,
    "archive": CENTER | {Role.SUPERVISOR},
    "cancel": frozenset({Role.SHIFT_LEADER, Role.SUPERVISOR}),
    "suspend": HOLDERS | {Role.SHIFT_LEADER},
    "resume": HOLDERS | {Role.SHIFT_LEADER},
    # Why a stage was late: its department says (the center for its own stages).
    "late_cause": HOLDERS | CENTER | {Role.SUPERVISOR},
    # Outage notices: the 95598 team enters and keeps them (county measures, ch. 2, duty 4).
    "manage_outages": frozenset({Role.SHIFT_LEADER, Role.SUPERVISOR}),
    # A call answered from a notice, by an agent or the IVR.
    "outage_call": CENTER | {Role.INTEGRATION},
    # Loading the grid from the production departments' files.
    "import_grid": frozenset({Role.ADMINISTRATOR}),
    # The monthly assessment: the service team prepares it, the marketing department signs
    # (003 ch. 5, item 4).
    "prepare_assessment": frozenset({Role.SHIFT_LEADER, Role.SUPERVISOR}),
    "sign_assessment": frozenset({Role.ASSESSOR}),
    "complaint_record": CENTER | {Role.HANDLER},
    "interim_reply": CENTER | {Role.HANDLER},
    "prepare_report": frozenset({Role.SHIFT_LEADER, Role.SUPERVISOR}),
    "write_follow_up": frozenset({Role.SUPERVISOR}),
    "issue_report": frozenset({Role.SUPERVISOR}),
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
        "update_estimate",
        "application_step",
        "reply",
        "suspend",
        "resume",
        "complaint_record",
        "interim_reply",
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

_PEOPLE = frozenset(Role) - {Role.INTEGRATION}

#: What each role may read, by surface; the pages and the API check the same entry.
#: Integrations read nothing but the receipts of what they file and the IVR's questions.
READ_ROLES: dict[str, frozenset[Role]] = {
    # Order lists and single orders (walls: visibility.py; masking: confidentiality.py).
    "orders": _PEOPLE,
    # Customer search and profiles: the people who talk to callers.
    "customers": frozenset({Role.AGENT, Role.SHIFT_LEADER, Role.SUPERVISOR}),
    # Stages overdue now and the history of urges (a department sees its own).
    "supervision": frozenset(
        {Role.AGENT, Role.SHIFT_LEADER, Role.SUPERVISOR, Role.ASSESSOR, Role.HANDLER, Role.CREW}
    ),
    "review": frozenset({Role.SHIFT_LEADER, Role.SUPERVISOR}),
    "callbacks": CENTER,
    "handovers": frozenset({Role.SHIFT_LEADER, Role.SUPERVISOR, Role.ADMINISTRATOR}),
    "billing_center": frozenset({Role.SHIFT_LEADER, Role.SUPERVISOR, Role.ADMINISTRATOR}),
    "inbox": _PEOPLE,
    # Departments, the policy in force, the calendar.
    "reference": _PEOPLE,
    "alerts": ADMINISTERS,
    # The IVR's questions: an order's status by its number and the caller's phone.
    "ivr": frozenset({Role.INTEGRATION}),
    # Outage notices and the grid: everyone who talks to callers or works on the network.
    "outages": _PEOPLE,
    # "Is there an outage here?": the agents' intake page, the IVR and the web portal.
    "outage_check": _PEOPLE | {Role.INTEGRATION},
    # The department assessment: who prepares it, who signs it.
    "assessment": frozenset({Role.SHIFT_LEADER, Role.SUPERVISOR, Role.ASSESSOR}),
}


SURFACE_LABELS = {
    "orders": _("work orders"),
    "customers": _("customer records"),
    "supervision": _("supervision"),
    "review": _("review"),
    "callbacks": _("callbacks"),
    "handovers": _("shift handovers"),
    "billing_center": _("the billing center list"),
    "inbox": _("messages"),
    "reference": _("reference data"),
    "alerts": _("alerts"),
    "ivr": _("IVR questions"),
    "outages": _("outage information"),
    "outage_check": _("the outage check"),
    "assessment": _("the assessment, the dashboard and the monthly reports"),
}


def may_read(user: User, surface: str) -> bool:
    return Role(user.role) in READ_ROLES[surface]


def authorize_read(user: User, surface: str) -> None:
    if not may_read(user, surface):
        raise PermissionDenied(
            _("a %(role)s may not read this: %(surface)s"),
            role=Role(user.role).label,
            surface=SURFACE_LABELS.get(surface, surface),
        )
