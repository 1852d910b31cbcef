"""Who may do what: the role × action matrix, department scoping, and the hidden informant."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.db import transaction

from kefu.core.errors import NotFound, PermissionDenied
from kefu.tickets import services
from kefu.tickets.filters import OrderFilter, filter_orders
from kefu.tickets.models import WorkOrder
from kefu.tickets.schemas import order_out
from kefu.tickets.visibility import readable_orders
from tests.conftest import Cast, bj
from tests.flows import accept, dispatch, intake
from tests.scenarios import EXPECTED, ROLES, SCENARIOS, member

Freeze = Callable[[str], dt.datetime]


class _Rollback(Exception):
    pass


@pytest.mark.parametrize("action", sorted(EXPECTED))
def test_each_role_can_do_exactly_its_transitions(action: str, cast: Cast, freeze: Freeze) -> None:
    freeze("2026-03-10 09:00")
    scenario = SCENARIOS[action]
    number, department = scenario.prepare(cast)
    allowed: set[str] = set()
    for role in ROLES:
        try:
            with transaction.atomic():
                user = member(role, department)
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
