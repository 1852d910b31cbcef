"""Queueing messages (inside the caller's transaction) and delivering them (the worker).

Delivery is at-least-once towards the gateway and exactly-once for the recipient: a worker
claims a message for a lease, sends it with its idempotency key, then records the attempt.
A worker killed after sending leaves the claim to expire; the next run sends again with the
same key and the gateway drops the repeat.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kefu.accounts.models import Department, User
from kefu.core.errors import NotFound
from kefu.customers.models import Customer
from kefu.outbox.gateways import DeliveryError, send_email, sms_gateway
from kefu.outbox.models import DeliveryAttempt, Message, MessageChannel, MessageStatus
from kefu.tickets.models import WorkOrder

log = logging.getLogger(__name__)

LEASE = dt.timedelta(minutes=2)
BACKOFF_MINUTES = (1, 5, 15, 60, 240)
#: Notices to customers: three failed attempts and the billing center sends a letter instead.
CUSTOMER_NOTICE_ATTEMPTS = 3


def queue_message(
    *,
    channel: str,
    kind: str,
    body: str,
    subject: str = "",
    to_user: User | None = None,
    to_department: Department | None = None,
    to_customer: Customer | None = None,
    address: str = "",
    order: WorkOrder | None = None,
    max_attempts: int = 5,
    at: dt.datetime | None = None,
) -> Message:
    """Write a message to the outbox; call it inside the transaction of the change."""
    now = at or timezone.now()
    return Message.objects.create(
        channel=channel,
        kind=kind,
        body=body,
        subject=subject,
        to_user=to_user,
        to_department=to_department,
        to_customer=to_customer,
        address=address,
        order=order,
        max_attempts=max_attempts,
        next_attempt_at=now,
        created_at=now,
    )


def queue_customer_notice(
    *, customer: Customer, kind: str, body: str, order: WorkOrder | None = None
) -> Message:
    """An SMS to a customer; after three failures it goes on the billing center's list."""
    return queue_message(
        channel=MessageChannel.SMS,
        kind=kind,
        body=body,
        to_customer=customer,
        address=customer.phone,
        order=order,
        max_attempts=CUSTOMER_NOTICE_ATTEMPTS,
    )


def billing_center_list() -> QuerySet[Message]:
    """Customer notices that failed every attempt: the billing center writes to them."""
    return (
        Message.objects.filter(status=MessageStatus.FAILED, to_customer__isnull=False)
        .select_related("to_customer")
        .order_by("created_at", "id")
    )


def _due(now: dt.datetime) -> Q:
    return Q(status=MessageStatus.PENDING, next_attempt_at__lte=now) | Q(
        status=MessageStatus.SENDING, claimed_until__lt=now
    )


def _send(message: Message) -> None:
    if message.channel == MessageChannel.SMS:
        sms_gateway().send(key=message.idempotency_key, phone=message.address, text=message.body)
    elif message.channel == MessageChannel.EMAIL:
        send_email(
            key=message.idempotency_key,
            address=message.address,
            subject=message.subject or message.body[:40],
            text=message.body,
        )
    # In-app messages are delivered by being in the recipient's inbox.


@dataclass
class DeliveryResult:
    sent: int = 0
    retrying: int = 0
    failed: int = 0


def deliver_one(message_id: int, now: dt.datetime | None = None) -> str | None:
    """Claim, send, record. Returns the new status, or None if another worker has it."""
    now = now or timezone.now()
    claimed = Message.objects.filter(_due(now), pk=message_id).update(
        status=MessageStatus.SENDING, claimed_until=now + LEASE
    )
    if not claimed:
        return None
    message = Message.objects.get(pk=message_id)
    try:
        _send(message)
        ok, error = True, ""
    except DeliveryError as exc:
        ok, error = False, str(exc)
    with transaction.atomic():
        attempted_at = timezone.now()
        DeliveryAttempt.objects.create(
            message=message, attempted_at=attempted_at, ok=ok, error=error
        )
        message.attempts += 1
        message.claimed_until = None
        message.last_error = error
        if ok:
            message.status, message.sent_at = MessageStatus.SENT, attempted_at
        elif message.attempts >= message.max_attempts:
            message.status = MessageStatus.FAILED
            log.warning("message %s failed %s times: %s", message.pk, message.attempts, error)
        else:
            message.status = MessageStatus.PENDING
            wait = BACKOFF_MINUTES[min(message.attempts, len(BACKOFF_MINUTES)) - 1]
            message.next_attempt_at = attempted_at + dt.timedelta(minutes=wait)
        message.save()
    return message.status


def deliver_due(*, now: dt.datetime | None = None, limit: int = 500) -> DeliveryResult:
    """Send what is due, oldest first."""
    now = now or timezone.now()
    result = DeliveryResult()
    ids = list(
        Message.objects.filter(_due(now))
        .order_by("next_attempt_at", "id")
        .values_list("id", flat=True)[:limit]
    )
    for message_id in ids:
        status = deliver_one(message_id, now)
        if status == MessageStatus.SENT:
            result.sent += 1
        elif status == MessageStatus.PENDING:
            result.retrying += 1
        elif status == MessageStatus.FAILED:
            result.failed += 1
    return result


def inbox(user: User) -> QuerySet[Message]:
    """In-app messages for a user: to them, or to their department."""
    mine = Q(to_user=user)
    if user.department_id is not None:
        mine |= Q(to_department_id=user.department_id)
    return Message.objects.filter(mine, channel=MessageChannel.IN_APP).select_related("order")


def acknowledge_message(*, actor: User, message_id: int) -> Message:
    """知道了: an urge or escalation in the actor's inbox has been seen (once; kept)."""
    with transaction.atomic():
        message = inbox(actor).select_for_update(of=("self",)).filter(pk=message_id).first()
        if message is None:
            raise NotFound(_("no message %(id)s in your inbox"), field="message", id=message_id)
        if message.read_at is None:
            message.read_at = timezone.now()
            message.read_by = actor
            message.save(update_fields=["read_at", "read_by"])
    return message
