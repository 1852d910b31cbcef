"""Customer look-up for intake: by account number, phone, name or address."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Router, Schema

from kefu.accounts.auth import request_user
from kefu.accounts.roles import authorize_read
from kefu.core.api_errors import READ_ERRORS
from kefu.core.errors import NotFound
from kefu.core.schema_types import Code, ShortText
from kefu.customers.search import customer_by_account, find_customers
from kefu.tickets.states import OPEN_STATES
from kefu.tickets.visibility import customer_orders

router = Router(tags=["customers"])


class CustomerOut(Schema):
    account_number: str
    name: str
    phone: str
    alt_phone: str
    address: str
    landmark: str
    district: str
    area_class: str
    substation: str
    feeder: str
    transformer: str
    category: str
    voltage_kv: Decimal
    important_class: str
    value_tier: str
    red_list: bool
    black_list: bool


class OrderBrief(Schema):
    number: str
    request_type: str
    state: str
    accepted_at: dt.datetime
    description: str


class CustomerProfileOut(CustomerOut):
    open_orders: list[OrderBrief]
    recent_orders: list[OrderBrief]


class CustomerPage(Schema):
    items: list[CustomerOut]


@router.get("", response={200: CustomerPage, **READ_ERRORS}, summary="Find customers as you type")
def search_customers(request: HttpRequest, q: ShortText, limit: int = 20) -> dict[str, Any]:
    authorize_read(request_user(request), "customers")
    limit = max(1, min(limit, 100))
    return {"items": list(find_customers(q)[:limit])}


@router.get(
    "/{account_number}",
    response={200: CustomerProfileOut, **READ_ERRORS},
    summary="A customer's profile with open and recent orders",
)
def get_customer(request: HttpRequest, account_number: Code) -> dict[str, Any]:
    user = request_user(request)
    authorize_read(user, "customers")
    customer = customer_by_account(account_number)
    if customer is None:
        raise NotFound(
            _("no customer with account number %(account)s"),
            field="account_number",
            account=account_number,
        )
    orders = customer_orders(user, customer)
    data = CustomerOut.from_orm(customer).dict()
    data["open_orders"] = list(orders.filter(state__in=list(OPEN_STATES))[:20])
    data["recent_orders"] = list(orders[:10])
    return data
