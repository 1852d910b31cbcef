"""Ready-made orders for each action, and a user of any role where the action needs one:
shared by the service-level and the HTTP-level permission matrices."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.utils import timezone

from kefu.accounts.models import User
from kefu.accounts.services import create_user
from kefu.tickets import services
from tests.conftest import Cast
from tests.flows import LEADER, RESTORED, accept, dispatch, intake

ROLES = [
    "agent",
    "shift_leader",
    "supervisor",
    "handler",
    "crew",
    "assessor",
    "administrator",
    "integration",
]

# Written out by hand from domain.md's roles, not derived from the code's table.
EXPECTED: dict[str, set[str]] = {
    "accept": {"agent", "shift_leader", "integration"},
    "answer": {"agent", "shift_leader"},
    "link": {"agent", "shift_leader", "integration"},
    "urge": {"agent", "shift_leader", "integration"},
    "dispatch": {"agent", "shift_leader"},
    "return": {"handler", "crew"},
    "acknowledge": {"handler", "crew"},
    "depart": {"crew"},
    "arrive": {"crew"},
    "onsite_report": {"crew"},
    "restore": {"crew"},
    "update_estimate": {"crew"},
    "report_to_city": {"agent", "shift_leader"},
    # Why the crew arrived late: the crew's department says (its handler or its crew).
    "late_cause": {"handler", "crew"},
    # The complaint record and an interim reply: the center, or the holding department.
    "complaint_record": {"agent", "shift_leader", "handler"},
    "interim_reply": {"agent", "shift_leader", "handler"},
    "application_step": {"handler"},
    "reply": {"handler", "crew"},
    "approve": {"shift_leader", "supervisor"},
    "send_back": {"shift_leader", "supervisor"},
    "callback": {"agent", "shift_leader"},
    "archive": {"agent", "shift_leader", "supervisor"},
    "cancel": {"shift_leader", "supervisor"},
    "suspend": {"handler", "crew", "shift_leader"},
    "resume": {"handler", "crew", "shift_leader"},
}


@dataclass
class Scenario:
    """An order made ready for one action, and the action itself for any user."""

    prepare: Callable[[Cast], tuple[str, str]]  # -> (order number, holder department code)
    act: Callable[[User, str, Cast], object]


def _complaint_at(cast: Cast, stage: str) -> tuple[str, str]:
    order = accept(cast, "complaint", topic="billing")
    if stage == "accepted":
        return order.number, "YXB"
    dispatch(cast, order)
    if stage == "dispatched":
        return order.number, "YXB"
    services.acknowledge_order(actor=cast.yxb, number=order.number)
    if stage == "acknowledged":
        return order.number, "YXB"
    if stage == "suspended":
        services.suspend_order(actor=cast.yxb, number=order.number, reason="customer_wait")
        return order.number, "YXB"
    services.reply_order(actor=cast.yxb, number=order.number, result="已处理")
    if stage == "replied":
        return order.number, "YXB"
    services.approve_order(actor=cast.leader, number=order.number)
    return order.number, "YXB"


def _repair_at(cast: Cast, stage: str) -> tuple[str, str]:
    order = dispatch(cast, accept(cast, "repair"))
    crew = cast.crew_khzx
    services.acknowledge_order(actor=crew, number=order.number)
    steps = ["acknowledged", "departed", "arrived", "reported"]
    if steps.index(stage) >= 1:
        services.depart(**LEADER, actor=crew, number=order.number)
    if steps.index(stage) >= 2:
        services.arrive(actor=crew, number=order.number)
    if steps.index(stage) >= 3:
        services.report_on_site(actor=crew, number=order.number, findings="线路故障")
    return order.number, "KHZX"


def _late_arrival(cast: Cast) -> tuple[str, str]:
    """A repair whose crew arrived two hours after its dispatch (45 minutes allowed)."""
    then = timezone.now() - dt.timedelta(hours=2)
    order = services.accept_order(
        actor=cast.agent, intake=intake("repair", cast.urban), accepted_at=then, confirm_new=True
    )
    services.dispatch_order(
        actor=cast.agent,
        number=order.number,
        department_code="KHZX",
        occurred_at=then + dt.timedelta(minutes=3),
    )
    crew = cast.crew_khzx
    services.acknowledge_order(
        actor=crew, number=order.number, occurred_at=then + dt.timedelta(minutes=5)
    )
    services.arrive(actor=crew, number=order.number)
    return order.number, "KHZX"


def _application(cast: Cast) -> tuple[str, str]:
    order = dispatch(cast, accept(cast, "application"))
    services.acknowledge_order(actor=cast.yxb, number=order.number)
    return order.number, "YXB"


def _answered(cast: Cast) -> tuple[str, str]:
    order = services.answer_at_intake(
        actor=cast.agent, intake=intake("consultation", cast.urban), answer="已答复"
    )
    return order.number, "KFB"


SCENARIOS: dict[str, Scenario] = {
    "accept": Scenario(
        lambda c: ("", "KFB"),
        lambda u, n, c: services.accept_order(
            actor=u, intake=intake("complaint", c.rural), confirm_new=True
        ),
    ),
    "answer": Scenario(
        lambda c: ("", "KFB"),
        lambda u, n, c: services.answer_at_intake(
            actor=u, intake=intake("query", c.rural), answer="本月电费 86 元"
        ),
    ),
    "link": Scenario(
        lambda c: (accept(c, "repair").number, "KFB"),
        lambda u, n, c: services.link_call(
            actor=u, intake=intake("repair", c.urban_neighbour), parent_number=n
        ),
    ),
    "urge": Scenario(
        lambda c: _complaint_at(c, "accepted"),
        lambda u, n, c: services.urge_order(actor=u, number=n),
    ),
    "dispatch": Scenario(
        lambda c: _complaint_at(c, "accepted"),
        lambda u, n, c: services.dispatch_order(actor=u, number=n, department_code="YXB"),
    ),
    "return": Scenario(
        lambda c: _complaint_at(c, "dispatched"),
        lambda u, n, c: services.return_order(actor=u, number=n, reason="非本部门"),
    ),
    "acknowledge": Scenario(
        lambda c: _complaint_at(c, "dispatched"),
        lambda u, n, c: services.acknowledge_order(actor=u, number=n),
    ),
    "depart": Scenario(
        lambda c: _repair_at(c, "acknowledged"),
        lambda u, n, c: services.depart(**LEADER, actor=u, number=n),
    ),
    "arrive": Scenario(
        lambda c: _repair_at(c, "departed"), lambda u, n, c: services.arrive(actor=u, number=n)
    ),
    "onsite_report": Scenario(
        lambda c: _repair_at(c, "arrived"),
        lambda u, n, c: services.report_on_site(actor=u, number=n, findings="树枝压线"),
    ),
    "restore": Scenario(
        lambda c: _repair_at(c, "reported"),
        lambda u, n, c: services.restore_supply(**RESTORED, actor=u, number=n),
    ),
    "update_estimate": Scenario(
        lambda c: _repair_at(c, "reported"),
        lambda u, n, c: services.update_estimate(
            actor=u,
            number=n,
            expected_restoration=timezone.now() + dt.timedelta(hours=2),
            reason="需更换配变",
        ),
    ),
    "report_to_city": Scenario(
        lambda c: _repair_at(c, "reported"),
        lambda u, n, c: services.report_to_city(actor=u, number=n, report="已上报市中心"),
    ),
    "late_cause": Scenario(
        _late_arrival,
        lambda u, n, c: services.record_late_cause(
            actor=u, number=n, clock="arrival", cause="路远车堵"
        ),
    ),
    "complaint_record": Scenario(
        lambda c: _complaint_at(c, "acknowledged"),
        lambda u, n, c: services.record_complaint(
            actor=u,
            number=n,
            record=services.ComplaintRecord(
                complaint_object="抄表员", complaint_cause="估抄", callback_method="phone"
            ),
        ),
    ),
    "interim_reply": Scenario(
        lambda c: _complaint_at(c, "acknowledged"),
        lambda u, n, c: services.interim_reply(actor=u, number=n, reply="正在核实，三日内答复"),
    ),
    "application_step": Scenario(
        _application,
        lambda u, n, c: services.record_application_step(
            actor=u, number=n, step="supply_plan_replied"
        ),
    ),
    "reply": Scenario(
        lambda c: _complaint_at(c, "acknowledged"),
        lambda u, n, c: services.reply_order(actor=u, number=n, result="已处理"),
    ),
    "approve": Scenario(
        lambda c: _complaint_at(c, "replied"),
        lambda u, n, c: services.approve_order(actor=u, number=n),
    ),
    "send_back": Scenario(
        lambda c: _complaint_at(c, "replied"),
        lambda u, n, c: services.send_back_order(actor=u, number=n, reason="不完整"),
    ),
    "callback": Scenario(
        lambda c: _complaint_at(c, "approved"),
        lambda u, n, c: services.callback_order(actor=u, number=n, satisfaction="satisfied"),
    ),
    "archive": Scenario(_answered, lambda u, n, c: services.archive_order(actor=u, number=n)),
    "cancel": Scenario(
        lambda c: _complaint_at(c, "accepted"),
        lambda u, n, c: services.cancel_order(actor=u, number=n, reason="重复"),
    ),
    "suspend": Scenario(
        lambda c: _complaint_at(c, "acknowledged"),
        lambda u, n, c: services.suspend_order(actor=u, number=n, reason="customer_wait"),
    ),
    "resume": Scenario(
        lambda c: _complaint_at(c, "suspended"),
        lambda u, n, c: services.resume_order(actor=u, number=n),
    ),
}


def member(role: str, department: str, tag: str = "probe") -> User:
    """A fresh user of `role`; holders sit in the department holding the order."""
    home = {
        "agent": "KFB",
        "shift_leader": "KFB",
        "supervisor": "KFB",
        "assessor": "YXB",
        "administrator": None,
        "integration": None,
    }.get(role, department)
    return create_user(
        username=f"{role}-{department}-{tag}", password=None, role=role, department_code=home
    )
