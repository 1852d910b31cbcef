"""Who may do what: the role × action matrix, department scoping, and the hidden informant."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.db import transaction

from kefu.accounts.models import User
from kefu.accounts.services import create_user
from kefu.core.errors import NotFound, PermissionDenied
from kefu.tickets import services
from kefu.tickets.filters import OrderFilter, filter_orders
from kefu.tickets.models import WorkOrder
from kefu.tickets.schemas import order_out
from kefu.tickets.visibility import readable_orders
from tests.conftest import Cast, bj
from tests.flows import accept, dispatch, intake

Freeze = Callable[[str], dt.datetime]
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
        services.depart(actor=crew, number=order.number)
    if steps.index(stage) >= 2:
        services.arrive(actor=crew, number=order.number)
    if steps.index(stage) >= 3:
        services.report_on_site(actor=crew, number=order.number, findings="线路故障")
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
        lambda c: _repair_at(c, "acknowledged"), lambda u, n, c: services.depart(actor=u, number=n)
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
        lambda u, n, c: services.restore_supply(actor=u, number=n),
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


class _Rollback(Exception):
    pass


def _member(role: str, department: str) -> User:
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
        username=f"{role}-{department}-probe", password=None, role=role, department_code=home
    )


@pytest.mark.parametrize("action", sorted(EXPECTED))
def test_each_role_can_do_exactly_its_transitions(action: str, cast: Cast, freeze: Freeze) -> None:
    freeze("2026-03-10 09:00")
    scenario = SCENARIOS[action]
    number, department = scenario.prepare(cast)
    allowed: set[str] = set()
    for role in ROLES:
        try:
            with transaction.atomic():
                user = _member(role, department)
                scenario.act(user, number, cast)
                allowed.add(role)
                raise _Rollback  # undo, so the next role meets the same order
        except _Rollback:
            pass
        except (PermissionDenied, NotFound):
            pass
    assert allowed == EXPECTED[action]


def test_a_handler_cannot_act_on_another_departments_order(cast: Cast, freeze: Freeze) -> None:
    freeze("2026-03-10 09:00")
    order = dispatch(cast, accept(cast, "complaint", topic="billing"))  # held by YXB
    with pytest.raises(NotFound):
        services.acknowledge_order(actor=cast.ddzx, number=order.number)


def test_a_former_holder_keeps_what_it_saw_but_no_longer_lists_or_acts(
    cast: Cast, freeze: Freeze
) -> None:
    freeze("2026-03-10 09:00")
    order = dispatch(cast, accept(cast, "complaint", topic="outage"))  # DDZX
    services.return_order(actor=cast.ddzx, number=order.number, reason="非本部门")
    services.dispatch_order(actor=cast.agent, number=order.number, department_code="YXB")
    services.acknowledge_order(actor=cast.yxb, number=order.number)
    services.reply_order(actor=cast.yxb, number=order.number, result="营销部已向客户解释")
    listed = filter_orders(cast.ddzx, OrderFilter()).values_list("number", flat=True)
    assert order.number not in set(listed)
    seen = readable_orders(cast.ddzx).get(number=order.number)
    assert (seen.state, seen.holder_id) == ("returned", None)
    kinds = [e.kind for e in seen.events.all()]
    assert kinds == ["accepted", "dispatched", "returned"]
    assert {c.department.code for c in seen.clocks.all() if c.department} == {"DDZX"}
    assert "营销部已向客户解释" not in str(order_out(seen, cast.ddzx, with_events=True))
    with pytest.raises(PermissionDenied, match="not held by your department"):
        services.acknowledge_order(actor=cast.ddzx, number=order.number)


def test_handlers_list_only_their_departments_orders(cast: Cast, freeze: Freeze) -> None:
    freeze("2026-03-10 09:00")
    mine = dispatch(cast, accept(cast, "complaint", topic="billing"))
    dispatch(cast, accept(cast, "complaint", cast.rural, topic="outage"))
    accept(cast, "repair")
    numbers = set(filter_orders(cast.yxb, OrderFilter()).values_list("number", flat=True))
    assert numbers == {mine.number}
    assert filter_orders(cast.agent, OrderFilter()).count() == 3


def _report(cast: Cast) -> WorkOrder:
    order = accept(cast, "report", cast.rural)
    return dispatch(cast, order)  # ZGB


def _loaded(order: WorkOrder) -> WorkOrder:
    return WorkOrder.objects.select_related("customer", "holder", "accepted_by").get(pk=order.pk)


def test_a_reports_informant_is_shown_to_its_handlers_only(cast: Cast, freeze: Freeze) -> None:
    freeze("2026-03-10 09:00")
    order = _loaded(_report(cast))
    for user in (cast.zgb, cast.agent):  # the handling department; the agent who took it
        seen = order_out(order, user)
        assert seen["caller_name"] == "张秀英"
        assert seen["customer_account"] == cast.rural.account_number
    for user in (cast.agent2, cast.leader, cast.supervisor, cast.assessor, cast.admin):
        seen = order_out(order, user)
        assert seen["informant_hidden"] is True
        assert seen["caller_name"] == "***"
        assert seen["caller_phone"] == "***"
        assert seen["customer_account"] is None
    with pytest.raises(NotFound):
        services.acknowledge_order(actor=cast.yxb, number=order.number)


def test_searching_by_customer_does_not_reveal_who_reported(cast: Cast, freeze: Freeze) -> None:
    freeze("2026-03-10 09:00")
    report = _report(cast)
    complaint = accept(cast, "complaint", cast.rural)
    by_customer = OrderFilter(customer=cast.rural.account_number)
    seen_by_other_agent = set(
        filter_orders(cast.agent2, by_customer).values_list("number", flat=True)
    )
    assert seen_by_other_agent == {complaint.number}
    seen_by_handler = set(filter_orders(cast.zgb, by_customer).values_list("number", flat=True))
    assert seen_by_handler == {report.number}


def test_anonymous_reports_name_nobody(cast: Cast, freeze: Freeze) -> None:
    freeze("2026-03-10 09:00")
    order = services.accept_order(
        actor=cast.agent, intake=intake("report", None, anonymous=True, caller_phone="13800000000")
    )
    assert order.customer is None
    assert order_out(_loaded(order), cast.leader)["caller_phone"] == "***"
    assert bj("2026-03-10 09:00") == order.accepted_at
