"""Every change to a work order: one function per transition of domain.md.

- `checks`: what every service shares — who may act, when it happened, the locked order
  row, the event written in the same transaction.
- `intake`: 受理 — a request becomes an order, is answered at intake, or is linked to an
  open order.
- `transitions`: dispatch, return, acknowledge, reply, answer, suspend and resume, cancel,
  urge.
- `steps`: what a crew (or an application's department) reports as the work goes on.
- `review`: the center's part after the reply — review, callback, archive.

Times of occurrence may be given for events reported after the fact: never in the future,
never before the order's previous event.
"""

from kefu.tickets.services.checks import EVENT_KINDS, authorize, checked_time, note_on_order
from kefu.tickets.services.complaints import ComplaintRecord, interim_reply, record_complaint
from kefu.tickets.services.intake import (
    Intake,
    LinkOutcome,
    PaidService,
    Preview,
    accept_order,
    answer_at_intake,
    explain_customer_fault,
    explain_known_outage,
    link_call,
    open_duplicates,
    preview_intake,
)
from kefu.tickets.services.review import (
    approve_order,
    archive_order,
    callback_order,
    send_back_order,
)
from kefu.tickets.services.steps import (
    APPLICATION_STEP_LABELS,
    APPLICATION_STEPS,
    arrive,
    depart,
    record_application_step,
    record_late_cause,
    report_on_site,
    report_to_city,
    restore_supply,
    update_estimate,
)
from kefu.tickets.services.transitions import (
    acknowledge_order,
    answer_order,
    cancel_order,
    dispatch_order,
    reply_order,
    resume_order,
    return_order,
    suspend_order,
    urge_order,
)

__all__ = [
    "APPLICATION_STEPS",
    "APPLICATION_STEP_LABELS",
    "EVENT_KINDS",
    "ComplaintRecord",
    "Intake",
    "LinkOutcome",
    "PaidService",
    "Preview",
    "accept_order",
    "acknowledge_order",
    "answer_at_intake",
    "answer_order",
    "approve_order",
    "archive_order",
    "arrive",
    "authorize",
    "callback_order",
    "cancel_order",
    "checked_time",
    "depart",
    "dispatch_order",
    "explain_customer_fault",
    "explain_known_outage",
    "interim_reply",
    "link_call",
    "note_on_order",
    "open_duplicates",
    "preview_intake",
    "record_application_step",
    "record_complaint",
    "record_late_cause",
    "reply_order",
    "report_on_site",
    "report_to_city",
    "restore_supply",
    "resume_order",
    "return_order",
    "send_back_order",
    "suspend_order",
    "update_estimate",
    "urge_order",
]
