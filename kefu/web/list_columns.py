"""What each list's CSV holds (csv_export): the columns of the page's table, a value to a
column where the page packs several into one cell. Order lists share order_rows.ORDER_COLUMNS.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kefu.web.csv_export import Column
from kefu.web.templatetags.kefu import case_label


def _display(row: Any, name: str) -> str:
    return str(getattr(row, f"get_{name}_display")())


CALLBACKS: list[Column] = [
    (gettext_lazy("Order"), lambda t: t.incident.number),
    (gettext_lazy("Type"), lambda t: _display(t.incident, "request_type")),
    (gettext_lazy("Phone"), lambda t: t.phone),
    (gettext_lazy("business hours"), lambda t: t.business),
    (gettext_lazy("transformer"), lambda t: t.transformer),
    (gettext_lazy("call from"), lambda t: t.call_from),
    (gettext_lazy("call until"), lambda t: t.call_until),
    (gettext_lazy("Tries"), lambda t: t.attempts),
]

HANDOVERS: list[Column] = [
    (gettext_lazy("shift start"), lambda h: h.shift_start),
    (gettext_lazy("shift end"), lambda h: h.shift_end),
    (gettext_lazy("Handed over by"), lambda h: h.outgoing_leader),
    (gettext_lazy("Open at the handover"), lambda h: len(h.snapshot.get("open_orders", []))),
    (gettext_lazy("Overdue at the handover"), lambda h: len(h.snapshot.get("overdue", []))),
    (gettext_lazy("Due in the next shift"), lambda h: len(h.snapshot.get("due_next_shift", []))),
    (gettext_lazy("Notes"), lambda h: h.notes),
    (gettext_lazy("Taken over by"), lambda h: h.incoming_leader),
    (gettext_lazy("Taken over at"), lambda h: h.acknowledged_at),
    (gettext_lazy("incoming leader's note"), lambda h: h.incoming_note),
]

MESSAGES: list[Column] = [
    (gettext_lazy("created at"), lambda m: m.created_at),
    (gettext_lazy("kind"), lambda m: m.title or m.kind),
    (gettext_lazy("Order"), lambda m: m.order.number if m.order else ""),
    (gettext_lazy("Type"), lambda m: _display(m.order, "request_type") if m.order else ""),
    (gettext_lazy("Seen"), lambda m: m.read_at),
    (gettext_lazy("acknowledged by"), lambda m: m.read_by),
]

NOTICES: list[Column] = [
    (gettext_lazy("Serial number"), lambda n: n.number),
    (gettext_lazy("Kind"), lambda n: _display(n, "kind")),
    (gettext_lazy("State"), lambda n: _display(n, "state")),
    (gettext_lazy("Start"), lambda n: n.start_at),
    (gettext_lazy("Expected restoration"), lambda n: n.expected_restoration_at),
    (gettext_lazy("restored at"), lambda n: n.restored_at),
    (gettext_lazy("Cause"), lambda n: n.cause),
    (gettext_lazy("Lines / feeders"), lambda n: n.lines),
    (gettext_lazy("Requested by"), lambda n: n.requested_by),
    (gettext_lazy("published at"), lambda n: n.published_at),
    (gettext_lazy("published late"), lambda n: n.late),
]


def _told(c: Any) -> str:
    if c.notice:
        return f"{c.notice.cause}"
    return _("a crew is repairing the fault")


OUTAGE_CALLS: list[Column] = [
    (gettext_lazy("Customer"), lambda c: c.customer.name),
    (gettext_lazy("account number"), lambda c: c.customer.account_number),
    (gettext_lazy("Important customer class"), lambda c: _display(c.customer, "important_class")),
    (gettext_lazy("Contact"), lambda c: c.customer.outage_contact_name),
    (gettext_lazy("Phone"), lambda c: c.phone),
    (gettext_lazy("Notice"), lambda c: c.notice.number if c.notice else c.incident.number),
    (
        gettext_lazy("Kind"),
        lambda c: _display(c.notice, "kind") if c.notice else _("Fault outage"),
    ),
    (gettext_lazy("Start"), lambda c: c.notice.start_at if c.notice else c.incident.opened_at),
    (
        gettext_lazy("Expected restoration"),
        lambda c: c.notice.expected_restoration_at if c.notice else None,
    ),
    (gettext_lazy("Where"), lambda c: c.notice.lines if c.notice else c.incident.element.name),
    (gettext_lazy("What to tell"), _told),
    (gettext_lazy("Attempts"), lambda c: c.attempts),
]


def _incident_standing(i: Any) -> str:
    if i.confirmed:
        return _("confirmed")
    return _("predicted") if i.predicted else ""


INCIDENTS: list[Column] = [
    (gettext_lazy("Serial number"), lambda i: i.number),
    (gettext_lazy("Where"), lambda i: i.element.name),
    (gettext_lazy("level"), lambda i: _display(i.element, "level")),
    (gettext_lazy("State"), _incident_standing),
    (gettext_lazy("Calls"), lambda i: i.call_count),
    (gettext_lazy("Master order"), lambda i: i.master.number),
    (gettext_lazy("Master order state"), lambda i: _display(i.master, "state")),
    (gettext_lazy("Held by"), lambda i: i.master.holder or _("the center")),
    (gettext_lazy("Expected restoration"), lambda i: i.master.expected_restoration_at),
    (gettext_lazy("Opened"), lambda i: i.opened_at),
    (gettext_lazy("Last call"), lambda i: i.last_call_at),
]

#: The calls of one fault incident (orders read for the reader: a hidden informant is ***).
INCIDENT_CALLS: list[Column] = [
    (gettext_lazy("Order"), lambda o: o.number),
    (gettext_lazy("master"), lambda o: o.parent_id is None),
    (gettext_lazy("Caller"), lambda o: o.caller_name),
    (gettext_lazy("Transformer area"), lambda o: o.customer.transformer if o.customer else ""),
    (gettext_lazy("Called at"), lambda o: o.accepted_at),
    (gettext_lazy("State"), lambda o: _display(o, "state")),
]

#: Late stages waiting for their cause (rows are clocks).
LATE_STAGES: list[Column] = [
    (gettext_lazy("Order"), lambda c: c.order.number),
    (gettext_lazy("Stage"), lambda c: _display(c, "kind")),
    (gettext_lazy("Round"), lambda c: c.round),
    (gettext_lazy("Department"), lambda c: c.department or _("the center")),
    (gettext_lazy("Deadline"), lambda c: c.deadline),
    (gettext_lazy("Finished at"), lambda c: c.stopped_at),
]

GRID_CHILDREN: list[Column] = [
    (gettext_lazy("code"), lambda e: e.code),
    (gettext_lazy("name"), lambda e: e.name),
    (gettext_lazy("level"), lambda e: _display(e, "level")),
]

ASSESSMENTS: list[Column] = [
    (gettext_lazy("Serial number"), lambda a: a.number),
    (gettext_lazy("Period start"), lambda a: a.period_start),
    (gettext_lazy("Period end"), lambda a: a.period_end),
    (gettext_lazy("State"), lambda a: _display(a, "state")),
    (gettext_lazy("Prepared at"), lambda a: a.prepared_at),
    (gettext_lazy("Prepared by"), lambda a: a.prepared_by),
    (gettext_lazy("Signed at"), lambda a: a.signed_at),
    (gettext_lazy("Signed by"), lambda a: a.signed_by),
]

REPORTS: list[Column] = [
    (gettext_lazy("Serial number"), lambda r: r.number),
    (gettext_lazy("Month"), lambda r: r.month_start.strftime("%Y-%m")),
    (gettext_lazy("State"), lambda r: _display(r, "state")),
    (gettext_lazy("Prepared at"), lambda r: r.prepared_at),
    (gettext_lazy("Prepared by"), lambda r: r.prepared_by),
    (gettext_lazy("Issued at"), lambda r: r.issued_at),
    (gettext_lazy("Issued by"), lambda r: r.issued_by),
]


def _stage(case: dict[str, Any]) -> str:
    return _("Outage notice") if case["what"] == "notice" else case_label(case["what"])


#: The cases behind a unit's deductions; rows are (deduction's name, case).
DEDUCTION_CASES: list[Column] = [
    (gettext_lazy("Deduction"), lambda r: r[0]),
    (gettext_lazy("Order"), lambda r: r[1]["order"]),
    (gettext_lazy("Stage"), lambda r: _stage(r[1])),
    (gettext_lazy("Deadline"), lambda r: r[1]["deadline"]),
    (gettext_lazy("When"), lambda r: r[1]["at"]),
    (gettext_lazy("Why"), lambda r: r[1]["why"]),
]
