"""The demo data set: a county with every role, ~1,000 customers and orders in every state."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from kefu.accounts.models import User
from kefu.accounts.roles import Role
from kefu.customers.models import Customer
from kefu.demo.data import load_demo
from kefu.tickets.models import OrderEvent, WorkOrder
from kefu.tickets.states import State

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_demo_has_every_role_customer_kinds_and_every_state(
    freeze: Callable[[str], dt.datetime],
) -> None:
    freeze("2026-11-20 16:00")
    result = load_demo(customers=1000, orders=400)
    assert result["created"] is True
    assert set(User.objects.values_list("role", flat=True)) == set(Role.values)
    assert Customer.objects.count() == 1000
    assert set(Customer.objects.values_list("area_class", flat=True)) == {
        "urban",
        "rural",
        "remote",
    }
    assert Customer.objects.filter(name__contains="厂").exists()
    assert set(WorkOrder.objects.values_list("state", flat=True)) == set(State.values)
    assert OrderEvent.objects.filter(kind="customer_urged").exists()
    # A second load finds the county there and changes nothing.
    before = WorkOrder.objects.count()
    assert load_demo(customers=1000, orders=400)["created"] is False
    assert WorkOrder.objects.count() == before
