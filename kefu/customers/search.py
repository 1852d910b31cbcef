"""Finding a customer as the agent types: account number, phone, name or address."""

from __future__ import annotations

import functools

from django.db.models import Q, QuerySet

from kefu.customers.models import Customer


@functools.cache
def _by_account_sql() -> str:
    # The statement is the same for every account: compiled once per process (Django's
    # compiler took more of an intake's time than the database took to answer it).
    sql, _ = Customer.objects.filter(account_number="").order_by()[:1].query.sql_with_params()
    return str(sql)


def customer_by_account(account_number: str) -> Customer | None:
    """The customer with this account number (户号), the caller's usual key, or None."""
    return next(iter(Customer.objects.raw(_by_account_sql(), [account_number])), None)


def find_customers(text: str) -> QuerySet[Customer]:
    """Exact account number or phone first is the caller's usual key; otherwise contains."""
    text = text.strip()
    if not text:
        return Customer.objects.none()
    if text.isdigit():
        exact = Customer.objects.filter(Q(account_number=text) | Q(phone=text) | Q(alt_phone=text))
        if exact.exists():
            return exact
        return Customer.objects.filter(
            Q(account_number__startswith=text) | Q(phone__startswith=text)
        ).order_by("account_number")
    # Chinese names and addresses: substring match works the same on SQLite and PostgreSQL.
    return Customer.objects.filter(
        Q(name__contains=text) | Q(address__contains=text) | Q(landmark__contains=text)
    ).order_by("account_number")
