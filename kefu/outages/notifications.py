"""Telling the customers of a notice: key customers first, then everyone else.

When a notice is published, its times or area change, or the power is back, every
customer it covers gets one notification row per step: an important customer (special,
first, second or temporary class) a phone call on the agents' list and an SMS, queued
before anyone else's; every other customer an SMS. The SMS go through the outbox, which
records each delivery attempt; callers who asked on the call to be told when the power is
back get an SMS at restoration too. Written set-wise, in the notice's transaction.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from kefu.accounts.models import User
from kefu.core.errors import IllegalTransition, InvalidInput, NotFound
from kefu.customers.models import Customer, ImportantClass
from kefu.outages.models import (
    CustomerNotification,
    FaultIncident,
    NotificationChannel,
    NotificationStatus,
    OutageKind,
    OutageNotice,
)
from kefu.outages.topology import customers_under
from kefu.outbox.models import Message, MessageChannel
from kefu.tickets.services.checks import authorize, beijing_text


def affected_customers(notice: OutageNotice) -> QuerySet[Customer]:
    """The customers under the notice's grid elements, or at one of its addresses."""
    covered = Q(pk__in=customers_under(notice.elements.all()).values("pk"))
    for line in notice.address_lines():
        covered |= Q(address__contains=line)
    return Customer.objects.filter(covered)


def sms_text(notice: OutageNotice, reason: str) -> str:
    """What the customer reads, in Chinese (the customers' language)."""
    with override("zh-hans"):
        kind = OutageKind(notice.kind).label
        if reason == "restored":
            return _(
                "[95598] %(kind)s %(number)s is over: power was restored at %(restored)s. "
                "We apologise for the inconvenience."
            ) % {
                "kind": kind,
                "number": notice.number,
                "restored": beijing_text(notice.restored_at or timezone.now()),
            }
        template = (
            _(
                "[95598] Changed: %(kind)s from %(start)s, power expected back by "
                "%(expected)s. Cause: %(cause)s. Notice %(number)s."
            )
            if reason == "updated"
            else _(
                "[95598] %(kind)s from %(start)s, power expected back by %(expected)s. "
                "Cause: %(cause)s. Notice %(number)s."
            )
        )
        return template % {
            "kind": kind,
            "start": beijing_text(notice.start_at),
            "expected": beijing_text(notice.expected_restoration_at),
            "cause": notice.cause,
            "number": notice.number,
        }


def tell_affected(notice: OutageNotice, reason: str, now: dt.datetime) -> int:
    """Queue this step's notifications; the number of customers told."""
    told = tell_customers(
        affected_customers(notice), sms_text(notice, reason), reason, now, notice=notice
    )
    if reason == "restored":
        body = sms_text(notice, reason)
        Message.objects.bulk_create(
            [
                sms_message(call.phone, body, now, order_id=call.order_id)
                for call in notice.calls.filter(notify_restored=True).exclude(phone="")
            ],
            batch_size=2000,
        )
    return told


def contact_phone(customer: Customer) -> str:
    """Where a customer's outage notices go: an important customer's named contact, if it
    has one, else the account's phone."""
    return customer.outage_contact_phone or customer.phone


def tell_customers(
    customers: QuerySet[Customer],
    body: str,
    reason: str,
    now: dt.datetime,
    *,
    notice: OutageNotice | None = None,
    incident: FaultIncident | None = None,
) -> int:
    """Tell `customers` of a step of a notice or an incident: key customers first (a phone
    call on the agents' list and an SMS to their named contact), then everyone else by SMS;
    one notification row per customer and channel. The number of customers told."""
    rows: list[CustomerNotification] = []
    messages: list[Message] = []
    listed = list(
        customers.only("pk", "phone", "important_class", "outage_contact_phone").order_by("pk")
    )
    key = [c for c in listed if c.important_class != ImportantClass.NONE]
    others = [c for c in listed if c.important_class == ImportantClass.NONE]
    for customer in [*key, *others]:  # key customers' messages are queued (and sent) first
        is_key = customer.important_class != ImportantClass.NONE
        phone = contact_phone(customer)
        about = {"notice": notice, "incident": incident, "customer": customer, "phone": phone}
        if is_key:
            rows.append(_row(about, reason, NotificationChannel.PHONE, True, now))
        if phone:
            message = sms_message(phone, body, now, customer=customer)
            messages.append(message)
            rows.append(_row(about, reason, NotificationChannel.SMS, is_key, now))
            rows[-1].message = message
    Message.objects.bulk_create(messages, batch_size=2000)
    for row in rows:
        if row.message is not None:
            row.message_id = row.message.pk
    CustomerNotification.objects.bulk_create(rows, batch_size=2000)
    return len(listed)


def sms_message(
    phone: str,
    body: str,
    now: dt.datetime,
    *,
    customer: Customer | None = None,
    order_id: int | None = None,
    kind: str = "outage_notice",
) -> Message:
    """An SMS to queue in the outbox (written by the caller, in bulk)."""
    return Message(
        channel=MessageChannel.SMS,
        kind=kind,
        body=body,
        to_customer=customer,
        address=phone,
        order_id=order_id,
        next_attempt_at=now,
        created_at=now,
    )


def _row(
    about: dict[str, Any], reason: str, channel: str, key: bool, now: dt.datetime
) -> CustomerNotification:
    return CustomerNotification(
        **about,
        reason=reason,
        channel=channel,
        key_customer=key,
        status=NotificationStatus.QUEUED
        if channel == NotificationChannel.PHONE
        else NotificationStatus.DONE,
        created_at=now,
        done_at=None if channel == NotificationChannel.PHONE else now,
    )


def calls_to_make() -> QuerySet[CustomerNotification]:
    """The agents' list: key customers to phone, the oldest first."""
    return (
        CustomerNotification.objects.filter(
            channel=NotificationChannel.PHONE, status=NotificationStatus.QUEUED
        )
        .select_related("notice", "incident", "incident__element", "customer")
        .order_by("created_at", "id")
    )


def record_call(
    *, actor: User, notification_id: int, reached: bool, note: str = ""
) -> CustomerNotification:
    """One attempt to phone a key customer: told, or not reached (tried again later; after
    three attempts it stays not reached, the SMS having gone anyway)."""
    authorize(actor, "outage_call")
    with transaction.atomic():
        return _record_call(actor, notification_id, reached, note)


def _record_call(
    actor: User, notification_id: int, reached: bool, note: str
) -> CustomerNotification:
    row = (
        CustomerNotification.objects.select_for_update()
        .filter(pk=notification_id, channel=NotificationChannel.PHONE)
        .first()
    )
    if row is None:
        raise NotFound(_("no call to make %(id)s"), field="notification", id=notification_id)
    if row.status != NotificationStatus.QUEUED:
        raise IllegalTransition(_("this call was made already"), field="notification")
    if not reached and not note.strip() and row.attempts >= 2:
        raise InvalidInput(_("say why the customer was not reached"), field="note")
    row.attempts += 1
    row.note = "\n".join(part for part in (row.note, note.strip()) if part)
    if reached or row.attempts >= 3:
        row.status = NotificationStatus.DONE if reached else NotificationStatus.UNREACHABLE
        row.done_at = timezone.now()
        row.done_by = actor
    row.save()
    return row
