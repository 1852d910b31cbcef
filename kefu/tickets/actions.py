"""Which actions a user may take on an order now: what the order page offers, and nothing
more (the services check again when the action is taken)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from kefu.accounts.models import User
from kefu.accounts.roles import ACTION_ROLES, HOLDER_ACTIONS, HOLDERS, Role
from kefu.tickets.models import WorkOrder
from kefu.tickets.states import move_for

#: What each action is called where people read it (pages, refusals).
ACTION_LABELS: dict[str, Any] = {
    "dispatch": _("Dispatch"),
    "acknowledge": _("Acknowledge"),
    "return": _("Return as not ours"),
    "depart": _("Depart"),
    "arrive": _("Arrived on site"),
    "onsite_report": _("On-site report"),
    "restore": _("Supply restored"),
    "update_estimate": _("Change the expected restoration"),
    "report_to_city": _("Report to the city center"),
    "application_step": _("Application step"),
    "reply": _("Reply"),
    "approve": _("Approve"),
    "send_back": _("Send back for rework"),
    "callback": _("Record callback"),
    "answer": _("Answer"),
    "archive": _("Archive"),
    "suspend": _("Suspend"),
    "resume": _("Resume"),
    "urge": _("Customer urged"),
    "cancel": _("Cancel order"),
    "late_cause": _("Say why the stage was late"),
    "complaint_record": _("Complaint record"),
    "interim_reply": _("Interim reply to the customer"),
    "accept": _("Accept the request"),
    "answer_at_intake": _("Answer at intake"),
    "link": _("Link the call"),
    "preview": _("Preview"),
    "manage_outages": _("Keep outage notices"),
    "outage_call": _("Answer the call from an outage notice"),
    "import_grid": _("Import the grid"),
    "prepare_assessment": _("Prepare the assessment"),
    "sign_assessment": _("Sign the assessment"),
    "prepare_report": _("Prepare the monthly report"),
    "write_follow_up": _("Write the follow-up"),
    "issue_report": _("Issue the monthly report"),
}

#: The order page's actions, in the order a person meets them.
PAGE_ACTIONS = (
    "dispatch",
    "acknowledge",
    "return",
    "depart",
    "arrive",
    "onsite_report",
    "update_estimate",
    "restore",
    "report_to_city",
    "application_step",
    "reply",
    "approve",
    "send_back",
    "callback",
    "answer",
    "archive",
    "suspend",
    "resume",
    "urge",
    "complaint_record",
    "interim_reply",
    "cancel",
)


def allowed_actions(user: User, order: WorkOrder) -> list[str]:
    role = Role(user.role)
    allowed = []
    for action in PAGE_ACTIONS:
        if role not in ACTION_ROLES[action]:
            continue
        if (
            action in HOLDER_ACTIONS
            and role in HOLDERS
            and (order.holder_id is None or order.holder_id != user.department_id)
        ):
            continue
        if order.suspended and action not in ("resume", "cancel", "urge"):
            continue
        if action == "resume" and not order.suspended:
            continue
        if action == "suspend" and order.suspended:
            continue
        if move_for(action, order.state, order.request_type) is None:
            continue
        allowed.append(action)
    return allowed
