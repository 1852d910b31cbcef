"""Finding a customer as the agent types: account number, phone, name or address."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from kefu.core.compiled import KeyLookup
from kefu.customers.models import Customer

#: The customer with this account number (户号), the caller's usual key, or None.
customer_by_account = KeyLookup(lambda: Customer.objects.filter(account_number="").order_by()[:1])


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
