"""The intake check: is this caller inside an outage we know of?

The first thing a repair call meets (the agent's intake page, the IVR, the web portal):
for a customer, an account number, a phone or a free-text address, the published notices
that cover them now or soon, each with what the caller should be told. A customer is
covered when a notice's area holds their transformer or anything above it (one indexed
query over the transformer's line), or when one of a notice's address lines is part of
their address.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import F, Q, QuerySet, Value
from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.customers.models import Customer
from kefu.customers.search import customer_by_account
from kefu.outages.incidents import incidents_over
from kefu.outages.models import (
    FaultIncident,
    GridElement,
    NoticeState,
    OutageAddress,
    OutageArea,
    OutageKind,
    OutageNotice,
)
from kefu.outages.topology import transformer_of
from kefu.tickets.services.checks import beijing_text


@dataclass(frozen=True)
class KnownOutage:
    notice: OutageNotice
    current: bool  # under way now (False: announced, not begun)
    say: str  # what the caller is told


@dataclass(frozen=True)
class KnownFault:
    incident: FaultIncident
    say: str


@dataclass(frozen=True)
class CheckResult:
    customers: list[Customer]
    outages: list[KnownOutage]
    faults: list[KnownFault] = field(default_factory=list)


def say(notice: OutageNotice, now: dt.datetime) -> str:
    values = {
        "kind": OutageKind(notice.kind).label,
        "cause": notice.cause,
        "start": beijing_text(notice.start_at),
        "expected": beijing_text(notice.expected_restoration_at),
    }
    if notice.start_at > now:
        text = _(
            "%(kind)s announced here from %(start)s (%(cause)s); power is expected back by "
            "%(expected)s."
        )
    else:
        text = _(
            "Power is off here since %(start)s: %(kind)s (%(cause)s); it is expected back by "
            "%(expected)s."
        )
    return text % values


def fault_say(incident: FaultIncident) -> str:
    return _(
        "A fault here was reported at %(opened)s and is being handled (%(calls)s calls so far); "
        "the call is recorded on order %(number)s."
    ) % {
        "opened": beijing_text(incident.opened_at),
        "calls": incident.call_count,
        "number": incident.master.number,
    }


def faults_for_customer(customer: Customer) -> list[FaultIncident]:
    """Open fault incidents on the customer's transformer area or above it."""
    transformer = transformer_of(customer)
    if transformer is None:
        return []
    return list(incidents_over(transformer).select_related("master", "element"))


def notices_over(element: GridElement) -> QuerySet[OutageNotice]:
    """Published notices whose area holds the element or anything above it."""
    area = OutageArea.objects.filter(element_id__in=element.ancestor_ids()).values("notice_id")
    return OutageNotice.objects.filter(state=NoticeState.PUBLISHED, pk__in=area)


def notices_for_customer(customer: Customer) -> list[OutageNotice]:
    transformer = transformer_of(customer)
    ids: set[int] = set()
    if transformer is not None:
        ids.update(notices_over(transformer).values_list("pk", flat=True))
    if customer.address:
        ids.update(_by_address(customer.address))
    return _notices(ids)


def _by_address(address: str) -> list[int]:
    """Published notices one of whose address lines is part of `address`."""
    return list(
        OutageAddress.objects.filter(notice__state=NoticeState.PUBLISHED, text__gt="")
        .alias(said=Value(address))
        .filter(said__contains=F("text"))
        .values_list("notice_id", flat=True)
    )


def _notices(ids: set[int]) -> list[OutageNotice]:
    if not ids:
        return []
    return list(
        OutageNotice.objects.filter(pk__in=ids, state=NoticeState.PUBLISHED).order_by(
            "start_at", "id"
        )
    )


def check(
    *,
    customer: Customer | None = None,
    account: str = "",
    phone: str = "",
    address: str = "",
    now: dt.datetime | None = None,
) -> CheckResult:
    """Every known outage for whoever the caller is, current ones first."""
    now = now or timezone.now()
    customers: list[Customer] = []
    if customer is not None:
        customers.append(customer)
    if account:
        found = customer_by_account(account)
        if found is not None:
            customers.append(found)
    if phone:
        customers.extend(Customer.objects.filter(Q(phone=phone) | Q(alt_phone=phone))[:10])
    customers = list({c.pk: c for c in customers}.values())
    notices: dict[int, OutageNotice] = {}
    faults: dict[int, FaultIncident] = {}
    for one in customers:
        notices.update((n.pk, n) for n in notices_for_customer(one))
        faults.update((f.pk, f) for f in faults_for_customer(one))
    if address.strip():
        notices.update((n.pk, n) for n in _notices(set(_by_address(address.strip()))))
    ordered = sorted(notices.values(), key=lambda n: (n.start_at > now, n.start_at, n.pk))
    return CheckResult(
        customers=customers,
        outages=[KnownOutage(n, n.start_at <= now, say(n, now)) for n in ordered],
        faults=[KnownFault(f, fault_say(f)) for f in faults.values()],
    )
